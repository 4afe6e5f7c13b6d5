using System.Text.Json;
using System.Text.Json.Serialization;
using ScaleLab.Core.Json;

namespace ScaleLab.Core.Tests.Json;

/// <summary>The one convention every --json document is written with (ScaleLabJson.Document and its helpers).</summary>
public sealed class ScaleLabJsonDocumentTests
{
    private sealed record Sample(string Schema, long FileBytes, double? ValLoss,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Note);

    private sealed record Fields([property: JsonConverter(typeof(TextFieldsConverter))] IReadOnlyList<KeyValuePair<string, string>> Metadata);

    [Fact]
    public void Document_KeepsTheRecordOrder_WritesUnknownFiguresAsNull_AndLeavesOutOptionalKeys()
    {
        string json = JsonSerializer.Serialize(new Sample("scalelab.test/1", 1024, null, null), ScaleLabJson.CompactDocument);
        Assert.Equal("""{"schema":"scalelab.test/1","file_bytes":1024,"val_loss":null}""", json);
    }

    [Fact]
    public void Document_WritesAnOptionalKeyWhenItHasAValue()
    {
        string json = JsonSerializer.Serialize(new Sample("scalelab.test/1", 0, 0.5, "tokens from FLOPs"), ScaleLabJson.CompactDocument);
        Assert.Equal("""{"schema":"scalelab.test/1","file_bytes":0,"val_loss":0.5,"note":"tokens from FLOPs"}""", json);
    }

    [Fact]
    public void Write_IsIndentedAndKeepsTextReadable()
    {
        string json = ScaleLabJson.Write(new Sample("scalelab.test/1", 1, 2, "64 routed + 2 shared · s×s, it's"));
        Assert.Equal("{\n  \"schema\": \"scalelab.test/1\",\n  \"file_bytes\": 1,\n  \"val_loss\": 2,\n  \"note\": \"64 routed + 2 shared · s×s, it's\"\n}",
            json.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Finite_TurnsWhatJsonCannotHoldIntoNull(double value) => Assert.Null(ScaleLabJson.Finite(value));

    [Fact]
    public void Finite_KeepsNumbersAndNull()
    {
        Assert.Equal(0.25, ScaleLabJson.Finite(0.25));
        Assert.Null(ScaleLabJson.Finite(null));
    }

    [Fact]
    public void TextFields_AreOneObjectInTheFileOrder()
    {
        var pairs = new[] { KeyValuePair.Create("zeta", "1"), KeyValuePair.Create("alpha", "2") };
        Assert.Equal("""{"metadata":{"zeta":"1","alpha":"2"}}""", JsonSerializer.Serialize(new Fields(pairs), ScaleLabJson.CompactDocument));
    }
}
