using System.Text.Json;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Accounting.Autograd;
using ScaleLab.Core.Verification;

namespace ScaleLab.Cli.Commands;

/// <summary>
/// `verify --json`, schema "scalelab.verify/2" (docs/schemas/verify.schema.json), and `verify --suite --json`,
/// "scalelab.verify-suite/1" (one verify/2 body per model): the <see cref="VerificationResult"/> the table prints.
/// Top-level <c>memory</c> and <c>time</c> are the largest batch; <c>batches</c> holds every one, with the estimate's
/// parts. Bytes, seconds and fractions (error = (estimated − measured) / measured) as raw numbers.
/// </summary>
internal static class VerifyJson
{
    // The ids live with the reader (the dashboard's verify table), so the contract is stated once.
    public const string SchemaId = Reports.Data.VerifyResultsReader.SchemaId;
    public const string SuiteSchemaId = Reports.Data.VerifyResultsReader.SuiteSchemaId;

    public static string Write(VerificationResult r) => JsonOutput.Write(SchemaId, w => Body(w, r));

    public static string WriteSuite(IReadOnlyList<VerificationResult> results) => JsonOutput.Write(SuiteSchemaId, w =>
    {
        w.WriteStartArray("models");
        foreach (var r in results)
        {
            w.WriteStartObject();
            Body(w, r);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteBoolean("within_tolerance", results.All(r => r.WithinTolerance));
    });

    private static void Body(Utf8JsonWriter w, VerificationResult r)
    {
        var last = r.Batches[^1];
        w.WriteString("model", r.Model);
        w.WriteStartObject("settings");
        w.WriteStartArray("batches");
        foreach (var b in r.Batches) w.WriteNumberValue(b.Batch);
        w.WriteEndArray();
        w.WriteNumber("sequence_length", r.SequenceLength);
        w.WriteNumber("threads", r.Threads);
        w.WriteString("device", r.Device);
        w.WriteString("precision", Precision.Fp32.Name());
        w.WriteString("optimizer", OptimizerKind.Adam.Name());
        w.WriteNumber("repeats", r.Conditions.Repeats);
        w.WriteNumber("steps", r.Conditions.Steps);
        w.WriteEndObject();
        w.WriteStartObject("conditions");
        w.WriteBoolean("peak_reset", r.Conditions.PeakReset);
        w.WriteBoolean("allocator_pinned", r.Conditions.AllocatorPinned);
        w.WriteBoolean("tiered_compilation_off", r.Conditions.TieredCompilationOff);
        if (r.Conditions.ProfileSource is { } source) w.WriteString("profile", source);
        else w.WriteNull("profile");
        w.WriteEndObject();
        w.WriteStartObject("parameters");
        w.WriteNumber("total", r.MeasuredParameters);
        w.WriteNumber("estimated", r.EstimatedParameters);
        w.WriteNumber("measured", r.MeasuredParameters);
        w.WriteBoolean("match", r.ParametersMatch);
        w.WriteEndObject();
        w.WriteStartObject("memory");
        w.WriteNumber("fixed_bytes", r.FixedBytes);
        w.WriteNumber("batch", last.Batch);
        w.WriteNumber("estimated_bytes", last.EstimatedBytes);
        w.WriteNumber("measured_bytes", last.MeasuredBytes);
        w.NumberOrNull("error", last.MemoryError);
        w.WriteStartObject("per_sample");
        w.NumberOrNull("estimated_bytes", r.EstimatedBytesPerSample);
        w.NumberOrNull("measured_bytes", r.MeasuredBytesPerSample);
        w.NumberOrNull("error", VerifyTolerance.Error(r.EstimatedBytesPerSample, r.MeasuredBytesPerSample));
        w.WriteEndObject();
        w.WriteNumber("tolerance", VerifyTolerance.Memory);
        w.WriteBoolean("within_tolerance", r.MemoryWithin);
        w.WriteEndObject();
        w.WriteStartObject("time");
        w.WriteNumber("batch", last.Batch);
        w.NumberOrNull("predicted_seconds_per_step", last.Time?.Seconds);
        w.WriteNumber("measured_seconds_per_step", last.MeasuredSeconds);
        w.NumberOrNull("error", last.TimeError);
        w.WriteNumber("tolerance", VerifyTolerance.Time);
        if (r.TimeWithin is bool t) w.WriteBoolean("within_tolerance", t);
        else w.WriteNull("within_tolerance");
        w.WriteEndObject();
        w.WriteStartArray("batches");
        foreach (var b in r.Batches) Batch(w, b);
        w.WriteEndArray();
        w.WriteBoolean("within_tolerance", r.WithinTolerance);
    }

    private static void Batch(Utf8JsonWriter w, BatchVerification b)
    {
        w.WriteStartObject();
        w.WriteNumber("batch", b.Batch);
        w.WriteStartObject("memory");
        w.WriteNumber("estimated_bytes", b.EstimatedBytes);
        w.WriteNumber("measured_bytes", b.MeasuredBytes);
        w.WriteNumber("spread_bytes", b.MeasuredSpreadBytes);
        w.NumberOrNull("error", b.MemoryError);
        w.WriteString("peak_phase", Phase(b.Memory.PeakPhase));
        w.WriteNumber("model_state_bytes", b.Memory.ModelStateBytes);
        w.WriteNumber("input_bytes", b.Memory.InputBytes);
        w.WriteNumber("kept_for_backward_bytes", b.Memory.KeptBytes);
        w.WriteNumber("forward_peak_bytes", b.Memory.ForwardPeakBytes);
        w.WriteNumber("backward_peak_bytes", b.Memory.BackwardPeakBytes);
        w.WriteNumber("optimizer_peak_bytes", b.Memory.OptimizerPeakBytes);
        w.WriteEndObject();
        w.WriteStartObject("time");
        w.NumberOrNull("predicted_seconds_per_step", b.Time?.Seconds);
        w.WriteNumber("measured_seconds_per_step", b.MeasuredSeconds);
        w.WriteNumber("spread_seconds", b.MeasuredSpreadSeconds);
        w.NumberOrNull("error", b.TimeError);
        if (b.Time is { } t)
        {
            w.WriteStartObject("predicted_parts");
            w.WriteNumber("forward_seconds", t.ForwardSeconds);
            w.WriteNumber("backward_seconds", t.BackwardSeconds);
            w.WriteNumber("optimizer_seconds", t.OptimizerSeconds);
            w.WriteNumber("dispatch_seconds", t.DispatchSeconds);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static string Phase(StepPhase phase) => phase switch
    {
        StepPhase.Forward => "forward",
        StepPhase.Backward => "backward",
        _ => "optimizer_step",
    };
}
