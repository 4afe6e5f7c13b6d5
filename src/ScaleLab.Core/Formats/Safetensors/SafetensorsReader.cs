using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace ScaleLab.Core.Formats.Safetensors;

/// <summary>
/// Reads safetensors headers in O(header): 8 bytes of length, then the JSON, never the tensor data.
/// Checks run in a fixed order, each with its own exception (after huggingface/safetensors, tensor.rs, read_metadata):
/// file ≥ 8 bytes → header length ≤ <see cref="SafetensorsLimits.MaxHeaderBytes"/> → header inside the file →
/// UTF-8 → JSON → typed entries → validated tensors (see <see cref="SafetensorsValidation"/>).
/// </summary>
public static class SafetensorsReader
{
    public static SafetensorsHeader ReadHeader(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var handle = OpenRead(path);
        long fileBytes = RandomAccess.GetLength(handle);
        if (fileBytes < SafetensorsLimits.LengthPrefixBytes) throw new SafetensorsTooSmallException(path, fileBytes);

        Span<byte> prefix = stackalloc byte[SafetensorsLimits.LengthPrefixBytes];
        ReadExactly(path, handle, prefix, 0, "the header length");
        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (declared > SafetensorsLimits.MaxHeaderBytes) throw new HeaderTooLargeException(path, declared);
        long headerBytes = (long)declared;
        if (headerBytes > fileBytes - SafetensorsLimits.LengthPrefixBytes)
            throw new HeaderBeyondFileException(path, headerBytes, fileBytes);

        var json = new byte[headerBytes];
        ReadExactly(path, handle, json, SafetensorsLimits.LengthPrefixBytes, "the header");
        if (!System.Text.Unicode.Utf8.IsValid(json)) throw new InvalidUtf8Exception(path, "the header");
        var untrusted = SafetensorsHeaderJson.Parse(path, json);
        return SafetensorsValidation.Validate(path, untrusted, headerBytes, fileBytes);
    }

    /// <summary>
    /// The bytes of one tensor (little-endian, row-major) as listed in a header read from the same file.
    /// Re-checks the file length, since the file may have changed since its header was read.
    /// </summary>
    public static byte[] ReadTensor(string path, SafetensorsTensorInfo info)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(info);
        if (info.ByteCount > Array.MaxLength)
            throw new ScaleLabException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{path}: tensor '{info.Name}' has {info.ByteCount} bytes, more than one .NET array holds ({Array.MaxLength})"));
        using var handle = OpenRead(path);
        long fileBytes = RandomAccess.GetLength(handle);
        if (info.FileOffset > fileBytes - info.ByteCount)
            throw new DataPastEndOfFileException(path, $"tensor '{info.Name}'", info.FileOffset + info.ByteCount, fileBytes);
        var data = new byte[info.ByteCount];
        ReadExactly(path, handle, data, info.FileOffset, $"tensor '{info.Name}'");
        return data;
    }

    /// <summary>The bytes of the tensor named <paramref name="name"/>.</summary>
    public static byte[] ReadTensor(string path, string name) => ReadTensor(path, ReadHeader(path).Find(name));

    private static SafeFileHandle OpenRead(string path)
    {
        if (File.Exists(path)) InputFile.RequireRegular(path);   // a FIFO or device would block or never end
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        }
        catch (FileNotFoundException)
        {
            throw new ScaleLabException($"{path}: no such file");
        }
        catch (DirectoryNotFoundException)
        {
            throw new ScaleLabException($"{path}: no such file");
        }
    }

    /// <summary>Lengths were checked first, so a short read means the file shrank while we read it.</summary>
    private static void ReadExactly(string path, SafeFileHandle handle, Span<byte> buffer, long offset, string field)
    {
        long needed = buffer.Length;
        while (!buffer.IsEmpty)
        {
            int read = RandomAccess.Read(handle, buffer, offset);
            if (read == 0) throw new TruncatedFileException(path, field, needed, offset, RandomAccess.GetLength(handle));
            buffer = buffer[read..];
            offset += read;
        }
    }
}
