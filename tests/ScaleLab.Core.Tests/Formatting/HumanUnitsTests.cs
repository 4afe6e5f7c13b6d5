using ScaleLab.Core.Formatting;

namespace ScaleLab.Core.Tests.Formatting;

public class HumanUnitsTests
{
    [Theory]
    [InlineData(1_410_750, "1.41 M")]
    [InlineData(93_322, "93.32 K")]
    [InlineData(1_814_083_944, "1.81 G")]
    [InlineData(250, "250")]
    [InlineData(0, "0")]
    [InlineData(999_999, "1.00 M")]
    [InlineData(46_702_792_704, "46.70 G")]
    public void Count_UsesSiPrefixesWithTwoDecimals(double value, string expected) =>
        Assert.Equal(expected, HumanUnits.Count(value));

    [Fact]
    public void Count_WithUnit_JoinsPrefixAndUnit()
    {
        Assert.Equal("3.63 GFLOPs", HumanUnits.Count(3.628e9, "FLOPs"));
        Assert.Equal("250 MACs", HumanUnits.Count(250, "MACs"));
    }

    [Theory]
    [InlineData(5_643_000, "5.38 MiB")]
    [InlineData(812, "812 B")]
    [InlineData(1024, "1.00 KiB")]
    [InlineData(13_476_831_232, "12.55 GiB")]
    public void Bytes_UsesBinaryPrefixes(long bytes, string expected) =>
        Assert.Equal(expected, HumanUnits.Bytes(bytes));

    [Fact]
    public void Exact_UsesCommaThousandsSeparators() =>
        Assert.Equal("1,410,750", HumanUnits.Exact(1_410_750));

    [Theory]
    [InlineData(0.85, "850 ms")]
    [InlineData(12.34, "12.3 s")]
    [InlineData(245, "4 min 05 s")]
    [InlineData(7380, "2 h 03 min")]
    public void Duration_PicksAReadableUnit(double seconds, string expected) =>
        Assert.Equal(expected, HumanUnits.Duration(seconds));
}

public class HumanUnitsThingsTests
{
    [Theory]
    [InlineData(1_557_611_200d, "1.56 B")]     // GPT-2 XL: billions, as the field writes parameter counts
    [InlineData(671_026_404_352d, "671.03 B")]
    [InlineData(1.4e12, "1.40 T")]             // Chinchilla's 1.4 T tokens
    [InlineData(93_322d, "93.32 K")]
    [InlineData(250d, "250")]
    public void Things_UseThousandMillionBillionTrillion(double value, string text) =>
        Assert.Equal(text, ScaleLab.Core.Formatting.HumanUnits.Things(value));

    [Fact]
    public void Count_KeepsSiPrefixesForCompute() =>
        Assert.Equal("1.56 G", ScaleLab.Core.Formatting.HumanUnits.Count(1_557_611_200d));
}
