using ScaleLab.Tests.Shared;
using ScaleLab.Torch.Building;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Tests;

/// <summary>
/// Every Scalar (and number-made Tensor) handed to TorchSharp is held by the code that made it: a temporary one can
/// be freed by its finalizer while libtorch still reads it (see <see cref="Scalars"/> and <see cref="ImplicitTorchConversions"/>).
/// </summary>
public sealed class ImplicitTorchConversionTests
{
    [Fact]
    public void ScaleLabTorch_PassesNoTemporaryScalarToTorchSharp()
    {
        var sites = ImplicitTorchConversions.Find(typeof(ModuleBuilder).Assembly.Location);
        Assert.True(sites.Count == 0, $"these hand TorchSharp a Scalar nobody holds; pass Scalars.One or Zero, or one held by using var s = x.ToScalar(): {string.Join("; ", sites)}");
    }

    [Fact]
    public void TorchTests_PassNoTemporaryScalar_AndTheScanSeesTheFourDeliberateOnes()
    {
        var sites = ImplicitTorchConversions.Find(typeof(ImplicitTorchConversionTests).Assembly.Location);
        Assert.Collection(sites,
            s => Assert.Matches(@"^ImplicitTorchConversionTests\.cs:\d+ ConversionSamples\.Implicit op_Implicit$", s),
            s => Assert.Matches(@"^ImplicitTorchConversionTests\.cs:\d+ ConversionSamples\.NumberOperator op_Multiply$", s),
            s => Assert.Matches(@"^ImplicitTorchConversionTests\.cs:\d+ ConversionSamples\.TensorSum op_Addition$", s),
            s => Assert.Matches(@"^ImplicitTorchConversionTests\.cs:\d+ ConversionSamples\.LeakyRelu leaky_relu$", s));
    }

    /// <summary>What the scan must find; never run.</summary>
    private static class ConversionSamples
    {
        /// <summary>A number converted to a Scalar in our own IL.</summary>
        public static Tensor Implicit(Tensor t) => t.div_(2f);

        /// <summary>TorchSharp's operator converts the 0.5 itself.</summary>
        public static Tensor NumberOperator(Tensor t) => t * 0.5;

        /// <summary>Two levels down: a + b calls add(b), which makes an alpha of 1 for add(b, alpha).</summary>
        public static Tensor TensorSum(Tensor a, Tensor b) => a + b;

        /// <summary>A method of a type nested two deep (torch.nn.functional) that makes its slope a Scalar.</summary>
        public static Tensor LeakyRelu(Tensor t) => nn.functional.leaky_relu(t, 0.1);
    }
}
