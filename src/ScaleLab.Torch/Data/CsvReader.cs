using System.Globalization;
using System.Text;

namespace ScaleLab.Torch.Data;

/// <summary>A CSV file as text: the header and the data rows with their 1-based line numbers. Nothing validated yet.</summary>
public sealed record CsvTable(string File, IReadOnlyList<string> Header, IReadOnlyList<CsvRow> Rows);

/// <summary>
/// One data row, kept as its text (two bytes a character, against a string object per cell): a CSV in memory costs
/// about twice its size. <see cref="Cells"/> splits it again on each call; callers take it once per row.
/// </summary>
public sealed record CsvRow(int Line, string Text, string File)
{
    public IReadOnlyList<string> Cells => CsvReader.Split(Text, File, Line);
}

/// <summary>
/// Splits RFC 4180 CSV (comma separated; fields may be double-quoted, "" is a quote inside one). The first line is the
/// header. Blank lines are skipped; a row with a different number of cells than the header is an error naming the line.
/// Quoted fields spanning lines are not supported (tabular training data does not need them).
/// </summary>
public static class CsvReader
{
    /// <summary>Largest CSV we read into memory.</summary>
    public const long MaxFileBytes = 512L << 20;

    /// <summary>
    /// Reads the header and the data rows, streaming: with <paramref name="maxRows"/> it stops after that many data
    /// rows, so a `--limit 10` run of a 64 MB file reads a few lines, not the file.
    /// </summary>
    public static CsvTable Read(string path, long? maxRows = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new DataException(path, "file not found");
        ScaleLab.Core.InputFile.RequireRegular(path);
        long length = new FileInfo(path).Length;
        if (length > MaxFileBytes)
            throw new DataException(path, $"is {length.ToString(CultureInfo.InvariantCulture)} bytes, over the {MaxFileBytes.ToString(CultureInfo.InvariantCulture)}-byte limit for CSV data");
        using var lines = File.ReadLines(path, Strict).GetEnumerator();
        int lineNumber = 0, first = 0;
        string? headerLine = null;
        while (headerLine is null && Next(lines, path, ref lineNumber) is { } line)
        {
            if (line.Trim().Length > 0) (headerLine, first) = (line, lineNumber - 1);
        }
        if (headerLine is null) throw new DataException(path, "is empty: a CSV needs a header line and at least one data row");
        var header = Split(headerLine, path, first + 1).Select(h => h.Trim()).ToList();
        for (int c = 0; c < header.Count; c++)
        {
            if (header[c].Length == 0)
                throw new DataException(path, $"line {Int(first + 1)}: header column {Int(c + 1)} is empty; every column needs a name");
            if (double.TryParse(header[c], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                throw new DataException(path, $"line {Int(first + 1)}: the first line must be a header naming the columns, but column {Int(c + 1)} is the number '{header[c]}'");
        }
        var duplicate = header.GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new DataException(path, $"line {Int(first + 1)}: header names column '{duplicate.Key}' more than once");

        var rows = new List<CsvRow>();
        while ((maxRows is null || rows.Count < maxRows) && Next(lines, path, ref lineNumber) is { } line)
        {
            if (line.Trim().Length == 0) continue;
            int cells = Split(line, path, lineNumber).Count;
            if (cells != header.Count)
                throw new DataException(path, $"line {Int(lineNumber)}: has {Int(cells)} cells, the header has {Int(header.Count)} columns");
            rows.Add(new CsvRow(lineNumber, line, path));
        }
        if (rows.Count == 0) throw new DataException(path, "has a header but no data rows");
        return new CsvTable(path, header, rows);
    }

    /// <summary>UTF-8 that refuses invalid bytes instead of turning them into U+FFFD.</summary>
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string? Next(IEnumerator<string> lines, string path, ref int lineNumber)
    {
        try
        {
            if (!lines.MoveNext()) return null;
        }
        catch (DecoderFallbackException)
        {
            throw new DataException(path, $"line {Int(lineNumber + 1)}: is not valid UTF-8");
        }
        lineNumber++;
        return lines.Current;
    }

    internal static List<string> Split(string line, string path, int lineNumber)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch != '"') { cell.Append(ch); continue; }
                if (i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; continue; }
                quoted = false;
            }
            else if (ch == '"' && cell.Length == 0) quoted = true;
            else if (ch == ',') { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(ch);
        }
        if (quoted) throw new DataException(path, $"line {Int(lineNumber)}: a quoted field is not closed");
        cells.Add(cell.ToString());
        return cells;
    }

    private static string Int(long v) => v.ToString(CultureInfo.InvariantCulture);
}
