using System.Globalization;
using System.Text.Json;
using ScaleLab.Core.Json;

namespace ScaleLab.Core.Runs;

/// <summary>
/// The one reader of the run directory's JSON-lines files (metrics.jsonl, steps.jsonl), with the torn-line rule of
/// docs/run-directory.md: every record is one line ending in '\n', appended whole. A kill can cut only the last line
/// short, so a last line without its '\n' that does not parse is a torn write and is left out; any other line that does
/// not parse (or parses to something that is not a record) is damage, and an error naming the file and line.
/// </summary>
public static class JsonLines
{
    /// <summary>The records of <paramref name="path"/> in file order; none when the file is absent.</summary>
    public static IReadOnlyList<T> Read<T>(string path) where T : class
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) return [];
        string text = File.ReadAllText(path);
        var records = new List<T>();
        int start = 0, line = 0;
        while (start < text.Length)
        {
            line++;
            int end = text.IndexOf('\n', start);
            bool complete = end >= 0;
            string content = text[start..(complete ? end : text.Length)];
            start = complete ? end + 1 : text.Length;
            if (content.Trim().Length == 0) continue;
            T? record;
            try
            {
                record = JsonSerializer.Deserialize<T>(content, ScaleLabJson.Options);
            }
            catch (JsonException ex)
            {
                if (!complete) break;   // the torn last line of a killed writer: the records before it are intact
                throw Damaged(path, line, ex.Message);
            }
            records.Add(record ?? throw Damaged(path, line, "holds JSON null"));
        }
        return records;
    }

    /// <summary>Appends one record as one line (the whole line in one write, so only a kill mid-write can tear it).</summary>
    public static void Append<T>(string path, T record) =>
        File.AppendAllText(path, JsonSerializer.Serialize(record, ScaleLabJson.Compact) + "\n");

    /// <summary>Appends several records, one line each, in one write.</summary>
    public static void AppendAll<T>(string path, IReadOnlyList<T> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0) return;
        File.AppendAllText(path, string.Concat(records.Select(r => JsonSerializer.Serialize(r, ScaleLabJson.Compact) + "\n")));
    }

    private static RunDirectoryException Damaged(string path, int line, string problem) =>
        new(path, string.Create(CultureInfo.InvariantCulture, $"line {line} is not a record ({problem}); only the last line may be cut short by a killed run"));
}
