namespace ScaleLab.Core.Runs;

/// <summary>
/// summary.json "memory": the estimate-versus-measurement loop of `scalelab verify` (docs/verify.md), kept for every
/// run. Measured figures are anonymous resident memory above <see cref="BaselineBytes"/>, taken after the data is
/// loaded and before the model is built; estimates are <c>StepMemory.Estimate</c> for the run's model, batch and
/// optimizer (fp32), so the two are the same quantity.
/// </summary>
/// <param name="BaselineBytes">Anonymous memory before the model: the runtime's fixed cost plus the data set.</param>
/// <param name="ModelStateBytes">Measured after the first step: weights, gradients and optimizer state (activations freed).</param>
/// <param name="StepPeakBytes">Measured: the peak of the first epoch's training steps above the baseline.</param>
/// <param name="PeakIsPhaseOwn">False where VmHWM could not be reset: the peak is then the resident memory at the reading.</param>
/// <param name="EstimatedModelStateBytes">Estimated weights, gradients, buffers and optimizer state.</param>
/// <param name="EstimatedStepPeakBytes">Estimated peak of one step: model state + batch + the worst moment of the step.</param>
public sealed record RunMemory(
    long BaselineBytes,
    long ModelStateBytes,
    long StepPeakBytes,
    bool PeakIsPhaseOwn,
    long EstimatedModelStateBytes,
    long EstimatedStepPeakBytes)
{
    /// <summary>(estimated − measured) / measured of the step's peak; null when nothing was measured.</summary>
    public double? StepPeakError => StepPeakBytes > 0 ? (EstimatedStepPeakBytes - StepPeakBytes) / (double)StepPeakBytes : null;
}
