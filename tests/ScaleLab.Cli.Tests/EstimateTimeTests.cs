using System.Text.Json;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Accounting.Autograd;
using ScaleLab.Core.Planning;
using ScaleLab.Core.Spec;

namespace ScaleLab.Cli.Tests;

/// <summary>`scalelab estimate TARGET --time`: the step-time prediction verify measures beside, without measuring.</summary>
public class EstimateTimeTests
{
    private static readonly string ResNet = Path.Combine(RepoRoot(), "examples", "verify", "resnet-stack.json");

    private static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));

    [Fact]
    public void Time_IsTheVerifyPrediction_ForTheBatchAndOptimizer_AndValidatesAgainstTheSchema()
    {
        string profilePath = VerifyCommandTests.SyntheticProfile();
        var (code, output, error) = EstimateCommandTests.Run("estimate", "lenet-5", "--batch", "64", "--optimizer", "sgd", "--time", "--profile", profilePath, "--json");
        Assert.True(code == 0, error);
        SchemaValidation.AssertValid("estimate.schema.json", output);
        var time = JsonDocument.Parse(output).RootElement.GetProperty("time");

        // The same tape and estimator verify uses, on the same profile.
        var cost = ModelAccounting.Account(Core.Presets.ModelPresets.Load("lenet-5"), null);
        var expected = StepTimeEstimator.Estimate(StepMemory.Tape(cost), 64, cost.Parameters, OptimizerKind.Sgd, MachineProfileJson.Load(profilePath));
        Assert.Equal(expected.Seconds, time.GetProperty("predicted_seconds_per_step").GetDouble(), 12);
        Assert.Equal(expected.ForwardSeconds, time.GetProperty("forward_seconds").GetDouble(), 12);
        Assert.Equal(expected.BackwardSeconds, time.GetProperty("backward_seconds").GetDouble(), 12);
        Assert.Equal(expected.OptimizerSeconds, time.GetProperty("optimizer_seconds").GetDouble(), 12);
        Assert.Equal(expected.DispatchSeconds, time.GetProperty("dispatch_seconds").GetDouble(), 12);
        Assert.Equal(profilePath, time.GetProperty("profile").GetString());
        Assert.Equal(1, time.GetProperty("threads").GetInt32());
        Assert.Equal("synthetic", time.GetProperty("machine").GetString());
        // Doubling the batch roughly doubles a conv net's step (launches and the update stay): more, but not more than twice.
        var (_, twice, _) = EstimateCommandTests.Run("estimate", "lenet-5", "--batch", "128", "--optimizer", "sgd", "--time", "--profile", profilePath, "--json");
        double doubled = JsonDocument.Parse(twice).RootElement.GetProperty("time").GetProperty("predicted_seconds_per_step").GetDouble();
        Assert.InRange(doubled / expected.Seconds, 1.5, 2.0);
    }

    [Fact]
    public void Time_InTheTable_NamesTheProfileAndItsParts()
    {
        string profilePath = VerifyCommandTests.SyntheticProfile();
        var (code, output, error) = EstimateCommandTests.Run("estimate", "mlp-784-1000-500-250", "--batch", "256", "--time", "--profile", profilePath);
        Assert.True(code == 0, error);
        Assert.Contains("Training step time (predicted) · fp32, adam, batch 256, 1 thread", output);
        Assert.Contains($"machine profile: {profilePath} (synthetic, cpu, 1 thread)", output);
        foreach (var row in new[] { "forward", "backward", "optimizer", "kernel launches", "step" }) Assert.Contains("  " + row + " ", output);
        Assert.Contains("steps a second", output);
        // Without --time no prediction is made (and nothing touches libtorch).
        var (_, plain, _) = EstimateCommandTests.Run("estimate", "mlp-784-1000-500-250", "--batch", "256");
        Assert.DoesNotContain("Training step time", plain);
    }

    [Theory]
    [InlineData("--precision bf16", "error: --time: predicts fp32 training steps (ScaleLab's TorchSharp step, as the machine profile measures it); drop --precision bf16")]
    [InlineData("--mixed-precision", "error: --time: predicts fp32 training steps (ScaleLab's TorchSharp step, as the machine profile measures it); drop --precision fp32 and --mixed-precision")]
    public void Time_RefusesStepsTheProfileDoesNotDescribe_InOneLine(string extra, string message)
    {
        var (code, _, error) = EstimateCommandTests.Run(["estimate", "lenet-5", "--time", "--profile", VerifyCommandTests.SyntheticProfile(), .. extra.Split(' ')]);
        Assert.Equal(1, code);
        Assert.Equal(message, error.Trim());
    }

    [Fact]
    public void Time_OptionsOutsideTheirPlace_AreRefusedInOneLine()
    {
        string profilePath = VerifyCommandTests.SyntheticProfile();
        (string[] Args, string Message)[] cases =
        [
            (["estimate", "lenet-5", "--profile", profilePath], "error: --profile applies to --time only"),
            (["estimate", "lenet-5", "--threads", "2"], "error: --threads applies to --time only"),
            (["estimate", "--all", "--time"], "error: --time predicts one model's step: give one TARGET (not --all or --list)"),
            (["estimate", "lenet-5", "--time", "--threads", "0", "--profile", profilePath], "error: --threads 0: it must be at least 1"),
            (["estimate", "lenet-5", "--time", "--threads", "2", "--profile", profilePath],
                $"error: {profilePath}: measured at 1 thread, not the 2 --threads asks for; run scalelab calibrate --threads 2"),
            (["estimate", "llama-2-7b", "--finetune", "lora", "--time", "--profile", profilePath],
                "error: --time: predicts full training steps; its tape has no LoRA adapters (drop --finetune lora)"),
        ];
        foreach (var (args, message) in cases)
        {
            var (code, _, error) = EstimateCommandTests.Run(args);
            Assert.True(code == 1, string.Join(' ', args));
            Assert.Equal(message, error.Trim());
        }
    }

    [Fact]
    public void Time_OnAResNetSpec_PricesItsBatchNorms_FromTheProfilesRates()
    {
        // The example spec as users write it: its five batch norms at the profile's rate (2 µs a 32×32 plane forward).
        var profile = MachineProfileJson.Load(VerifyCommandTests.SyntheticProfile()) with
        {
            RowOpRates = [new RowOpPoint(RowOps.BatchNorm, 1024, 2e-6, 1e-6)],
        };
        string path = Path.Combine(Path.GetTempPath(), "scalelab-verify-tests", Guid.NewGuid().ToString("N"), "profile.json");
        MachineProfileJson.Save(profile, path);
        var report = EstimateReport.Create(ModelSpecJson.Load(ResNet), new EstimateOptions(Batch: 16));
        var without = StepTimePrediction.For(report, MachineProfileJson.Load(VerifyCommandTests.SyntheticProfile()), "p").Estimate;
        var with = StepTimePrediction.For(report, MachineProfileJson.Load(path), "p").Estimate;
        var (code, output, error) = EstimateCommandTests.Run("estimate", ResNet, "--batch", "16", "--time", "--profile", path, "--json");
        Assert.True(code == 0, error);
        Assert.Equal(with.Seconds, JsonDocument.Parse(output).RootElement.GetProperty("time").GetProperty("predicted_seconds_per_step").GetDouble(), 12);
        // Five norms × 16 samples × 16 channels at 2 µs forward, in place of 2 × 64 KiB a sample each at the bandwidth.
        double bytes = profile.ElementwiseSeconds(16 * 2 * 65_536);
        Assert.Equal(5 * ((256 * 2e-6) - bytes), with.ForwardSeconds - without.ForwardSeconds, 12);
    }
}

