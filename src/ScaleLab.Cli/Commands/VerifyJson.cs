using System.Text.Json.Serialization;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Accounting.Autograd;
using ScaleLab.Core.Json;
using ScaleLab.Core.Verification;

namespace ScaleLab.Cli.Commands;

/// <summary>
/// `verify --json`, schema "scalelab.verify/2" (docs/schemas/verify.schema.json), and `verify --suite --json`,
/// "scalelab.verify-suite/1" (one verify/2 body per model): the <see cref="VerificationResult"/> the table prints.
/// Top-level <c>memory</c> and <c>time</c> are the largest batch; <c>batches</c> holds every one, with the estimate's
/// parts. Bytes, seconds and fractions (error = (estimated − measured) / measured) as raw numbers; an error over a
/// zero measurement is null. A time's <c>predicted_seconds_per_step</c> (and its parts) is the profile's prediction,
/// <c>profile_seconds_per_step</c>, divided by <c>machine_speed</c>, the machine's GEMM speed against the profile
/// beside those steps; the error is the former's.
/// </summary>
internal static class VerifyJson
{
    // The ids live with the reader (the dashboard's verify table), so the contract is stated once.
    public const string SchemaId = Reports.Data.VerifyResultsReader.SchemaId;
    public const string SuiteSchemaId = Reports.Data.VerifyResultsReader.SuiteSchemaId;

    public static string Write(VerificationResult r) => ScaleLabJson.Write(VerifyDocument.From(SchemaId, r));

    /// <summary>The suite's models carry no "schema" of their own: it is the suite's.</summary>
    public static string WriteSuite(IReadOnlyList<VerificationResult> results) => ScaleLabJson.Write(
        new VerifySuiteDocument(SuiteSchemaId, [.. results.Select(r => VerifyDocument.From(null, r))], results.All(r => r.WithinTolerance)));

    private sealed record VerifySuiteDocument(string Schema, IReadOnlyList<VerifyDocument> Models, bool WithinTolerance);

    private sealed record VerifyDocument(
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Schema,
        string Model, VerifySettings Settings, VerifyConditionsJson Conditions, VerifyParameters Parameters, VerifyMemory Memory,
        VerifyTime Time, IReadOnlyList<VerifyBatch> Batches, bool WithinTolerance)
    {
        public static VerifyDocument From(string? schema, VerificationResult r)
        {
            var last = r.Batches[^1];
            var c = r.Conditions;
            return new VerifyDocument(schema, r.Model,
                new VerifySettings([.. r.Batches.Select(b => b.Batch)], r.SequenceLength, r.Threads, r.Device, Precision.Fp32.Name(),
                    OptimizerKind.Adam.Name(), c.Repeats, c.Steps),
                new VerifyConditionsJson(c.PeakReset, c.AllocatorPinned, c.TieredCompilationOff, c.MemoryFirstInProcess, c.ProfileSource,
                    ScaleLabJson.Finite(c.GemmSpeedBefore), ScaleLabJson.Finite(c.GemmSpeedAfter), c.Clock, c.ProfileClock, ScaleLabJson.Finite(c.StealFraction)),
                new VerifyParameters(r.MeasuredParameters, r.EstimatedParameters, r.MeasuredParameters, r.ParametersMatch),
                new VerifyMemory(r.FixedBytes, last.Batch, last.EstimatedBytes, last.MeasuredBytes, ScaleLabJson.Finite(last.MemoryError),
                    new VerifyPerSample(ScaleLabJson.Finite(r.EstimatedBytesPerSample), ScaleLabJson.Finite(r.MeasuredBytesPerSample),
                        ScaleLabJson.Finite(VerifyTolerance.Error(r.EstimatedBytesPerSample, r.MeasuredBytesPerSample))),
                    VerifyTolerance.Memory, r.MemoryWithin),
                new VerifyTime(last.Batch, ScaleLabJson.Finite(last.PredictedSeconds), ScaleLabJson.Finite(last.Time?.Seconds), ScaleLabJson.Finite(last.MachineSpeed),
                    last.MeasuredSeconds, last.WallSeconds, ScaleLabJson.Finite(last.TimeError), VerifyTolerance.Time, r.TimeWithin),
                [.. r.Batches.Select(VerifyBatch.From)],
                r.WithinTolerance);
        }
    }

