using ScaleLab.Tests.Shared;

namespace ScaleLab.Cli.Tests;

/// <summary>The layers above ScaleLab.Torch, and these tests, hand TorchSharp no Scalar that nobody holds (see <see cref="ImplicitTorchConversions"/>).</summary>
public sealed class ImplicitTorchConversionTests
{
    [Theory]
    [InlineData("scalelab")]
    [InlineData("ScaleLab.Experiments")]
    [InlineData("ScaleLab.Cli.Tests")]
    public void Assembly_PassesNoTemporaryScalarToTorchSharp(string assembly)
    {
        string path = Path.Combine(AppContext.BaseDirectory, assembly + ".dll");
        Assert.True(File.Exists(path), path);
        var sites = ImplicitTorchConversions.Find(path);
        Assert.True(sites.Count == 0, $"these hand TorchSharp a Scalar nobody holds; pass Scalars.One or Zero, or one held by using var s = x.ToScalar(): {string.Join("; ", sites)}");
    }
}
