namespace ScaleLab.Core.Formats;

/// <summary>
/// A weights file (safetensors, GGUF, a shard index) that cannot be trusted: truncated, malformed or lying about
/// its sizes. Every message starts with the file's path and says what was found and what would be valid.
/// Each failure has its own subclass so callers and tests can tell them apart.
/// </summary>
public abstract class CheckpointFormatException : ScaleLabException
{
    protected CheckpointFormatException(string path, string problem) : base($"{path}: {problem}")
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The file as the caller named it.</summary>
    public string FilePath { get; }

    /// <summary>The message without the leading path.</summary>
    public string Problem { get; }
}
