using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace ScaleLab.Torch.Data;

/// <summary>An IDX array as read from disk: unsigned bytes in row-major order, with its dimensions.</summary>
public sealed record IdxArray(string File, int[] Dims, byte[] Data)
{
    public long Count => Dims[0];
}

/// <summary>
/// Reads the IDX format of LeCun's MNIST page (http://yann.lecun.com/exdb/mnist/, "FILE FORMATS"): a 4-byte magic
/// 0x00 0x00 TYPE RANK, RANK big-endian int32 dimensions, then the values in row-major order. Raw or gzip
/// (detected by the gzip magic 1f 8b, not the file name). Only TYPE 0x08 (unsigned byte) is accepted: it is what
/// MNIST, Fashion-MNIST and KMNIST use. Checks run in a fixed order (file → gzip → magic → type → rank → dims →
/// size cap → data length → no trailing bytes), each with its own message naming the file.
/// </summary>
public static class IdxFile
{
    /// <summary>Largest array we load: 1 GiB of bytes (full MNIST training images are 47 MB).</summary>
    public const long MaxDataBytes = 1L << 30;

    /// <summary>Most dimensions an IDX header may declare here (images are rank 3, labels rank 1).</summary>
    public const int MaxRank = 4;

    /// <summary>
    /// Largest extent of any dimension after the first (an image's rows or columns): MNIST-format sets are 28×28; 4096
    /// leaves room for any image data set while refusing, before a byte of data is read, the one 32768×32768 "image"
    /// a kilobyte of gzip can declare.
    /// </summary>
    public const int MaxItemExtent = 4096;

    private const byte UnsignedByteType = 0x08;

