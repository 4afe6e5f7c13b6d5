using System.Buffers.Binary;
using System.Text;

namespace ScaleLab.Core.Tests.Formats;

/// <summary>Raw safetensors files for hostile-input tests: any header text, any declared length, any data size.</summary>
internal static class SafetensorsBytes
{
    /// <summary>8-byte little-endian length (the real one unless overridden), the header text, then dataBytes bytes.</summary>
    public static byte[] Build(string header, long dataBytes, ulong? declaredLength = null) =>
        Build(Encoding.UTF8.GetBytes(header), dataBytes, declaredLength);

    public static byte[] Build(byte[] header, long dataBytes, ulong? declaredLength = null)
    {
        var file = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, declaredLength ?? (ulong)header.Length);
        header.CopyTo(file, 8);
        for (long i = 0; i < dataBytes; i++) file[8 + header.Length + i] = (byte)(i * 7 + 1);
        return file;
    }

    public static string Write(TempFolder folder, string header, long dataBytes, ulong? declaredLength = null)
    {
        string path = folder.File("model.safetensors");
        File.WriteAllBytes(path, Build(header, dataBytes, declaredLength));
        return path;
    }
}
