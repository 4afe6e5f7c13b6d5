using ScaleLab.Torch.Measurement;
using ScaleLab.Core.Accounting.Autograd;
using ScaleLab.Core.Accounting;
using System.Globalization;
using ScaleLab.Core.Runs;
using ScaleLab.Core;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Building;
using ScaleLab.Torch.Checkpoints;
using ScaleLab.Torch.Data;
using ScaleLab.Torch.Evaluation;
using ScaleLab.Torch.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Training;

/// <summary>
/// Trains a spec on data into a run directory (RunFiles): builds the model from the seed, checks the data fits,
/// trains epoch by epoch with a checkpoint after each, and ends completed, early-stopped or diverged.
/// With <c>resume</c> it continues from the last completed epoch's checkpoint; because weights, optimizer state and
/// step are restored and every random draw is seeded by (seed, epoch), the remaining epochs reproduce the
/// uninterrupted run's losses exactly. A cancelled run throws OperationCanceledException and keeps its last checkpoint.
/// </summary>
public static class Trainer
{
    public static RunSummary Run(ModelSpec spec, TrainingConfig config, string runDirectory, bool resume, ITrainingProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(progress);
        TrainingConfigValidator.Validate(config, "training config");
        var files = new RunFiles(Path.GetFullPath(runDirectory));
        var checkpoint = resume ? CheckpointStore.ReadState(files) : null;
        if (!resume && File.Exists(files.LastState))
            throw new RunDirectoryException(files.Root, "already holds a run with checkpoints; pass --resume to continue it, or choose another --out");
        string hash = TrainingConfigJson.TrajectoryHash(config);
        if (checkpoint is not null && checkpoint.ConfigHash != hash)
            throw new CheckpointException(files.LastState, "was written with a different training config; only epochs, threads and device may change when resuming (compare with config.json)");

        var device = DeviceFor(config.Device);
        int threadCount = config.Threads ?? CpuAvailability.DefaultThreads();
        using var threads = TorchThreads.Use(threadCount);
        var contention = new ContentionWatch(threadCount, adaptive: config.Threads is null);
        Directory.CreateDirectory(files.Checkpoints);

        using var data = DataSources.Load(config.Data.ToRequest(config.Seed));
        ReleaseLoadingBuffers();
        string dataIdentity = DataIdentity.Of(data);
        if (checkpoint?.DataIdentity is { } trained && DataIdentity.Digest(trained) != DataIdentity.Digest(dataIdentity))
            throw new CheckpointException(files.LastState,
                $"was trained on other data: {trained}; this run would continue on {dataIdentity}. Resume with the data it started on, or train a new run");
        // The estimate-vs-measurement loop of `scalelab verify`, kept for every run (docs/verify.md): anonymous memory
        // above this baseline, taken before the model exists, through the first epoch trained here. Skipped when another
        // probe runs in this process (parallel in-process runs) and off the CPU (the kernel does not see GPU memory).
        // Freed memory the allocator still holds (loading buffers, an earlier run in this process) would take the model's
        // tensors without a new page: give it back first, as the verifier does before each measurement.
        if (device.type == DeviceType.CPU) MallocControl.Trim();
        using var memoryProbe = device.type == DeviceType.CPU ? MemoryProbe.TryStart() : null;
        long peakBeforeProbe = PeakMemory.ReadPeakResidentBytes();
        memoryProbe?.BeginPeak();
        bool memoryMeasured = false;
        manual_seed(config.Seed);   // the initial weights
        using var model = ModuleBuilder.Build(spec, device);
        var sampleShape = DataFit.Check(spec, data, model);
        using var train = sampleShape is null ? data.Train.Rename(data.Train.Name) : DataFit.Reshaped(data.Train, sampleShape);
        using var validationSet = sampleShape is null ? data.Validation.Rename(data.Validation.Name) : DataFit.Reshaped(data.Validation, sampleShape);
        using var testSet = sampleShape is null ? data.Test.Rename(data.Test.Name) : DataFit.Reshaped(data.Test, sampleShape);
        var parameters = model.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        using var optimizer = OptimizerFactory.Create(config, parameters);
        long stepsPerEpoch = Math.Max(1, Math.Min((data.Train.Count + config.BatchSize - 1) / config.BatchSize, config.MaxStepsPerEpoch ?? long.MaxValue));
        var schedule = new LearningRateSchedule(config, stepsPerEpoch);
        var loss = new LossFunction(LossFunction.Resolve(config.Loss, data.Task), EndsInSoftmax(spec));
        var runner = new EpochRunner(model, optimizer, loss, schedule, config, device, contention);
        var metrics = new MetricsLog(files);
        long parameterCount = parameters.Sum(p => p.parameter.numel());

        var state = new RunProgress();
        if (checkpoint is not null)
        {
            CheckpointStore.Load(files, checkpoint, model, optimizer);
            state = RunProgress.From(checkpoint);
            metrics.TruncateTo(checkpoint.Epoch);
            var info = RunJson.Read<RunInfo>(files.Info);
            RunJson.Write(files.Info, info with { ResumedUtc = [.. info.ResumedUtc, DateTime.UtcNow] });
        }
        else
        {
            RunJson.WriteAtomically(files.Spec, ModelSpecJsonWriter.Write(spec) + "\n");
            RunJson.WriteAtomically(files.Config, TrainingConfigJson.Write(config) + "\n");
            RunJson.Write(files.Info, RunInfo.Capture(config.Seed, threadCount, config.Device.Name(), RunInfo.Version(typeof(TorchSharp.torch).Assembly)));
            metrics.Clear();
        }

        var summaries = new SummaryBuilder(spec, files, parameterCount) { PeakBeforeProbe = peakBeforeProbe };
        using var tensorBoard = new Logging.TensorBoardWriter(files.TensorBoard);
        var stepRecords = new StepRecordBuffer(metrics, tensorBoard);
        progress.OnStart(new TrainingStart(state.Epoch + 1, config.Epochs, stepsPerEpoch, parameterCount, data.Train.Count, files.Root, checkpoint is not null));

        try
        {
            return TrainEpochs();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // summary.json must not go on saying "running" for a run that has stopped: record why it stopped, then
            // let the original error reach the user. If even that write fails (the disk that filled up), the original
            // error is still the one to report, so the second is dropped here on purpose.
            try
            {
                RunJson.Write(files.Summary, summaries.Build(RunStatus.Failed, $"{ex.GetType().Name}: {ex.Message}", state, null, null));
            }
            catch (IOException)
            {
            }
            throw;
        }

        RunSummary TrainEpochs()
        {
            var status = RunStatus.Completed;
            for (int epoch = state.Epoch + 1; epoch <= config.Epochs; epoch++)
            {
                manual_seed(EpochSeed(config.Seed, epoch));   // dropout and any other draw of this epoch
                EpochOutcome outcome;
                try
                {
                    outcome = runner.Run(train, epoch, state.GlobalStep, stepsPerEpoch, progress, stepRecords.Add, ct);
                }
                finally
                {
                    stepRecords.Flush();   // a cancelled or failed epoch keeps the records of the steps it took
                }

                if (memoryProbe is not null && !memoryMeasured)
                {
                    summaries.Memory = MeasuredMemory(memoryProbe, spec, config);
                    memoryProbe.Dispose();   // measured once: the lock and VmHWM go back to the process
                    memoryMeasured = true;
                }

                state.TrainSeconds += outcome.Seconds;
                if (outcome.DivergedLoss is double bad)
                {
                    return Diverge(files, summaries, state, progress, $"epoch {I(epoch)} step {I(outcome.Steps)}: loss {Describe(bad)}");
                }

                var validation = validationSet.Count > 0 ? Evaluator.Evaluate(model, validationSet, data.Task, data.Classes, config.ResolvedEvalBatchSize, device) : null;
                if (validation is not null && !double.IsFinite(validation.Loss))
                {
                    return Diverge(files, summaries, state, progress, $"epoch {I(epoch)} (validation): loss {Describe(validation.Loss)}");
                }

                state.GlobalStep += outcome.Steps;
                state.SamplesSeen += outcome.Samples;
                state.Epoch = epoch;
                var row = new EpochMetrics(epoch, state.GlobalStep, outcome.MeanLoss, outcome.Accuracy, validation?.Loss, validation?.Accuracy,
                    outcome.LastLearningRate, outcome.Seconds, outcome.Samples / Math.Max(outcome.Seconds, 1e-9));
                metrics.Append(row);
                LogScalars(tensorBoard, row);
                bool improved = state.Observe(epoch, validation?.Loss);
                if (improved) CheckpointStore.SaveBest(files, model, epoch);
                CheckpointStore.Save(files, model, optimizer, state.ToCheckpoint(config, hash, dataIdentity, optimizer, outcome.LastLearningRate, EpochSeed(config.Seed, epoch + 1)));
                RunJson.Write(files.Summary, summaries.Build(RunStatus.Running, null, state, row, null));
                progress.OnEpoch(row);
                if (config.EarlyStoppingPatience is int patience && state.EpochsWithoutImprovement >= patience && epoch < config.Epochs)
                {
                    status = RunStatus.EarlyStopped;
                    break;
                }
            }

            var test = testSet.Count > 0 ? Evaluator.Evaluate(model, testSet, data.Task, data.Classes, config.ResolvedEvalBatchSize, device) : null;
            var rows = metrics.Read();
            var lastRow = rows.Count > 0 ? rows[^1] : null;
            string? message = status == RunStatus.EarlyStopped
                ? $"early stopped after epoch {I(state.Epoch)}: validation loss has not improved for {I(state.EpochsWithoutImprovement)} epochs (best: epoch {I(state.BestEpoch ?? 0)})"
                : null;
            if (test?.Classification is { } report) RunJson.Write(files.Confusion, new ConfusionFile(data.ClassNames, report.Confusion));
            var summary = summaries.Build(status, message, state, lastRow, test);
            RunJson.Write(files.Summary, summary);
            progress.OnDone(summary);
            return summary;
        }
    }

