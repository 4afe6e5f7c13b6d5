using System.CommandLine;
using System.Globalization;
using ScaleLab.Cli.Rendering;
using ScaleLab.Core;
using ScaleLab.Core.Data;
using ScaleLab.Torch.Data;
using Spectre.Console;

namespace ScaleLab.Cli.Commands;

/// <summary>`scalelab data fetch|info`: download the official MNIST-format files, and show where data is found.</summary>
internal static class DataCommand
{
    public static Command Create()
    {
        var command = new Command("data",
            "Download MNIST-format data sets (SHA-256 verified) and show where ScaleLab finds data.\n\n"
            + "Example:\n  scalelab data info");
        command.Subcommands.Add(Fetch());
        command.Subcommands.Add(Info());
        return command;
    }

    private static Command Fetch()
    {
        var name = new Argument<string>("name") { Description = "fashion-mnist or mnist" };
        var dir = new Option<string?>("--dir")
        {
            Description = $"Target directory [default: $SCALELAB_DATA/NAME when set, else {DataDirectory.FetchRoot}/NAME, where training finds it]",
        };
        var mirror = new Option<string?>("--mirror") { Description = "Base URL serving the four .gz files [default: the official source]" };
        var command = new Command("fetch",
            "Download the four official IDX files of a data set and verify each against its published SHA-256; a file only "
            + "appears under its real name once verified.\n\nExample:\n  scalelab data fetch mnist");
        command.Arguments.Add(name);
        command.Options.Add(dir);
        command.Options.Add(mirror);
        command.SetAction(async (parse, cancellation) =>
        {
            var source = DatasetSource.Find(parse.GetValue(name)!);
            string target = parse.GetValue(dir) ?? DefaultDirectory(source.Name);
            Uri? mirrorUri = null;
            if (parse.GetValue(mirror) is string m && !Uri.TryCreate(m, UriKind.Absolute, out mirrorUri))
                throw new ScaleLabException($"--mirror '{m}' is not an absolute URL; expected e.g. https://example.org/mnist/");
            var output = parse.InvocationConfiguration.Output;
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
            var files = await new DataFetcher(http).FetchAsync(source, target, mirrorUri,
                new LineProgress(output), cancellation).ConfigureAwait(false);
            long bytes = files.Sum(f => f.Bytes);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{source.Name}: {files.Count} files ({bytes / 1e6:F1} MB) verified in {target}"));
            return 0;
        });
        return command;
    }

    private static string DefaultDirectory(string name)
    {
        string? env = Environment.GetEnvironmentVariable(DataDirectory.EnvironmentVariable);
        return Path.Combine(string.IsNullOrEmpty(env) ? DataDirectory.FetchRoot : env, name);
    }

    private static Command Info()
    {
        var dir = new Argument<string?>("dir") { Description = "A directory of IDX files to inspect", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("info",
            "Show, for each MNIST-format data set, every place looked at and which one training would use; with DIR, "
            + "inspect that directory's IDX files.\n\nExample:\n  scalelab data info data/fashion-mnist   # the subset this repository ships");
        command.Arguments.Add(dir);
        command.SetAction(parse =>
        {
            var console = Terminal.For(parse.InvocationConfiguration.Output);
            if (parse.GetValue(dir) is string path) Inspect(console, path);
            else Locations(console);
            return 0;
        });
        return command;
    }

    private static void Locations(IAnsiConsole console)
    {
        var table = new Table().Title("Where MNIST-format data is looked for (first complete location wins)");
        foreach (var column in new[] { "data set", "order", "origin", "path", "status" }) table.AddColumn(column);
        foreach (string name in IdxSets.All.Select(s => s.Name()))
        {
            var candidates = DataDirectory.Candidates(name, null);
            var used = candidates.FirstOrDefault(c => c.HasFiles);
            for (int i = 0; i < candidates.Count; i++)
            {
                var c = candidates[i];
                string status = ReferenceEquals(c, used) ? "used" : c.HasFiles ? "found" : Directory.Exists(c.Path) ? "incomplete" : "absent";
                table.AddRow(i == 0 ? name : "", (i + 1).ToString(CultureInfo.InvariantCulture), c.Origin, Markup.Escape(c.Path), status);
            }
        }
        console.Write(table);
        console.WriteLine("Pixels are scaled to [0, 1] (value / 255). Override with --data DIR or $SCALELAB_DATA; see docs/data.md.");
    }

    private static void Inspect(IAnsiConsole console, string directory)
    {
        if (!Directory.Exists(directory)) throw new DataException(directory, "data directory not found");
        var official = DatasetSource.Official.SelectMany(s => s.Files.Select(f => (f.Sha256, s.Name))).ToDictionary(p => p.Sha256, p => p.Name);
        var table = new Table().Title(Markup.Escape(directory));
        foreach (var column in new[] { "file", "bytes", "shape", "SHA-256", "identity" }) table.AddColumn(column);
        foreach (string stem in DataDirectory.FileStems)
        {
            string? file = DataDirectory.FindFile(directory, stem);
            if (file is null)
            {
                table.AddRow(stem, "-", "missing", "-", "-");
                continue;
            }
            string shape;
            try
            {
                shape = string.Join('x', IdxFile.Read(file).Dims.Select(d => d.ToString(CultureInfo.InvariantCulture)));
            }
            catch (DataException ex)
            {
                shape = "invalid: " + ex.Problem;
            }
            string sha = DataFetcher.HashFileAsync(file).GetAwaiter().GetResult();
            string identity = official.TryGetValue(sha, out var set) ? $"official {set}" : "not an official download";
            table.AddRow(Markup.Escape(Path.GetFileName(file)), new FileInfo(file).Length.ToString("N0", CultureInfo.InvariantCulture),
                Markup.Escape(shape), sha[..16] + "…", identity);
        }
        console.Write(table);
    }

    /// <summary>Writes each report at once, on the reporting thread (Progress&lt;T&gt; would post it later, out of order).</summary>
    internal sealed class LineProgress(TextWriter writer) : IProgress<string>
    {
        public void Report(string value) => writer.WriteLine(value);
    }
}
