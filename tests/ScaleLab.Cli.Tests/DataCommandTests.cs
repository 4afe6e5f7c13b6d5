namespace ScaleLab.Cli.Tests;

public class DataCommandTests
{
    [Fact]
    public void Info_ListsEveryLocationAndUsesTheFirstComplete()
    {
        var (code, output, error) = EstimateCommandTests.Run("data", "info");
        Assert.True(code == 0, error);
        Assert.Contains("fashion-mnist", output, StringComparison.Ordinal);
        Assert.Contains("embedded", output, StringComparison.Ordinal);
        Assert.Contains("used", output, StringComparison.Ordinal);
        Assert.Contains("value / 255", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_OnTheEmbeddedDirectory_ShowsShapesOfEachFile()
    {
        var (code, output, error) = EstimateCommandTests.Run("data", "info", Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist"));
        Assert.True(code == 0, error);
        Assert.Contains("10000x28x28", output, StringComparison.Ordinal);
        Assert.Contains("2000x28x28", output, StringComparison.Ordinal);
        Assert.Contains("not an official download", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Fetch_UnknownDataSet_IsAUserError()
    {
        var (code, _, error) = EstimateCommandTests.Run("data", "fetch", "cifar10");
        Assert.Equal(1, code);
        Assert.Equal("error: cifar10: no download source for 'cifar10': `data fetch` knows fashion-mnist, mnist", error.Trim());
    }
}
