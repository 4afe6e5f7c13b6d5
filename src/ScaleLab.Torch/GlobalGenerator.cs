using static TorchSharp.torch;

namespace ScaleLab.Torch;

/// <summary>
/// libtorch's default generator is process-wide, and TorchSharp's module constructors draw their initial weights from
/// it: code that seeds it for reproducible weights borrows it, and gives its state back, so a library caller (or the
/// next test) draws what it would have drawn without us.
/// </summary>
public sealed class GlobalGenerator : IDisposable
{
    private readonly Tensor _saved;

    private GlobalGenerator(Tensor saved) => _saved = saved;

    /// <summary>Seeds the default generator with <paramref name="seed"/> until disposed.</summary>
    public static GlobalGenerator Seed(long seed)
    {
        var saved = random.get_rng_state();
        random.manual_seed(seed);
        return new GlobalGenerator(saved);
    }

    /// <summary>
    /// Keeps the default generator's state to give back when disposed, for code that seeds it several times on its
    /// way (a training run seeds its weights, then each epoch's shuffling and dropout).
    /// </summary>
    public static GlobalGenerator Borrow() => new(random.get_rng_state());

    public void Dispose()
    {
        random.set_rng_state(_saved);
        _saved.Dispose();
    }
}
