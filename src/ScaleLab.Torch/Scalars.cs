using TorchSharp;

namespace ScaleLab.Torch;

/// <summary>
/// Scalars held for the life of the process, for the constants our tensor code passes to TorchSharp.
/// <para>Why: TorchSharp 0.107's Scalar frees its native value in a finalizer, and its tensor methods read
/// <c>scalar.Handle</c> and call libtorch without keeping the Scalar alive. A temporary one (a number converted
/// implicitly, or the alpha of 1 that <c>a + b</c>, <c>add_(b)</c> and <c>arange(n)</c> make for themselves) can be
/// freed by the finalizer thread while libtorch still reads it. A CI run failed so ("Unknown scalar type" in
/// <c>at::native::div_</c>, from IdxDataSet's <c>div_(255f)</c>); three threads beside a collecting one failed 85–131
/// of 900,000 implicit <c>div_</c> calls and 65 of 900,000 <c>add_(tensor)</c> calls, and none with the Scalar held.</para>
/// <para>So our code holds every Scalar it passes: these constants, or a <c>using var s = x.ToScalar()</c> for a value
/// of its own. ImplicitTorchConversionTests keeps it so. Reading one Scalar from many threads is safe.</para>
/// </summary>
internal static class Scalars
{
    public static readonly Scalar Zero = 0.ToScalar();

    /// <summary>The alpha of an unscaled add: <c>a.add(b, One)</c> for <c>a + b</c>.</summary>
    public static readonly Scalar One = 1.ToScalar();
}
