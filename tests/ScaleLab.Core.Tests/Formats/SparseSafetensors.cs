using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace ScaleLab.Core.Tests.Formats;

/// <summary>
/// A valid safetensors file of any size without writing its data: the header, then SetLength over a sparse data
/// section (zeros, never touched by header reads). For real-model shapes in tests and the header-read benchmark.
/// </summary>
internal static class SparseSafetensors
{
    public static void Write(string path, IEnumerable<(string Name, string DType, long[] Shape)> tensors, int bytesPerElement = 4)
    {
        var json = new StringBuilder("{");
        long offset = 0;
        foreach (var (name, dtype, shape) in tensors)
        {
            long bytes = shape.Aggregate(1L, (a, b) => a * b) * bytesPerElement;
            if (json.Length > 1) json.Append(',');
            json.Append(CultureInfo.InvariantCulture,
                $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + bytes}]}}");
            offset += bytes;
        }

        json.Append('}');
        while ((8 + json.Length) % 8 != 0) json.Append(' ');
        byte[] header = Encoding.UTF8.GetBytes(json.ToString());
        using var stream = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        stream.SetLength(8 + header.Length + offset);
    }

    /// <summary>GPT-2 small as Hugging Face names its tensors: 124,439,808 parameters.</summary>
    public static IEnumerable<(string, string, long[])> Gpt2Small()
    {
        yield return ("wte.weight", "F32", [50257, 768]);
        yield return ("wpe.weight", "F32", [1024, 768]);
        for (int i = 0; i < 12; i++)
        {
            string p = $"h.{i}.";
            yield return (p + "ln_1.weight", "F32", [768]);
            yield return (p + "ln_1.bias", "F32", [768]);
            yield return (p + "attn.c_attn.weight", "F32", [768, 2304]);
            yield return (p + "attn.c_attn.bias", "F32", [2304]);
            yield return (p + "attn.c_proj.weight", "F32", [768, 768]);
            yield return (p + "attn.c_proj.bias", "F32", [768]);
            yield return (p + "ln_2.weight", "F32", [768]);
            yield return (p + "ln_2.bias", "F32", [768]);
            yield return (p + "mlp.c_fc.weight", "F32", [768, 3072]);
            yield return (p + "mlp.c_fc.bias", "F32", [3072]);
            yield return (p + "mlp.c_proj.weight", "F32", [3072, 768]);
            yield return (p + "mlp.c_proj.bias", "F32", [768]);
        }

        yield return ("ln_f.weight", "F32", [768]);
        yield return ("ln_f.bias", "F32", [768]);
    }
}
