using System.Globalization;

namespace ScaleLab.Core.Scaling;

/// <summary>Which CSV columns hold what (matched to the header case-insensitively). Defaults: params, tokens, flops, loss.</summary>
public sealed record ScalingCsvColumns(string Parameters = "params", string Tokens = "tokens", string Flops = "flops", string Loss = "loss");

/// <summary>One data row of a scaling CSV; Line is its 1-based line in the file.</summary>
public sealed record ScalingCsvRow(int Line, double? Parameters, double? Tokens, double? Flops, double Loss);

/// <summary>
/// A validated scaling CSV: every row has a positive finite loss and a positive finite value in every size column the
/// header names. When there is no tokens column but params and flops are there, tokens are derived as D = C / (6N)
/// (C ≈ 6ND, Kaplan et al. 2020 §2.1), and <see cref="TokensDerived"/> says so.
/// </summary>
public sealed record ScalingTable(string Source, ScalingCsvColumns Columns, IReadOnlyList<ScalingCsvRow> Rows, bool HasParameters, bool HasTokens, bool HasFlops, bool TokensDerived)
{
    /// <summary>Points for L(N, D); requires params and tokens (given or derived).</summary>
    public IReadOnlyList<JointPoint> JointPoints() =>
        [.. Rows.Select(r => new JointPoint(r.Parameters!.Value, r.Tokens!.Value, r.Loss, $"{Source} line {r.Line}"))];

    /// <summary>Points for L(x) over one column: "params", "tokens" or "flops".</summary>
    public IReadOnlyList<PowerLawPoint> PowerLawPoints(string variable) =>
        [.. Rows.Select(r => new PowerLawPoint(
            (variable switch { "params" => r.Parameters, "tokens" => r.Tokens, _ => r.Flops }) ?? double.NaN, r.Loss, $"{Source} line {r.Line}"))];
}

/// <summary>
/// Reads published or external scaling results from CSV (RFC 4180: comma-separated, optional double quotes, a header
/// line; blank lines and lines starting with # are skipped). Every error names the file, the line, the column and the value.
/// </summary>
public static class ScalingCsv
{
    public static ScalingTable Read(string path, ScalingCsvColumns? columns = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new ScalingCsvException($"{path}: file not found");
        return Parse(File.ReadAllLines(path), path, columns ?? new ScalingCsvColumns());
    }

    public static ScalingTable Parse(IReadOnlyList<string> lines, string source, ScalingCsvColumns columns)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(columns);
        int headerLine = FirstContentLine(lines, 0);
        if (headerLine < 0) throw new ScalingCsvException($"{source}: empty; expected a header line naming the columns, e.g. params,tokens,loss");
        var header = Fields(lines[headerLine], source, headerLine + 1).Select(h => h.Trim()).ToList();
        string names = string.Join(", ", header);
        int Find(string name) => header.FindIndex(h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));
        int loss = Find(columns.Loss), n = Find(columns.Parameters), d = Find(columns.Tokens), c = Find(columns.Flops);
        if (loss < 0) throw new ScalingCsvException($"{source}: no column '{columns.Loss}' in the header (columns: {names}); name the loss column with --loss-col");
        if (n < 0 && d < 0 && c < 0)
        {
            throw new ScalingCsvException(
                $"{source}: none of the size columns '{columns.Parameters}', '{columns.Tokens}', '{columns.Flops}' is in the header (columns: {names}); name them with --n-col, --d-col or --c-col");
        }

        var rows = new List<ScalingCsvRow>();
        for (int i = FirstContentLine(lines, headerLine + 1); i >= 0; i = FirstContentLine(lines, i + 1))
        {
            var fields = Fields(lines[i], source, i + 1);
            if (fields.Count != header.Count)
                throw new ScalingCsvException($"{source} line {i + 1}: {fields.Count} fields, but the header has {header.Count} ({names})");
            double? Cell(int index) => index < 0 ? null : Positive(fields[index], source, i + 1, header[index]);
            double? tokens = Cell(d), parameters = Cell(n), flops = Cell(c);
            // C ≈ 6·N·D (Kaplan et al. 2020, §2.1), so D = C / (6N) when only compute is published.
            if (tokens is null && parameters is { } p && flops is { } f) tokens = f / (6 * p);
            rows.Add(new ScalingCsvRow(i + 1, parameters, tokens, flops, Positive(fields[loss], source, i + 1, header[loss])));
        }
        if (rows.Count == 0) throw new ScalingCsvException($"{source}: a header ({names}) but no data rows");
        return new ScalingTable(source, columns, rows, n >= 0, d >= 0 || (n >= 0 && c >= 0), c >= 0, d < 0 && n >= 0 && c >= 0);
    }

    private static double Positive(string field, string source, int line, string column)
    {
        string text = field.Trim();
        if (text.Length == 0) throw new ScalingCsvException($"{source} line {line}, column '{column}': empty; every row needs a value here");
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            throw new ScalingCsvException($"{source} line {line}, column '{column}': '{text}' is not a number (write e.g. 1.5e9, with a dot for decimals)");
        if (!double.IsFinite(value) || value <= 0)
            throw new ScalingCsvException($"{source} line {line}, column '{column}': {text}; it must be a positive, finite number");
        return value;
    }

    private static int FirstContentLine(IReadOnlyList<string> lines, int from)
    {
        for (int i = from; i < lines.Count; i++)
        {
            string t = lines[i].Trim();
            if (t.Length > 0 && !t.StartsWith('#')) return i;
        }
        return -1;
    }

    /// <summary>Splits one line into fields; a quoted field may hold commas and doubled quotes ("").</summary>
    private static List<string> Fields(string line, string source, int lineNumber)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else current.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(ch);
        }
        if (quoted) throw new ScalingCsvException($"{source} line {lineNumber}: a quoted field is not closed");
        fields.Add(current.ToString());
        return fields;
    }
}

/// <summary>A scaling CSV that cannot be read: the message names the file, line, column and value.</summary>
public sealed class ScalingCsvException : ScaleLabException
{
    public ScalingCsvException() : this("invalid scaling CSV") { }

    public ScalingCsvException(string message) : base(message) { }

    public ScalingCsvException(string message, Exception inner) : base(message, inner) { }
}
