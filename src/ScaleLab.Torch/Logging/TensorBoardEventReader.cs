using System.Buffers.Binary;
using System.Text;

namespace ScaleLab.Torch.Logging;

/// <summary>One scalar read back from an event file.</summary>
public sealed record ScalarEvent(double WallTime, long Step, string Tag, float Value);

/// <summary>
/// Reads TensorBoard event files written by <see cref="TensorBoardWriter"/> (or TensorFlow): checks both masked
/// CRCs of every record and decodes the Event fields ScaleLab writes. Lets tests and tools check a log without
/// TensorFlow installed. Unknown fields are skipped by wire type, as protobuf requires.
/// </summary>
public static class TensorBoardEventReader
{
    /// <summary>Every record's payload, in order; throws InvalidDataException naming the offset on a bad CRC or a short record.</summary>
    public static IReadOnlyList<byte[]> ReadRecords(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var records = new List<byte[]>();
        int at = 0;
        while (at < bytes.Length)
        {
            if (bytes.Length - at < 12) throw new InvalidDataException($"{path}: truncated record header at byte {at}");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at));
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8)) != Crc32C.Masked(bytes.AsSpan(at, 8)))
                throw new InvalidDataException($"{path}: length CRC mismatch at byte {at}");
            if (length > (ulong)(bytes.Length - at - 16)) throw new InvalidDataException($"{path}: truncated record at byte {at}");
            var data = bytes.AsSpan(at + 12, (int)length);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 12 + (int)length)) != Crc32C.Masked(data))
                throw new InvalidDataException($"{path}: data CRC mismatch at byte {at}");
            records.Add(data.ToArray());
            at += 16 + (int)length;
        }
        return records;
    }

    /// <summary>The file_version string of the first record, or null.</summary>
    public static string? ReadFileVersion(string path)
    {
        var records = ReadRecords(path);
        if (records.Count == 0) return null;
        string? version = null;
        foreach (var (field, _, payload) in Fields(records[0]))
            if (field == 3) version = Encoding.UTF8.GetString(payload);
        return version;
    }

    public static IReadOnlyList<ScalarEvent> ReadScalars(string path)
    {
        var scalars = new List<ScalarEvent>();
        foreach (var record in ReadRecords(path))
        {
            double wall = 0;
            long step = 0;
            foreach (var (field, number, payload) in Fields(record))
            {
                if (field == 1) wall = BitConverter.Int64BitsToDouble((long)number);
                else if (field == 2) step = (long)number;
                else if (field == 5)
                    foreach (var (vf, _, value) in Fields(payload))
                        if (vf == 1) scalars.Add(ReadValue(value, wall, step));
            }
        }
        return scalars;
    }

    private static ScalarEvent ReadValue(byte[] value, double wall, long step)
    {
        string tag = "";
        float simple = float.NaN;
        foreach (var (field, number, payload) in Fields(value))
        {
            if (field == 1) tag = Encoding.UTF8.GetString(payload);
            else if (field == 2) simple = BitConverter.Int32BitsToSingle((int)number);
        }
        return new ScalarEvent(wall, step, tag, simple);
    }

    /// <summary>(field, numeric value for varint/fixed types, payload for length-delimited) of a message.</summary>
    private static IEnumerable<(int Field, ulong Number, byte[] Payload)> Fields(byte[] message)
    {
        int at = 0;
        while (at < message.Length)
        {
            ulong key = Varint(message, ref at);
            int field = (int)(key >> 3);
            switch ((int)(key & 7))
            {
                case 0: yield return (field, Varint(message, ref at), []); break;
                case 1: yield return (field, BinaryPrimitives.ReadUInt64LittleEndian(message.AsSpan(at)), []); at += 8; break;
                case 5: yield return (field, BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(at)), []); at += 4; break;
                case 2:
                    int length = (int)Varint(message, ref at);
                    yield return (field, 0, message.AsSpan(at, length).ToArray());
                    at += length;
                    break;
                default: throw new InvalidDataException($"unsupported protobuf wire type {key & 7}");
            }
        }
    }

    private static ulong Varint(byte[] message, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = message[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }
}
