using System.Buffers.Binary;
using System.Text;

namespace ScaleLab.Torch.Logging;

/// <summary>
/// Hand-encoded protobuf for the two TensorFlow messages a scalar log needs
/// (tensorflow/core/util/event.proto and tensorflow/core/framework/summary.proto):
/// <code>
/// Event   { double wall_time = 1; int64 step = 2; oneof what { string file_version = 3; Summary summary = 5; } }
/// Summary { repeated Value value = 1; }
/// Value   { string tag = 1; oneof value { float simple_value = 2; } }
/// </code>
/// Wire format (protobuf encoding guide): key = (field &lt;&lt; 3) | wire type; 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.
/// </summary>
public static class EventProto
{
    public const string FileVersion = "brain.Event:2";

    public static byte[] FileVersionEvent(double wallTime)
    {
        using var s = new MemoryStream();
        WriteDouble(s, 1, wallTime);
        WriteBytes(s, 3, Encoding.UTF8.GetBytes(FileVersion));
        return s.ToArray();
    }

    public static byte[] ScalarEvent(double wallTime, long step, string tag, float value)
    {
        using var v = new MemoryStream();
        WriteBytes(v, 1, Encoding.UTF8.GetBytes(tag));
        WriteFloat(v, 2, value);
        using var summary = new MemoryStream();
        WriteBytes(summary, 1, v.ToArray());
        using var e = new MemoryStream();
        WriteDouble(e, 1, wallTime);
        WriteVarintField(e, 2, unchecked((ulong)step));
        WriteBytes(e, 5, summary.ToArray());
        return e.ToArray();
    }

    internal static void WriteVarint(Stream s, ulong value)
    {
        while (value >= 0x80)
        {
            s.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        s.WriteByte((byte)value);
    }

    private static void WriteVarintField(Stream s, int field, ulong value)
    {
        WriteVarint(s, (ulong)(field << 3));
        WriteVarint(s, value);
    }

    private static void WriteDouble(Stream s, int field, double value)
    {
        WriteVarint(s, (ulong)((field << 3) | 1));
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(b, value);
        s.Write(b);
    }

    private static void WriteFloat(Stream s, int field, float value)
    {
        WriteVarint(s, (ulong)((field << 3) | 5));
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        s.Write(b);
    }

    private static void WriteBytes(Stream s, int field, byte[] bytes)
    {
        WriteVarint(s, (ulong)((field << 3) | 2));
        WriteVarint(s, (ulong)bytes.Length);
        s.Write(bytes);
    }
}
