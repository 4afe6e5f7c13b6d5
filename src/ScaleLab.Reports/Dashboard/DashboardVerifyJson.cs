using System.Text.Json;
using ScaleLab.Reports.Data;

namespace ScaleLab.Reports.Dashboard;

/// <summary>The entry's "verify" array: every model and batch of the folder's verify.json, estimate beside measurement (empty when there is none).</summary>
internal static class DashboardVerifyJson
{
    public static void Write(Utf8JsonWriter w, string directory)
    {
        string path = Path.Combine(directory, VerifyResultsReader.FileName);
        w.WriteStartArray("verify");
        if (File.Exists(path))
        {
            foreach (var r in VerifyResultsReader.Read(path))
            {
                w.WriteStartObject();
                w.WriteString("model", r.Model);
                w.WriteNumber("batch", r.Batch);
                w.WriteNumber("estimated_bytes", r.EstimatedBytes);
                w.WriteNumber("measured_bytes", r.MeasuredBytes);
                Optional(w, "memory_error", r.MemoryError);
                Optional(w, "predicted_seconds_per_step", r.PredictedSecondsPerStep);
                w.WriteNumber("measured_seconds_per_step", r.MeasuredSecondsPerStep);
                Optional(w, "time_error", r.TimeError);
                w.WriteBoolean("within_tolerance", r.WithinTolerance);
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
    }

    private static void Optional(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }
}
