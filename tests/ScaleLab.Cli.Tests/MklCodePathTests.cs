using System.Diagnostics;
using System.Runtime.Intrinsics.X86;
using ScaleLab.Torch;

namespace ScaleLab.Cli.Tests;

/// <summary>
/// Which kernels oneMKL runs in `scalelab train` (<see cref="MklCodePath"/>), read from oneMKL itself: with MKL_VERBOSE=1
/// its first call prints the code path it chose. On an AMD processor oneMKL's own choice is its generic path; ScaleLab
/// answers its vendor check so it runs the kernels of the processor's features, as on an Intel one.
/// </summary>
public sealed class MklCodePathTests
{
    [Fact]
    public async Task Train_RunsTheKernelsOfThisProcessorsFeatures_AndTheOptOutKeepsOneMklsGenericPathOnAmd()
    {
        // ScaleLab runs on linux-x64 (TorchSharp's libtorch-cpu-linux-x64), where oneMKL is libtorch's BLAS.
        Assert.True(Avx2.IsSupported, "this test expects a processor with AVX2 at least");
        string features = Avx512F.IsSupported ? "(Intel(R) AVX-512)" : "(Intel(R) AVX2)";

        string chosen = await CodePath(optOut: false);
        Assert.Contains(features, chosen, StringComparison.Ordinal);
        string optedOut = await CodePath(optOut: true);
        if (MklCodePath.ProcessorVendor == "AuthenticAMD") Assert.Contains("Intel(R) Architecture processors", optedOut, StringComparison.Ordinal);
        else Assert.Contains(features, optedOut, StringComparison.Ordinal);   // on Intel there is nothing to opt out of
    }

    /// <summary>oneMKL's first MKL_VERBOSE line in a one-epoch `scalelab train` of LeNet-300-100 on 200 samples.</summary>
    private static async Task<string> CodePath(bool optOut)
    {
        string dir = Path.Combine(Path.GetTempPath(), "scalelab-mkl-" + Guid.NewGuid().ToString("N")[..10]);
        try
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in (string[])[Path.Combine(AppContext.BaseDirectory, "scalelab.dll"), "train", "lenet-300-100", "--epochs", "1", "--limit", "200",
                "--data", Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist"), "--threads", "1", "--progress", "plain", "--out", dir])
                info.ArgumentList.Add(a);
            info.Environment["MKL_VERBOSE"] = "1";
            if (optOut) info.Environment[MklCodePath.OptOutVariable] = "1";
            else info.Environment.Remove(MklCodePath.OptOutVariable);
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await stderr}");
            return output.Split('\n').FirstOrDefault(l => l.StartsWith("MKL_VERBOSE oneMKL", StringComparison.Ordinal))
                ?? throw new Xunit.Sdk.XunitException("oneMKL printed no MKL_VERBOSE version line:\n" + output[..Math.Min(output.Length, 2000)]);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
