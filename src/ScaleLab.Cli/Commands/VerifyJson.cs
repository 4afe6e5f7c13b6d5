using ScaleLab.Core.Accounting;
using ScaleLab.Torch.Measurement;

namespace ScaleLab.Cli.Commands;

/// <summary>
/// `verify --json`, schema "scalelab.verify/1" (docs/schemas/verify.schema.json): the <see cref="VerificationResult"/>
/// the table prints, estimated beside measured, raw counts, FLOPs, bytes and seconds.
/// </summary>
internal static class VerifyJson
{
    public const string SchemaId = "scalelab.verify/1";

    public static string Write(VerificationResult r) => JsonOutput.Write(SchemaId, w =>
    {
        w.WriteString("model", r.Model);
        w.WriteStartObject("settings");
        w.WriteNumber("batch", r.Batch);
        w.WriteNumber("sequence_length", r.SequenceLength);
        w.WriteNumber("threads", r.Threads);
        w.WriteString("precision", Precision.Fp32.Name());
        w.WriteString("optimizer", OptimizerKind.Adam.Name());
        w.WriteEndObject();
        w.WriteStartObject("parameters");
        w.WriteNumber("total", r.MeasuredParameters);
        w.WriteNumber("estimated", r.EstimatedParameters);
        w.WriteNumber("measured", r.MeasuredParameters);
        w.WriteBoolean("match", r.ParametersMatch);
        w.WriteEndObject();
        w.WriteNumber("training_step_flops", r.TrainingFlopsPerStep);
        w.WriteStartObject("step");
        w.WriteNumber("estimated_at_peak_seconds", r.EstimatedStepSeconds);
        w.WriteNumber("steps", r.StepTimes.Count);
        w.WriteNumber("median_seconds", r.StepTimes.MedianSeconds);
        w.WriteNumber("mean_seconds", r.StepTimes.MeanSeconds);
        w.WriteNumber("best_seconds", r.StepTimes.BestSeconds);
        w.WriteEndObject();
        w.WriteNumber("achieved_flops_per_second", r.AchievedFlopsPerSecond);
        w.WriteStartObject("gemm_peak");
        w.WriteNumber("size", r.Peak.Size);
        w.WriteString("precision", r.Peak.Precision.Name());
        w.WriteNumber("runs", r.Peak.Runs);
        w.WriteNumber("best_seconds", r.Peak.BestSeconds);
        w.WriteNumber("flops_per_second", r.Peak.FlopsPerSecond);
        w.WriteEndObject();
        w.WriteNumber("utilisation", r.Utilisation);
        w.WriteStartObject("memory");
        w.WriteNumber("estimated_training_bytes", r.EstimatedTrainingBytes);
        w.WriteNumber("measured_growth_bytes", r.MeasuredGrowthBytes);
        w.NumberOrNull("ratio", r.MemoryRatio);
        w.WriteNumber("allowance_bytes", r.MemoryAllowanceBytes);
        w.WriteBoolean("within_tolerance", r.MemoryWithinTolerance);
        w.WriteBoolean("peak_was_reset", r.PeakWasReset);
        w.WriteEndObject();
    });
}
