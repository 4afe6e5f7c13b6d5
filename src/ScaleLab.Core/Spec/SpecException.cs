namespace ScaleLab.Core.Spec;

/// <summary>
/// A model spec that cannot be right. The message names the file, the place (e.g. "layers[3] (conv2d)"),
/// the field and the value, and says what would be valid.
/// </summary>
public sealed class SpecException : ScaleLabException
{
    public SpecException(string source, string location, string problem)
        : base($"{source}: {location}: {problem}")
    {
        SpecSource = source;
        Location = location;
        Problem = problem;
    }

    public SpecException(string message) : base(message)
    {
        SpecSource = "";
        Location = "";
        Problem = message;
    }

    public SpecException() : this("invalid model spec") { }

    public SpecException(string message, Exception inner) : base(message, inner)
    {
        SpecSource = "";
        Location = "";
        Problem = message;
    }

    /// <summary>The file or preset the spec came from.</summary>
    public string SpecSource { get; }

    public string Location { get; }

    public string Problem { get; }

    /// <summary>Set when a Hugging Face config names a model_type ScaleLab does not know, so a caller can fall back to the checkpoint's headers.</summary>
    public string? UnsupportedModelType { get; init; }
}
