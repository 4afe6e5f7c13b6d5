using System.Text.Json;
using ScaleLab.Core;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Spec;
using ScaleLab.Experiments.Running;
using ScaleLab.Experiments.Store;

namespace ScaleLab.Reports.Data;

/// <summary>The trials of a sweep directory (or one run directory), whichever way they were stored.</summary>
/// <param name="Source">"results.db" when read from the sweep's store, "run directories" when read from DIR/trials/*/, "run directory" for one run, "results store" when read from a shared store (--store).</param>
public sealed record SweepData(string Directory, string Name, string Source, IReadOnlyList<TrialPoint> Trials)
{
    /// <summary>Trials that ran to the end (completed, or the trainer's own early stopping): the ones a fit should use.</summary>
    public IReadOnlyList<TrialPoint> Completed => [.. Trials.Where(t => t.Status == "completed")];
}

/// <summary>
/// Loads a sweep for plots, fits and reports: from DIR/results.db (the experiments store) when present, otherwise
/// from the run directories DIR/trials/*/ (summary.json, metrics.jsonl, spec.json, config.json: ENGINE_CONTRACT), or
/// DIR itself when it is one run directory.
/// </summary>
public static class SweepResults
{
    /// <summary>The <see cref="SweepData.Source"/> of trials read from a shared store.</summary>
    public const string StoreSource = "results store";

    /// <summary>True when DIR is something <see cref="Load"/> can read: a store, a run directory, or trials/.</summary>
    public static bool HoldsTrials(string directory) =>
        File.Exists(Path.Combine(directory, SqliteResultsStore.FileName)) || File.Exists(Path.Combine(directory, "summary.json"))
        || File.Exists(Path.Combine(directory, "metrics.jsonl")) || System.IO.Directory.Exists(Path.Combine(directory, "trials"));

