using System.Globalization;
using System.Text;
using System.Text.Json;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Import.HuggingFace;

/// <summary>
/// Reads a Hugging Face config.json (or a folder holding one) into a <see cref="ModelSpec"/>, without any weights:
/// file → JSON → untrusted <see cref="HfConfigDto"/> → <see cref="HfConfigMapper"/> (family defaults, checks) →
/// <see cref="TransformerSpec"/>, which is then written and re-read through <see cref="TransformerSpecJson"/> so an
/// imported model passes exactly the checks a hand-written spec does. Supported model types: see
/// <see cref="SupportedModelTypes"/>; conventions in docs/transformer.md.
/// </summary>
public static class HfConfigImporter
{
    /// <summary>Real configs are a few KiB (id2label tables a few hundred); anything past this is not a config.</summary>
    public const long MaxConfigBytes = 16 * 1024 * 1024;

    public static IReadOnlyList<string> SupportedModelTypes { get; } = HfModelFamily.All.Select(f => f.ModelType).ToArray();

    public static ModelSpec Import(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string file = Directory.Exists(path) ? Path.Combine(path, "config.json") : path;
        var info = new FileInfo(file);
        if (!info.Exists)
        {
            string problem = Directory.Exists(path) ? "this folder holds no config.json" : "no such file";
            throw new SpecException(path, "file", problem);
        }
        if (info.Length > MaxConfigBytes)
            throw new SpecException(file, "file", $"{info.Length.ToString(CultureInfo.InvariantCulture)} bytes; a config.json is at most {MaxConfigBytes.ToString(CultureInfo.InvariantCulture)} bytes");
        return Parse(StrictText.ReadText(file), file, DefaultName(file));
    }

    /// <summary>Imports config.json text; <paramref name="source"/> names it in messages and becomes the spec's Source.</summary>
    public static ModelSpec Parse(string json, string source, string name)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(name);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, MaxDepth = 64, AllowDuplicateProperties = false });
        }
        catch (JsonException ex)
        {
            string where = ex.LineNumber is { } line ? $"line {(line + 1).ToString(CultureInfo.InvariantCulture)}" : "file";
            throw new SpecException(source, where, "not valid JSON: " + ex.Message.Split(". ")[0].TrimEnd('.'));
        }
        HfConfigDto dto;
        using (document)
        {
            dto = HfConfigDto.Read(document.RootElement, source);
        }
        var mapped = HfDropout.Apply(HfConfigMapper.Map(dto, source), dto, source);
        var transformer = Revalidate(mapped, source);
        string modelName = string.IsNullOrWhiteSpace(dto.NameOrPath) ? name : dto.NameOrPath.TrimEnd('/').Split('/')[^1];
        return new ModelSpec
        {
            Name = modelName,
            Description = Describe(dto, transformer),
            Task = TaskKind.LanguageModel,
            Transformer = transformer,
            Source = source,
        };
    }

    /// <summary>The spec reader's cross-field checks (widths within limits, heads, experts), applied to the import.</summary>
    private static TransformerSpec Revalidate(TransformerSpec mapped, string source)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            TransformerSpecJson.Write(writer, mapped);
        }
        using var document = JsonDocument.Parse(stream.ToArray());
        return TransformerSpecJson.Parse(document.RootElement, source);
    }

    /// <summary>"Hugging Face llama config (rope_scaling llama3 ×8)": where the numbers came from, and what was recorded but not counted.</summary>
    private static string Describe(HfConfigDto dto, TransformerSpec t)
    {
        var text = new StringBuilder($"Imported from a Hugging Face {dto.ModelType} config");
        if (dto.WrapperModelType is { } wrapper)
            text.Append(CultureInfo.InvariantCulture, $" (the text stack of a {wrapper} config only: its vision tower is not counted)");
        if (t.IsMixtureOfExperts)
        {
            text.Append(CultureInfo.InvariantCulture, $"; {t.Experts} experts, top-{t.TopK}");
            if (t.SharedExperts > 0) text.Append(CultureInfo.InvariantCulture, $" + {t.SharedExperts} shared");
            if (t.DenseLayers is { } dense) text.Append(CultureInfo.InvariantCulture, $", {dense.Count} dense layers");
        }
        if (t.Latent is not null) text.Append("; multi-head latent attention");
        if (t.Local is { } local)
            text.Append(CultureInfo.InvariantCulture, $"; {local.Layers.Count} of {t.Layers} layers {(local.Kind == LocalAttentionKind.Sliding ? "slide over" : "attend in chunks of")} {local.Window} tokens");
        if (t.PredictionLayers > 0)
            text.Append(CultureInfo.InvariantCulture, $"; {t.PredictionLayers} multi-token-prediction module(s) in the checkpoint, reported apart");
        if (dto.RopeScalingType is { } rope)
        {
            text.Append(CultureInfo.InvariantCulture, $"; rope_scaling {rope}");
            if (dto.RopeScalingFactor is { } factor) text.Append(CultureInfo.InvariantCulture, $" x{factor}");
            text.Append(" (rescales rotary frequencies: no parameters)");
        }
        if (t.Kind == TransformerKind.Encoder) text.Append("; counted as the base model with pooler (BertModel)");
        return text.ToString();
    }

    /// <summary>A config.json is named after its folder (meta-llama/Llama-2-7b-hf/config.json → Llama-2-7b-hf).</summary>
    private static string DefaultName(string file)
    {
        string? folder = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(file)));
        return string.Equals(Path.GetFileName(file), "config.json", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(folder)
            ? folder
            : Path.GetFileNameWithoutExtension(file);
    }
}
