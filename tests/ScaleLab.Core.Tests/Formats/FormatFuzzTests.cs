using System.Buffers.Binary;
using System.Diagnostics;
using ScaleLab.Core.Formats;
using ScaleLab.Core.Formats.Gguf;
using ScaleLab.Core.Formats.Safetensors;
using Xunit.Abstractions;

namespace ScaleLab.Core.Tests.Formats;

/// <summary>
/// Bounded fuzzing with a fixed seed: valid files, mutated (bit flips, hostile integers, truncation, insertion,
/// deletion), then parsed. The parsers may accept a mutant or throw a CheckpointFormatException — nothing else —
/// and never allocate much more than the file holds. Each run stops at its iteration count or its time budget.
/// </summary>
public sealed class FormatFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int Iterations = 4000;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(6);
    private static readonly ulong[] HostileIntegers =
        [0, 1, 7, 8, 31, 32, 255, 256, 0x7FFF_FFFF, 0xFFFF_FFFF, 1UL << 32, 1UL << 40, long.MaxValue, ulong.MaxValue, ulong.MaxValue - 7];

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Fuzz_Safetensors_OnlyEverThrowsFormatExceptions()
    {
        string seedPath = _folder.File("seed.safetensors");
        SafetensorsWriter.Write(seedPath, [
            new SafetensorsTensor("model.layers.0.weight", "F32", [3, 4], new byte[48]),
            new SafetensorsTensor("model.layers.0.bias", "BF16", [4], new byte[8]),
            new SafetensorsTensor("lm_head.weight", "I8", [2, 5], new byte[10]),
        ], new Dictionary<string, string> { ["format"] = "pt" });
        Fuzz(File.ReadAllBytes(seedPath), "fuzz.safetensors", path => SafetensorsReader.ReadHeader(path).Tensors.Count, randomSeed: 1);
    }

    [Fact]
    public void Fuzz_Gguf_OnlyEverThrowsFormatExceptions()
    {
        byte[] seed = new GgufBuilder()
            .String("general.architecture", "llama")
            .UInt32("llama.block_count", 1)
            .Add("tokenizer.ggml.tokens", GgufValueType.Array, w =>
            {
                w.Write((uint)GgufValueType.String);
                w.Write(2UL);
                GgufBuilder.WriteString(w, "a");
                GgufBuilder.WriteString(w, "b");
            })
            .Tensor("token_embd.weight", GgmlType.Q8_0, 32, 2)
            .Tensor("blk.0.attn_q.weight", GgmlType.F16, 4, 4)
            .Build();
        Fuzz(seed, "fuzz.gguf", path => GgufReader.ReadHeader(path).Tensors.Count, randomSeed: 2);
    }

    private void Fuzz(byte[] seed, string name, Func<string, int> parse, int randomSeed)
    {
        Assert.True(parse(WriteFile(name, seed)) > 0, "the seed file itself must parse");
        var random = new Random(randomSeed);
        var clock = Stopwatch.StartNew();
        int accepted = 0, rejected = 0;
        for (int i = 0; i < Iterations && clock.Elapsed < Budget; i++)
        {
            byte[] mutant = Mutate(seed, random);
            string path = WriteFile(name, mutant);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                parse(path);
                accepted++;
            }
            catch (CheckpointFormatException)
            {
                rejected++;
            }
            catch (Exception ex)
            {
                Assert.Fail($"iteration {i}: {ex.GetType().Name}: {ex.Message}\nmutant: {Convert.ToHexString(mutant)}");
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 1_000_000 + 64L * mutant.Length, $"iteration {i}: allocated {allocated} bytes for a {mutant.Length}-byte file");
        }

        output.WriteLine($"{name}: {accepted + rejected} mutants in {clock.Elapsed.TotalSeconds:0.0} s, {accepted} accepted, {rejected} rejected");
        Assert.True(rejected > 0 && accepted + rejected > 100, $"accepted {accepted}, rejected {rejected}");
    }

    private string WriteFile(string name, byte[] bytes)
    {
        string path = _folder.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = new List<byte>(seed);
        var value = new byte[8];
        int mutations = random.Next(1, 4);
        for (int m = 0; m < mutations && bytes.Count > 0; m++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes[at] = (byte)random.Next(256); break;
                case 2:
                    // A hostile little-endian integer over whatever was there: lengths, counts, offsets, dims.
                    BinaryPrimitives.WriteUInt64LittleEndian(value, HostileIntegers[random.Next(HostileIntegers.Length)]);
                    int width = random.Next(2) == 0 ? 4 : 8;
                    for (int k = 0; k < width && at + k < bytes.Count; k++) bytes[at + k] = value[k];
                    break;
                case 3: bytes.RemoveRange(at, bytes.Count - at); break;
                case 4: bytes.Insert(at, (byte)random.Next(256)); break;
                default: bytes.RemoveAt(at); break;
            }
        }

        return [.. bytes];
    }
}
