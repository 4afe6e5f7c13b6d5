using System.Globalization;

namespace ScaleLab.Core.Runs;

/// <summary>
/// Reads a run directory back (docs/run-directory.md): the one reader used by training (resume), experiments (a
/// trial's outcome), reports (plots, fits) and the CLI (eval, verify, compress).
/// </summary>
public static class RunReader
{
    /// <summary>The run's files after checking it looks like a run directory (spec.json and config.json present).</summary>
    public static RunFiles Open(string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(runDirectory);
        var files = new RunFiles(Path.GetFullPath(runDirectory));
        if (!Directory.Exists(files.Root)) throw new RunDirectoryException(runDirectory, "no such run directory");
        if (!File.Exists(files.Spec) || !File.Exists(files.Config))
            throw new RunDirectoryException(runDirectory, "is not a run directory (expected spec.json and config.json, written by `scalelab train --out`)");
        return files;
    }

    /// <summary>summary.json, every figure checked (<see cref="RunSummaryChecks"/>); absent or unreadable is an error naming the file.</summary>
    public static RunSummary ReadSummary(string runDirectory)
    {
        string path = Open(runDirectory).Summary;
        return RunSummaryChecks.Check(RunJson.Read<RunSummary>(path), path);
    }

    /// <summary>
    /// summary.json of a run that may not have finished: null when absent or cut short (it is written atomically, so
    /// only an older writer or a damaged disk leaves it half-written); readable but impossible figures are an error.
    /// </summary>
    public static RunSummary? TryReadSummary(RunFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (!File.Exists(files.Summary)) return null;
        RunSummary summary;
        try
        {
            summary = RunJson.Read<RunSummary>(files.Summary);
        }
        catch (RunDirectoryException)
        {
            return null;
        }
        return RunSummaryChecks.Check(summary, files.Summary);
    }

    public static IReadOnlyList<EpochMetrics> ReadEpochs(RunFiles files) => new MetricsLog(files).Read();

    /// <summary>metrics.jsonl of <paramref name="runDirectory"/>: each epoch once, in order; none when absent.</summary>
    public static IReadOnlyList<EpochMetrics> ReadEpochs(string runDirectory) => ReadEpochs(new RunFiles(Path.GetFullPath(runDirectory)));

    /// <summary>steps.jsonl of <paramref name="runDirectory"/>: each step record once, in order; none when absent.</summary>
    public static IReadOnlyList<StepMetrics> ReadSteps(string runDirectory) => ReadSteps(new RunFiles(Path.GetFullPath(runDirectory)));

    public static IReadOnlyList<StepMetrics> ReadSteps(RunFiles files) => new MetricsLog(files).ReadSteps();

    /// <summary>confusion.json checked (square, at least one class, non-negative counts); null when absent.</summary>
    public static ConfusionFile? ReadConfusion(RunFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (!File.Exists(files.Confusion)) return null;
        var file = RunJson.Read<ConfusionFile>(files.Confusion);
        string path = files.Confusion;
        if (file.Matrix is not { Length: > 0 } rows)
            throw new RunDirectoryException(path, "matrix must be square with at least one class, as [[counts of true class 0 by predicted class], …]");
        for (int t = 0; t < rows.Length; t++)
        {
            if (rows[t] is null || rows[t].Length != rows.Length)
                throw new RunDirectoryException(path, string.Create(CultureInfo.InvariantCulture,
                    $"matrix must be square: it has {rows.Length} rows and row {t} has {rows[t]?.Length ?? 0} counts"));
            for (int p = 0; p < rows.Length; p++)
            {
                if (rows[t][p] < 0)
                    throw new RunDirectoryException(path, string.Create(CultureInfo.InvariantCulture,
                        $"matrix[{t}][{p}] = {rows[t][p]}; counts must be non-negative integers"));
            }
        }
        return file;
    }

    public static RunInfo? ReadInfo(RunFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        return File.Exists(files.Info) ? RunJson.Read<RunInfo>(files.Info) : null;
    }
}
