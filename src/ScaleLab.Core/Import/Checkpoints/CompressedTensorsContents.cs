using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleLab.Core.Formats.Safetensors;
using F = ScaleLab.Core.Formats.CompressedTensors.CompressedTensorsFormat;

namespace ScaleLab.Core.Import.Checkpoints;

/// <summary>
/// Counts a compressed-tensors checkpoint (a model.safetensors with a config.json holding quantization_config,
/// quant_method "compressed-tensors") in logical tensors. A module is recognised by the parameters its compressor
/// stores: "M.weight_packed" (pack-quantized), "M.bitmask" (sparse-bitmask, possibly over int8), an I8 "M.weight"
/// with "M.weight_scale" (naive-quantized int8). Bit widths come from the config group targeting the module.
/// </summary>
internal static class CompressedTensorsContents
{
    private static readonly string[] ModuleParameters =
        [F.Weight, F.WeightPacked, F.WeightScale, F.WeightZeroPoint, F.WeightShape, "weight_g_idx",
         F.SparseShape, F.SparseCompressed, F.SparseBitmaskName, F.SparseRowOffsets];

    private sealed record Group(IReadOnlyList<string> Targets, int Bits, bool Symmetric, string Strategy, int? GroupSize, string Format);

    public static CompressedContents? TryRead(SafetensorsHeader header)
    {
        string configPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(header.Path))!, F.ConfigFileName);
        if (!File.Exists(configPath)) return null;
        JsonObject? quantization;
        try { quantization = JsonNode.Parse(File.ReadAllText(configPath))?[F.QuantizationConfigKey] as JsonObject; }
        catch (JsonException ex) { throw new ScaleLabException($"{configPath}: not valid JSON: {ex.Message}"); }
        if (quantization?["quant_method"]?.GetValue<string>() != F.QuantMethod) return null;

        List<Group> groups;
        try { groups = Groups(quantization); }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException) { throw new ScaleLabException($"{configPath}: quantization_config.config_groups is invalid: {ex.Message}"); }
        var byName = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var tensors = new List<CompressedTensorContents>();
        var formats = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var t in header.Tensors)
        {
            int dot = t.Name.LastIndexOf('.');
            string module = dot < 0 ? "" : t.Name[..dot];
            string parameter = t.Name[(dot + 1)..];
            bool isModuleKey = parameter is F.WeightPacked or F.SparseBitmaskName
                               || (parameter == F.Weight && t.DType == "I8" && byName.ContainsKey(module + "." + F.WeightScale));
            if (!isModuleKey) continue;
            try { tensors.Add(CountModule(header, byName, module, groups, formats)); }
            catch (Exception ex) when (ex is InvalidOperationException or OverflowException or ArgumentException)
            {
                throw new ScaleLabException($"{header.Path}: compressed module '{module}' is invalid: {ex.Message}");
            }
            foreach (var p in ModuleParameters) used.Add(module + "." + p);
        }
        foreach (var t in header.Tensors.Where(t => !used.Contains(t.Name)))
            tensors.Add(new CompressedTensorContents(t.Name, t.Shape, DTypeName(t.DType) + " dense", t.Elements, NonZero(header, t), t.ByteCount));
        tensors.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        string layout = $"{F.QuantMethod} {quantization["version"]?.ToString() ?? "?"} ({(formats.Count == 0 ? "dense" : string.Join(", ", formats))})";
        return new CompressedContents(layout, checked(tensors.Sum(t => t.Parameters)), checked(tensors.Sum(t => t.NonZero)), tensors);
    }

    private static List<Group> Groups(JsonObject quantization)
    {
        var groups = new List<Group>();
        string topFormat = quantization["format"]?.GetValue<string>() ?? F.NaiveQuantized;
        if (quantization["config_groups"] is not JsonObject configGroups) return groups;
        foreach (var (_, node) in configGroups)
        {
            var weights = node?["weights"] as JsonObject;
            if (weights is null) continue;
            groups.Add(new Group(
                node!["targets"]?.AsArray().Select(t => t!.GetValue<string>()).ToList() ?? [],
                weights["num_bits"]?.GetValue<int>() ?? 8,
                weights["symmetric"]?.GetValue<bool>() ?? true,
                weights["strategy"]?.GetValue<string>() ?? "tensor",
                weights["group_size"]?.GetValue<int?>(),
                node["format"]?.GetValue<string>() ?? topFormat));
        }
        return groups;
    }

    /// <summary>The group naming the module exactly (or by "re:" pattern); with a single group, that group.</summary>
    private static Group? GroupOf(string module, List<Group> groups) =>
        groups.FirstOrDefault(g => g.Targets.Any(t => t == module
            || (t.StartsWith("re:", StringComparison.Ordinal) && System.Text.RegularExpressions.Regex.IsMatch(module, t[3..], System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)))))
        ?? (groups.Count == 1 ? groups[0] : null);

    private static CompressedTensorContents CountModule(SafetensorsHeader header, Dictionary<string, SafetensorsTensorInfo> byName, string module, List<Group> groups, SortedSet<string> formats)
    {
        SafetensorsTensorInfo Info(string p) => byName.TryGetValue(module + "." + p, out var i) ? i : throw new InvalidOperationException($"'{module}.{p}' is missing");
        byte[] Data(string p) => SafetensorsReader.ReadTensor(header.Path, Info(p));
        long stored = ModuleParameters.Sum(p => byName.TryGetValue(module + "." + p, out var i) ? i.ByteCount : 0);
        var group = GroupOf(module, groups);
        string quant = group is null ? "" : Describe(group);

        if (byName.ContainsKey(module + "." + F.SparseBitmaskName))
        {
            formats.Add(F.SparseBitmask);
            if (group is not null) formats.Add(group.Format);
            long[] shape = Longs(Data(F.SparseShape));
            long elements = shape.Aggregate(1L, (a, b) => checked(a * b));
            long nonZero = Data(F.SparseBitmaskName).Sum(b => (long)System.Numerics.BitOperations.PopCount(b));
            string values = Info(F.SparseCompressed).DType == "I8" ? "int8 values" + (quant.Length > 0 ? $" ({quant})" : "") : DTypeName(Info(F.SparseCompressed).DType) + " values";
            return new CompressedTensorContents(module + "." + F.Weight, shape, $"{F.SparseBitmask} + {values}", elements, nonZero, stored);
        }

        var g = group ?? throw new InvalidOperationException("no config group targets it");
        formats.Add(g.Format);
        if (byName.ContainsKey(module + "." + F.WeightPacked))
        {
            long[] shape = Longs(Data(F.WeightShape));
            if (shape.Length != 2) throw new InvalidOperationException($"weight_shape has {shape.Length} dimensions, expected 2");
            (byte[] Data, long Groups)? zeros = g.Symmetric ? null : (Data(F.WeightZeroPoint), Info(F.WeightZeroPoint).Shape[^1]);
            long nonZero = NonZeroPacked(Data(F.WeightPacked), Info(F.WeightPacked).Shape[^1], shape[0], shape[1], g.Bits, zeros, g.GroupSize);
            return new CompressedTensorContents(module + "." + F.Weight, shape, $"{F.PackQuantized} {quant}", checked(shape[0] * shape[1]), nonZero, stored);
        }

        var weight = Info(F.Weight);
        byte[] q = Data(F.Weight);
        byte[]? z = g.Symmetric ? null : Data(F.WeightZeroPoint);
        long columns = weight.Shape.Count < 2 ? weight.Elements : weight.Shape[^1];
        long zeroColumns = g.Symmetric ? 1 : Info(F.WeightZeroPoint).Shape[^1];
        long count = 0;
        for (long i = 0; i < q.LongLength; i++)
        {
            int zero = 0;
            if (z is not null)
            {
                long r = i / columns, c = i % columns;
                long k = z.Length == 1 ? 0 : r * zeroColumns + (zeroColumns == 1 ? 0 : c / (g.GroupSize ?? columns));
                zero = (sbyte)z[k];
            }
            if ((sbyte)q[i] != zero) count++;
        }
        return new CompressedTensorContents(module + "." + F.Weight, weight.Shape, $"{g.Format} {quant}", weight.Elements, count, stored);
    }

    private static string Describe(Group g) => string.Create(CultureInfo.InvariantCulture,
        $"int{g.Bits} {(g.Strategy == "group" ? $"group {g.GroupSize}" : "per-" + g.Strategy)} {(g.Symmetric ? "symmetric" : "asymmetric")}");

    /// <summary>
    /// pack-quantized rows: element k of a row occupies bits [k·b, k·b + b) of the row's little-endian int32 words and
    /// holds q + 2^(b−1); zero-points are packed the same way down each column (packed_dim 0).
    /// </summary>
    private static long NonZeroPacked(byte[] packed, long words, long rows, long columns, int bits, (byte[] Data, long Groups)? zeros, int? groupSize)
    {
        if (bits is < 1 or > 8) throw new InvalidOperationException($"num_bits {bits}, expected 1..8");
        if (packed.LongLength != checked(rows * words * 4)) throw new InvalidOperationException($"weight_packed holds {packed.LongLength} bytes, expected {rows * words * 4}");
        if (checked(columns * bits) > words * 32) throw new InvalidOperationException($"{words} words a row cannot hold {columns} {bits}-bit values");
        int offset = 1 << (bits - 1);
        long count = 0;
        for (long r = 0; r < rows; r++)
            for (long c = 0; c < columns; c++)
            {
                int raw = Bits(packed, r * words * 32, c * bits, bits);
                int zero = offset;
                if (zeros is { } zp)
                {
                    long g = c / (groupSize ?? columns);
                    long zeroWords = zp.Data.LongLength / 4 / zp.Groups;
                    // Column g of the (zeroWords, groups) matrix is one bit stream down the rows.
                    zero = BitsStrided(zp.Data, g, zp.Groups, zeroWords, r * bits, bits);
                }
                if (raw != zero) count++;
            }
        return count;
    }

    /// <summary>b bits starting at bit <paramref name="bit"/> of the word stream that begins at bit <paramref name="start"/>.</summary>
    private static int Bits(byte[] words, long start, long bit, int bits)
    {
        int value = 0;
        for (int i = 0; i < bits; i++)
        {
            long at = start + bit + i;
            uint word = BinaryPrimitives.ReadUInt32LittleEndian(words.AsSpan((int)(at / 32 * 4), 4));
            value |= (int)((word >> (int)(at % 32)) & 1) << i;
        }
        return value;
    }

    private static int BitsStrided(byte[] words, long column, long columns, long rows, long bit, int bits)
    {
        int value = 0;
        for (int i = 0; i < bits; i++)
        {
            long at = bit + i;
            long w = at / 32;
            if (w >= rows) throw new InvalidOperationException("weight_zero_point is too short for its rows");
            uint word = BinaryPrimitives.ReadUInt32LittleEndian(words.AsSpan((int)((w * columns + column) * 4), 4));
            value |= (int)((word >> (int)(at % 32)) & 1) << i;
        }
        return value;
    }

    /// <summary>"fp32", "bf16", "int8": the names ScaleLab's own encodings use.</summary>
    private static string DTypeName(string dtype) => dtype switch
    {
        "F32" => "fp32",
        "F16" => "fp16",
        "BF16" => "bf16",
        "F64" => "fp64",
        _ => dtype.StartsWith('I') ? "int" + dtype[1..] : dtype.ToLowerInvariant(),
    };

    private static long[] Longs(byte[] data)
    {
        var values = new long[data.Length / 8];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(i * 8));
        return values;
    }

    private static long NonZero(SafetensorsHeader header, SafetensorsTensorInfo t)
    {
        byte[] data = SafetensorsReader.ReadTensor(header.Path, t);
        if (t.DType == "F32") return ScaleLabCompressedContents.NonZeroFloats(data);
        int size = (int)(t.Elements == 0 ? 1 : t.ByteCount / Math.Max(1, t.Elements));
        long count = 0;
        for (long i = 0; i + size <= data.LongLength; i += size)
        {
            // −0.0 in fp16/bf16 is 0x8000: a sign bit alone is still zero.
            bool zero = true;
            for (int b = 0; b < size; b++)
                if ((data[i + b] & (b == size - 1 && t.DType is "F16" or "BF16" ? 0x7F : 0xFF)) != 0) zero = false;
            if (!zero) count++;
        }
        return count;
    }
}
