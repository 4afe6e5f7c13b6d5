using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;

namespace ScaleLab.Torch.Logging;

/// <summary>
/// Writes scalars to a TensorBoard event file, events.out.tfevents.SECONDS.HOST.PID, in LOGDIR.
/// Each record is TFRecord-framed (tensorflow/core/lib/io/record_writer.cc): uint64 length (little-endian),
/// uint32 masked CRC-32C of those 8 bytes, the data, uint32 masked CRC-32C of the data. The first record is the
/// Event carrying file_version "brain.Event:2", as TensorFlow's EventsWriter writes. Thread-safe; buffered, and flushed
/// by <see cref="Flush"/>, on disposal, and by the first scalar <see cref="FlushInterval"/> after the last flush, so a
/// killed run loses at most that much (PyTorch's SummaryWriter flushes every flush_secs = 120 s).
/// Why not TorchSharp's own torch.utils.tensorboard.SummaryWriter (0.107.0, tried 2026-12-01; docs/training.md,
/// "TensorBoard"): its files read back correctly, but it keeps wall time in whole seconds, takes an int step, opens and
/// closes the file for every scalar (5× slower per scalar here), has no Flush, Dispose or lock.
/// </summary>
public sealed class TensorBoardWriter : IDisposable
{
    /// <summary>The longest a written scalar waits in the buffer, as long as scalars keep coming.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(10);

    private readonly FileStream _file;
    private readonly Lock _gate = new();
    private long _lastFlush = Stopwatch.GetTimestamp();

    public TensorBoardWriter(string logDirectory)
    {
        ArgumentNullException.ThrowIfNull(logDirectory);
        Directory.CreateDirectory(logDirectory);
        var now = DateTimeOffset.UtcNow;
        string name = string.Create(CultureInfo.InvariantCulture,
            $"events.out.tfevents.{now.ToUnixTimeSeconds()}.{Environment.MachineName}.{Environment.ProcessId}");
        FilePath = Path.Combine(logDirectory, name);
        _file = new FileStream(FilePath, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16);
        WriteRecord(EventProto.FileVersionEvent(WallTime(now)));
    }

    public string FilePath { get; }

    /// <summary>One scalar point; TensorBoard stores it as float32, as tf.summary.scalar does.</summary>
    public void AddScalar(string tag, double value, long step)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        lock (_gate)
        {
            WriteRecord(EventProto.ScalarEvent(WallTime(DateTimeOffset.UtcNow), step, tag, (float)value));
            if (Stopwatch.GetElapsedTime(_lastFlush) >= FlushInterval) FlushLocked();
        }
    }

    public void Flush()
    {
        lock (_gate) FlushLocked();
    }

    private void FlushLocked()
    {
        _file.Flush(flushToDisk: false);
        _lastFlush = Stopwatch.GetTimestamp();
    }

    public void Dispose()
    {
        lock (_gate) _file.Dispose();
    }

    /// <summary>The TFRecord framing of one record.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> data)
    {
        var record = new byte[8 + 4 + data.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(record, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), Crc32C.Masked(record.AsSpan(0, 8)));
        data.CopyTo(record.AsSpan(12));
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(12 + data.Length), Crc32C.Masked(data));
        return record;
    }

    private void WriteRecord(byte[] data) => _file.Write(Frame(data));

    private static double WallTime(DateTimeOffset t) => t.ToUnixTimeMilliseconds() / 1000.0;
}
