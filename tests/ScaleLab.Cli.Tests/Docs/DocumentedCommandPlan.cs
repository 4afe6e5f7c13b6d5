using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ScaleLab.Cli.Tests.Docs;

/// <summary>What the harness does with one documented command: skip it (with the reason it prints), or run these
/// arguments, possibly made quicker (the note says how, so the listing never hides a change).</summary>
public sealed record DocumentedCommandPlan(DocumentedCommand Command, string[] Arguments, string? SkipReason, string? QuickNote, bool AsProcess);

/// <summary>
/// The rules, all in one place. Skipped: synopses (placeholders, not commands), downloads (tests never download),
/// what depends on a download, verify/calibrate (minutes each, tested in their own process), estimate --time without
/// a profile (it would measure the machine into ~/.scalelab) and commands that need a
/// shared PostgreSQL store. Made quicker: training-like
/// commands, with their documented quick flag or fewer epochs and samples, so the whole harness runs in minutes.
/// </summary>
public static class DocumentedCommandPlanner
{
    /// <summary>Samples a quickened train/sweep uses: enough for every class, a second per epoch.</summary>
    public const int QuickSamples = 1000;

    private static readonly Regex Placeholder = new(@"^(?:[A-Z][A-Z0-9_]*|\.\.\.|…)$");

    public static DocumentedCommandPlan Plan(DocumentedCommand command, string workDirectory)
    {
        string[] args = Split(command.Command);
        string verb = args.Length > 0 ? args[0] : "";
        string? skip =
            args.Any(a => Placeholder.IsMatch(a) || a.Contains('[', StringComparison.Ordinal) || a.Contains('|', StringComparison.Ordinal)) ? "synopsis with placeholders, not a command"
            : verb is "verify" or "calibrate" ? "measures the machine for up to minutes and its verdict depends on the machine's load; VerifyCommandTests run verify in its own process, bench/verify-suite the suite"
            : args.Any(a => a.StartsWith("postgresql://", StringComparison.Ordinal) || a.Contains("$SCALELAB_STORE", StringComparison.Ordinal) || a.StartsWith("/shared/", StringComparison.Ordinal))
                ? "needs a shared PostgreSQL store or cluster storage; the store, submit and worker tests run these against a private PostgreSQL server"
            : verb == "estimate" && args.Contains("--time") && !args.Contains("--profile") ? "measures the machine (about 20 s) when no profile is saved, into the user's ~/.scalelab; EstimateTimeTests run it with a profile"
            : verb == "serve" ? "a server runs until Ctrl+C; ServeCommandTests start it on a free port and query it"
            : verb == "data" && args.ElementAtOrDefault(1) == "fetch" ? "downloads from the internet; tests never download"
            : verb == "data" && args.ElementAtOrDefault(2) == "./mnist" ? "reads ./mnist, which only the data fetch above (a download) makes"
            : null;
        if (skip is not null) return new DocumentedCommandPlan(command, args, skip, null, false);

        return verb switch
        {
            "train" => QuickTrain(command, args),
            "compress" when Value(args, "--finetune-epochs") is > 1 => new DocumentedCommandPlan(command, With(args, "--finetune-epochs", "1"), null, "--finetune-epochs 1", false),
            "study" when !args.Contains("--quick") => new DocumentedCommandPlan(command, [.. args, "--quick"], null, "--quick (its documented smoke test)", true),
            "study" => new DocumentedCommandPlan(command, args, null, null, true),
            "sweep" when args.ElementAtOrDefault(1) is { } file && file.EndsWith(".json", StringComparison.Ordinal) => QuickSweep(command, args, workDirectory),
            _ => new DocumentedCommandPlan(command, args, null, null, false),
        };
    }

    private static DocumentedCommandPlan QuickTrain(DocumentedCommand command, string[] args)
    {
        if (args.Contains("--resume")) return new DocumentedCommandPlan(command, args, null, null, false);
        var quick = args.Contains("--limit") ? args : [.. args, "--limit", QuickSamples.ToString(CultureInfo.InvariantCulture)];
        string note = $"--limit {QuickSamples}";
        if (Value(args, "--epochs") is > 2)
        {
            quick = With(quick, "--epochs", "2");
            note += ", --epochs 2";
        }

        return new DocumentedCommandPlan(command, [.. quick, "--progress", "plain"], null, note + ", --progress plain", false);
    }

    /// <summary>A copy of the sweep file with one epoch on <see cref="QuickSamples"/> samples; trials are processes, so the sweep is one too.</summary>
    private static DocumentedCommandPlan QuickSweep(DocumentedCommand command, string[] args, string workDirectory)
    {
        string original = Path.GetFullPath(Path.Combine(workDirectory, args[1]));
        var sweep = JsonNode.Parse(File.ReadAllText(original))!.AsObject();
        if (sweep["model"]?.GetValue<string>() is { } model && model.EndsWith(".json", StringComparison.Ordinal))
            sweep["model"] = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(original)!, model));
        var training = sweep["training"]!.AsObject();
        training["epochs"] = 1;
        training["data"]!.AsObject()["limit"] = QuickSamples;
        string quick = Path.Combine(workDirectory, ".quick", Path.GetFileName(original));
        Directory.CreateDirectory(Path.GetDirectoryName(quick)!);
        File.WriteAllText(quick, sweep.ToJsonString());
        string[] quickArgs = [.. args];
        quickArgs[1] = quick;
        return new DocumentedCommandPlan(command, quickArgs, null, $"a copy of {args[1]} with epochs 1, data.limit {QuickSamples}", true);
    }

    private static int? Value(string[] args, string option) =>
        Array.IndexOf(args, option) is var i and >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out int v) ? v : null;

    private static string[] With(string[] args, string option, string value)
    {
        string[] copy = [.. args];
        copy[Array.IndexOf(copy, option) + 1] = value;
        return copy;
    }

    /// <summary>Whitespace-separated words; the documented commands quote nothing (a quote would be a shell's job).</summary>
    public static string[] Split(string command) => command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
