using System.Text.Json;
using ScaleLab.Core.Data;
using ScaleLab.Core.Json;

namespace ScaleLab.Core.Tests.Data;

public sealed class DataSourceTests
{
    [Theory]
    [InlineData("fashion-mnist", IdxSet.FashionMnist)]
    [InlineData("mnist", IdxSet.Mnist)]
    [InlineData("kmnist", IdxSet.Kmnist)]
    public void Parse_SetName_IsThatIdxSet(string text, IdxSet set) =>
        Assert.Equal(new IdxSource(set), DataSource.Parse(text));

    [Fact]
    public void Parse_Csv_ReadsPathLabelAndTargets()
    {
        Assert.Equal(new CsvSource("iris.csv", null, null), DataSource.Parse("csv:iris.csv"));
        Assert.Equal(new CsvSource("data/iris.csv", "species", null), DataSource.Parse("csv:data/iris.csv;label=species"));
        Assert.Equal(new CsvSource("/abs/houses.csv", null, ["price", "rent"]), DataSource.Parse("csv:/abs/houses.csv;target=price, rent"));
    }

    [Fact]
    public void Parse_Text_KeepsTheWholePath() =>
        Assert.Equal(new TextSource("data/a;b.txt"), DataSource.Parse("text:data/a;b.txt"));

    [Theory]
    [InlineData("cifar10", "cifar10: unknown data set 'cifar10': expected fashion-mnist, mnist, kmnist, csv:PATH or text:PATH (or a directory of MNIST-format IDX files)")]
    [InlineData("MNIST", "MNIST: unknown data set 'MNIST': expected fashion-mnist, mnist, kmnist, csv:PATH or text:PATH (or a directory of MNIST-format IDX files)")]
    [InlineData("", ": unknown data set '': expected fashion-mnist, mnist, kmnist, csv:PATH or text:PATH (or a directory of MNIST-format IDX files)")]
    [InlineData("text:", "text:: no file path after 'text:'; expected text:PATH, e.g. text:data/alice.txt")]
    [InlineData("csv:", "csv:: no file path after 'csv:'; expected csv:PATH[;label=COLUMN|;target=COLUMN,...], e.g. csv:iris.csv;label=species")]
    [InlineData("csv:;label=y", "csv:;label=y: no file path after 'csv:'; expected csv:PATH[;label=COLUMN|;target=COLUMN,...], e.g. csv:iris.csv;label=species")]
    [InlineData("csv:f.csv;colour=red", "f.csv: unknown CSV option 'colour=red': expected label=COLUMN or target=COLUMN[,COLUMN...]")]
    [InlineData("csv:f.csv;label=", "f.csv: unknown CSV option 'label=': expected label=COLUMN or target=COLUMN[,COLUMN...]")]
    [InlineData("csv:f.csv;", "f.csv: unknown CSV option '': expected label=COLUMN or target=COLUMN[,COLUMN...]")]
    [InlineData("csv:f.csv;target=a,,b", "f.csv: target 'a,,b' has an empty column name; expected target=COLUMN[,COLUMN...]")]
    [InlineData("csv:f.csv;label=y;target=a", "f.csv: give either label=COLUMN (classification) or target=COLUMNS (regression), not both")]
    public void Parse_Invalid_ThrowsNamingTheValue(string text, string message)
    {
        var ex = Assert.Throws<DataSourceException>(() => DataSource.Parse(text));
        Assert.Equal(message, ex.Message);
    }

    public static TheoryData<DataSource> Sources() =>
    [
        new IdxSource(IdxSet.FashionMnist), new IdxSource(IdxSet.Mnist), new IdxSource(IdxSet.Kmnist),
        new CsvSource("iris.csv", null, null), new CsvSource("/data/iris.csv", "species", null),
        new CsvSource("houses.csv", null, ["price"]), new CsvSource("houses.csv", null, ["price", "rent", "tax"]),
        new TextSource("alice.txt"), new TextSource("/abs/dir with space/a;b.txt"),
    ];

    [Theory]
    [MemberData(nameof(Sources))]
    public void Parse_OfText_GivesTheSameSource(DataSource source)
    {
        var back = DataSource.Parse(source.Text);
        Assert.Equal(source, back);
        Assert.Equal(source.GetHashCode(), back.GetHashCode());
        Assert.Equal(source.Text, source.ToString());
    }

