using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

namespace ScaleLab.Torch.Runs;

/// <summary>Versions of what ran the run.</summary>
public sealed record RunVersions(
    [property: JsonPropertyName("scalelab")] string ScaleLab,
    [property: JsonPropertyName("torchsharp")] string TorchSharp,
    [property: JsonPropertyName("dotnet")] string Dotnet);

/// <summary>The machine the run ran on.</summary>
public sealed record RunMachine(int Cores, string Os, string Architecture, int? Threads, string Device);

/// <summary>confusion.json: Matrix[t][p] counts test samples of true class t predicted as p; Labels are the class names (may be null).</summary>
public sealed record ConfusionFile(IReadOnlyList<string>? Labels, long[][] Matrix);

/// <summary>run.json: what a person needs to reproduce the run, beside its results.</summary>
public sealed record RunInfo(RunVersions Versions, RunMachine Machine, int Seed, DateTime StartedUtc, string CommandLine)
{
    /// <summary>When the run was resumed, once per resume.</summary>
    public IReadOnlyList<DateTime> ResumedUtc { get; init; } = [];

    public static RunInfo Capture(int seed, int? threads, string device) => new(
        new RunVersions(
            Version(typeof(RunInfo).Assembly),
            Version(typeof(TorchSharp.torch).Assembly),
            Environment.Version.ToString()),
        new RunMachine(Environment.ProcessorCount, RuntimeInformation.OSDescription, RuntimeInformation.OSArchitecture.ToString(), threads, device),
        seed,
        DateTime.UtcNow,
        Environment.CommandLine);

    private static string Version(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? assembly.GetName().Version?.ToString()
        ?? "?";
}
