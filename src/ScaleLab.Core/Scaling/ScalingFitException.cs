namespace ScaleLab.Core.Scaling;

/// <summary>Input a scaling-law fit cannot use: too few points, a non-positive or non-finite value, variables that do not vary.
/// The message names the point (its source: a file line or a trial) and the column.</summary>
public sealed class ScalingFitException : ScaleLabException
{
    public ScalingFitException() : this("invalid scaling-law input") { }

    public ScalingFitException(string message) : base(message) { }

    public ScalingFitException(string message, Exception inner) : base(message, inner) { }
}
