using ScaleLab.Core.Spec;
using static ScaleLab.Core.Tests.Spec.SpecTestJson;

namespace ScaleLab.Core.Tests.Spec;

/// <summary>Output shapes checked against PyTorch 1.13 (the figures in comments were printed by torch), and every shape error.</summary>
public class ShapeInferenceTests
{
    private static string Out(string input, params string[] layers) => ShapeInference.Infer(Parse(Stack(input, layers))).ToString();

    [Fact]
    public void Conv2d_StridePaddingDilation_MatchesPyTorch() =>
        // nn.Conv2d(3, 8, 3, stride=2, padding=1, dilation=2)(zeros(1, 3, 7, 7)).shape == (1, 8, 3, 3)
        Assert.Equal("8x3x3", Out("[3, 7, 7]", """{"type": "conv2d", "filters": 8, "kernel": 3, "stride": 2, "padding": 1, "dilation": 2}"""));

    [Fact]
    public void Conv2d_SamePadding_KeepsTheSizeEvenForAnEvenKernel() =>
        // nn.Conv2d(3, 8, 4, padding='same')(zeros(1, 3, 7, 7)).shape == (1, 8, 7, 7)
        Assert.Equal("8x7x7", Out("[3, 7, 7]", """{"type": "conv2d", "filters": 8, "kernel": 4, "padding": "same"}"""));

    [Fact]
    public void Conv1d_Strided_MatchesPyTorch() =>
        // nn.Conv1d(4, 8, 5, stride=2)(zeros(1, 4, 20)).shape == (1, 8, 8)
        Assert.Equal("8x8", Out("[4, 20]", """{"type": "conv1d", "filters": 8, "kernel": 5, "stride": 2}"""));

    [Fact]
    public void MaxPool_ResNetStem_HalvesTheSize() =>
        // nn.MaxPool2d(3, 2, 1)(zeros(1, 64, 112, 112)).shape == (1, 64, 56, 56)
        Assert.Equal("64x56x56", Out("[64, 112, 112]", """{"type": "max_pool2d", "kernel": 3, "stride": 2, "padding": 1}"""));

    [Fact]
    public void AdaptiveAndGlobalPools_KeepChannels()
    {
        Assert.Equal("64x2x3", Out("[64, 7, 7]", """{"type": "adaptive_avg_pool2d", "output": [2, 3]}"""));
        Assert.Equal("64x1x1", Out("[64, 7, 7]", """{"type": "global_avg_pool2d"}"""));
        Assert.Equal("16x1", Out("[16, 9]", """{"type": "global_avg_pool1d"}"""));
    }

    [Fact]
    public void Linear_AppliesToTheLastDimension() =>
        Assert.Equal("10x32", Out("[10, 64]", """{"type": "linear", "units": 32}"""));

    [Fact]
    public void Recurrent_ReturnsSequencesOrTheLastStep()
    {
        Assert.Equal("12x128", Out("[12, 20]", """{"type": "lstm", "hidden": 64, "bidirectional": true}"""));
        Assert.Equal("64", Out("[12, 20]", """{"type": "gru", "hidden": 64, "return_sequences": false}"""));
    }

    [Fact]
    public void Embedding_TurnsIdsIntoVectors() =>
        Assert.Equal("16x8", ShapeInference.Infer(Parse("""{"name": "t", "input": [16], "input_tokens": true, "layers": [{"type": "embedding", "vocab": 50, "dim": 8}]}""")).ToString());

    [Fact]
    public void Residual_WithProjection_TakesTheBodyShape() =>
        Assert.Equal("8x4x4", Out("[4, 8, 8]", """{"type": "residual", "body": [{"type": "conv2d", "filters": 8, "kernel": 3, "stride": 2, "padding": 1}], "projection": [{"type": "conv2d", "filters": 8, "kernel": 1, "stride": 2}]}"""));

    [Fact]
    public void Should_Reject_A_Kernel_Larger_Than_Its_Input() =>
        Assert.Equal("model.json: layers[3] (conv2d): kernel 5 is larger than its 3x3 input",
            Error(Stack("[1, 7, 7]", """{"type": "conv2d", "filters": 4, "kernel": 3}""", """{"type": "relu"}""", """{"type": "conv2d", "filters": 4, "kernel": 3}""", """{"type": "conv2d", "filters": 4, "kernel": 5}""")));

    [Fact]
    public void Should_Reject_A_Dilated_Kernel_Spanning_More_Than_Its_Input() =>
        Assert.Equal("model.json: layers[0] (conv2d): kernel 3 with dilation 3 spans 7 and is larger than its 5x5 input",
            Error(Stack("[1, 5, 5]", """{"type": "conv2d", "filters": 4, "kernel": 3, "dilation": 3}""")));

