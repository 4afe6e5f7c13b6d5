using ScaleLab.Core;
using ScaleLab.Reports.Data;

namespace ScaleLab.Reports.Tests;

/// <summary>verify.json for the dashboard: one row per model and batch; every refusal names the file and what is wrong.</summary>
public sealed class VerifyResultsReaderTests
{
    private const string Body = """
        "model": "m", "memory": {"tolerance": 0.1}, "time": {"tolerance": 0.2},
        "batches": [
          {"batch": 4, "memory": {"estimated_bytes": 1100, "measured_bytes": 1000, "error": 0.1}, "time": {"predicted_seconds_per_step": null, "measured_seconds_per_step": 0.5, "error": null}},
          {"batch": 8, "memory": {"estimated_bytes": 2400, "measured_bytes": 2000, "error": 0.2}, "time": {"predicted_seconds_per_step": 0.9, "measured_seconds_per_step": 1.0, "error": -0.1}}
        ]
        """;

    private static string Write(string json)
    {
        string path = Path.Combine(Path.GetTempPath(), "scalelab-verify-reader-" + Guid.NewGuid().ToString("N")[..10] + ".json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Read_AVerifyDocument_GivesOneRowPerBatch_WithinToleranceByItsOwnTolerances()
    {
        var rows = VerifyResultsReader.Read(Write("{\"schema\": \"scalelab.verify/2\", " + Body + "}"));
        Assert.Equal([new VerifyRow("m", 4, 1100, 1000, 0.1, null, 0.5, null, true), new VerifyRow("m", 8, 2400, 2000, 0.2, 0.9, 1.0, -0.1, false)], rows);
    }

    [Fact]
    public void Read_ASuite_GivesTheRowsOfEveryModel()
    {
        var rows = VerifyResultsReader.Read(Write("{\"schema\": \"scalelab.verify-suite/1\", \"models\": [{" + Body + "}, {" + Body.Replace("\"m\"", "\"n\"", StringComparison.Ordinal) + "}]}"));
        Assert.Equal(["m", "m", "n", "n"], rows.Select(r => r.Model));
    }

    [Fact]
    public void Should_Throw_If_Schema_Is_Another_Document()
    {
        string path = Write("{\"schema\": \"scalelab.fit/1\"}");
        var ex = Assert.Throws<ScaleLabException>(() => VerifyResultsReader.Read(path));
        Assert.Equal($"{path}: \"schema\" is 'scalelab.fit/1'; expected 'scalelab.verify/2' or 'scalelab.verify-suite/1' (scalelab verify --json)", ex.Message);
    }

    [Fact]
    public void Should_Throw_If_A_Field_Is_Missing()
    {
        string path = Write("{\"schema\": \"scalelab.verify/2\", \"model\": \"m\"}");
        var ex = Assert.Throws<ScaleLabException>(() => VerifyResultsReader.Read(path));
        Assert.Equal($"{path}: no \"batches\" field; expected the document `scalelab verify --json` writes", ex.Message);
    }
}
