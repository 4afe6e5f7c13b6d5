using ScaleLab.Core.Accounting;
using ScaleLab.Core.Presets;
using ScaleLab.Core.Spec;
using static ScaleLab.Core.Tests.Spec.SpecTestJson;

namespace ScaleLab.Core.Tests.Spec;

public class ModelSpecJsonTests
{
    [Fact]
    public void Parse_Conv2d_ReadsEveryFieldWithPyTorchDefaults()
    {
        var spec = Parse(Stack("[3, 32, 32]", """{"type": "conv2d", "filters": 16, "kernel": [3, 5], "padding": "same", "name": "c1"}"""));
        var conv = Assert.IsType<ConvLayer>(spec.Layers[0]);
        Assert.Equal(16, conv.Filters);
        Assert.Equal([3, 5], conv.Kernel);
        Assert.Equal([1, 1], conv.Stride);
        Assert.Equal([1, 1], conv.Dilation);
        Assert.Equal(PaddingMode.Same, conv.PaddingMode);
        Assert.Equal(1, conv.Groups);
        Assert.True(conv.Bias);
        Assert.Equal("c1", conv.Name);
    }

    [Fact]
    public void Parse_PoolStride_DefaultsToKernel()
    {
        var spec = Parse(Stack("[1, 28, 28]", """{"type": "max_pool2d", "kernel": 2}"""));
        Assert.Equal([2, 2], Assert.IsType<PoolLayer>(spec.Layers[0]).Stride);
    }

    [Fact]
    public void Parse_AllowsCommentsAndTrailingCommas()
    {
        var spec = Parse("""
            {
              // people write specs by hand
              "name": "m", "input": [784],
              "layers": [{"type": "linear", "units": 10},],
            }
            """);
        Assert.Equal("m", spec.Name);
    }

    [Fact]
    public void Parse_TaskAndTokens_AreRead()
    {
        var spec = Parse("""{"name": "lm", "task": "language_model", "input": [16], "input_tokens": true, "layers": [{"type": "embedding", "vocab": 100, "dim": 8}]}""");
        Assert.Equal(TaskKind.LanguageModel, spec.Task);
        Assert.True(spec.InputIsTokens);
    }

    [Fact]
    public void Parse_NameMissing_UsesTheDefaultName() =>
        Assert.Equal("file", ModelSpecJson.Parse("""{"input": [4], "layers": [{"type": "relu"}]}""", "file.json", "file").Name);

    [Theory]
    [InlineData("mlp-784-1000-500-250")]
    [InlineData("keras-mnist-cnn")]
    [InlineData("lenet-5")]
    [InlineData("resnet-18")]
    [InlineData("resnet-50")]
    public void Write_ThenParse_RoundTripsLayerStackPresets(string preset)
    {
        var spec = ModelPresets.Load(preset);
        string written = ModelSpecJsonWriter.Write(spec);
        var again = ModelSpecJson.Parse(written, "round-trip.json");
        Assert.Equal(written, ModelSpecJsonWriter.Write(again));
        var a = ModelAccounting.Account(spec);
        var b = ModelAccounting.Account(again);
        Assert.Equal(a.Layers.Select(l => (l.Path, l.Type, l.Parameters, l.ForwardMacs, l.OutputShape.ToString())),
                     b.Layers.Select(l => (l.Path, l.Type, l.Parameters, l.ForwardMacs, l.OutputShape.ToString())));
    }

    [Theory]
    [InlineData("gpt2-small")]
    [InlineData("bert-base-uncased")]
    [InlineData("mixtral-8x7b")]
    public void Write_ThenParse_RoundTripsTransformerPresets(string preset)
    {
        var spec = ModelPresets.Load(preset);
        string written = ModelSpecJsonWriter.Write(spec);
        var again = ModelSpecJson.Parse(written, "round-trip.json");
        Assert.Equal(written, ModelSpecJsonWriter.Write(again));
        Assert.Equal(spec.Transformer, again.Transformer);
        Assert.Equal(spec.Input, again.Input);
        Assert.Equal(ModelAccounting.Account(spec).ForwardMacs, ModelAccounting.Account(again).ForwardMacs);
    }

    [Fact]
    public void Write_ThenParse_RoundTripsEveryLayerType()
    {
        string json = Stack("[4, 16]",
            """{"type": "conv1d", "filters": 8, "kernel": 3, "stride": 1, "padding": "valid", "dilation": 2, "groups": 2, "bias": false}""",
            """{"type": "batchnorm1d", "eps": 0.001, "momentum": 0.2}""",
            """{"type": "leaky_relu", "negative_slope": 0.2}""",
            """{"type": "avg_pool1d", "kernel": 2}""",
            """{"type": "max_pool1d", "kernel": 2, "stride": 1, "padding": 1}""",
            """{"type": "adaptive_avg_pool1d", "output": 4}""",
            """{"type": "residual", "body": [{"type": "conv1d", "filters": 8, "kernel": 1}], "projection": [{"type": "conv1d", "filters": 8, "kernel": 1}]}""",
            """{"type": "layernorm", "eps": 1e-6, "bias": false}""",
            """{"type": "lstm", "hidden": 6, "num_layers": 2, "bidirectional": true}""",
            """{"type": "attention", "heads": 4, "kv_heads": 2, "causal": true}""",
            """{"type": "rmsnorm"}""", """{"type": "dropout", "rate": 0.1}""", """{"type": "gru", "hidden": 5, "return_sequences": false}""",
            """{"type": "gelu"}""", """{"type": "silu"}""", """{"type": "tanh"}""", """{"type": "sigmoid"}""", """{"type": "softmax"}""",
            """{"type": "flatten"}""", """{"type": "linear", "units": 3, "bias": false}""");
        string written = ModelSpecJsonWriter.Write(Parse(json));
        var again = Parse(written);
        Assert.Equal(written, ModelSpecJsonWriter.Write(again));
        Assert.Equal(20, again.Layers.Count);
        Assert.Equal(ModelAccounting.Account(Parse(json)).Parameters, ModelAccounting.Account(again).Parameters);
    }

    [Fact]
    public void Load_ReadsAFileAndRecordsItsPath()
    {
        string path = Path.Combine(Path.GetTempPath(), $"scalelab-spec-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, Stack("[784]", """{"type": "linear", "units": 10}"""));
        try
        {
            var spec = ModelSpecJson.Load(path);
            Assert.Equal(path, spec.Source);
            Assert.Equal(7850, ModelAccounting.Account(spec).Parameters);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
