using ScaleLab.Core.Runs;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Evaluation;
using ScaleLab.Torch.Runs;

namespace ScaleLab.Torch.Training;

/// <summary>Puts summary.json together from the run's bookkeeping, the estimator's figures and the last evaluation.</summary>
internal sealed class SummaryBuilder(ModelSpec spec, RunFiles files, long parameters)
{
    private readonly Estimate _estimate = Estimate.Of(spec);

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
        PeakRssBytes = Measurement.PeakMemory.ReadPeakResidentBytes(),
        Final = final,
        Best = state.BestEpoch is int epoch && state.BestValLoss is double loss ? new BestEpoch(epoch, loss) : null,
        Test = test is null ? null : new TestMetrics(test.Samples, test.Loss, test.Accuracy, test.TopK, test.K,
            test.Classification?.Macro.F1, test.Perplexity, test.Regression?.R2),
        RunDirectory = files.Root,
    };
}
