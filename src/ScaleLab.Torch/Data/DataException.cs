using ScaleLab.Core;

namespace ScaleLab.Torch.Data;

/// <summary>
/// Data that cannot be used: a missing or truncated file, a bad IDX header, a CSV cell that is not a number.
/// The message names the file (and line/column where there is one), the value, and what would be valid.
/// </summary>
public sealed class DataException : ScaleLabException
{
    public DataException(string file, string problem) : base($"{file}: {problem}")
    {
        FileName = file;
        Problem = problem;
    }

    public DataException(string file, string problem, Exception inner) : base($"{file}: {problem}", inner)
    {
        FileName = file;
        Problem = problem;
    }

    public DataException() : this("<data>", "invalid data") { }

    public DataException(string message) : this("<data>", message) { }

    public DataException(string message, Exception inner) : this("<data>", message, inner) { }

    /// <summary>The file (or data set name) the problem is in.</summary>
    public string FileName { get; }

    public string Problem { get; }
}
