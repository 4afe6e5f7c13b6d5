using ScaleLab.Core;

namespace ScaleLab.Experiments.Sweeps;

/// <summary>
/// A sweep spec that cannot be run, found before any trial starts. The message names the file, the field or trial
/// (index and axis values) and the reason, and says what would be valid.
/// </summary>
public sealed class SweepException : ScaleLabException
{
    public SweepException() { }

    public SweepException(string message) : base(message) { }

    public SweepException(string message, Exception inner) : base(message, inner) { }
}
