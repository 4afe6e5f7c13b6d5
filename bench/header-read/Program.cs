using System.Diagnostics;
using System.Globalization;
using ScaleLab.Bench.HeaderRead;
using ScaleLab.Core.Formats.Gguf;
using ScaleLab.Core.Formats.Safetensors;
using ScaleLab.Core.Import.Checkpoints;

// Header-read time must follow the header, not the file: a small checkpoint and a sparse multi-GiB one with the
// same 32-layer tensor list, each read many times; medians compared. Figures recorded in docs/checkpoints.md.
const int Layers = 32;
const int Reads = 200;
const int WarmUp = 100;
var culture = CultureInfo.InvariantCulture;
string folder = Path.Combine(Path.GetTempPath(), "scalelab-header-read-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(folder);
try
{
    // Small: hidden 64 (a few MiB). Large: Llama-2-7B shapes (hidden 4096, intermediate 11008, vocab 32000), ~12.6 GiB.
    var small = SparseCheckpoints.Llama(Layers, 64, 172, 32000);
    var large = SparseCheckpoints.Llama(Layers, 4096, 11008, 32000);
    string[] kinds = ["safetensors header", "gguf header", "inspect summary, safetensors"];
    var files = new List<(string Kind, string Size, string Path, Func<string, long> Read)>();
    foreach (var (size, tensors) in new[] { ("small", small), ("large", large) })
    {
        string st = Path.Combine(folder, size + ".safetensors");
        SparseCheckpoints.WriteSafetensors(st, tensors);
        string gg = Path.Combine(folder, size + ".gguf");
        SparseCheckpoints.WriteGguf(gg, tensors, Layers);
        files.Add((kinds[0], size, st, p => SafetensorsReader.ReadHeader(p).Tensors.Count));
        files.Add((kinds[1], size, gg, p => GgufReader.ReadHeader(p).Tensors.Count));
        files.Add((kinds[2], size, st, p => CheckpointSummaryReader.Read(p).Parameters));
    }

    Console.WriteLine(string.Create(culture, $"{Environment.ProcessorCount} cores, .NET {Environment.Version}, {Reads} reads each, small and large interleaved, after {WarmUp} warm-up reads"));
    Console.WriteLine(string.Create(culture, $"{"file",-40} {"file size",14} {"disk used",10} {"median",10} {"p95",10}"));
    var medians = new Dictionary<(string, string), double>();
    foreach (string kind in kinds)
    {
        // Interleave small and large so machine noise (two shared cores) hits both alike.
        var pair = files.Where(f => f.Kind == kind).ToList();
        var times = pair.ToDictionary(f => f.Size, _ => new double[Reads]);
        for (int i = 0; i < WarmUp; i++) foreach (var f in pair) f.Read(f.Path);
        for (int i = 0; i < Reads; i++)
        {
            foreach (var f in pair)
            {
                long start = Stopwatch.GetTimestamp();
                f.Read(f.Path);
                times[f.Size][i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }

        foreach (var f in pair)
        {
            var t = times[f.Size];
            Array.Sort(t);
            medians[(kind, f.Size)] = t[Reads / 2];
            long size = new FileInfo(f.Path).Length;
            Console.WriteLine(string.Create(culture,
                $"{kind + " (" + f.Size + ")",-40} {size / 1048576.0,10:0.0} MiB {DiskUsedMiB(f.Path),6:0.0} MiB {t[Reads / 2],7:0.000} ms {t[Reads * 95 / 100],7:0.000} ms"));
        }
    }

    foreach (string kind in kinds)
    {
        double ratio = medians[(kind, "large")] / medians[(kind, "small")];
        Console.WriteLine(string.Create(culture, $"{kind}: large/small median ratio {ratio:0.00}"));
    }
}
finally
{
    Directory.Delete(folder, recursive: true);
}

// Blocks actually allocated (du), to show the large files are sparse: `stat -c %b` × 512.
static double DiskUsedMiB(string path)
{
    using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%b", path]) { RedirectStandardOutput = true })!;
    string text = stat.StandardOutput.ReadToEnd().Trim();
    stat.WaitForExit();
    return long.Parse(text, CultureInfo.InvariantCulture) * 512 / 1048576.0;
}
