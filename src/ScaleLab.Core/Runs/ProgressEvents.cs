using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleLab.Core.Json;

namespace ScaleLab.Core.Runs;

/// <summary>The run is about to train: what it will do.</summary>
public sealed record TrainingStart(int StartEpoch, int Epochs, long StepsPerEpoch, long Parameters, long TrainSamples, string RunDirectory, bool Resumed);

/// <summary>One optimizer step. Epoch and Step are 1-based; SamplesPerSecond is over the epoch so far.</summary>
public sealed record StepProgress(int Epoch, int Epochs, long Step, long StepsPerEpoch, long GlobalStep, double Loss, double LearningRate, double SamplesPerSecond, double EpochElapsedSeconds);

/// <summary>
/// One line of a training process's progress stream (`scalelab train --progress json`, `scalelab trial`), the trial
/// protocol of docs/run-directory.md: {"event": "start" | "step" | "epoch" | "done", …the payload's fields}.
/// </summary>
public abstract record ProgressEvent
{
    public const string StartKind = "start", StepKind = "step", EpochKind = "epoch", DoneKind = "done";

    private ProgressEvent() { }

    public sealed record Start(TrainingStart Payload) : ProgressEvent;

    public sealed record Step(StepProgress Payload) : ProgressEvent;

    public sealed record Epoch(EpochMetrics Payload) : ProgressEvent;

    public sealed record Done(RunSummary Payload) : ProgressEvent;

    /// <summary>The line this event is sent as: the payload's keys after "event".</summary>
    public string ToLine()
    {
        var (kind, node) = this switch
        {
            Start s => (StartKind, JsonSerializer.SerializeToNode(s.Payload, ScaleLabJson.Compact)),
            Step s => (StepKind, JsonSerializer.SerializeToNode(s.Payload, ScaleLabJson.Compact)),
            Epoch e => (EpochKind, JsonSerializer.SerializeToNode(e.Payload, ScaleLabJson.Compact)),
            Done d => (DoneKind, JsonSerializer.SerializeToNode(d.Payload, ScaleLabJson.Compact)),
            _ => throw new InvalidOperationException(GetType().Name),
        };
        var o = node!.AsObject();
        o.Insert(0, "event", kind);
        return o.ToJsonString(ScaleLabJson.Compact);
    }

    /// <summary>
    /// Reads one line of the stream. Null for a line that is not a JSON object with an "event" (log lines, warnings);
    /// an event of an unknown kind, or one that lacks a field its payload needs, is a protocol error naming
    /// <paramref name="source"/>, the event and the field — never read as 0.
    /// </summary>
    public static ProgressEvent? Parse(string line, string source)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.AsSpan().TrimStart() is not ['{', ..]) return null;
        JsonObject o;
        try
        {
            if (JsonNode.Parse(line) is not JsonObject parsed) return null;
            o = parsed;
        }
        catch (JsonException)
        {
            return null;
        }
        if (o["event"] is not JsonValue kindValue || !kindValue.TryGetValue(out string? kind)) return null;
        o.Remove("event");
        try
        {
            return kind switch
            {
                StartKind => new Start(Read<TrainingStart>(o, kind, source)),
                StepKind => new Step(Read<StepProgress>(o, kind, source)),
                EpochKind => new Epoch(Read<EpochMetrics>(o, kind, source)),
                DoneKind => new Done(ReadDone(o, source)),
                _ => throw Bad(source, kind, $"unknown event; expected {StartKind}, {StepKind}, {EpochKind} or {DoneKind}"),
            };
        }
        catch (JsonException ex)
        {
            throw Bad(source, kind, ex.Message);
        }
    }

    /// <summary>Every constructor parameter of a non-nullable type must be present: a missing loss is an error, not 0.</summary>
    private static T Read<T>(JsonObject o, string kind, string source)
    {
        var nullability = new NullabilityInfoContext();
        foreach (var p in typeof(T).GetConstructors().Single().GetParameters())
        {
            if (nullability.Create(p).WriteState == NullabilityState.Nullable) continue;
            string key = JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name!);
            if (o[key] is null) throw Bad(source, kind, $"field '{key}' is missing");
        }
        return o.Deserialize<T>(ScaleLabJson.Options)!;
    }

    private static RunSummary ReadDone(JsonObject o, string source)
    {
        if (o["status"] is null) throw Bad(source, DoneKind, "field 'status' is missing");
        return o.Deserialize<RunSummary>(ScaleLabJson.Options)!;
    }

    private static ScaleLabException Bad(string source, string kind, string problem) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{source}: progress event '{kind}': {problem}"));
}