    public static SweepData Load(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!System.IO.Directory.Exists(directory)) throw new ScaleLabException($"{directory}: no such directory");
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
        if (File.Exists(Path.Combine(directory, SqliteResultsStore.FileName))) return FromStore(directory, name);
        if (File.Exists(Path.Combine(directory, "summary.json")) || File.Exists(Path.Combine(directory, "metrics.jsonl")))
            return new SweepData(directory, name, "run directory", [FromRunDirectory(name, directory)]);
        string trials = Path.Combine(directory, "trials");
        if (!System.IO.Directory.Exists(trials))
        {
            throw new ScaleLabException(
                $"{directory}: neither a sweep (no {SqliteResultsStore.FileName}, no trials/ folder) nor a run directory (no summary.json); point at the --out folder of `scalelab sweep` or `scalelab train`");
        }
        var points = System.IO.Directory.GetDirectories(trials).Order(StringComparer.Ordinal)
            .Select(d => FromRunDirectory(Path.GetFileName(d), d)).ToList();
        return new SweepData(directory, name, "run directories", points);
    }

    private static SweepData FromStore(string directory, string name)
    {
        var store = SqliteResultsStore.OpenExisting(directory);
        var sweeps = store.Sweeps();
        return new SweepData(directory, sweeps.Count == 1 ? sweeps[0].Name : name, "results.db", Points(store, null));
    }

    /// <summary>
    /// One sweep of a store (or all of them when <paramref name="sweepName"/> is null), from the database alone: run
    /// directories are not read, so a machine that only reaches the database can fit and report a cluster's study.
    /// </summary>
    public static SweepData FromStore(IResultsStore store, string? sweepName)
    {
        ArgumentNullException.ThrowIfNull(store);
        var sweeps = store.Sweeps();
        if (sweepName is null)
        {
            string all = sweeps.Count == 1 ? sweeps[0].Name : string.Join(", ", sweeps.Select(s => s.Name));
            return new SweepData(sweeps.Count == 1 ? sweeps[0].Directory ?? store.Location : store.Location, all, StoreSource, Points(store, null));
        }
        var sweep = sweeps.FirstOrDefault(s => s.Name == sweepName)
            ?? throw new StoreException($"{store.Location}: no sweep named '{sweepName}'; it holds {(sweeps.Count == 0 ? "none" : string.Join(", ", sweeps.Select(s => s.Name)))}");
        return new SweepData(sweep.Directory ?? store.Location, sweep.Name, StoreSource, Points(store, sweep.Id));
    }

    private static List<TrialPoint> Points(IResultsStore store, long? sweepId)
    {
        var epochs = store.AllEpochs(sweepId);
        return store.Trials(sweepId).Select(t =>
        {
            var curve = epochs.TryGetValue(t.Id, out var list) ? list.Select(e => new EpochPoint(e.Epoch, e.TrainLoss, e.TrainAccuracy, e.ValLoss, e.ValAccuracy)).ToList() : [];
            var (stepFlops, memory) = Estimates(t.SpecJson, t.ConfigJson, t.ForwardFlopsPerSample);
            return new TrialPoint
            {
                Id = t.Id,
                Label = t.Label.Length > 0 ? t.Label : t.Id,
                Status = t.Status.ToText(),
                Parameters = t.Parameters ?? t.EstimatedParameters,
                EstimatedParameters = t.EstimatedParameters,
                TrainingFlops = t.TrainingFlops,
                SamplesSeen = t.SamplesSeen,
                ValLoss = t.BestValLoss ?? t.FinalValLoss,
                ValAccuracy = AtBest(curve, t.BestEpoch)?.ValAccuracy ?? t.FinalValAccuracy,
                TestAccuracy = t.TestAccuracy,
                StepSecondsMean = t.StepSecondsMean,
                TrainSeconds = t.TrainSeconds,
                PeakRssBytes = t.PeakRssBytes,
                EstimatedStepFlops = stepFlops,
                EstimatedTrainingBytes = memory,
                Axes = NumericAxes(t.AxesJson),
                Epochs = curve,
            };
        }).ToList();
    }

    private static TrialPoint FromRunDirectory(string id, string runDirectory)
    {
        var (outcome, epochs) = RunImport.Read(id, runDirectory, TrialStatus.Failed, "the run did not finish (no final summary.json)");
        var curve = epochs.Select(e => new EpochPoint(e.Epoch, e.TrainLoss, e.TrainAccuracy, e.ValLoss, e.ValAccuracy)).ToList();
        string spec = ReadOrEmpty(Path.Combine(runDirectory, "spec.json")), config = ReadOrEmpty(Path.Combine(runDirectory, "config.json"));
        var (stepFlops, memory) = Estimates(spec, config, null);
        long estimated = EstimatedParameters(spec) ?? outcome.Parameters ?? 0;
        return new TrialPoint
        {
            Id = id,
            Label = id,
            Status = outcome.Status.ToText(),
            Parameters = outcome.Parameters ?? estimated,
            EstimatedParameters = estimated,
            TrainingFlops = outcome.TrainingFlops,
            SamplesSeen = outcome.SamplesSeen,
            ValLoss = outcome.BestValLoss ?? outcome.FinalValLoss,
            ValAccuracy = AtBest(curve, outcome.BestEpoch)?.ValAccuracy ?? outcome.FinalValAccuracy,
            TestAccuracy = outcome.TestAccuracy,
            StepSecondsMean = outcome.StepSecondsMean,
            TrainSeconds = outcome.TrainSeconds,
            PeakRssBytes = outcome.PeakRssBytes,
            EstimatedStepFlops = stepFlops,
            EstimatedTrainingBytes = memory,
            Epochs = curve,
        };
    }

    private static EpochPoint? AtBest(IReadOnlyList<EpochPoint> curve, int? bestEpoch) =>
        bestEpoch is int b ? curve.FirstOrDefault(e => e.Epoch == b) : null;

    private static string ReadOrEmpty(string path) => File.Exists(path) ? File.ReadAllText(path) : "";

    private static long? EstimatedParameters(string specJson)
    {
        if (specJson.Length == 0) return null;
        try
        {
            return ModelAccounting.Account(ModelSpecJson.Parse(specJson, "spec.json")).Parameters;
        }
        catch (ScaleLabException)
        {
            return null;
        }
    }

    /// <summary>
    /// The estimator's figures for one training step: 3 × forward FLOPs per sample × batch (Kaplan et al. 2020 §2.1),
    /// and training memory (<see cref="MemoryEstimator.Training"/>, fp32, the config's optimizer and batch). Null when
    /// the spec or config cannot be read: the plot then leaves the trial out rather than guess.
    /// </summary>
    private static (double? StepFlops, long? TrainingBytes) Estimates(string specJson, string configJson, long? forwardFlopsPerSample)
    {
        if (specJson.Length == 0 || configJson.Length == 0) return (null, null);
        try
        {
            using var config = JsonDocument.Parse(configJson);
            var root = config.RootElement;
            long batch = root.TryGetProperty("batch_size", out var b) && b.TryGetInt64(out long bs) ? bs : 1;
            string optimizerName = root.TryGetProperty("optimizer", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString()! : "adam";
            double momentum = root.TryGetProperty("momentum", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetDouble() : 0;
            if (!OptimizerKindInfo.TryParse(optimizerName, out var named)) return (null, null);
            var optimizer = named.WithMomentum(momentum);
            var cost = ModelAccounting.Account(ModelSpecJson.Parse(specJson, "spec.json"));
            double stepFlops = 3.0 * (forwardFlopsPerSample ?? cost.ForwardFlops) * batch;
            long bytes = MemoryEstimator.Training(cost, new TrainingMemoryOptions(Precision.Fp32, optimizer, false, batch)).TotalBytes;
            return (stepFlops, bytes);
        }
        catch (Exception ex) when (ex is ScaleLabException or JsonException or OverflowException)
        {
            return (null, null);
        }
    }

    private static Dictionary<string, double> NumericAxes(string axesJson)
    {
        var axes = new Dictionary<string, double>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(axesJson);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return axes;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind == JsonValueKind.Number) axes[p.Name] = p.Value.GetDouble();
                else if (p.Value.ValueKind == JsonValueKind.Array) axes[p.Name] = p.Value.GetArrayLength();
            }
        }
        catch (JsonException)
        {
            // A malformed axes column only costs the parallel-coordinates plot this trial's axes.
        }
        return axes;
    }
}