    /// <summary>
    /// Loading left the data set's file bytes behind as dead managed arrays (the full Fashion-MNIST: 47 MB of pixels,
    /// read through a growing buffer, then copied); the GC would keep their pages for the whole run. One aggressive
    /// collection, before any step, gives them back (docs/engine-bench.md: peak RSS of `scalelab train`).
    /// </summary>
    private static void ReleaseLoadingBuffers() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    /// <summary>
    /// What the first epoch's steps took above the probe's baseline (the model state as the anonymous memory left
    /// after the epoch, the step peak as VmHWM's), beside <see cref="StepMemory"/>'s estimate at the run's batch.
    /// </summary>
    private static RunMemory? MeasuredMemory(MemoryProbe probe, ModelSpec spec, TrainingConfig config)
    {
        if (!StepMemory.Supports(spec)) return null;
        var cost = ModelAccounting.Account(spec);
        var estimate = StepMemory.Estimate(cost, config.BatchSize, config.Optimizer, Precision.Fp32);
        return new RunMemory(probe.BaselineBytes, probe.AnonymousAboveBaselineBytes(), probe.PeakAboveBaselineBytes(), probe.PeakIsPhaseOwn,
            estimate.ModelStateBytes, estimate.PeakBytes);
    }

    /// <summary>Seed of torch's generator for a 1-based epoch: distinct per (seed, epoch), the same on every run and resume.</summary>
    public static long EpochSeed(int seed, int epoch) => unchecked((seed * 1_000_003L) + epoch);

