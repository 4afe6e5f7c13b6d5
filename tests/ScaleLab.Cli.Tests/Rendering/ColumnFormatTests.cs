using ScaleLab.Cli.Rendering;

namespace ScaleLab.Cli.Tests.Rendering;

public sealed class ColumnFormatTests
{
    [Fact]
    public void Apply_LowerBoundsOfATwoEpochFit_AllScientific()
    {
        // The lower bounds `fit` printed for a two-epoch sweep as "8.66E-10", "0.0005009", "0.21154" under G5.
        Assert.Equal(["8.6600e-10", "5.0090e-04", "2.1154e-01"], ColumnFormat.Apply([8.66e-10, 0.0005009, 0.21154], 5));
    }

    [Fact]
    public void Apply_ModerateMagnitudes_FixedWithDecimalsForTheSmallest()
    {
        Assert.Equal(["1.6900", "406.4000", "0.3400"], ColumnFormat.Apply([1.69, 406.4, 0.34], 4));
    }

    [Fact]
    public void Apply_ZeroAndNonFinite_KeepTheColumnFormat()
    {
        Assert.Equal(["0.000", "2.500", "NaN", "∞"], ColumnFormat.Apply([0, 2.5, double.NaN, double.PositiveInfinity], 4));
    }

    [Fact]
    public void Apply_AMillionBesideOne_Scientific()
    {
        Assert.Equal(["1.00e+06", "1.00e+00"], ColumnFormat.Apply([1e6, 1], 3));
    }

    [Fact]
    public void FitTable_EveryNumericColumn_UsesOneNotation()
    {
        string dir = FitCommandTests.WidthSweep();
        var (code, output, error) = EstimateCommandTests.Run("fit", dir, "--x", "params");
        Assert.True(code == 0, error);
        var rows = output.Split('\n').Where(l => l.StartsWith("│ E ", StringComparison.Ordinal) || l.StartsWith("│ A ", StringComparison.Ordinal) || l.StartsWith("│ α ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, rows.Count);
        var cells = rows.Select(r => r.Split('│', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)[1..]).ToList();
        for (int column = 0; column < 3; column++)
        {
            var notations = cells.Select(c => c[column].Contains('e', StringComparison.Ordinal)).Distinct().ToList();
            Assert.True(notations.Count == 1, $"column {column}: {string.Join(" | ", cells.Select(c => c[column]))}");
        }
    }
}
