using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Data;

/// <summary>
/// Mini-batches of one epoch. The order is a permutation seeded by (seed, epoch) (<see cref="SeededOrder"/>), so a
/// run resumed at epoch e sees exactly the batches the uninterrupted run saw. The last batch may be smaller.
/// With <see cref="Background"/> a worker thread prepares the next batch (gather + copy to the device) while the consumer
/// trains on the current one, and each enumeration starts its own worker; without it, each batch is gathered on the
/// consumer's thread when asked for. The consumer owns and disposes every <see cref="Batch"/> it receives.
/// Unshuffled CPU batches are views of the data set: read them, do not modify them in place.
/// </summary>
public sealed class BatchLoader : IEnumerable<Batch>, IDisposable
{
    /// <summary>Batches the worker may hold ready beyond the one being consumed.</summary>
    public const int PrefetchDepth = 1;

    private readonly TensorDataSet _data;
    private readonly long[]? _order;
    private readonly Device _device;
    private long _waitTicks;
    private long _prepareTicks;

    public BatchLoader(TensorDataSet data, int batchSize, bool shuffle, int seed, int epoch, Device device)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _data = data;
        _device = device ?? CPU;
        BatchSize = batchSize;
        _order = shuffle ? SeededOrder.Permutation(data.Count, seed, epoch) : null;
    }

    public int BatchSize { get; }

    /// <summary>
    /// Prepare batches on a worker thread (the default) rather than on the consumer's. On the CPU, gathering an in-memory
    /// batch costs microseconds, while waking a worker costs a core that libtorch's OpenMP team may be spinning on;
    /// there the training loop is faster gathering inline (docs/engine-bench.md). A move to a GPU is what prefetch hides.
    /// </summary>
    public bool Background { get; init; } = true;

    /// <summary>Background preparation only where it pays: when batches are copied to another device.</summary>
    public static bool PaysToPrefetch(Device device) => device is not null && device.type != DeviceType.CPU;

    /// <summary>Batches per epoch: ceil(N / B).</summary>
    public long BatchCount => (_data.Count + BatchSize - 1) / BatchSize;

    /// <summary>Batches to skip at the start (to resume mid-epoch); the order of the rest is unchanged.</summary>
    public long StartBatch { get; init; }

    /// <summary>Seconds the consumer spent blocked waiting for a batch: near zero when loading keeps up (zero inline).</summary>
    public double WaitSeconds => Interlocked.Read(ref _waitTicks) / (double)Stopwatch.Frequency;

    /// <summary>Seconds spent preparing batches: by the worker, hidden behind training when prefetch works; inline, on the consumer's time.</summary>
    public double PrepareSeconds => Interlocked.Read(ref _prepareTicks) / (double)Stopwatch.Frequency;

    /// <summary>The sample indices of batch <paramref name="index"/> in this epoch's order.</summary>
    public long[] Indices(long index)
    {
        long start = index * BatchSize;
        long count = Math.Min(BatchSize, _data.Count - start);
        var indices = new long[count];
        for (long i = 0; i < count; i++) indices[i] = _order is null ? start + i : _order[start + i];
        return indices;
    }

    /// <summary>Builds batch <paramref name="index"/> on the calling thread.</summary>
    public Batch Prepare(long index)
    {
        long start = index * BatchSize;
        long count = Math.Min(BatchSize, _data.Count - start);
        if (_order is null)
        {
            using var xs = _data.Inputs.narrow(0, start, count);    // (B, ...sample) view
            using var ys = _data.Targets.narrow(0, start, count);   // (B) / (B, k) / (B, S) view
            return new Batch(Move(xs), Move(ys));
        }
        using var idx = torch.tensor(Indices(index));                // (B) int64
        using var x = _data.Inputs.index_select(0, idx);            // (B, ...sample) gathered copy
        using var y = _data.Targets.index_select(0, idx);
        return new Batch(Move(x), Move(y));
    }

    /// <summary>A tensor on the loader's device that the batch owns: `to` returns its input when no move is needed.</summary>
    private Tensor Move(Tensor t)
    {
        var moved = t.to(_device);
        return ReferenceEquals(moved, t) ? t.alias() : moved;
    }

    public IEnumerator<Batch> GetEnumerator() => Background ? new Prefetcher(this) : Inline();

    private IEnumerator<Batch> Inline()
    {
        for (long b = StartBatch; b < BatchCount; b++)
        {
            long t0 = Stopwatch.GetTimestamp();
            var batch = Prepare(b);
            Interlocked.Add(ref _prepareTicks, Stopwatch.GetTimestamp() - t0);
            yield return batch;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        // The loader owns no tensors: the data set belongs to the caller, every batch to its consumer.
    }

    /// <summary>The worker thread and the hand-over queue of one enumeration.</summary>
    private sealed class Prefetcher : IEnumerator<Batch>
    {
        private readonly BatchLoader _loader;
        private readonly BlockingCollection<Batch> _ready = new(PrefetchDepth);
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _worker;
        private ExceptionDispatchInfo? _failure;

        public Prefetcher(BatchLoader loader)
        {
            _loader = loader;
            _worker = new Thread(Produce) { IsBackground = true, Name = "ScaleLab batch prefetch" };
            _worker.Start();
        }

        public Batch Current { get; private set; }

        object IEnumerator.Current => Current;

        private void Produce()
        {
            try
            {
                for (long b = _loader.StartBatch; b < _loader.BatchCount; b++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    var batch = _loader.Prepare(b);
                    Interlocked.Add(ref _loader._prepareTicks, Stopwatch.GetTimestamp() - t0);
                    try
                    {
                        _ready.Add(batch, _stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        batch.Dispose();
                        return;
                    }
                }
            }
            catch (Exception ex)
            {
                _failure = ExceptionDispatchInfo.Capture(ex);
            }
            finally
            {
                _ready.CompleteAdding();
            }
        }

        public bool MoveNext()
        {
            long t0 = Stopwatch.GetTimestamp();
            bool got = _ready.TryTake(out var batch, Timeout.Infinite);
            Interlocked.Add(ref _loader._waitTicks, Stopwatch.GetTimestamp() - t0);
            if (!got)
            {
                _failure?.Throw();
                return false;
            }
            Current = batch;
            return true;
        }

        public void Reset() => throw new NotSupportedException("start a new enumeration instead");

        public void Dispose()
        {
            _stop.Cancel();
            _worker.Join();
            while (_ready.TryTake(out var left)) left.Dispose();
            _ready.Dispose();
            _stop.Dispose();
        }
    }
}
