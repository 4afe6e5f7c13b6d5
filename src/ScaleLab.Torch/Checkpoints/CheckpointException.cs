using ScaleLab.Core;

namespace ScaleLab.Torch.Checkpoints;

/// <summary>A checkpoint that cannot be resumed from or loaded; the message names the file and what does not match.</summary>
public sealed class CheckpointException : ScaleLabException
{
    public CheckpointException(string path, string problem) : base($"{path}: {problem}") { }

    public CheckpointException() { }

    public CheckpointException(string message) : base(message) { }

    public CheckpointException(string message, Exception inner) : base(message, inner) { }
}
