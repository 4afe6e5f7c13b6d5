using ScaleLab.Core.Formats.Gguf;

namespace ScaleLab.Core.Tests.Formats;

/// <summary>The explicit name map of <see cref="GgmlType"/>: every member has ggml's own spelling (Q4_K, IQ2_XXS, BF16).</summary>
public sealed class GgmlTypeNameTests
{
    [Fact]
    public void Name_OfEveryType_IsGgmlsSpelling()
    {
        foreach (var type in Enum.GetValues<GgmlType>())
            Assert.Equal(Enum.GetName(type), type.Name());
        Assert.Equal(("Q4_K", "IQ2_XXS", "MXFP4"), (GgmlType.Q4_K.Name(), GgmlType.IQ2_XXS.Name(), GgmlType.MXFP4.Name()));
    }

    [Fact]
    public void Should_Throw_For_A_Number_That_Is_No_Type() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ((GgmlType)4).Name());
}