    public static IdxArray Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new DataException(path, "file not found");
        ScaleLab.Core.InputFile.RequireRegular(path);
        try
        {
            using var file = File.OpenRead(path);
            bool gzip = IsGzip(file);
            using var stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
            return ReadFrom(stream, path, gzip ? MostInflated(file.Length) : file.Length);
        }
        catch (InvalidDataException ex)
        {
            throw new DataException(path, $"corrupt gzip stream ({ex.Message}); re-download the file", ex);
        }
    }

    private static bool IsGzip(FileStream file)
    {
        Span<byte> head = stackalloc byte[2];
        int n = file.Read(head);
        file.Position = 0;
        return n == 2 && head[0] == 0x1f && head[1] == 0x8b;
    }

    /// <summary>
    /// The most bytes a gzip file of this length can inflate to: DEFLATE's limit is 1032:1 (zlib technical details,
    /// zlib.net/zlib_tech.html, "Maximum Compression Factor"), plus slack for a tiny stream's fixed header.
    /// </summary>
    internal static long MostInflated(long compressedBytes) => checked(compressedBytes * MaxDeflateRatio + (64 << 10));

    private const long MaxDeflateRatio = 1032;

    internal static IdxArray ReadFrom(Stream stream, string path, long mostBytes)
    {
        Span<byte> magic = stackalloc byte[4];
        int got = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        if (got < 4)
            throw new DataException(path, $"truncated: {got} bytes, shorter than the 4-byte IDX magic number");
        if (magic[0] != 0 || magic[1] != 0)
            throw new DataException(path, $"bad magic number 0x{Hex(magic)}: an IDX file starts with 0x0000 then a type byte and a rank byte");
        if (magic[2] != UnsignedByteType)
            throw new DataException(path, $"unsupported IDX element type 0x{magic[2]:x2} (magic 0x{Hex(magic)}): only 0x08 (unsigned byte) is supported");
        int rank = magic[3];
        if (rank is < 1 or > MaxRank)
            throw new DataException(path, $"IDX rank {rank.ToString(CultureInfo.InvariantCulture)} is out of range: expected 1 to {MaxRank.ToString(CultureInfo.InvariantCulture)} dimensions");

        var dimBytes = new byte[4 * rank];
        got = stream.ReadAtLeast(dimBytes, dimBytes.Length, throwOnEndOfStream: false);
        if (got < dimBytes.Length)
            throw new DataException(path, $"truncated header: {rank.ToString(CultureInfo.InvariantCulture)} dimensions need {dimBytes.Length.ToString(CultureInfo.InvariantCulture)} bytes after the magic, found {got.ToString(CultureInfo.InvariantCulture)}");
        var dims = new int[rank];
        long total = 1;
        for (int i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(dimBytes.AsSpan(4 * i));
            if (dims[i] <= 0)
                throw new DataException(path, $"dimension {i.ToString(CultureInfo.InvariantCulture)} is {dims[i].ToString(CultureInfo.InvariantCulture)}: every IDX dimension must be positive");
            if (i > 0 && dims[i] > MaxItemExtent)
                throw new DataException(path, $"dimension {i.ToString(CultureInfo.InvariantCulture)} is {dims[i].ToString(CultureInfo.InvariantCulture)}: an item (image row or column) is at most {MaxItemExtent.ToString(CultureInfo.InvariantCulture)} wide here");
            total = checked(total * dims[i]);
            if (total > MaxDataBytes)
                throw new DataException(path, $"declared size {Describe(dims[..(i + 1)])} exceeds the {MaxDataBytes.ToString(CultureInfo.InvariantCulture)}-byte limit");
        }

        // A raw file's length is known: refuse a header that declares more than the file holds before allocating it.
        // A gzip stream's is not, so its data is read in chunks and memory follows the bytes that really arrive.
        if (stream is FileStream raw && raw.Length - raw.Position < total)
            throw new DataException(path, $"truncated: header declares {Describe(dims)} = {total.ToString(CultureInfo.InvariantCulture)} bytes of data, found {(raw.Length - raw.Position).ToString(CultureInfo.InvariantCulture)}");
        var data = ReadExactly(stream, total, mostBytes, out got);
        if (got < total)
            throw new DataException(path, $"truncated: header declares {Describe(dims)} = {total.ToString(CultureInfo.InvariantCulture)} bytes of data, found {got.ToString(CultureInfo.InvariantCulture)}");
        if (stream.ReadByte() >= 0)
            throw new DataException(path, $"has bytes after the {total.ToString(CultureInfo.InvariantCulture)} bytes its header ({Describe(dims)}) declares; the file is not a single IDX array");
        return new IdxArray(path, dims, data);
    }

    /// <summary>
    /// Reads up to <paramref name="total"/> bytes. When the stream could hold them all (a raw file checked above, or a
    /// gzip file whose length could inflate to them), into one array of exactly that size: its pages become resident
    /// only as bytes arrive, and nothing is copied (a growing buffer and its final copy held 2.8× the full
    /// Fashion-MNIST's 47 MB of pixels, docs/engine-bench.md). A header declaring more than the file could ever hold is
    /// counted through one chunk, so memory stays bounded by what the file could hold before the truncation is reported.
    /// </summary>
    private static byte[] ReadExactly(Stream stream, long total, long mostBytes, out int got)
    {
        if (total <= mostBytes)
        {
            var whole = GC.AllocateUninitializedArray<byte>((int)total);
            got = stream.ReadAtLeast(whole, whole.Length, throwOnEndOfStream: false);
            return whole;
        }
        // Counted, not kept: a stream cannot inflate past mostBytes, so it ends short of total and the caller reports the
        // truncation with this count. One that does not has broken DEFLATE's bound and is no valid gzip stream.
        var chunk = new byte[(int)Math.Min(16 << 20, mostBytes)];
        long read = 0;
        int n;
        while (read < total && (n = stream.ReadAtLeast(chunk, (int)Math.Min(chunk.Length, total - read), throwOnEndOfStream: false)) > 0) read += n;
        got = (int)read;
        return read < total ? [] : throw new InvalidDataException("it inflated past DEFLATE's 1032:1 bound");
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    private static string Describe(int[] dims) =>
        string.Join('x', dims.Select(d => d.ToString(CultureInfo.InvariantCulture)));
}
