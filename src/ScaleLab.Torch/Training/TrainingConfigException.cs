using ScaleLab.Core;

namespace ScaleLab.Torch.Training;

/// <summary>A training config that cannot be used; the message names the file, the field and the value.</summary>
public sealed class TrainingConfigException : ScaleLabException
{
    public TrainingConfigException(string source, string problem) : base($"{source}: {problem}") { }

    public TrainingConfigException() { }

    public TrainingConfigException(string message) : base(message) { }

    public TrainingConfigException(string message, Exception inner) : base(message, inner) { }
}
