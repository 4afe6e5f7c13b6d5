using System.Text.Json;
using System.Text.Json.Nodes;
using F = ScaleLab.Core.Formats.CompressedTensors.CompressedTensorsFormat;

namespace ScaleLab.Torch.Compression.CompressedTensors;

/// <summary>
/// config.json of a compressed-tensors checkpoint: "quantization_config" as ModelCompressor.update_config writes it
/// (version, quant_method, sparsity_config, transform_config, then QuantizationConfig.model_dump(): config_groups,
/// format, global_compression_ratio, ignore, kv_cache_scheme, quantization_status). Each config group is one
/// QuantizationScheme (targets, weights = QuantizationArgs, input/output activations null: weight-only) with its
/// format. Targets are the exact module names, so a reader needs no knowledge of ScaleLab's module classes.
/// </summary>
internal static class CompressedTensorsConfig
{
    public static string Write(IReadOnlyList<CompressedModule> modules, double globalSparsity, string specJson)
    {
        var quantization = new JsonObject
        {
            ["version"] = F.Version,
            ["quant_method"] = F.QuantMethod,
            [F.SparsityConfigKey] = SparsityConfig(modules, globalSparsity),
            ["transform_config"] = new JsonObject(),
        };
        var quantized = modules.Where(m => m.Encoding is TensorEncoding.Int8 or TensorEncoding.Int4 or TensorEncoding.SparseInt8).ToList();
        if (quantized.Count > 0)
        {
            var groups = new JsonObject();
            var formats = new HashSet<string>(StringComparer.Ordinal);
            // One group per distinct quantization (all layers of a ScaleLab run share one, but say so per group).
            foreach (var group in quantized.GroupBy(m => (m.Encoding == TensorEncoding.Int4, m.Scheme, m.GroupSize)))
            {
                var first = group.First();
                string format = first.Encoding == TensorEncoding.Int4 ? F.PackQuantized : F.NaiveQuantized;
                formats.Add(format);
                groups["group_" + groups.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject
                {
                    ["targets"] = new JsonArray([.. group.Select(m => JsonValue.Create(m.Name))]),
                    ["weights"] = Arguments(first),
                    ["input_activations"] = null,
                    ["output_activations"] = null,
                    ["format"] = format,
                };
            }
            quantization["config_groups"] = groups;
            quantization["format"] = formats.Count == 1 ? formats.First() : "mixed-precision";
            quantization["global_compression_ratio"] = null;
            quantization["ignore"] = new JsonArray();
            quantization["kv_cache_scheme"] = null;
            quantization["quantization_status"] = "compressed";
        }
        var root = new JsonObject
        {
            ["torch_dtype"] = "float32",
            [F.QuantizationConfigKey] = quantization,
            [F.ScaleLabSpecKey] = JsonNode.Parse(specJson),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static JsonObject SparsityConfig(IReadOnlyList<CompressedModule> modules, double globalSparsity)
    {
        var sparse = modules.Where(m => m.Encoding is TensorEncoding.Sparse or TensorEncoding.SparseInt8).ToList();
        if (sparse.Count == 0) return new JsonObject();
        return new JsonObject
        {
            ["format"] = F.SparseBitmask,
            ["global_sparsity"] = globalSparsity,
            ["ignore"] = new JsonArray(),
            ["registry_requires_subclass"] = false,
            ["sparsity_structure"] = "unstructured",
            ["targets"] = new JsonArray([.. sparse.Select(m => JsonValue.Create(m.Name))]),
        };
    }

    /// <summary>QuantizationArgs.model_dump() for ScaleLab's scheme: round-to-nearest over min/max ranges.</summary>
    private static JsonObject Arguments(CompressedModule m)
    {
        // Pruned + int8 stores one symmetric scale over the kept values (SparseInt8), whatever the int8 scheme asked.
        var scheme = m.Encoding == TensorEncoding.SparseInt8 ? QuantScheme.Int8PerTensorSymmetric : m.Scheme!.Value;
        bool int4 = m.Encoding == TensorEncoding.Int4;
        string strategy = int4 ? "group" : QuantSchemeInfo.IsPerTensor(scheme) ? "tensor" : "channel";
        return new JsonObject
        {
            ["num_bits"] = int4 ? 4 : 8,
            ["type"] = "int",
            ["symmetric"] = QuantSchemeInfo.IsSymmetric(scheme),
            ["group_size"] = int4 ? m.GroupSize : null,
            ["strategy"] = strategy,
            ["block_structure"] = null,
            ["dynamic"] = false,
            ["actorder"] = null,
            ["scale_dtype"] = null,
            ["zp_dtype"] = null,
            ["observer"] = "minmax",
            ["observer_kwargs"] = new JsonObject(),
        };
    }
}
