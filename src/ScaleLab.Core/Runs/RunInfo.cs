using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

namespace ScaleLab.Core.Runs;

/// <summary>Versions of what ran the run.</summary>
public sealed record RunVersions(
    [property: JsonPropertyName("scalelab")] string ScaleLab,
    [property: JsonPropertyName("torchsharp")] string TorchSharp,
    [property: JsonPropertyName("dotnet")] string Dotnet);

/// <summary>The machine the run ran on.</summary>
public sealed record RunMachine(int Cores, string Os, string Architecture, int? Threads, string Device);

/// <summary>run.json: what a person needs to reproduce the run, beside its results.</summary>
public sealed record RunInfo(RunVersions Versions, RunMachine Machine, int Seed, DateTime StartedUtc, string CommandLine)
{
    /// <summary>When the run was resumed, once per resume.</summary>
    public IReadOnlyList<DateTime> ResumedUtc { get; init; } = [];

    /// <summary>This process and machine now; <paramref name="torchSharpVersion"/> comes from the engine that trains.</summary>
    public static RunInfo Capture(int seed, int? threads, string device, string torchSharpVersion) => new(
        new RunVersions(
            Version(typeof(RunInfo).Assembly),
            torchSharpVersion,
            Environment.Version.ToString()),
        new RunMachine(Environment.ProcessorCount, RuntimeInformation.OSDescription, RuntimeInformation.OSArchitecture.ToString(), threads, device),
        seed,
        DateTime.UtcNow,
        Environment.CommandLine);

    public static string Version(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? assembly.GetName().Version?.ToString()
        ?? "?";
}