    [Theory]
    [InlineData("csv:h.csv;target=a, b", "csv:h.csv;target=a,b")]
    [InlineData("csv:h.csv;label=x;label=y", "csv:h.csv;label=y")]
    public void Text_IsCanonical(string text, string canonical) => Assert.Equal(canonical, DataSource.Parse(text).Text);

    [Fact]
    public void Equality_ComparesTargetsByValue()
    {
        Assert.Equal(new CsvSource("h.csv", null, ["a", "b"]), new CsvSource("h.csv", null, new List<string> { "a", "b" }));
        Assert.NotEqual(new CsvSource("h.csv", null, ["a", "b"]), new CsvSource("h.csv", null, ["b", "a"]));
        Assert.NotEqual(new CsvSource("h.csv", null, []), new CsvSource("h.csv", null, null));
        Assert.NotEqual<DataSource>(new TextSource("h.csv"), new CsvSource("h.csv", null, null));
    }

    [Theory]
    [InlineData("fashion-mnist", true)]
    [InlineData("csv:x", true)]
    [InlineData("text:x", true)]
    [InlineData("csv:", true)]
    [InlineData("data/mnist", false)]
    [InlineData("cifar10", false)]
    public void HasSourceForm_TellsSourcesFromDirectories(string text, bool expected) => Assert.Equal(expected, DataSource.HasSourceForm(text));

    [Fact]
    public void WithPathsRelativeTo_Always_AnchorsEveryPath()
    {
        string baseDir = Path.GetFullPath("/sweeps/base");
        Assert.Equal(new TextSource(Path.GetFullPath("/sweeps/base/missing.txt")), new TextSource("missing.txt").WithPathsRelativeTo(baseDir, PathAnchoring.Always));
        Assert.Equal(new CsvSource(Path.GetFullPath("/sweeps/data/h.csv"), null, ["p"]), new CsvSource("../data/h.csv", null, ["p"]).WithPathsRelativeTo(baseDir, PathAnchoring.Always));
        Assert.Equal(new TextSource(Path.GetFullPath("/abs/b.txt")), new TextSource("/abs/x/../b.txt").WithPathsRelativeTo(baseDir, PathAnchoring.Always));
        Assert.Equal(new IdxSource(IdxSet.Mnist), new IdxSource(IdxSet.Mnist).WithPathsRelativeTo(baseDir, PathAnchoring.Always));
    }

    [Fact]
    public void WithPathsRelativeTo_WhereFileExists_AnchorsOnlyFilesThatAreThere()
    {
        string dir = Directory.CreateTempSubdirectory("scalelab-source-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "here.csv"), "a,b\n1,2\n");
            Assert.Equal(new CsvSource(Path.Combine(dir, "here.csv"), "b", null), new CsvSource("here.csv", "b", null).WithPathsRelativeTo(dir, PathAnchoring.WhereFileExists));
            // Not beside the base: kept relative to the working directory.
            Assert.Equal(new TextSource("elsewhere.txt"), new TextSource("elsewhere.txt").WithPathsRelativeTo(dir, PathAnchoring.WhereFileExists));
            Assert.Equal(new TextSource("/abs/x/../b.txt"), new TextSource("/abs/x/../b.txt").WithPathsRelativeTo(dir, PathAnchoring.WhereFileExists));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private sealed record Holder(DataSource Name);

    [Fact]
    public void Json_IsTheText()
    {
        var options = ScaleLabJson.StrictInput;
        Assert.Contains("\"name\": \"csv:h.csv;target=a,b\"", JsonSerializer.Serialize(new Holder(new CsvSource("h.csv", null, ["a", "b"])), options), StringComparison.Ordinal);
        Assert.Equal(new Holder(new TextSource("a.txt")), JsonSerializer.Deserialize<Holder>("{\"name\": \"text:a.txt\"}", options));
    }

    [Theory]
    [InlineData("{\"name\": \"svhn\"}", "unknown data set 'svhn': expected fashion-mnist, mnist, kmnist, csv:PATH or text:PATH (or a directory of MNIST-format IDX files)")]
    [InlineData("{\"name\": null}", "is null; give a data source (fashion-mnist, mnist, kmnist, csv:PATH or text:PATH) or leave the key out")]
    [InlineData("{\"name\": 3}", "expected a data source name, got Number")]
    public void Json_Invalid_ThrowsTheProblem(string json, string message)
    {
        var ex = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Holder>(json, ScaleLabJson.StrictInput));
        Assert.Equal(message, ex.Message);
    }
}
