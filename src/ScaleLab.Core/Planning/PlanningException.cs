namespace ScaleLab.Core.Planning;

/// <summary>
/// A plan that cannot be made as asked: a layout that does not divide the GPUs, a precision the hardware has no rate for,
/// an MFU outside (0, 1]. The message names the option and the value and says what would be valid.
/// </summary>
public sealed class PlanningException : ScaleLabException
{
    public PlanningException() { }

    public PlanningException(string message) : base(message) { }

    public PlanningException(string message, Exception inner) : base(message, inner) { }
}
