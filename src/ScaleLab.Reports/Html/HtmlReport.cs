using System.Net;
using System.Text;
using ScaleLab.Reports.Plots;

namespace ScaleLab.Reports.Html;

/// <summary>
/// A self-contained HTML page: CSS inline, images as base64 data URIs, no script and no external link, so the one
/// file can be mailed, archived or opened offline. Build it section by section, then <see cref="Save"/> or <see cref="ToHtml"/>.
/// </summary>
public sealed class HtmlReport(string title)
{
    private const string Style = """
        body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
        h1 { border-bottom: 2px solid #1f77b4; padding-bottom: .3em; }
        h2 { margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: .2em; }
        table { border-collapse: collapse; margin: 1em 0; font-size: .92em; }
        th, td { border: 1px solid #ccc; padding: .3em .6em; }
        th { background: #f0f4f8; text-align: left; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        img { max-width: 100%; height: auto; border: 1px solid #eee; margin: .5em 0; }
        p.law { background: #f6faf6; border-left: 4px solid #2ca02c; padding: .6em 1em; }
        p.note { color: #666; font-size: .9em; }
        footer { margin-top: 3em; color: #888; font-size: .85em; }
        """;

    private readonly StringBuilder _body = new();

    public string Title { get; } = title;

    public HtmlReport Section(string heading)
    {
        _body.Append("<h2>").Append(Encode(heading)).Append("</h2>\n");
        return this;
    }

    public HtmlReport Paragraph(string text, string? cssClass = null)
    {
        _body.Append(cssClass is null ? "<p>" : $"<p class=\"{cssClass}\">").Append(Encode(text)).Append("</p>\n");
        return this;
    }

    /// <summary>A table; cells that parse as numbers (after stripping units) are right-aligned.</summary>
    public HtmlReport Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        _body.Append("<table>\n<tr>");
        foreach (string h in headers) _body.Append("<th>").Append(Encode(h)).Append("</th>");
        _body.Append("</tr>\n");
        foreach (var row in rows)
        {
            _body.Append("<tr>");
            foreach (string cell in row)
                _body.Append(LooksNumeric(cell) ? "<td class=\"n\">" : "<td>").Append(Encode(cell)).Append("</td>");
            _body.Append("</tr>\n");
        }
        _body.Append("</table>\n");
        return this;
    }

    public HtmlReport Image(PlotImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        _body.Append("<figure><img alt=\"").Append(Encode(image.Title)).Append("\" width=\"").Append(image.Width)
            .Append("\" height=\"").Append(image.Height).Append("\" src=\"data:image/png;base64,")
            .Append(Convert.ToBase64String(image.Png)).Append("\"></figure>\n");
        return this;
    }

    public string ToHtml() =>
        $"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{Encode(Title)}</title>\n<style>\n{Style}\n</style>\n</head>\n<body>\n" +
        $"<h1>{Encode(Title)}</h1>\n{_body}<footer>Written by ScaleLab {Encode(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture))}.</footer>\n</body>\n</html>\n";

    /// <summary>Writes the page atomically (temp file + rename).</summary>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        string temp = path + ".tmp";
        File.WriteAllText(temp, ToHtml(), new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static bool LooksNumeric(string cell) =>
        cell.Length > 0 && (char.IsDigit(cell[0]) || (cell.Length > 1 && (cell[0] == '-' || cell[0] == '.') && char.IsDigit(cell[1])));
}
