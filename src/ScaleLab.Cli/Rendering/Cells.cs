using ScaleLab.Core.Formatting;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ScaleLab.Cli.Rendering;

/// <summary>Table cells and tables in the house look: plain text (never parsed as markup), numbers right-aligned.</summary>
internal static class Cells
{
    public static IRenderable Text(string text) => new Text(text);

    /// <summary>"1,410,750"</summary>
    public static IRenderable Exact(long value) => new Text(HumanUnits.Exact(value)).RightJustified();

    /// <summary>"1.41 M"</summary>
    public static IRenderable Human(double value) => new Text(HumanUnits.Count(value)).RightJustified();

    /// <summary>"1.56 B": a count of parameters, tokens or samples, in the field's thousand/million/billion/trillion.</summary>
    public static IRenderable Things(double value) => new Text(HumanUnits.Things(value)).RightJustified();

    /// <summary>"5.38 MiB"</summary>
    public static IRenderable Bytes(long bytes) => new Text(HumanUnits.Bytes(bytes)).RightJustified();

    /// <summary>"1,410,750 (1.41 M)": a count of things, exact with the human figure beside it.</summary>
    public static IRenderable ExactAndHuman(long value) =>
        new Text(value < 1000 ? HumanUnits.Exact(value) : $"{HumanUnits.Exact(value)} ({HumanUnits.Things(value)})").RightJustified();

    public static IRenderable Dash() => new Text("--").RightJustified();

    /// <summary>A table with a title and columns; names starting with '&gt;' are right-aligned ("&gt;Params").</summary>
    public static Table Table(string? title, params string[] columns)
    {
        var table = new Table().Border(TableBorder.Simple);
        if (title is not null) table.Title = new TableTitle(Markup.Escape(title));
        foreach (string column in columns)
        {
            bool right = column.StartsWith('>');
            var c = new TableColumn(Markup.Escape(right ? column[1..] : column));
            table.AddColumn(right ? c.RightAligned() : c);
        }
        return table;
    }
}
