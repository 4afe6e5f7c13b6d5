using ScaleLab.Core.Data;
using ScaleLab.Torch.Training;

namespace ScaleLab.Experiments.Sweeps;

/// <summary>
/// Where a trial lives in the sweep directory: its run directory DIR/trials/ID (the engine's layout, written by
/// `scalelab train`) and the spec and config the trial process is started with, DIR/plans/ID.spec.json and
/// ID.config.json (outside the run directory, which `train` owns).
/// </summary>
public sealed record TrialPaths(string SweepDirectory, string TrialId)
{
    public string RunDirectory => Path.Combine(SweepDirectory, "trials", TrialId);
    public string SpecFile => Path.Combine(SweepDirectory, "plans", TrialId + ".spec.json");
    public string ConfigFile => Path.Combine(SweepDirectory, "plans", TrialId + ".config.json");

    /// <summary>The trial's stdout/stderr log, for a person reading why it failed.</summary>
    public string LogFile => Path.Combine(SweepDirectory, "plans", TrialId + ".log");

    /// <summary>
    /// Makes the data paths of a sweep's training config absolute (relative to the sweep file), so every trial
    /// process finds its data wherever it is started: text:PATH, csv:PATH[;options] and data.directory — always, even
    /// where no file is there yet (<see cref="PathAnchoring.Always"/>): a trial must not depend on its working directory.
    /// </summary>
    public static DataConfig Anchor(DataConfig data, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data with
        {
            Source = data.Source.WithPathsRelativeTo(baseDirectory, PathAnchoring.Always),
            Directory = data.Directory is null ? null : Path.GetFullPath(data.Directory, baseDirectory),
        };
    }
}
