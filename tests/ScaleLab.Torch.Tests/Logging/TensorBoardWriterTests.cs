using System.Buffers.Binary;
using System.Text;
using ScaleLab.Torch.Logging;
using ScaleLab.Torch.Tests.Data;

namespace ScaleLab.Torch.Tests.Logging;

public sealed class TensorBoardWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Crc32C_OfTheStandardCheckString_Is0xE3069283()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));   // RFC 3720 / the CRC catalogue check value
    }

    [Fact]
    public void Masked_RotatesRight15AndAddsTheTfRecordDelta()
    {
        Assert.Equal(0xC78AB0E5u, Crc32C.Masked("123456789"u8));   // ((0xE3069283 >> 15) | (0xE3069283 << 17)) + 0xA282EAD8
    }

    [Fact]
    public void FileVersionEvent_EncodesWallTimeAndVersionString()
    {
        byte[] expected = [0x09, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F, 0x1A, 0x0D, .. "brain.Event:2"u8];   // 1.5 as a little-endian double
        Assert.Equal(expected, EventProto.FileVersionEvent(1.5));
    }

    [Fact]
    public void ScalarEvent_EncodesStepAndSummaryValue()
    {
        byte[] expected =
        [
            0x09, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F,           // wall_time = 1.0 (field 1, fixed64)
            0x10, 0x03,                                   // step = 3 (field 2, varint)
            0x2A, 0x0D,                                   // summary (field 5), 13 bytes
            0x0A, 0x0B,                                   //   value (field 1), 11 bytes
            0x0A, 0x04, .. "loss"u8,                      //     tag = "loss"
            0x15, 0, 0, 0, 0x3F,                          //     simple_value = 0.5f (field 2, fixed32)
        ];
        Assert.Equal(expected, EventProto.ScalarEvent(1.0, 3, "loss", 0.5f));
    }

    [Fact]
    public void Frame_LaysOutLengthCrcDataCrc()
    {
        var record = TensorBoardWriter.Frame("abc"u8);
        Assert.Equal(19, record.Length);
        Assert.Equal(3UL, BinaryPrimitives.ReadUInt64LittleEndian(record));
        Assert.Equal(Crc32C.Masked(record.AsSpan(0, 8)), BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(8)));
        Assert.Equal("abc", Encoding.ASCII.GetString(record, 12, 3));
        Assert.Equal(Crc32C.Masked("abc"u8), BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(15)));
    }

    [Fact]
    public void Writer_ScalarsReadBackWithVerifiedCrcs()
    {
        string path;
        using (var writer = new TensorBoardWriter(_dir.Path))
        {
            writer.AddScalar("train/loss", 2.5, 1);
            writer.AddScalar("train/loss", 1.25, 2);
            writer.AddScalar("val/accuracy", 0.875, 2);
            writer.Flush();
            path = writer.FilePath;
        }
        Assert.StartsWith("events.out.tfevents.", Path.GetFileName(path), StringComparison.Ordinal);
        Assert.Equal("brain.Event:2", TensorBoardEventReader.ReadFileVersion(path));
        var scalars = TensorBoardEventReader.ReadScalars(path);
        Assert.Equal(
            [("train/loss", 1L, 2.5f), ("train/loss", 2L, 1.25f), ("val/accuracy", 2L, 0.875f)],
            scalars.Select(s => (s.Tag, s.Step, s.Value)));
        double now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        Assert.All(scalars, s => Assert.InRange(s.WallTime, now - 60, now + 1));
    }

    [Fact]
    public void Reader_FlippedDataByte_FailsTheCrc()
    {
        string path;
        using (var writer = new TensorBoardWriter(_dir.Path))
        {
            writer.AddScalar("x", 1, 1);
            path = writer.FilePath;
        }
        var bytes = File.ReadAllBytes(path);
        bytes[^6] ^= 0x01;                                // inside the last record's data
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => TensorBoardEventReader.ReadRecords(path));
        Assert.Contains("data CRC mismatch", ex.Message, StringComparison.Ordinal);
    }
}
