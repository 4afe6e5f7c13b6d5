using System.Globalization;
using System.Runtime.CompilerServices;

namespace ScaleLab.Cli.Tests;

/// <summary>
/// `scalelab summary` against golden files (Golden/summary-NAME.txt, copied to the output folder). After an intended
/// change, regenerate them with SCALELAB_UPDATE_GOLDEN=1 and review the diff.
/// </summary>
public class SummaryCommandTests
{
    [Theory]
    [InlineData("mlp-784-1000-500-250")]
    [InlineData("keras-mnist-cnn")]
    [InlineData("resnet-18")]
    [InlineData("lenet-5")]
    public void Summary_Preset_MatchesItsGoldenFile(string preset)
    {
        var (code, output, error) = EstimateCommandTests.Run("summary", preset);
        Assert.True(code == 0, error);
        string name = $"summary-{preset}.txt";
        if (Environment.GetEnvironmentVariable("SCALELAB_UPDATE_GOLDEN") == "1")
            File.WriteAllText(Path.Combine(SourceFolder(), "Golden", name), output);
        Assert.Equal(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", name)), output);
    }

    [Theory]
    [InlineData("keras-mnist-cnn", 93_322)]
    [InlineData("resnet-18", 11_689_512)]
    [InlineData("resnet-50", 25_557_032)]
    public void Summary_ParamAndMacColumns_SumToTheTotalRow(string preset, long parameters)
    {
        var (_, output, _) = EstimateCommandTests.Run("summary", preset);
        var rows = output.Split('\n').Select(l => l.Trim()).ToList();
        int total = rows.FindIndex(l => l.StartsWith("Total ", StringComparison.Ordinal));
        var totalCells = Numbers(rows[total]);
        Assert.Equal(parameters, totalCells[^2]);
        long paramSum = 0, macSum = 0;
        foreach (string row in rows.Take(total))
        {
            var cells = Numbers(row);
            if (!row.StartsWith("layers[", StringComparison.Ordinal) && !row.StartsWith("body[", StringComparison.Ordinal)
                && !row.StartsWith("projection[", StringComparison.Ordinal)) continue;
            if (row.EndsWith("--", StringComparison.Ordinal)) continue;   // container rows: their children are counted
            paramSum += cells[^2];
            macSum += cells[^1];
        }
        Assert.Equal(totalCells[^2], paramSum);
        Assert.Equal(totalCells[^1], macSum);
    }

    [Fact]
    public void Summary_Depth1_ShowsBlocksAsOneRowEachAndStillSumsToTheTotal()
    {
        var (code, output, _) = EstimateCommandTests.Run("summary", "resnet-18", "--depth", "1");
        Assert.Equal(0, code);
        Assert.DoesNotContain("body[0]", output, StringComparison.Ordinal);
        var rows = output.Split('\n').Select(l => l.Trim()).ToList();
        // layer1.0: two 3x3 convs of 36,864 and two batch norms of 128.
        Assert.Contains(rows, r => r.StartsWith("layers[4]", StringComparison.Ordinal) && r.Contains(" 73,984 ", StringComparison.Ordinal));
        long sum = rows.Where(r => r.StartsWith("layers[", StringComparison.Ordinal)).Sum(r => Numbers(r)[^2]);
        Assert.Equal(11_689_512, sum);
    }

    [Fact]
    public void Should_Exit1_For_A_Depth_Below_One()
    {
        var (code, _, error) = EstimateCommandTests.Run("summary", "resnet-18", "--depth", "0");
        Assert.Equal(1, code);
        Assert.Equal("error: --depth 0: it must be at least 1" + Environment.NewLine, error);
    }

    [Fact]
    public void Summary_Gpt2Small_RendersATransformer()
    {
        var (code, output, _) = EstimateCommandTests.Run("summary", "gpt2-small");
        Assert.Equal(0, code);
        Assert.Contains("124,439,808", output, StringComparison.Ordinal);
        Assert.Contains("sequence of 1,024 tokens", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_Exit1_For_A_Missing_Spec_File()
    {
        var (code, _, error) = EstimateCommandTests.Run("summary", "specs/missing.json");
        Assert.Equal(1, code);
        Assert.Equal("error: specs/missing.json: no such file or folder" + Environment.NewLine, error);
    }

    /// <summary>The row's integer cells, leaving out byte figures ("256 B", "84.50 KiB": the kept-for-backward column).</summary>
    private static List<long> Numbers(string row)
    {
        var tokens = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return tokens
            .Where((t, i) => t.Length > 0 && char.IsDigit(t[0]) && t.All(ch => char.IsDigit(ch) || ch == ',')
                && !(i + 1 < tokens.Length && tokens[i + 1] is "B" or "KiB" or "MiB" or "GiB"))
            .Select(t => long.Parse(t, NumberStyles.AllowThousands, CultureInfo.InvariantCulture))
            .ToList();
    }

    private static string SourceFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
