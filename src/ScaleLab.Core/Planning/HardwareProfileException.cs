namespace ScaleLab.Core.Planning;

/// <summary>A user-defined hardware profile file that cannot be used; the message names the file, the field and the value.</summary>
public sealed class HardwareProfileException : ScaleLabException
{
    public HardwareProfileException() { }

    public HardwareProfileException(string message) : base(message) { }

    public HardwareProfileException(string message, Exception inner) : base(message, inner) { }
}
