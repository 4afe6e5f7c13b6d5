using System.Buffers.Binary;
using System.IO.Compression;

namespace ScaleLab.Torch.Tests.Data;

/// <summary>Builds IDX files byte by byte (header per LeCun's MNIST page) so each error path can be produced exactly.</summary>
internal static class IdxBytes
{
    public static byte[] Array(int[] dims, byte[] data, byte type = 0x08)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    public static byte[] Images(int count, int side = 2) =>
        Array([count, side, side], Enumerable.Range(0, count * side * side).Select(i => (byte)(i % 256)).ToArray());

    public static byte[] Labels(int count) => Array([count], Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray());

    public static byte[] Gzip(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest)) gz.Write(raw);
        return output.ToArray();
    }

    /// <summary>A directory holding the four MNIST-format files with the given counts (raw, not gzip).</summary>
    public static string WriteSet(string directory, int train, int test, int side = 2)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, "train-images-idx3-ubyte"), Images(train, side));
        File.WriteAllBytes(Path.Combine(directory, "train-labels-idx1-ubyte"), Labels(train));
        File.WriteAllBytes(Path.Combine(directory, "t10k-images-idx3-ubyte"), Images(test, side));
        File.WriteAllBytes(Path.Combine(directory, "t10k-labels-idx1-ubyte"), Labels(test));
        return directory;
    }
}

/// <summary>A fresh temporary directory, deleted on disposal.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "scalelab-test-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