/// <summary>`plan --hardware cpu` reads this machine from its saved calibrate profile when there is one.</summary>
public class PlanCalibratedCpuTests
{
    [Fact]
    public void Calibrated_TakesTheLargestGemmsRate_AndTheLargestWorkingSetsBandwidth()
    {
        // The synthetic profile: GEMMs up to 256 per dimension at 4 GFLOP/s, bandwidth 5 GB/s at 1 KiB and 10 GB/s at 1 MiB.
        string path = VerifyCommandTests.SyntheticProfile();
        var cpu = Commands.PlanHardware.Calibrated(path, 16_000_000_000, out string? problem);
        Assert.Null(problem);
        Assert.NotNull(cpu);
        Assert.Equal("cpu", cpu.Name);
        Assert.Equal(1.0, cpu.Peak.Fp32!.Value / 4e9, 12);
        Assert.Equal(10e9, cpu.MemoryBandwidthBytesPerSecond);
        Assert.Equal(16_000_000_000, cpu.MemoryBytes);
        Assert.Equal($"calibrate profile {path} (synthetic, 1 thread, measured 2026-12-01T00:00:00Z): fp32 GEMM 256³ 4.0 GFLOP/s, bandwidth 10.0 GB/s at a 1 MiB working set; memory available to .NET", cpu.Source);
    }

