// Times `scalelab estimate PRESET` end to end, the way a user runs it: a fresh process per run, so runtime start,
// JIT and assembly loading are all included. Usage:
//   dotnet run -c Release --project bench/estimate-startup -- PATH/TO/scalelab[.dll] [runs=10]
// Prints, per preset, the median / min / max wall time over `runs` runs (after one warm-up run that fills the OS
// file cache) and the median CPU time (user + system, all threads: JIT included) — the figure that does not depend on
// how busy the machine is — then the in-process time of the accounting alone.
using System.Diagnostics;
using System.Globalization;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Presets;

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: estimate-startup PATH/TO/scalelab[.dll] [runs]");
    return 2;
}
string cli = Path.GetFullPath(args[0]);
int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
var inv = CultureInfo.InvariantCulture;

Console.WriteLine(string.Create(inv, $"scalelab estimate PRESET: wall time per process, {runs} runs each after 1 warm-up"));
Console.WriteLine(string.Create(inv, $"cli: {cli}"));
Console.WriteLine(string.Create(inv, $"machine: {Environment.ProcessorCount} logical CPUs, .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}"));
Console.WriteLine();
Console.WriteLine($"load average before: {LoadAverage()}");
Console.WriteLine();
Console.WriteLine($"{"preset",-24} {"median ms",10} {"min ms",8} {"max ms",8} {"cpu ms",8}");
var allMedians = new List<double>();
var allCpu = new List<double>();
// Every preset as a person types it, then the largest model as a script reads it (the target: ≤ 0.3 s with --json).
var cases = ModelPresets.Names.Select(p => (Label: p, Args: new[] { p }))
    .Append((Label: "deepseek-v3 --json", Args: new[] { "deepseek-v3", "--json" }));
foreach (var (preset, arguments) in cases)
{
    Time(cli, arguments);
    var samples = Enumerable.Range(0, runs).Select(_ => Time(cli, arguments)).ToList();
    var wall = samples.Select(s => s.WallMs).Order().ToList();
    double cpu = samples.Select(s => s.CpuMs).Order().ElementAt(samples.Count / 2);
    double median = wall[wall.Count / 2];
    allMedians.Add(median);
    allCpu.Add(cpu);
    Console.WriteLine(string.Create(inv, $"{preset,-24} {median,10:0} {wall[0],8:0} {wall[^1],8:0} {cpu,8:0}"));
}
Console.WriteLine(string.Create(inv, $"{"worst median",-24} {allMedians.Max(),10:0} {"",8} {"",8} {allCpu.Max(),8:0}"));
Console.WriteLine($"load average after: {LoadAverage()}");

// In process: how much of that is the accounting itself (first call includes JIT).
var clock = Stopwatch.StartNew();
foreach (string preset in ModelPresets.Names) _ = EstimateReport.Create(ModelPresets.Load(preset), new EstimateOptions());
double first = clock.Elapsed.TotalMilliseconds;
clock.Restart();
const int Repeats = 20;
for (int i = 0; i < Repeats; i++)
    foreach (string preset in ModelPresets.Names) _ = EstimateReport.Create(ModelPresets.Load(preset), new EstimateOptions());
double warm = clock.Elapsed.TotalMilliseconds / Repeats;
Console.WriteLine();
Console.WriteLine(string.Create(inv, $"in process, all {ModelPresets.Names.Count} presets: first pass {first:0.0} ms (JIT included), warm pass {warm:0.00} ms"));
return 0;

static (double WallMs, double CpuMs) Time(string cli, string[] arguments)
{
    double cpuBefore = ChildrenCpuMs();
    bool dll = cli.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
    var start = new ProcessStartInfo(dll ? "dotnet" : cli)
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        UseShellExecute = false,
    };
    if (dll) start.ArgumentList.Add(cli);
    start.ArgumentList.Add("estimate");
    foreach (string argument in arguments) start.ArgumentList.Add(argument);
    var clock = Stopwatch.StartNew();
    using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + cli);
    process.StandardOutput.ReadToEnd();
    string error = process.StandardError.ReadToEnd();
    process.WaitForExit();
    double ms = clock.Elapsed.TotalMilliseconds;
    if (process.ExitCode != 0) throw new InvalidOperationException($"scalelab estimate {string.Join(' ', arguments)} exited {process.ExitCode}: {error}");
    return (ms, ChildrenCpuMs() - cpuBefore);
}

// getrusage(RUSAGE_CHILDREN): user + system time of every waited-for child, all its threads. Linux x64 layout.
static double ChildrenCpuMs()
{
    if (!OperatingSystem.IsLinux()) return double.NaN;
    var usage = new long[18];
    if (NativeUsage.getrusage(-1, usage) != 0) return double.NaN;
    return (usage[0] + usage[2]) * 1000.0 + (usage[1] + usage[3]) / 1000.0;
}

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

internal static partial class NativeUsage
{
    [System.Runtime.InteropServices.LibraryImport("libc", SetLastError = true)]
    internal static partial int getrusage(int who, [System.Runtime.InteropServices.Out] long[] usage);
}
