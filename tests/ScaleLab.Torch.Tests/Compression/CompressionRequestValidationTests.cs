using ScaleLab.Core;
using ScaleLab.Torch.Compression;

namespace ScaleLab.Torch.Tests.Compression;

/// <summary>The request is checked by the library, so a caller other than the CLI (and --grid) cannot skip it.</summary>
public sealed class CompressionRequestValidationTests
{
    [Fact]
    public void Grid_WithAMethodGivenToo_IsRefusedNotIgnored()
    {
        var ex = Assert.Throws<ScaleLabException>(() => new CompressionRequest { Prune = 0.9 }.Validate(grid: true, hasTeacher: false));
        Assert.Equal("compress: --grid explores its own methods; drop --prune (or drop --grid to run that one)", ex.Message);
    }

    [Fact]
    public void Grid_NegativeEpochs_IsRefused()
    {
        var ex = Assert.Throws<ScaleLabException>(() => new CompressionRequest { FinetuneEpochs = -1 }.Validate(grid: true, hasTeacher: false));
        Assert.Equal("compress: --finetune-epochs -1 must be 0 or more", ex.Message);
    }

    [Fact]
    public void Grid_EveryVariantItBuilds_IsAValidRequest()
    {
        foreach (var r in CompressionGrid.Default(new CompressionRequest { FinetuneEpochs = 2 })) r.Validate(grid: false, hasTeacher: false);
    }

    [Theory]
    [InlineData(0.0, "compress: --lr 0 must be a positive number")]
    [InlineData(double.NaN, "compress: --lr NaN must be a positive number")]
    public void LearningRate_NotPositive_IsRefused(double lr, string message)
    {
        var ex = Assert.Throws<ScaleLabException>(() => new CompressionRequest { Quantize = WeightQuantization.Int8, LearningRate = lr }.Validate(false, false));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void Session_ChecksRequestsItself()
    {
        var ex = Assert.Throws<ScaleLabException>(() => CompressionSession.Run("/no/such/run", null, null, [new CompressionRequest { Prune = 1.5 }], "/tmp/none"));
        Assert.Equal("compress: --prune 1.5 must be between 0 and 1 (a fraction, e.g. 0.9)", ex.Message);
    }

    [Theory]
    [InlineData("int8", WeightQuantization.Int8)]
    [InlineData("int4", WeightQuantization.Int4)]
    public void Quantization_NameMap_RoundTrips(string name, WeightQuantization q)
    {
        Assert.Equal(q, WeightQuantizationInfo.Parse(name, "--quantize"));
        Assert.Equal(name, q.Name());
    }

    [Fact]
    public void Quantization_UnknownName_SaysWhatIsValid()
    {
        var ex = Assert.Throws<ScaleLabException>(() => WeightQuantizationInfo.Parse("fp8", "--quantize"));
        Assert.Equal("--quantize: 'fp8' is not a weight quantization; expected int8 or int4", ex.Message);
    }
}