    [Fact]
    public void Calibrated_PricesBf16AndFp16AtTheirMeasuredRates_AndUnmeasuredFormatsAtFp32()
    {
        // As the build machine's EPYC measured them (one thread): bf16 at 512³ 344 GFLOP/s, fp16's scalar fallback 2.3.
        string folder = Path.Combine(Path.GetTempPath(), "scalelab-verify-tests", Guid.NewGuid().ToString("N"));
        string path = Path.Combine(folder, "profile.json");
        var profile = MachineProfileJson.Load(VerifyCommandTests.SyntheticProfile()) with
        {
            FormatGemms = [new FormatGemmPoint("bf16", 64, 64, 64, 2.0 * 64 * 64 * 64 / 7.6e9), new FormatGemmPoint("bf16", 512, 512, 512, 2.0 * 512 * 512 * 512 / 344e9),
                new FormatGemmPoint("fp16", 512, 512, 512, 2.0 * 512 * 512 * 512 / 2.3e9)],
        };
        MachineProfileJson.Save(profile, path);
        var cpu = Commands.PlanHardware.Calibrated(path, 16_000_000_000, out string? problem);
        Assert.Null(problem);
        Assert.Equal(1.0, cpu!.PeakFor(ComputeFormat.Bf16) / 344e9, 9);
        Assert.Equal(1.0, cpu.PeakFor(ComputeFormat.Fp16) / 2.3e9, 9);
        Assert.Equal(1.0, cpu.PeakFor(ComputeFormat.Int8) / 4e9, 9);
        Assert.Contains("fp32 GEMM 256³ 4.0 GFLOP/s, bf16 344.0, fp16 2.3, bandwidth", cpu.Source, StringComparison.Ordinal);

        var fp32Only = Commands.PlanHardware.Calibrated(VerifyCommandTests.SyntheticProfile(), 16_000_000_000, out _);
        Assert.Equal(1.0, fp32Only!.PeakFor(ComputeFormat.Bf16) / 4e9, 9);
    }

    [Fact]
    public void Calibrated_IsNull_WithoutAProfile_AndSaysWhyForAnUnusableOne()
    {
        string folder = Path.Combine(Path.GetTempPath(), "scalelab-verify-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        Assert.Null(Commands.PlanHardware.Calibrated(Path.Combine(folder, "missing.json"), 1, out string? none));
        Assert.Null(none);
        string old = Path.Combine(folder, "old.json");
        File.WriteAllText(old, File.ReadAllText(VerifyCommandTests.SyntheticProfile()).Replace("scalelab.machine-profile/8", "scalelab.machine-profile/7", StringComparison.Ordinal));
        Assert.Null(Commands.PlanHardware.Calibrated(old, 1, out string? problem));
        Assert.Equal($"the saved profile is not usable: {old}: schema: 'scalelab.machine-profile/7'; expected 'scalelab.machine-profile/8' (run scalelab calibrate again)", problem);
    }
}
