using ScaleLab.Core;

namespace ScaleLab.Core.Runs;

/// <summary>A run directory, or a file in it, that cannot be used; the message names the path.</summary>
public sealed class RunDirectoryException : ScaleLabException
{
    public RunDirectoryException(string path, string problem) : base($"{path}: {problem}") { }

    public RunDirectoryException() { }

    public RunDirectoryException(string message) : base(message) { }

    public RunDirectoryException(string message, Exception inner) : base(message, inner) { }
}
