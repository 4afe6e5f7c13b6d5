namespace ScaleLab.Cli.Tests;

public class VerifyCommandTests
{
    [Fact]
    public void Verify_SmallPreset_PrintsEqualParametersAndExitsZero()
    {
        var (code, output, error) = EstimateCommandTests.Run("verify", "pytorch-10-100-1", "--batch", "8", "--steps", "2");
        Assert.True(code == 0, error);
        Assert.Matches(@"parameters\s+│\s+1,201\s+│\s+1,201\s+│\s+│\s+equal", output);
        Assert.Contains("utilisation of peak", output, StringComparison.Ordinal);
        Assert.Contains("peak memory (growth)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ZeroBatch_IsAUserError()
    {
        var (code, _, error) = EstimateCommandTests.Run("verify", "pytorch-10-100-1", "--batch", "0");
        Assert.Equal(1, code);
        Assert.Equal("error: --batch 0: it must be at least 1", error.Trim());
    }
}