    public static Device DeviceFor(ComputeDevice device)
    {
        if (device != ComputeDevice.Cuda) return CPU;
        if (!cuda.is_available())
            throw new ScaleLabException("device: 'cuda' was asked for but no CUDA device is usable; this build ships the CPU libtorch (see docs/training.md for the CUDA package)");
        return CUDA;
    }

    /// <summary>A Keras-style stack ending in softmax outputs probabilities, so its cross-entropy is taken on their log.</summary>
    private static bool EndsInSoftmax(ModelSpec spec) => spec.Layers.Count > 0 && spec.Layers[^1] is ActivationLayer { Kind: ActivationKind.Softmax };

    private static RunSummary Diverge(RunFiles files, SummaryBuilder summaries, RunProgress state, ITrainingProgress progress, string where)
    {
        string kept = File.Exists(files.LastWeights)
            ? $"last good checkpoint: {files.LastWeights} (epoch {I(state.Epoch)})"
            : "no checkpoint was written (it diverged before the first epoch ended)";
        string message = $"diverged at {where}; {kept}. Lower the learning rate or add grad_clip.";
        var summary = summaries.Build(RunStatus.Diverged, message, state, null, null);
        RunJson.Write(files.Summary, summary);
        progress.OnDone(summary);
        return summary;
    }

    private static void LogScalars(Logging.TensorBoardWriter writer, EpochMetrics row)
    {
        writer.AddScalar("loss/train", row.TrainLoss, row.Epoch);
        if (row.ValLoss is double v) writer.AddScalar("loss/val", v, row.Epoch);
        if (row.TrainAccuracy is double ta) writer.AddScalar("accuracy/train", ta, row.Epoch);
        if (row.ValAccuracy is double va) writer.AddScalar("accuracy/val", va, row.Epoch);
        writer.AddScalar("lr", row.Lr, row.Epoch);
        writer.AddScalar("samples_per_second", row.SamplesPerSecond, row.Epoch);
        writer.Flush();
    }

    private static string Describe(double loss) => double.IsNaN(loss) ? "NaN" : loss > 0 ? "+Inf" : "-Inf";

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
}
