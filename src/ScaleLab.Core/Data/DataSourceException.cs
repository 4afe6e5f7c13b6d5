namespace ScaleLab.Core.Data;

/// <summary>
/// A data source text that names no source: an unknown set, an unknown CSV option, a missing path. The message is
/// "SUBJECT: PROBLEM" (the text or the file it names); <see cref="Problem"/> alone is what a config reader quotes
/// after its own file and field.
/// </summary>
public sealed class DataSourceException : ScaleLabException
{
    public DataSourceException(string subject, string problem) : base($"{subject}: {problem}")
    {
        Subject = subject;
        Problem = problem;
    }

    public DataSourceException() : this("<data>", "invalid data source") { }

    public DataSourceException(string message) : this("<data>", message) { }

    public DataSourceException(string message, Exception inner) : base(message, inner)
    {
        Subject = "<data>";
        Problem = message;
    }

    public string Subject { get; }

    public string Problem { get; }
}
