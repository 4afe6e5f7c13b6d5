using static TorchSharp.torch;

namespace ScaleLab.Torch;

/// <summary>
/// libtorch's intra-op thread count is process-wide: a run, an evaluation or a compression that sets it borrows it for
/// its duration and gives the previous value back, so a library caller (or the next test) keeps what it had. Taking it
/// is also where oneMKL's code path is settled for the process (<see cref="MklCodePath.Prepare"/>), before any work.
/// </summary>
public readonly struct TorchThreads : IDisposable
{
    private readonly int _previous;

    private TorchThreads(int previous) => _previous = previous;

    /// <summary>Sets <paramref name="threads"/> until disposed; null leaves the count as it is.</summary>
    public static TorchThreads Use(int? threads)
    {
        MklCodePath.Prepare();   // before the first tensor operation that may reach oneMKL
        int previous = get_num_threads();
        if (threads is int n && n != previous) set_num_threads(n);
        return new TorchThreads(previous);
    }

    /// <summary>
    /// Loads and starts libtorch now (its native libraries, operator registry and thread pool: about 0.3 s on the
    /// 2-core build machine) rather than in the first call that needs it, with oneMKL's code path chosen
    /// (<see cref="MklCodePath"/>); returns the thread count it starts with.
    /// </summary>
    public static int Load()
    {
        MklCodePath.Prepare();
        return get_num_threads();
    }

    public void Dispose()
    {
        if (_previous > 0 && get_num_threads() != _previous) set_num_threads(_previous);
    }
}
