using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace ScaleLab.Torch.Measurement;

/// <summary>What the tensor engine is, for run records and bench output: versions, threads, devices.</summary>
public sealed record TorchSharpInfo(
    string TorchSharpVersion,
    string LibTorchVersion,
    string DotNetVersion,
    int IntraOpThreads,
    int LogicalCores,
    bool CudaAvailable,
    string OperatingSystem)
{
    public static TorchSharpInfo Current()
    {
        var assembly = typeof(torch).Assembly;
        string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                         ?? assembly.GetName().Version?.ToString() ?? "?";
        // The informational version may carry "+commit"; the release number is what people compare.
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        if (plus > 0) version = version[..plus];
        return new TorchSharpInfo(version, torch.__version__, Environment.Version.ToString(), torch.get_num_threads(),
            Environment.ProcessorCount, torch.cuda.is_available(), RuntimeInformation.OSDescription);
    }
}
