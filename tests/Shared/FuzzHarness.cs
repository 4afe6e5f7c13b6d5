using CsCheck;
using ScaleLab.Core;

namespace ScaleLab.Fuzz;

/// <summary>
/// One fuzz harness for every input format (issue 13), linked into each test project that owns a reader. CsCheck
/// generates edits of a valid seed file — bit flips, hostile integers written over any offset, truncation,
/// insertions, deletions, duplicated spans — applies them and hands the bytes to the reader. A reader may accept a
/// case or refuse it with a <see cref="ScaleLabException"/> (every user-facing error derives from it); anything else
/// fails the test, and CsCheck shrinks the case to the fewest, smallest edits before reporting it. Each case runs
/// under a time limit of 30 s (a hang detector) and a memory bound (managed bytes allocated ≤ 4 × input + 256 MiB: no amplification).
/// Failing cases found once live on in FuzzCorpus/FORMAT/*.bin and are replayed first, every run.
/// </summary>
internal static class FuzzHarness
{
    // A hang detector, not a speed target: generous enough that a loaded CI machine never trips it (cases take about a millisecond).
    public static readonly TimeSpan PerCase = TimeSpan.FromSeconds(30);

    private static readonly ulong[] HostileIntegers =
        [0, 1, 7, 8, 0x7F, 0xFF, 0x7FFF_FFFF, 0xFFFF_FFFF, 1UL << 32, 1UL << 40, long.MaxValue, ulong.MaxValue];

    private static readonly string[] HostileTokens =
        ["-1", "0", "1e308", "-1e308", "NaN", "9223372036854775807", "18446744073709551616", "null", "[]", "{}", "\"\"", "true", "\"../../x\"", "1.5"];

    /// <summary>Cases tried per format, for the CI log (the closing note quotes them).</summary>
    public static int CasesTried { get; private set; }

    /// <summary>
    /// Fuzzes <paramref name="format"/>: the corpus, then <paramref name="iterations"/> generated cases (seeded, so a
    /// run is repeatable). <paramref name="parse"/> receives the bytes; it writes them to a file itself if it reads files.
    /// </summary>
    public static int Run(string format, byte[] seed, Action<byte[]> parse, int iterations, string? csCheckSeed = null)
    {
        ArgumentNullException.ThrowIfNull(seed);
        ArgumentNullException.ThrowIfNull(parse);
        parse(seed);   // the seed itself must be accepted, or the harness would only ever test a refusal
        int tried = 0;
        foreach (byte[] known in Corpus(format))
        {
            Check(format, known, parse);
            tried++;
        }
        Mutants(seed).Sample(bytes =>
        {
            Check(format, bytes, parse);
            Interlocked.Increment(ref tried);
        }, seed: csCheckSeed ?? "0N0XIzNsQ0O2", iter: iterations, threads: 1);
        CasesTried += tried;
        return tried;
    }

    /// <summary>A text format (JSON, CSV, a corpus): byte edits plus hostile tokens spliced in where numbers and strings go.</summary>
    public static int RunText(string format, string seed, Action<byte[]> parse, int iterations) =>
        Run(format, System.Text.Encoding.UTF8.GetBytes(seed), parse, iterations / 2)
        + RunTokens(format, seed, parse, iterations - (iterations / 2));

    private static int RunTokens(string format, string seed, Action<byte[]> parse, int iterations)
    {
        // Replace one number or string literal (or a span after a ':') with a hostile token.
        var slots = System.Text.RegularExpressions.Regex.Matches(seed, "-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?|\"[^\"]*\"").Select(m => (m.Index, m.Length)).ToArray();
        if (slots.Length == 0) return 0;
        int tried = 0;
        Gen.Select(Gen.Int[0, slots.Length - 1], Gen.Int[0, HostileTokens.Length - 1]).Array[1, 4].Sample(edits =>
        {
            var text = seed;
            foreach (var (slot, token) in edits.OrderByDescending(e => slots[e.Item1].Index).DistinctBy(e => e.Item1))
            {
                var (index, length) = slots[slot];
                text = text[..index] + HostileTokens[token] + text[(index + length)..];
            }
            Check(format, System.Text.Encoding.UTF8.GetBytes(text), parse);
            Interlocked.Increment(ref tried);
        }, seed: "0N0XIzNsQ0O3", iter: iterations, threads: 1);
        CasesTried += tried;
        return tried;
    }

