using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace ScaleLab.Bench.HeaderRead;

/// <summary>
/// Llama-shaped checkpoints of any size without writing their data: the header, then SetLength, so the data
/// section is a hole in the file (zero disk, zero page cache). Same tensor names at every size.
/// </summary>
internal static class SparseCheckpoints
{
    /// <summary>(name, row-major shape) for a Llama-style decoder: 9 tensors per layer plus embeddings, norm, head.</summary>
    public static List<(string Name, long[] Shape)> Llama(int layers, long hidden, long intermediate, long vocab)
    {
        var tensors = new List<(string, long[])> { ("model.embed_tokens.weight", [vocab, hidden]) };
        for (int i = 0; i < layers; i++)
        {
            string p = string.Create(CultureInfo.InvariantCulture, $"model.layers.{i}.");
            tensors.Add((p + "input_layernorm.weight", [hidden]));
            tensors.Add((p + "self_attn.q_proj.weight", [hidden, hidden]));
            tensors.Add((p + "self_attn.k_proj.weight", [hidden, hidden]));
            tensors.Add((p + "self_attn.v_proj.weight", [hidden, hidden]));
            tensors.Add((p + "self_attn.o_proj.weight", [hidden, hidden]));
            tensors.Add((p + "post_attention_layernorm.weight", [hidden]));
            tensors.Add((p + "mlp.gate_proj.weight", [intermediate, hidden]));
            tensors.Add((p + "mlp.up_proj.weight", [intermediate, hidden]));
            tensors.Add((p + "mlp.down_proj.weight", [hidden, intermediate]));
        }

        tensors.Add(("model.norm.weight", [hidden]));
        tensors.Add(("lm_head.weight", [vocab, hidden]));
        return tensors;
    }

    /// <summary>A BF16 safetensors file: 8-byte length, space-padded JSON, then a sparse data section.</summary>
    public static void WriteSafetensors(string path, List<(string Name, long[] Shape)> tensors)
    {
        var json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        foreach (var (name, shape) in tensors)
        {
            long bytes = shape.Aggregate(1L, (a, b) => a * b) * 2;
            json.Append(CultureInfo.InvariantCulture,
                $",\"{name}\":{{\"dtype\":\"BF16\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + bytes}]}}");
            offset += bytes;
        }

        json.Append('}');
        while ((8 + json.Length) % 8 != 0) json.Append(' ');
        byte[] header = Encoding.UTF8.GetBytes(json.ToString());
        using var stream = File.Create(path);
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        stream.SetLength(8 + header.Length + offset);
    }

    /// <summary>A GGUF v3 file (F16 tensors, a 32,000-token vocabulary array like Llama 2's), sparse data section.</summary>
    public static void WriteGguf(string path, List<(string Name, long[] Shape)> tensors, int layers)
    {
        using var stream = File.Create(path);
        using var w = new BinaryWriter(stream, Encoding.UTF8);
        w.Write("GGUF"u8);
        w.Write(3u);
        w.Write((ulong)tensors.Count);
        w.Write(3UL);
        Key(w, "general.architecture", 8); Str(w, "llama");
        Key(w, "llama.block_count", 4); w.Write((uint)layers);
        Key(w, "tokenizer.ggml.tokens", 9); w.Write(8u); w.Write(32000UL);
        for (int i = 0; i < 32000; i++) Str(w, string.Create(CultureInfo.InvariantCulture, $"tok{i}"));
        long offset = 0;
        foreach (var (name, shape) in tensors)
        {
            Str(w, name.Replace("model.", "", StringComparison.Ordinal));
            w.Write((uint)shape.Length);
            foreach (long d in shape.Reverse()) w.Write((ulong)d); // GGUF stores ne[0] (innermost) first
            w.Write(1u);                                           // GGML_TYPE_F16
            w.Write((ulong)offset);
            offset += (shape.Aggregate(1L, (a, b) => a * b) * 2 + 31) / 32 * 32;
        }

        w.Flush();
        long dataStart = (stream.Position + 31) / 32 * 32;
        stream.SetLength(dataStart + offset);
    }

    private static void Key(BinaryWriter w, string key, uint type)
    {
        Str(w, key);
        w.Write(type);
    }

    private static void Str(BinaryWriter w, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }
}
