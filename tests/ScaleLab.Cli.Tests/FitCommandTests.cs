using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ScaleLab.Cli.Tests;

/// <summary>`scalelab fit` and `scalelab report` end to end through CliApp.</summary>
public sealed class FitCommandTests
{
    // Chinchilla's fitted law (Hoffmann et al. 2022, eq. 10), the "published" constants the CSV is drawn from.
    private const double E = 1.69, A = 406.4, B = 410.7, Alpha = 0.34, Beta = 0.28;

    private static string NewDirectory() => Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "scalelab-cli-fit-tests", Guid.NewGuid().ToString("N"))).FullName;

    /// <summary>6 model sizes × 5 compute budgets, loss from the law × exp(1% Gaussian noise), fixed seed; tokens left to be derived as C/(6N).</summary>
    private static string PublishedLikeCsv()
    {
        var random = new Random(3);
        var text = new StringBuilder("model,params,flops,loss\n");
        foreach (double n in (double[])[4.4e7, 1.1e8, 2.8e8, 7e8, 1.7e9, 4.2e9])
        {
            foreach (double c in (double[])[6e18, 3e19, 1e20, 6e20, 3e21])
            {
                double d = c / (6 * n);
                double noise = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                double loss = (E + (A / Math.Pow(n, Alpha)) + (B / Math.Pow(d, Beta))) * Math.Exp(0.01 * noise);
                text.Append(CultureInfo.InvariantCulture, $"\"m {n:G2}\",{n:G4},{c:G4},{loss:F4}\n");
            }
        }
        string path = Path.Combine(NewDirectory(), "published.csv");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    [Fact]
    public void FitCsv_Json_ReportsEveryConstantWithAnIntervalHoldingThePublishedValue()
    {
        var (code, output, error) = EstimateCommandTests.Run("fit", "--csv", PublishedLikeCsv(), "--n-col", "params", "--c-col", "flops", "--budget", "5.76e23", "--json");
        Assert.True(code == 0, error);
        var root = JsonDocument.Parse(output).RootElement;
        SchemaValidation.AssertValid("fit.schema.json", output);
        Assert.Equal("scalelab.fit/1", root.GetProperty("schema").GetString());
        Assert.Equal("joint", root.GetProperty("law").GetString());
        var fit = root.GetProperty("fit");
        foreach (var (key, truth) in (ValueTuple<string, double>[])[("E", E), ("A", A), ("B", B), ("alpha", Alpha), ("beta", Beta)])
        {
            var c = fit.GetProperty(key);
            double lower = c.GetProperty("lower").GetDouble(), estimate = c.GetProperty("estimate").GetDouble(), upper = c.GetProperty("upper").GetDouble();
            Assert.True(lower <= estimate && estimate <= upper, $"{key}: {lower} {estimate} {upper}");
            Assert.True(lower <= truth && truth <= upper, $"{key}: {truth} not in [{lower}, {upper}]");
        }
        Assert.Equal(30, root.GetProperty("quality").GetProperty("points").GetInt32());
        Assert.True(root.GetProperty("compute_optimal").GetProperty("params").GetProperty("estimate").GetDouble() > 1e10);
    }

    [Fact]
    public void FitCsv_NotANumber_PrintsFileLineColumnAndExitsOne()
    {
        string path = Path.Combine(NewDirectory(), "bad.csv");
        File.WriteAllText(path, "params,tokens,loss\n1e7,1e9,3.1\n2e7,2e9,n/a\n");
        var (code, output, error) = EstimateCommandTests.Run("fit", "--csv", path);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal($"error: {path} line 3, column 'loss': 'n/a' is not a number (write e.g. 1.5e9, with a dot for decimals)", error.TrimEnd());
    }

    [Fact]
    public void FitCsv_TooFewRows_ExitsOneNamingTheConstants()
    {
        string path = Path.Combine(NewDirectory(), "short.csv");
        File.WriteAllText(path, "params,loss\n1e7,3.1\n2e7,3.0\n4e7,2.9\n");
        var (code, _, error) = EstimateCommandTests.Run("fit", "--csv", path);
        Assert.Equal(1, code);
        Assert.Equal("error: L(params) = E + A·params^(−α): 3 points for 3 constants (E, A, α); need at least 4 (one more than the constants, to measure the spread)", error.TrimEnd());
    }

    [Fact]
    public void Fit_NeitherDirectoryNorCsv_ExitsOne()
    {
        var (code, _, error) = EstimateCommandTests.Run("fit");
        Assert.Equal(1, code);
        Assert.Equal("error: fit: give one of a sweep directory (scalelab fit DIR), --store URL or --csv FILE", error.TrimEnd());
    }

    [Fact]
    public void FitDirectory_RunDirectories_FitsTheLawAndStatesTheDoubling()
    {
        string dir = WidthSweep();
        var (code, output, error) = EstimateCommandTests.Run("fit", dir, "--x", "params", "--predict", "1e6");
        Assert.True(code == 0, error);
        Assert.Contains("(run directories); target: val_loss", output, StringComparison.Ordinal);
        Assert.Contains("L(params) = E + A·params^(−α)", output, StringComparison.Ordinal);
        Assert.Matches(@"Doubling parameters lowers the reducible loss \(L − E\) by \d+\.\d%", output);
        Assert.Contains("At params = 1M the law predicts loss", output, StringComparison.Ordinal);
    }

    [Fact]
    public void FitDirectory_BudgetWithoutJointLaw_ExitsOne()
    {
        var (code, _, error) = EstimateCommandTests.Run("fit", WidthSweep(), "--budget", "1e18", "--json");
        Assert.Equal(1, code);
        Assert.StartsWith("error: --budget needs the joint law L(N, D)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_Sweep_WritesOneSelfContainedHtmlFile()
    {
        string dir = WidthSweep();
        string html = Path.Combine(dir, "out", "r.html");
        var (code, output, error) = EstimateCommandTests.Run("report", dir, "--out", html);
        Assert.True(code == 0, error);
        Assert.Equal($"report: {html}", output.TrimEnd());
        string text = File.ReadAllText(html);
        Assert.Contains("data:image/png;base64,", text, StringComparison.Ordinal);
        Assert.DoesNotContain("src=\"http", text, StringComparison.Ordinal);
    }

    /// <summary>Six MLP widths as run directories (summary.json + metrics.jsonl), losses on L = 0.3 + 40·N^−0.4 with a ±1.5% wobble.</summary>
    internal static string WidthSweep()
    {
        string dir = NewDirectory();
        foreach (int h in (int[])[8, 16, 32, 64, 128, 256])
        {
            string run = Directory.CreateDirectory(Path.Combine(dir, "trials", $"w{h}")).FullName;
            long n = (784 * h) + h + (h * 10) + 10;
            double loss = (0.3 + (40 * Math.Pow(n, -0.4))) * (1 + (0.015 * Math.Sin(h)));
            File.WriteAllText(Path.Combine(run, "metrics.jsonl"), string.Create(CultureInfo.InvariantCulture,
                $$"""{"epoch":1,"step":844,"train_loss":{{loss * 1.1}},"train_accuracy":0.8,"val_loss":{{loss}},"val_accuracy":{{Math.Exp(-loss)}},"lr":0.001,"epoch_seconds":2,"samples_per_second":27000}""") + "\n");
            File.WriteAllText(Path.Combine(run, "summary.json"), string.Create(CultureInfo.InvariantCulture,
                $$"""{"status": "completed", "epochs_completed": 1, "steps": 844, "parameters": {{n}}, "forward_flops_per_sample": {{2 * n}}, "training_flops": {{6.0 * n * 54000}}, "step_seconds_mean": 0.001, "train_seconds": 2, "peak_rss_bytes": 300000000, "best": {"epoch": 1, "val_loss": {{loss}} } }"""));
        }
        return dir;
    }
}
