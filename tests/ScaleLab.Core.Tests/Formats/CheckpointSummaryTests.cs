using ScaleLab.Core.Formats.Gguf;
using ScaleLab.Core.Formats.Safetensors;
using ScaleLab.Core.Import.Checkpoints;

namespace ScaleLab.Core.Tests.Formats;

public sealed class CheckpointSummaryTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Summary_Gpt2SmallSafetensors_Has124439808ParametersAndTwelveLayers()
    {
        string path = _folder.File("model.safetensors");
        SparseSafetensors.Write(path, SparseSafetensors.Gpt2Small());

        var summary = CheckpointSummaryReader.Read(path);

        Assert.Equal("safetensors", summary.Format);
        Assert.Equal(124_439_808, summary.Parameters);
        Assert.Equal(124_439_808L * 4, summary.TensorBytes);
        Assert.Equal(148, summary.Tensors.Count);
        var f32 = Assert.Single(summary.ByDType);
        Assert.Equal(new DTypeTotal("F32", 148, 124_439_808, 497_759_232), f32);
        Assert.Equal(["embeddings", .. Enumerable.Range(0, 12).Select(i => $"layer {i}"), "final norm"], summary.Layers.Select(l => l.Name));
        Assert.Equal(39_383_808, summary.Layers[0].Parameters);
        Assert.All(summary.Layers.Where(l => l.Kind == LayerKind.Layer), l => Assert.Equal(7_087_872, l.Parameters));
        Assert.Equal(1_536, summary.Layers[^1].Parameters);
        // Invariant: the groups add up to the totals.
        Assert.Equal(summary.Parameters, summary.Layers.Sum(l => l.Parameters));
        Assert.Equal(summary.TensorBytes, summary.Layers.Sum(l => l.Bytes));
    }

    [Fact]
    public void Summary_MixedDtypes_TotalsEachDtype()
    {
        string path = _folder.File("mixed.safetensors");
        SafetensorsWriter.Write(path, [
            new("model.embed_tokens.weight", "BF16", [4, 2], new byte[16]),
            new("model.layers.0.self_attn.q_proj.weight", "I8", [2, 2], new byte[4]),
            new("model.layers.0.self_attn.q_proj.scale", "F32", [2], new byte[8]),
            new("model.norm.weight", "BF16", [2], new byte[4]),
            new("lm_head.weight", "BF16", [4, 2], new byte[16]),
        ], new Dictionary<string, string> { ["format"] = "pt" });

        var summary = CheckpointSummaryReader.Read(path);

        Assert.Equal([new DTypeTotal("BF16", 3, 18, 36), new DTypeTotal("F32", 1, 2, 8), new DTypeTotal("I8", 1, 4, 4)], summary.ByDType);
        Assert.Equal(["embeddings", "layer 0", "final norm", "head"], summary.Layers.Select(l => l.Name));
        Assert.Equal([KeyValuePair.Create("format", "pt")], summary.Metadata);
    }

    [Fact]
    public void Summary_NamesWithoutLayers_HaveNoBreakdown()
    {
        string path = _folder.File("mlp.safetensors");
        SafetensorsWriter.Write(path, [new("fc1.weight", "F32", [2, 2], new byte[16]), new("fc2.weight", "F32", [2], new byte[8])], null);
        Assert.Empty(CheckpointSummaryReader.Read(path).Layers);
    }

    [Fact]
    public void Summary_ShardedFolder_AddsUpEveryShard()
    {
        SafetensorsWriter.Write(_folder.File("model-00001-of-00002.safetensors"), [new("model.layers.0.w", "F16", [3], new byte[6])], null);
        SafetensorsWriter.Write(_folder.File("model-00002-of-00002.safetensors"), [new("model.layers.1.w", "F16", [5], new byte[10])], null);
        File.WriteAllText(_folder.File("model.safetensors.index.json"),
            "{\"metadata\":{\"total_size\":16},\"weight_map\":{\"model.layers.0.w\":\"model-00001-of-00002.safetensors\",\"model.layers.1.w\":\"model-00002-of-00002.safetensors\"}}");

        var summary = CheckpointSummaryReader.Read(_folder.Path);

        Assert.Equal("safetensors (sharded)", summary.Format);
        Assert.Equal(2, summary.Files);
        Assert.Equal(8, summary.Parameters);
        Assert.Equal(16, summary.TensorBytes);
        Assert.Equal("16", summary.Metadata.Single(p => p.Key == "total_size").Value);
    }

    [Fact]
    public void Summary_Gguf_SeparatesArchitectureKeysAndGroupsBlocks()
    {
        string path = new GgufBuilder()
            .String("general.architecture", "llama")
            .String("general.name", "tiny")
            .UInt32("llama.block_count", 2)
            .UInt32("llama.embedding_length", 64)
            .Add("tokenizer.ggml.tokens", GgufValueType.Array, w =>
            {
                w.Write((uint)GgufValueType.String);
                w.Write(10UL);
                for (int i = 0; i < 10; i++) GgufBuilder.WriteString(w, $"t{i}");
            })
            .Tensor("token_embd.weight", GgmlType.Q8_0, 64, 10)
            .Tensor("blk.0.attn_q.weight", GgmlType.Q4_K, 256, 64)
            .Tensor("blk.1.attn_q.weight", GgmlType.Q4_K, 256, 64)
            .Tensor("output_norm.weight", GgmlType.F32, 64)
            .Tensor("output.weight", GgmlType.Q6_K, 256, 10)
            .Write(_folder, "tiny.gguf");

        var summary = CheckpointSummaryReader.Read(path);

        Assert.Equal("gguf v3", summary.Format);
        Assert.Equal(["general.architecture", "general.name", "llama.block_count", "llama.embedding_length"], summary.Architecture.Select(p => p.Key));
        Assert.Equal("[\"t0\", \"t1\", \"t2\", \"t3\", \"t4\", \"t5\", \"t6\", \"t7\", …] (10 × String)", Assert.Single(summary.Metadata).Value);
        Assert.Equal(640 + 2 * 16384 + 64 + 2560, summary.Parameters);
        Assert.Equal(new DTypeTotal("Q4_K", 2, 32768, 2 * 64 * 144), summary.ByDType[0]);
        Assert.Equal(["embeddings", "layer 0", "layer 1", "final norm", "head"], summary.Layers.Select(l => l.Name));
        Assert.Equal([64L, 256], summary.Tensors[1].Shape);
    }

    [Theory]
    [InlineData("model.layers.17.mlp.down_proj.weight", LayerKind.Layer, 17)]
    [InlineData("transformer.h.3.attn.c_attn.weight", LayerKind.Layer, 3)]
    [InlineData("bert.encoder.layer.11.output.dense.weight", LayerKind.Layer, 11)]
    [InlineData("blk.31.ffn_up.weight", LayerKind.Layer, 31)]
    [InlineData("bert.embeddings.word_embeddings.weight", LayerKind.Embeddings, null)]
    [InlineData("transformer.wte.weight", LayerKind.Embeddings, null)]
    [InlineData("bert.pooler.dense.weight", LayerKind.Head, null)]
    [InlineData("output.weight", LayerKind.Head, null)]
    [InlineData("model.norm.weight", LayerKind.FinalNorm, null)]
    [InlineData("rope.freqs", LayerKind.Other, null)]
    public void Classify_CommonNames_FindTheirRole(string name, LayerKind kind, int? index) =>
        Assert.Equal((kind, index), LayerGrouping.Classify(name));
}
