using System.Diagnostics;
using System.Reflection;

namespace ScaleLab.Experiments.Running;

/// <summary>
/// The program a trial process runs: `FILE PREFIX… train SPEC --config CFG --out DIR …`. Normally the running
/// scalelab itself (<see cref="Current"/>); tests point it at the built CLI or at a small script that writes a run
/// directory, so the runner's logic is tested without training.
/// </summary>
public sealed record TrialCommand(string FileName, IReadOnlyList<string> PrefixArguments)
{
    /// <summary>Overrides <see cref="Current"/>: a scalelab executable, or a scalelab.dll (run through dotnet).</summary>
    public const string EnvironmentVariable = "SCALELAB_EXECUTABLE";

    /// <summary>
    /// The scalelab that is running now: $SCALELAB_EXECUTABLE if set; else this process's executable, plus the entry
    /// assembly when the process is the dotnet host (`dotnet scalelab.dll …`).
    /// </summary>
    public static TrialCommand Current()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured) return ForPath(configured);
        string process = Environment.ProcessPath ?? throw new InvalidOperationException("the path of the running executable is unknown");
        string? entry = Assembly.GetEntryAssembly()?.Location;
        bool host = Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return host && !string.IsNullOrEmpty(entry) ? new TrialCommand(process, [entry]) : new TrialCommand(process, []);
    }

    /// <summary>A scalelab executable, or a .dll started through `dotnet`.</summary>
    public static TrialCommand ForPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = Path.GetFullPath(path);
        return full.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? new TrialCommand("dotnet", [full]) : new TrialCommand(full, []);
    }

    public ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (string a in PrefixArguments.Concat(arguments)) info.ArgumentList.Add(a);
        // Trial output is parsed, never shown raw: keep it free of colour codes.
        info.Environment["NO_COLOR"] = "1";
        return info;
    }

    public override string ToString() => string.Join(" ", PrefixArguments.Prepend(FileName));
}