    [Fact]
    public void Should_Reject_A_Pool_Window_Larger_Than_Its_Padded_Input() =>
        Assert.Equal("model.json: layers[0] (avg_pool2d): kernel 4 is larger than its 1x1 input padded by 1",
            Error(Stack("[2, 1, 1]", """{"type": "avg_pool2d", "kernel": 4, "padding": 1}""")));

    [Fact]
    public void Should_Reject_Conv2d_On_A_Flat_Input() =>
        Assert.Equal("model.json: layers[0] (conv2d): expects (C, H, W) per sample, got 784 (rank 1)",
            Error(Stack("[784]", """{"type": "conv2d", "filters": 4, "kernel": 3}""")));

    [Fact]
    public void Should_Reject_Groups_That_Do_Not_Divide_The_Input_Channels() =>
        Assert.Equal("model.json: layers[0] (conv2d): groups 2 does not divide the 3 input channels",
            Error(Stack("[3, 8, 8]", """{"type": "conv2d", "filters": 4, "kernel": 3, "groups": 2}""")));

    [Fact]
    public void Should_Reject_Groups_That_Do_Not_Divide_The_Filters() =>
        Assert.Equal("model.json: layers[0] (conv2d): groups 2 does not divide filters 5",
            Error(Stack("[4, 8, 8]", """{"type": "conv2d", "filters": 5, "kernel": 3, "groups": 2}""")));

    [Fact]
    public void Should_Reject_Same_Padding_With_A_Stride() =>
        Assert.Equal("model.json: layers[0] (conv2d): padding \"same\" needs stride 1 (as in PyTorch), got stride 2; give an explicit padding instead",
            Error(Stack("[3, 8, 8]", """{"type": "conv2d", "filters": 4, "kernel": 3, "stride": 2, "padding": "same"}""")));

    [Fact]
    public void Should_Reject_Batchnorm1d_On_An_Image() =>
        Assert.Equal("model.json: layers[0] (batchnorm1d): expects (C) or (C, L) per sample, got 3x8x8 (rank 3)",
            Error(Stack("[3, 8, 8]", """{"type": "batchnorm1d"}""")));

    [Fact]
    public void Should_Reject_Batchnorm2d_On_A_Vector() =>
        Assert.Equal("model.json: layers[1] (batchnorm2d): expects (C, H, W) per sample, got 10 (rank 1)",
            Error(Stack("[784]", """{"type": "linear", "units": 10}""", """{"type": "batchnorm2d"}""")));

    [Fact]
    public void Should_Reject_Token_Input_Without_An_Embedding_First() =>
        Assert.Equal("model.json: layers[0] (linear): input_tokens is true, so the first layer must be an embedding that turns token ids into vectors",
            Error("""{"name": "t", "input": [16], "input_tokens": true, "layers": [{"type": "linear", "units": 4}]}"""));

    [Fact]
    public void Should_Reject_An_Embedding_Over_Vectors() =>
        Assert.Equal("model.json: layers[0] (embedding): expects token ids (S) per sample, got 16x4 (rank 2)",
            Error(Stack("[16, 4]", """{"type": "embedding", "vocab": 10, "dim": 4}""")));

    [Fact]
    public void Should_Reject_A_Recurrent_Layer_Over_An_Image() =>
        Assert.Equal("model.json: layers[0] (lstm): expects a sequence (S, F) per sample, got 1x28x28 (rank 3)",
            Error(Stack("[1, 28, 28]", """{"type": "lstm", "hidden": 8}""")));

    [Fact]
    public void Should_Reject_Attention_Over_A_Vector() =>
        Assert.Equal("model.json: layers[0] (attention): expects a sequence (S, E) per sample, got 64 (rank 1)",
            Error(Stack("[64]", """{"type": "attention", "heads": 4}""")));

    [Fact]
    public void Should_Reject_Heads_That_Do_Not_Divide_The_Width() =>
        Assert.Equal("model.json: layers[0] (attention): heads 5 does not divide the embedding width 64; each head gets E/heads features",
            Error(Stack("[8, 64]", """{"type": "attention", "heads": 5}""")));

    [Fact]
    public void Should_Reject_A_Residual_Body_That_Changes_The_Shape_Without_Projection() =>
        Assert.Equal("model.json: layers[0] (residual): body output 8x4x4 does not match the block input 4x8x8; add a 'projection' (e.g. a 1x1 conv with the same stride) or keep the shape",
            Error(Stack("[4, 8, 8]", """{"type": "residual", "body": [{"type": "conv2d", "filters": 8, "kernel": 3, "stride": 2, "padding": 1}]}""")));

    [Fact]
    public void Should_Reject_A_Projection_That_Misses_The_Body_Shape() =>
        Assert.Equal("model.json: layers[0] (residual): body output 8x4x4 does not match the projection output 8x8x8",
            Error(Stack("[4, 8, 8]", """{"type": "residual", "body": [{"type": "conv2d", "filters": 8, "kernel": 3, "stride": 2, "padding": 1}], "projection": [{"type": "conv2d", "filters": 8, "kernel": 1}]}""")));
}
