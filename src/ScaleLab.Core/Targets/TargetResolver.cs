using System.Text.Json;
using ScaleLab.Core.Import.HuggingFace;
using ScaleLab.Core.Presets;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Targets;

/// <summary>
/// Turns a TARGET string into a <see cref="Target"/>, in this order: an existing folder (its config.json, a Hugging
/// Face config); an existing file (.safetensors / .gguf / *.safetensors.index.json are checkpoints; other .json files
/// are ScaleLab specs when they hold "layers" or "transformer", Hugging Face configs when they hold "model_type");
/// then a preset name. Anything else fails with the presets listed.
/// </summary>
public static class TargetResolver
{
    public static Target Resolve(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) throw new ScaleLabException("empty target; give a preset name, a spec .json, a config.json or a checkpoint");
        if (Directory.Exists(text)) return FromFolder(text);
        if (File.Exists(text)) return FromFile(text);
        if (ModelPresets.Exists(text)) return new ModelTarget(text, ModelPresets.Load(text), TargetOrigin.Preset);
        if (LooksLikePath(text)) throw new ScaleLabException($"{text}: no such file or folder");
        throw new UnknownPresetException(text, ModelPresets.Names);
    }

    private static Target FromFolder(string folder)
    {
        string config = Path.Combine(folder, "config.json");
        var weights = WeightsIn(folder);
        if (File.Exists(config))
        {
            try
            {
                return new ModelTarget(folder, HfConfigImporter.Import(config), TargetOrigin.HuggingFaceConfig);
            }
            catch (SpecException unsupported) when (unsupported.UnsupportedModelType is not null && weights is not null)
            {
                // The headers hold every tensor's shape: an exact count without knowing the architecture.
                return weights with { Note = $"{config}: model_type \"{unsupported.UnsupportedModelType}\" is not supported; counted from the checkpoint headers instead ({Path.GetFileName(weights.Path)})" };
            }
        }
        return weights ?? throw new ScaleLabException($"{folder}: a folder without config.json, model.safetensors or model.safetensors.index.json");
    }

    private static CheckpointTarget? WeightsIn(string folder)
    {
        string index = Path.Combine(folder, "model.safetensors.index.json");
        if (File.Exists(index)) return new CheckpointTarget(folder, index, CheckpointFormat.SafetensorsIndex);
        string single = Path.Combine(folder, "model.safetensors");
        return File.Exists(single) ? new CheckpointTarget(folder, single, CheckpointFormat.Safetensors) : null;
    }

    private static Target FromFile(string path)
    {
        string name = Path.GetFileName(path).ToLowerInvariant();
        if (name.EndsWith(".safetensors.index.json", StringComparison.Ordinal))
            return new CheckpointTarget(path, path, CheckpointFormat.SafetensorsIndex);
        if (name.EndsWith(".safetensors", StringComparison.Ordinal)) return new CheckpointTarget(path, path, CheckpointFormat.Safetensors);
        if (name.EndsWith(".gguf", StringComparison.Ordinal)) return new CheckpointTarget(path, path, CheckpointFormat.Gguf);
        if (!name.EndsWith(".json", StringComparison.Ordinal))
            throw new ScaleLabException($"{path}: not a model target; expected a .json spec or config, .safetensors, .gguf, or a preset name");
        return IsHuggingFaceConfig(path)
            ? new ModelTarget(path, HfConfigImporter.Import(path), TargetOrigin.HuggingFaceConfig)
            : new ModelTarget(path, ModelSpecJson.Load(path), TargetOrigin.SpecFile);
    }

    /// <summary>A Hugging Face config has "model_type" and no ScaleLab "layers"/"transformer"; malformed JSON is left to the spec reader's message.</summary>
    private static bool IsHuggingFaceConfig(string path)
    {
        if (new FileInfo(path).Length > ModelSpecJson.MaxFileBytes) return false;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions
            {
                AllowTrailingCommas = true,
                CommentHandling = JsonCommentHandling.Skip,
            });
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && !root.TryGetProperty("layers", out _)
                && !root.TryGetProperty("transformer", out _)
                && (root.TryGetProperty("model_type", out _) || root.TryGetProperty("architectures", out _));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool LooksLikePath(string text) =>
        text.Contains('/', StringComparison.Ordinal) || text.Contains('\\', StringComparison.Ordinal)
        || text.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
        || text.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)
        || text.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase);
}
