using System.Buffers.Binary;
using System.Text;

namespace ScaleLab.Core.Formats.Gguf;

/// <summary>
/// Little-endian reads over a file where every read is first checked against the bytes left, so a lying length
/// becomes a TruncatedFileException before anything is allocated.
/// </summary>
internal sealed class GgufCursor(string path, Stream stream) : IDisposable
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly byte[] _scratch = new byte[8];

    public long Length { get; } = stream.Length;

    public long Position { get; private set; }

    public long Remaining => Length - Position;

    public string Path => path;

    /// <summary>Throws unless <paramref name="bytes"/> more bytes exist. Counts may come straight from the file.</summary>
    public void Need(ulong bytes, string field)
    {
        if (bytes > (ulong)Remaining) throw new TruncatedFileException(path, field, bytes > long.MaxValue ? long.MaxValue : (long)bytes, Position, Length);
    }

    public ReadOnlySpan<byte> Bytes(int count, string field)
    {
        Need((ulong)count, field);
        stream.ReadExactly(_scratch, 0, count);
        Position += count;
        return _scratch.AsSpan(0, count);
    }

    public byte U8(string field) => Bytes(1, field)[0];

    public ushort U16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2, field));

    public uint U32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4, field));

    public ulong U64(string field) => BinaryPrimitives.ReadUInt64LittleEndian(Bytes(8, field));

    /// <summary>A gguf_string: u64 length then that many UTF-8 bytes, no terminator.</summary>
    public string String(string field)
    {
        ulong length = U64(field);
        if (length > GgufLimits.MaxStringBytes) throw new GgufStringTooLongException(path, field, length);
        Need(length, field);
        var buffer = new byte[length];
        stream.ReadExactly(buffer);
        Position += (long)length;
        try
        {
            return StrictUtf8.GetString(buffer);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidUtf8Exception(path, field);
        }
    }

    /// <summary>Moves past <paramref name="bytes"/> bytes already known to exist.</summary>
    public void Skip(long bytes, string field)
    {
        Need((ulong)bytes, field);
        stream.Seek(bytes, SeekOrigin.Current);
        Position += bytes;
    }

    public void Dispose() => stream.Dispose();
}
