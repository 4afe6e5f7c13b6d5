namespace ScaleLab.Experiments.Running;

/// <summary>
/// DIR/sweep.lock, held open with an exclusive lock while a sweep runs there, so two `scalelab sweep` processes never
/// run the same trials at once. The operating system drops the lock when the process dies, SIGKILL included, so a
/// killed sweep never leaves a stale lock behind.
/// </summary>
public sealed class SweepLock : IDisposable
{
    public const string FileName = "sweep.lock";

    private readonly FileStream _stream;

    private SweepLock(FileStream stream) => _stream = stream;

    public static SweepLock Acquire(string sweepDirectory)
    {
        Directory.CreateDirectory(sweepDirectory);
        string path = Path.Combine(sweepDirectory, FileName);
        try
        {
            // FileShare.None is an exclusive advisory lock (flock) on Unix, a sharing lock on Windows.
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return new SweepLock(stream);
        }
        catch (IOException ex)
        {
            throw new Sweeps.SweepException($"{sweepDirectory}: another `scalelab sweep` is running in this directory (it holds {FileName}); wait for it to end or stop it", ex);
        }
    }

    public void Dispose() => _stream.Dispose();
}
