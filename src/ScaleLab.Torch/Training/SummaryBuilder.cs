using ScaleLab.Core.Runs;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Evaluation;
using ScaleLab.Torch.Runs;

namespace ScaleLab.Torch.Training;

/// <summary>Puts summary.json together from the run's bookkeeping, the estimator's figures and the last evaluation.</summary>
internal sealed class SummaryBuilder(ModelSpec spec, RunFiles files, long parameters)
{
    private readonly Estimate _estimate = Estimate.Of(spec);

    /// <summary>The process's peak before the run's memory probe reset VmHWM (so peak_rss_bytes stays the whole process's).</summary>
    public long PeakBeforeProbe { get; set; }

    /// <summary>The step memory measured in the first epoch this process trained, with its estimate.</summary>
    public RunMemory? Memory { get; set; }

    public RunSummary Build(RunStatus status, string? message, RunProgress state, EpochMetrics? final, EvaluationResult? test) => new()
    {
        Status = status,
        Message = message,
        EpochsCompleted = state.Epoch,
        Steps = state.GlobalStep,
        SamplesSeen = state.SamplesSeen,
        Parameters = parameters,
        EstimatedParameters = _estimate.Parameters,
        ForwardFlopsPerSample = _estimate.ForwardFlopsPerSample,
        TrainingFlops = 3.0 * _estimate.ForwardFlopsPerSample * state.SamplesSeen,
        StepSecondsMean = state.GlobalStep > 0 ? state.TrainSeconds / state.GlobalStep : 0,
        TrainSeconds = state.TrainSeconds,
        PeakRssBytes = Math.Max(PeakBeforeProbe, Measurement.PeakMemory.ReadPeakResidentBytes()),
        Memory = Memory,
        Final = final,
        Best = state.BestEpoch is int epoch && state.BestValLoss is double loss ? new BestEpoch(epoch, loss) : null,
        Test = test is null ? null : new TestMetrics(test.Samples, test.Loss, test.Accuracy, test.TopK, test.K,
            test.Classification?.Macro.F1, test.Perplexity, test.Regression?.R2),
        RunDirectory = files.Root,
    };
}
