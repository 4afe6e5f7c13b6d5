using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ScaleLab.Core.Spec;

/// <summary>
/// Model spec files (SPEC_FORMAT.md) in and out. Reading goes JSON text → <see cref="JsonDocument"/> → untrusted
/// objects (<see cref="SpecJsonObject"/>) → validated records (<see cref="ModelSpec"/>, <see cref="LayerSpec"/>),
/// then shape inference over the whole stack, so a spec that loads is a spec that can be built and counted.
/// </summary>
public static class ModelSpecJson
{
    /// <summary>A spec is a few KiB; anything past this is not a spec (and would be slow to walk).</summary>
    public const long MaxFileBytes = 16 * 1024 * 1024;

    private const int MaxInputRank = 8;

    /// <summary>Comments and trailing commas are allowed: spec files are written by people.</summary>
    internal static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 64,
        AllowDuplicateProperties = false,   // a key given twice would describe two models: refuse it
    };

    public static ModelSpec Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string source = Path.GetFileName(path);
        var info = new FileInfo(path);
        if (!info.Exists) throw new SpecException(source, "file", $"no such file: {path}");
        if (info.Length > MaxFileBytes)
            throw new SpecException(source, "file", $"{info.Length} bytes; a model spec is at most {MaxFileBytes} bytes");
        string defaultName = Path.GetFileNameWithoutExtension(path);
        return Parse(StrictText.ReadText(path), source, defaultName) with { Source = path };
    }

    /// <summary>Parses and validates a spec; <paramref name="source"/> names it in messages ("model.json", "preset:lenet-5").</summary>
    public static ModelSpec Parse(string json, string source, string? defaultName = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            string where = ex.LineNumber is { } line ? $"line {line + 1}" : "file";
            throw new SpecException(source, where, "not valid JSON: " + FirstSentence(ex.Message));
        }
        using (document)
        {
            return Parse(document.RootElement, source, defaultName);
        }
    }

    public static ModelSpec Parse(JsonElement root, string source, string? defaultName = null)
    {
        var o = new SpecJsonObject(root, source, "top level");
        string name = o.OptionalString("name") ?? defaultName
            ?? throw o.Fail("missing field 'name' (what to call the model, e.g. \"my-mlp\")");
        if (name.Length == 0) throw o.Fail("name is \"\"; give the model a name, e.g. \"my-mlp\"");
        string? description = o.OptionalString("description");
        var task = Task(o);
        bool tokens = o.OptionalBool("input_tokens", false);
        var layers = o.Raw("layers");
        var transformer = o.Raw("transformer");
        var input = o.Raw("input");
        var context = o.Raw("context");
        o.RejectUnknownFields();

        if (layers is not null && transformer is not null)
            throw o.Fail("has both 'layers' and 'transformer'; a spec is either a layer stack or a transformer");
        var spec = new ModelSpec { Name = name, Description = description, Task = task, Source = source };
        if (transformer is not null)
        {
            if (input is not null) throw o.Fail("'input' is for layer stacks; a transformer takes 'context' (the sequence length)");
            // A transformer's sample is `context` tokens: ModelSpec.Input holds it as the shape (S).
            Shape? contextShape = context is null ? null : Shape.Of(ContextLength(o, context.Value));
            return spec with
            {
                Transformer = TransformerSpecJson.Parse(transformer.Value, source),
                Input = contextShape,
                InputIsTokens = true,
                Task = o.Has("task") ? task : TaskKind.LanguageModel,
            };
        }
        if (layers is null)
            throw o.Fail("missing field 'layers' (a list of layers) or 'transformer' (a transformer's hyper-parameters)");
        if (context is not null) throw o.Fail("'context' is for transformers; a layer stack's sequence length is the first entry of 'input'");
        if (input is null) throw o.Fail("missing field 'input' (one sample's shape without the batch dimension, e.g. [1, 28, 28] or [784])");
        var list = LayerSpecJson.ReadList(layers.Value, source, "layers", depth: 0);
        if (list.Count == 0) throw o.Fail("layers is an empty list; a model needs at least one layer");
        spec = spec with { Input = InputShape(o, input.Value), InputIsTokens = tokens, Layers = list };
        ShapeInference.Outputs(spec);
        return spec;
    }

    private static TaskKind Task(SpecJsonObject o) => o.OptionalString("task") switch
    {
        null or "classification" => TaskKind.Classification,
        "regression" => TaskKind.Regression,
        "language_model" => TaskKind.LanguageModel,
        var other => throw o.Fail($"task is \"{other}\"; it must be classification, regression or language_model"),
    };

    private static Shape InputShape(SpecJsonObject o, JsonElement input)
    {
        const string want = "a list of 1 to 8 positive integers of at most 16777216, e.g. [1, 28, 28]";
        if (input.ValueKind != JsonValueKind.Array || input.GetArrayLength() is 0 or > MaxInputRank)
            throw o.Fail($"input is {SpecJsonObject.Describe(input)}; it must be {want}");
        var dims = new List<long>();
        foreach (var d in input.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long n) || n < 1 || n > TransformerSpecJson.MaxWidth)
                throw o.Fail($"input is {SpecJsonObject.Describe(input)}; it must be {want}");
            dims.Add(n);
        }
        var shape = new Shape(dims);
        try
        {
            _ = shape.Elements;
        }
        catch (OverflowException)
        {
            throw o.Fail($"input {shape} has more elements than a 64-bit count can hold");
        }
        return shape;
    }

    private static long ContextLength(SpecJsonObject o, JsonElement context)
    {
        if (context.ValueKind != JsonValueKind.Number || !context.TryGetInt64(out long n) || n < 1)
            throw o.Fail($"context is {SpecJsonObject.Describe(context)}; it must be a positive integer (tokens per sequence), e.g. 1024");
        return n;
    }

    private static string FirstSentence(string message)
    {
        int cut = message.IndexOf(". ", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.').ToString(CultureInfo.InvariantCulture);
    }
}
