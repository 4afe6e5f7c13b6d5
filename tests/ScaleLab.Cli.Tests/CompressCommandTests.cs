namespace ScaleLab.Cli.Tests;

/// <summary>`scalelab compress` input errors: one line naming what is wrong, exit 1, nothing written.</summary>
public class CompressCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => EstimateCommandTests.Run(args);

    [Fact]
    public void Compress_WithNothingToDo_SaysWhichOptionsExist()
    {
        var (code, _, error) = Run("compress", "runs/x", "--out", Path.Combine(Path.GetTempPath(), "unused"));
        Assert.Equal(1, code);
        Assert.Equal("error: compress: nothing to do; give --prune, --quantize, --low-rank, --low-rank-energy, --distill-from or --grid", error.Trim());
    }

    [Fact]
    public void Compress_PruneOutsideZeroOne_IsRejected()
    {
        var (code, _, error) = Run("compress", "runs/x", "--prune", "90", "--out", "unused");
        Assert.Equal(1, code);
        Assert.Equal("error: compress: --prune 90 must be between 0 and 1 (a fraction, e.g. 0.9)", error.Trim());
    }

    [Fact]
    public void Compress_QatWithoutQuantize_IsRejected()
    {
        var (code, _, error) = Run("compress", "runs/x", "--prune", "0.5", "--qat", "--out", "unused");
        Assert.Equal(1, code);
        Assert.Equal("error: compress: --qat needs --quantize int8|int4", error.Trim());
    }

    [Fact]
    public void Compress_MissingRunDirectory_NamesIt()
    {
        string missing = Path.Combine(Path.GetTempPath(), "scalelab-no-such-run-" + Guid.NewGuid().ToString("N"));
        var (code, _, error) = Run("compress", missing, "--quantize", "int8", "--out", Path.Combine(missing, "out"));
        Assert.Equal(1, code);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Contains(missing, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public void Compress_UnknownQuantization_IsAUsageError()
    {
        var (code, _, error) = Run("compress", "runs/x", "--quantize", "int3", "--out", "unused");
        Assert.NotEqual(0, code);
        Assert.Contains("int3", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Compress_RewindWithStructured_IsRejected()
    {
        var (code, _, error) = Run("compress", "runs/x", "--prune", "0.5", "--structured", "--rewind", "--out", "unused");
        Assert.Equal(1, code);
        Assert.Equal("error: compress: --rewind needs unstructured one-shot pruning (--prune RATIO, without --structured or --gradual)", error.Trim());
    }
}