    private sealed record VerifySettings(IReadOnlyList<int> Batches, long SequenceLength, int Threads, string Device, string Precision,
        string Optimizer, int Repeats, int Steps);

    private sealed record VerifyConditionsJson(bool PeakReset, bool AllocatorPinned, bool TieredCompilationOff, bool MemoryFirstInProcess, string? Profile,
        double? GemmSpeedBefore, double? GemmSpeedAfter, string Clock, string? ProfileClock, double? StealFraction);

    private sealed record VerifyParameters(long Total, long Estimated, long Measured, bool Match);

    private sealed record VerifyMemory(long FixedBytes, int Batch, long EstimatedBytes, long MeasuredBytes, double? Error, VerifyPerSample PerSample,
        double Tolerance, bool WithinTolerance);

    private sealed record VerifyPerSample(double? EstimatedBytes, double? MeasuredBytes, double? Error);

    private sealed record VerifyTime(int Batch, double? PredictedSecondsPerStep, double? ProfileSecondsPerStep, double? MachineSpeed, double MeasuredSecondsPerStep,
        double MeasuredWallSecondsPerStep, double? Error, double Tolerance, bool? WithinTolerance);

    private sealed record VerifyBatch(int Batch, VerifyBatchMemory Memory, VerifyBatchTime Time)
    {
        public static VerifyBatch From(BatchVerification b) => new(b.Batch,
            new VerifyBatchMemory(b.EstimatedBytes, b.MeasuredBytes, b.MeasuredSpreadBytes, ScaleLabJson.Finite(b.MemoryError), Phase(b.Memory.PeakPhase),
                b.Memory.ModelStateBytes, b.Memory.InputBytes, b.Memory.KeptBytes, b.Memory.ForwardPeakBytes, b.Memory.BackwardPeakBytes,
                b.Memory.OptimizerPeakBytes),
            new VerifyBatchTime(ScaleLabJson.Finite(b.PredictedSeconds), ScaleLabJson.Finite(b.Time?.Seconds), ScaleLabJson.Finite(b.MachineSpeed), b.MeasuredSeconds,
                b.MeasuredSpreadSeconds, b.WallSeconds, b.WallSpreadSeconds, ScaleLabJson.Finite(b.TimeError),
                b.Time is { } t ? VerifyTimeParts.Scaled(t, b.SpeedScale) : null));
    }

    private sealed record VerifyBatchMemory(long EstimatedBytes, long MeasuredBytes, long SpreadBytes, double? Error, string PeakPhase,
        long ModelStateBytes, long InputBytes, [property: JsonPropertyName("kept_for_backward_bytes")] long KeptBytes, long ForwardPeakBytes,
        long BackwardPeakBytes, long OptimizerPeakBytes);

    private sealed record VerifyBatchTime(double? PredictedSecondsPerStep, double? ProfileSecondsPerStep, double? MachineSpeed, double MeasuredSecondsPerStep,
        double SpreadSeconds, double MeasuredWallSecondsPerStep, double WallSpreadSeconds, double? Error,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] VerifyTimeParts? PredictedParts);

    /// <summary>The prediction's parts at the machine's measured speed: they sum to predicted_seconds_per_step.</summary>
    private sealed record VerifyTimeParts(double ForwardSeconds, double BackwardSeconds, double OptimizerSeconds, double DispatchSeconds)
    {
        public static VerifyTimeParts Scaled(StepTimeEstimate t, double scale) =>
            new(t.ForwardSeconds * scale, t.BackwardSeconds * scale, t.OptimizerSeconds * scale, t.DispatchSeconds * scale);
    }

    private static string Phase(StepPhase phase) => phase switch
    {
        StepPhase.Forward => "forward",
        StepPhase.Backward => "backward",
        _ => "optimizer_step",
    };
}
