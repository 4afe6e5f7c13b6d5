namespace ScaleLab.Core;

/// <summary>
/// An error meant for a person: bad input, a file that cannot be read, a model that does not fit.
/// The CLI prints its message as one line and exits non-zero; anything else is a bug and shows a stack trace with --verbose.
/// </summary>
public class ScaleLabException : Exception
{
    public ScaleLabException() { }

    public ScaleLabException(string message) : base(message) { }

    public ScaleLabException(string message, Exception inner) : base(message, inner) { }
}