    /// <summary>Edits of the seed: each generated edit is (kind, offset, value), applied in order.</summary>
    public static Gen<byte[]> Mutants(byte[] seed) =>
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, Math.Max(0, seed.Length - 1)], Gen.Int[0, HostileIntegers.Length - 1], Gen.Byte)
            .Array[1, 6]
            .Select(edits => Apply(seed, edits));

    private static byte[] Apply(byte[] seed, (int Kind, int At, int Hostile, byte Value)[] edits)
    {
        var bytes = new List<byte>(seed);
        foreach (var (kind, rawAt, hostile, value) in edits)
        {
            if (bytes.Count == 0) break;
            int at = rawAt % bytes.Count;
            switch (kind)
            {
                case 0:   // flip one bit
                    bytes[at] ^= (byte)(1 << (value & 7));
                    break;
                case 1:   // a hostile integer, little-endian, over 8 bytes from here
                    var integer = BitConverter.GetBytes(HostileIntegers[hostile]);
                    for (int i = 0; i < 8 && at + i < bytes.Count; i++) bytes[at + i] = integer[i];
                    break;
                case 2:   // truncate
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 3:   // insert a byte
                    bytes.Insert(at, value);
                    break;
                case 4:   // delete a byte
                    bytes.RemoveAt(at);
                    break;
                default:  // duplicate a span (repeats grow structures)
                    int length = Math.Min(1 + (value % 64), bytes.Count - at);
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
            }
        }
        return [.. bytes];
    }

    /// <summary>One case: accepted, or refused by a ScaleLabException, within the time and memory bounds.</summary>
    public static void Check(string format, byte[] bytes, Action<byte[]> parse)
    {
        long budget = (4L * bytes.Length) + (256L << 20);
        Exception? failure = null;
        long allocated = 0;
        var worker = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                parse(bytes);
            }
            catch (ScaleLabException)
            {
                // a clean refusal
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, maxStackSize: 16 << 20) { IsBackground = true };
        worker.Start();
        if (!worker.Join(PerCase))
            throw new FuzzFailure(format, bytes, $"no answer after {PerCase.TotalSeconds:0} s (a hang)");
        if (failure is not null)
            throw new FuzzFailure(format, bytes, $"{failure.GetType().Name}: {failure.Message}", failure);
        if (allocated > budget)
            throw new FuzzFailure(format, bytes, $"allocated {allocated} bytes for a {bytes.Length}-byte input (bound {budget})");
    }

    private static IEnumerable<byte[]> Corpus(string format)
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "FuzzCorpus", format);
        if (!Directory.Exists(folder)) yield break;
        foreach (string file in Directory.GetFiles(folder, "*.bin").Order(StringComparer.Ordinal)) yield return File.ReadAllBytes(file);
    }
}

/// <summary>A case that broke a reader, saved whole for FuzzCorpus/FORMAT/ (the message shows where, and its start).</summary>
internal sealed class FuzzFailure(string format, byte[] bytes, string problem, Exception? inner = null)
    : Exception($"{format}: {problem}; case ({bytes.Length} bytes) saved as {Save(format, bytes)}; starts (base64) {Convert.ToBase64String(bytes[..Math.Min(bytes.Length, 300)])}", inner)
{
    private static string Save(string format, byte[] bytes)
    {
        string folder = Path.Combine(Path.GetTempPath(), "scalelab-fuzz-failures");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, $"{format}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))[..12]}.bin");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
