using System.Globalization;
using System.Text.Json;

namespace ScaleLab.Experiments.Running;

/// <summary>What the runner takes from one `--progress json` line of a trial process: a step's position and loss, or "an epoch ended".</summary>
public sealed record TrialEvent(string Kind, int Epoch, int Epochs, long Step, long StepsPerEpoch, double? Loss)
{
    public const string StepKind = "step", EpochKind = "epoch", DoneKind = "done", StartKind = "start";

    /// <summary>
    /// Reads one stdout line; null for anything that is not a JSON object with an "event" (log lines, warnings).
    /// Fields missing from the line read as 0, so a newer or older trainer's extra or absent keys never break a sweep.
    /// </summary>
    public static TrialEvent? Parse(string line)
    {
        if (string.IsNullOrWhiteSpace(line) || line.TrimStart()[0] != '{') return null;
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("event", out var kind) || kind.ValueKind != JsonValueKind.String)
                return null;
            return new TrialEvent(kind.GetString()!, (int)Number(root, "epoch"), (int)Number(root, "epochs"),
                (long)Number(root, "step"), (long)Number(root, "steps_per_epoch"),
                root.TryGetProperty("loss", out var l) && l.ValueKind == JsonValueKind.Number ? l.GetDouble()
                : root.TryGetProperty("train_loss", out var tl) && tl.ValueKind == JsonValueKind.Number ? tl.GetDouble() : null);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static double Number(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Kind} epoch {Epoch}/{Epochs} step {Step}/{StepsPerEpoch}");
}
