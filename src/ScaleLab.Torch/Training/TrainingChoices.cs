using System.Text.Json;
using System.Text.Json.Serialization;
using ScaleLab.Core;

namespace ScaleLab.Torch.Training;

/// <summary>The learning-rate schedule after any warm-up (docs/training.md).</summary>
[JsonConverter(typeof(ScheduleKindJsonConverter))]
public enum ScheduleKind { None, Step, Cosine, OneCycle }

/// <summary>Where tensors live while training.</summary>
[JsonConverter(typeof(ComputeDeviceJsonConverter))]
public enum ComputeDevice { Cpu, Cuda }

/// <summary>The loss a config asks for; Auto picks it from the task (<see cref="LossFunction.Resolve"/>).</summary>
[JsonConverter(typeof(LossChoiceJsonConverter))]
public enum LossChoice { Auto, CrossEntropy, Mse, Bce }

/// <summary>
/// The one name map of each training choice: the names config files, the command line and run.json use, read and
/// written by the same table, so renaming a member never changes a file and an unknown name says what is valid.
/// </summary>
public static class TrainingChoices
{
    internal static readonly (ScheduleKind Value, string Name)[] Schedules =
        [(ScheduleKind.None, "none"), (ScheduleKind.Step, "step"), (ScheduleKind.Cosine, "cosine"), (ScheduleKind.OneCycle, "onecycle")];

    internal static readonly (ComputeDevice Value, string Name)[] Devices = [(ComputeDevice.Cpu, "cpu"), (ComputeDevice.Cuda, "cuda")];

    internal static readonly (LossChoice Value, string Name)[] Losses =
        [(LossChoice.Auto, "auto"), (LossChoice.CrossEntropy, "cross_entropy"), (LossChoice.Mse, "mse"), (LossChoice.Bce, "bce")];

    public static string Name(this ScheduleKind v) => NameOf(Schedules, v);

    public static string Name(this ComputeDevice v) => NameOf(Devices, v);

    public static string Name(this LossChoice v) => NameOf(Losses, v);

    public static ScheduleKind ParseSchedule(string text, string field) => Parse(Schedules, text, field);

    public static ComputeDevice ParseDevice(string text, string field) => Parse(Devices, text, field);

    public static LossChoice ParseLoss(string text, string field) => Parse(Losses, text, field);

    internal static string UnknownMessage<T>((T Value, string Name)[] table, string text) =>
        $"'{text}' is not one of {string.Join(", ", table.Select(t => t.Name))}";

    internal static bool TryParse<T>((T Value, string Name)[] table, string text, out T value)
    {
        foreach (var (v, name) in table)
        {
            if (name != text) continue;
            value = v;
            return true;
        }
        value = default!;
        return false;
    }

    private static string NameOf<T>((T Value, string Name)[] table, T value) where T : struct, Enum =>
        table.First(t => EqualityComparer<T>.Default.Equals(t.Value, value)).Name;

    private static T Parse<T>((T Value, string Name)[] table, string text, string field)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(table, text, out var v) ? v : throw new ScaleLabException($"{field}: {UnknownMessage(table, text)}");
    }
}

/// <summary>A training choice in JSON through its name map: null and unknown names are errors naming what is valid.</summary>
public abstract class NamedChoiceJsonConverter<T>(string what) : JsonConverter<T> where T : struct, Enum
{
    protected abstract (T Value, string Name)[] Table { get; }

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) throw new JsonException($"is null; give a {what} or leave the key out");
        if (reader.TokenType != JsonTokenType.String) throw new JsonException($"expected a {what} name, got {reader.TokenType}");
        string text = reader.GetString()!;
        return TrainingChoices.TryParse(Table, text, out var v) ? v : throw new JsonException(TrainingChoices.UnknownMessage(Table, text));
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(Table.First(t => EqualityComparer<T>.Default.Equals(t.Value, value)).Name);
    }
}

public sealed class ScheduleKindJsonConverter() : NamedChoiceJsonConverter<ScheduleKind>("schedule")
{
    protected override (ScheduleKind Value, string Name)[] Table => TrainingChoices.Schedules;
}

public sealed class ComputeDeviceJsonConverter() : NamedChoiceJsonConverter<ComputeDevice>("device")
{
    protected override (ComputeDevice Value, string Name)[] Table => TrainingChoices.Devices;
}

public sealed class LossChoiceJsonConverter() : NamedChoiceJsonConverter<LossChoice>("loss")
{
    protected override (LossChoice Value, string Name)[] Table => TrainingChoices.Losses;
}
