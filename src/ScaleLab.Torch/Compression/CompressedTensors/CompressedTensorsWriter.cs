using System.Buffers.Binary;
using ScaleLab.Core.Formats.Safetensors;
using F = ScaleLab.Core.Formats.CompressedTensors.CompressedTensorsFormat;

namespace ScaleLab.Torch.Compression.CompressedTensors;

/// <summary>
/// Writes ScaleLab's encoded tensors as a compressed-tensors checkpoint folder (config.json + model.safetensors),
/// following compressed-tensors 0.14 (vllm-project/compressed-tensors: compressors/naive_quantized, pack_quantized
/// and sparse_compressors/sparse_bitmask.py; quantization/lifecycle/initialize.py for the scale shapes):
/// <list type="bullet">
/// <item>int8 → naive-quantized: "M.weight" I8 (out, in), "M.weight_scale" F32 (1,) per tensor or (out, 1) per
/// channel, "M.weight_zero_point" I8 of the scale's shape when asymmetric. Value = (q − zp) · scale.</item>
/// <item>int4 → pack-quantized: "M.weight_packed" I32 (out, ⌈in/8⌉) — each row's values + 8 (0..15), eight to a
/// word, element k at bits 4(k mod 8) of word k/8 —, "M.weight_scale" F32 (out, ⌈in/g⌉), "M.weight_shape" I64 [2];
/// asymmetric adds "M.weight_zero_point" I32 (⌈out/8⌉, groups): the zero-points + 8 packed the same way down each
/// column (packed_dim = 0).</item>
/// <item>sparse → sparse-bitmask: "M.shape" I64 [2], "M.compressed" (non-zero values, row-major), "M.bitmask" U8
/// (out, ⌈in/8⌉, bit k mod 8 of byte k/8 of its row, numpy packbits bitorder little), "M.row_offsets" I64 (out,).
/// Pruned + int8: quantization first (naive, per tensor), then the bitmask over the int8 weight, as
/// ModelCompressor.compress_model orders them; "M.weight_scale" stays beside.</item>
/// </list>
/// Only 2-D "M.weight" matrices (linear layers) are compressed, as compressed-tensors compresses Linear modules;
/// everything else (biases, norms, conv kernels) is written as the fp32 values ScaleLab decodes and evaluates.
/// </summary>
public static class CompressedTensorsWriter
{
    /// <summary>Writes <paramref name="folder"/>/model.safetensors and config.json (each atomically, the weights first).</summary>
    public static void Write(string folder, IReadOnlyList<EncodedTensor> encoded, string specJson)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        Directory.CreateDirectory(folder);
        var tensors = new List<SafetensorsTensor>();
        var modules = new List<CompressedModule>();
        foreach (var e in encoded)
        {
            string? module = ModuleOf(e);
            if (module is null || e.Encoding == TensorEncoding.Dense)
            {
                tensors.Add(new SafetensorsTensor(e.Name, "F32", e.Shape, FloatBytes(e.Decode())));
                continue;
            }
            modules.Add(new CompressedModule(module, e.Encoding, e.Quantized?.Scheme, e.Quantized?.GroupSize ?? 0));
            tensors.AddRange(e.Encoding switch
            {
                TensorEncoding.Int8 => NaiveQuantized(module, e.Quantized!),
                TensorEncoding.Int4 => PackQuantized(module, e.Quantized!),
                TensorEncoding.Sparse => Bitmask(module, e.Shape, e.Sparse!.ToDense().Select(StoredFloat).ToArray(), "F32", 4),
                _ => SparseInt8(module, e),
            });
        }
        double sparsity = GlobalSparsity(encoded);
        var metadata = new Dictionary<string, string> { ["format"] = "pt" };
        SafetensorsWriter.Write(Path.Combine(folder, F.WeightsFileName), tensors, metadata);
        string config = CompressedTensorsConfig.Write(modules, sparsity, specJson);
        string configPath = Path.Combine(folder, F.ConfigFileName);
        File.WriteAllText(configPath + ".tmp", config);
        File.Move(configPath + ".tmp", configPath, overwrite: true);
    }

    /// <summary>"layers.0" for a 2-D "layers.0.weight"; null for anything compressed-tensors leaves uncompressed.</summary>
    private static string? ModuleOf(EncodedTensor e)
    {
        const string suffix = "." + F.Weight;
        if (e.Shape.Length != 2 || !e.Name.EndsWith(suffix, StringComparison.Ordinal)) return null;
        return e.Name[..^suffix.Length];
    }

    private static IEnumerable<SafetensorsTensor> NaiveQuantized(string module, QuantizedTensor q)
    {
        yield return new SafetensorsTensor($"{module}.{F.Weight}", "I8", [q.Rows, q.Columns], q.Values);
        foreach (var t in ScaleAndZero(module, q)) yield return t;
    }

    private static IEnumerable<SafetensorsTensor> ScaleAndZero(string module, QuantizedTensor q)
    {
        long[] shape = q.Scales.Length == 1 ? [1] : [q.Rows, 1];
        yield return new SafetensorsTensor($"{module}.{F.WeightScale}", "F32", shape, FloatBytes(q.Scales));
        if (QuantSchemeInfo.IsSymmetric(q.Scheme)) yield break;
        yield return new SafetensorsTensor($"{module}.{F.WeightZeroPoint}", "I8", shape, [.. q.ZeroPoints.Select(z => unchecked((byte)(sbyte)z))]);
    }

    private static IEnumerable<SafetensorsTensor> PackQuantized(string module, QuantizedTensor q)
    {
        long groups = (q.Columns + q.GroupSize - 1) / q.GroupSize;
        long words = (q.Columns + 7) / 8;
        // ScaleLab's nibbles already hold q + 8 (symmetric) or the unsigned q whose zero-point is z; compressed-tensors
        // stores signed q ∈ [−8, 7] shifted by 8, and a signed zero-point z − 8: the same nibbles, the same (q − zp).
        var packed = new int[q.Rows * words];
        for (long r = 0; r < q.Rows; r++)
            for (long c = 0; c < q.Columns; c++)
            {
                long i = r * q.Columns + c;
                int nibble = (q.Values[i >> 1] >> (int)((i & 1) * 4)) & 0xF;
                packed[r * words + c / 8] |= nibble << (int)(4 * (c % 8));
            }
        yield return new SafetensorsTensor($"{module}.{F.WeightPacked}", "I32", [q.Rows, words], IntBytes(packed));
        yield return new SafetensorsTensor($"{module}.{F.WeightScale}", "F32", [q.Rows, groups], FloatBytes(q.Scales));
        yield return new SafetensorsTensor($"{module}.{F.WeightShape}", "I64", [2], LongBytes([q.Rows, q.Columns]));
        if (QuantSchemeInfo.IsSymmetric(q.Scheme)) yield break;
        long zeroWords = (q.Rows + 7) / 8;
        var zeros = new int[zeroWords * groups];
        for (long r = 0; r < q.Rows; r++)
            for (long g = 0; g < groups; g++)
                zeros[(r / 8) * groups + g] |= q.ZeroPoints[r * groups + g] << (int)(4 * (r % 8));
        yield return new SafetensorsTensor($"{module}.{F.WeightZeroPoint}", "I32", [zeroWords, groups], IntBytes(zeros));
    }

    /// <summary>Pruned + int8: the int8 weight matrix (zeros where pruned), bitmask-compressed, plus its one scale.</summary>
    private static IEnumerable<SafetensorsTensor> SparseInt8(string module, EncodedTensor e)
    {
        var q = e.Quantized!;
        var mask = e.Sparse!.Mask;
        var matrix = new byte[e.Elements][];
        long next = 0;
        for (long i = 0; i < e.Elements; i++)
            matrix[i] = [(mask[i >> 3] & (1 << (int)(i & 7))) != 0 ? q.Values[next++] : (byte)0];
        foreach (var t in Bitmask(module, e.Shape, matrix, "I8", 1)) yield return t;
        yield return new SafetensorsTensor($"{module}.{F.WeightScale}", "F32", [1], FloatBytes(q.Scales));
    }

    /// <summary>sparse-bitmask over a row-major matrix whose elements are given as their stored bytes (zero = all bytes 0).</summary>
    private static IEnumerable<SafetensorsTensor> Bitmask(string module, long[] shape, byte[][] elements, string dtype, int elementBytes)
    {
        long rows = shape[0], columns = shape[1];
        long rowBytes = (columns + 7) / 8;
        var bitmask = new byte[rows * rowBytes];
        var offsets = new long[rows];
        var values = new List<byte>();
        long kept = 0;
        for (long r = 0; r < rows; r++)
        {
            offsets[r] = kept;
            for (long c = 0; c < columns; c++)
            {
                var element = elements[r * columns + c];
                if (element.All(b => b == 0)) continue;
                bitmask[r * rowBytes + c / 8] |= (byte)(1 << (int)(c % 8));
                values.AddRange(element);
                kept++;
            }
        }
        yield return new SafetensorsTensor($"{module}.{F.SparseShape}", "I64", [2], LongBytes([rows, columns]));
        yield return new SafetensorsTensor($"{module}.{F.SparseCompressed}", dtype, [values.Count / elementBytes], [.. values]);
        yield return new SafetensorsTensor($"{module}.{F.SparseBitmaskName}", "U8", [rows, rowBytes], bitmask);
        yield return new SafetensorsTensor($"{module}.{F.SparseRowOffsets}", "I64", [rows], LongBytes(offsets));
    }

    /// <summary>Zeros over all values of the sparse-encoded weights (compressed-tensors' BitmaskConfig.global_sparsity).</summary>
    private static double GlobalSparsity(IReadOnlyList<EncodedTensor> encoded)
    {
        long total = 0, kept = 0;
        foreach (var e in encoded.Where(e => e.Sparse is not null))
        {
            total += e.Elements;
            kept += e.Sparse!.Kept;
        }
        return total == 0 ? 0 : 1.0 - (double)kept / total;
    }

    // The bitmask keeps a value when its stored bytes are not all zero; −0 (sign bit set) is zero too, so it becomes +0.
    private static byte[] StoredFloat(float v) => v == 0f ? [0, 0, 0, 0] : BitConverter.GetBytes(v);

    private static byte[] FloatBytes(float[] values)
    {
        var bytes = new byte[values.LongLength * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    private static byte[] IntBytes(int[] values)
    {
        var bytes = new byte[values.LongLength * 4];
        for (long i = 0; i < values.LongLength; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan((int)(i * 4)), values[i]);
        return bytes;
    }

    private static byte[] LongBytes(long[] values)
    {
        var bytes = new byte[values.LongLength * 8];
        for (long i = 0; i < values.LongLength; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan((int)(i * 8)), values[i]);
        return bytes;
    }
}

/// <summary>One compressed linear layer: which compressor stored it and with which quantization.</summary>
internal sealed record CompressedModule(string Name, TensorEncoding Encoding, QuantScheme? Scheme, int GroupSize);
