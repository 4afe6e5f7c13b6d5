using ScaleLab.Core.Formats.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Checkpoints;

/// <summary>
/// A module's state (parameters and buffers, by their stable names) to and from a safetensors file. Loading checks
/// that every tensor of the module is present with the same shape, so a checkpoint never half-loads into a model.
/// </summary>
public static class ModelWeights
{
    public static void Save(nn.Module model, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var tensors = model.state_dict().Select(kv => ToEntry(kv.Key, kv.Value)).ToList();
        SafetensorsWriter.Write(path, tensors, metadata);
    }

    public static void SaveTensors(IEnumerable<(string Name, Tensor Tensor)> tensors, string path, IReadOnlyDictionary<string, string>? metadata = null) =>
        SafetensorsWriter.Write(path, [.. tensors.Select(t => ToEntry(t.Name, t.Tensor))], metadata);

    /// <summary>Copies the file's tensors into the module's parameters and buffers.</summary>
    public static void Load(nn.Module model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        var saved = ReadAll(path);
        try
        {
            using var noGrad = no_grad();
            foreach (var (name, target) in model.state_dict())
            {
                if (!saved.TryGetValue(name, out var source)) throw new CheckpointException(path, $"has no tensor '{name}' that the model needs; was it written for another spec?");
                if (!source.shape.SequenceEqual(target.shape))
                {
                    throw new CheckpointException(path, $"tensor '{name}' has shape [{string.Join(", ", source.shape)}] but the model's is [{string.Join(", ", target.shape)}]");
                }

                // A NaN weight makes every output NaN; evaluating it would report garbage as a result.
                if (source.is_floating_point() && source.isfinite().logical_not().sum().item<long>() is long bad && bad > 0)
                    throw new CheckpointException(path, $"tensor '{name}' holds {bad} NaN or infinite values; the weights are corrupt (or were saved from a diverged run)");
                target.copy_(source);
            }
        }
        finally
        {
            foreach (var t in saved.Values) t.Dispose();
        }
    }

    /// <summary>Every tensor of a safetensors file, as CPU tensors the caller disposes.</summary>
    public static Dictionary<string, Tensor> ReadAll(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException(path, "file not found");
        var header = SafetensorsReader.ReadHeader(path);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var info in header.Tensors)
        {
            result[info.Name] = TensorBytes.Create(info.DType, [.. info.Shape], SafetensorsReader.ReadTensor(path, info));
        }

        return result;
    }

    /// <summary>The file's string metadata (__metadata__).</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path) => SafetensorsReader.ReadHeader(path).Metadata;

    private static SafetensorsTensor ToEntry(string name, Tensor tensor) =>
        new(name, TensorBytes.DType(tensor.dtype), [.. tensor.shape], TensorBytes.Read(tensor));
}
