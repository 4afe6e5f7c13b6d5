using ScaleLab.Core.Data;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Data;
using TorchSharp;

namespace ScaleLab.Torch.Tests.Data;

public sealed class CsvDataTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string text, string name = "t.csv")
    {
        string path = _dir.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>20 rows: x, y features and a species label that is "b" exactly when x > 9.</summary>
    private string Flowers()
    {
        var lines = new List<string> { "x,y,species" };
        for (int i = 0; i < 20; i++) lines.Add($"{i},{i % 3},{(i > 9 ? "b" : "a")}");
        return Write(string.Join('\n', lines) + "\n");
    }

    [Fact]
    public void Load_LastColumnLabel_GivesClassificationWithSortedClassNames()
    {
        using var bundle = DataSources.Load(new DataRequest(new CsvSource(Flowers(), null, null), ValidationFraction: 0.25, Seed: 3));
        Assert.Equal(TaskKind.Classification, bundle.Task);
        Assert.Equal(2, bundle.Classes);
        Assert.Equal(["a", "b"], bundle.ClassNames!);
        Assert.Equal(Shape.Of(2), bundle.SampleShape);
        Assert.Equal((12, 4, 4), (bundle.Train.Count, bundle.Validation.Count, bundle.Test.Count));
        // Features are standardised on the training split: mean 0, population std 1 per column.
        var mean = bundle.Train.Inputs.mean([0]).data<float>().ToArray();
        var std = bundle.Train.Inputs.std(0, unbiased: false).data<float>().ToArray();
        Assert.All(mean, m => Assert.Equal(0, m, 5));
        Assert.All(std, s => Assert.Equal(1, s, 5));
    }

    [Fact]
    public void Load_LabelsStayWithTheirRowsAfterTheShuffle()
    {
        using var bundle = DataSources.Load(new DataRequest(new CsvSource(Flowers(), "species", null), ValidationFraction: 0, Seed: 11));
        // Standardised x is monotone in raw x, so label b ⇔ x above the standardised value of 9.5 ⇔ the top half of x.
        var all = torch.cat([bundle.Train.Inputs, bundle.Test.Inputs]);
        var labels = torch.cat([bundle.Train.Targets, bundle.Test.Targets]).data<long>().ToArray();
        var x = all[.., 0].data<float>().ToArray();
        float threshold = x.Order().ElementAt(9);
        for (int i = 0; i < x.Length; i++) Assert.Equal(x[i] > threshold ? 1L : 0L, labels[i]);
    }

    [Fact]
    public void Load_TargetColumns_GiveRegressionWithRawTargets()
    {
        string path = Write("a,b,price\n1,2,10.5\n2,3,20\n3,4,30\n4,5,40\n5,6,50\n");
        using var bundle = DataSources.Load(new DataRequest(new CsvSource(path, null, ["price"]), ValidationFraction: 0));
        Assert.Equal(TaskKind.Regression, bundle.Task);
        Assert.Equal(0, bundle.Classes);
        Assert.Equal(1, bundle.TargetCount);
        Assert.Equal([4L, 1], bundle.Train.Targets.shape);
        var targets = torch.cat([bundle.Train.Targets, bundle.Test.Targets]).flatten().data<float>().ToArray();
        Assert.Equal([10.5f, 20, 30, 40, 50], targets.Order());
    }

    [Fact]
    public void ClassOrder_NumericLabels_SortNumerically()
    {
        Assert.Equal(["2", "10", "100"], CsvData.ClassOrder(["10", "2", "100", "2"]));
    }

    [Fact]
    public void Load_NonNumericFeature_NamesFileLineColumnAndValue()
    {
        string path = Write("a,b,label\n1,2,x\n3,oops,y\n");
        var ex = Assert.Throws<DataException>(() => DataSources.Load(new DataRequest(new CsvSource(path, null, null))));
        Assert.Equal($"{path}: line 3, column 'b': 'oops' is not a finite number (features and regression targets must be numeric, e.g. 3.5 or -1e-3)", ex.Message);
    }

    [Fact]
    public void Load_MissingHeader_IsAnError()
    {
        string path = Write("1,2,3\n4,5,6\n");
        var ex = Assert.Throws<DataException>(() => DataSources.Load(new DataRequest(new CsvSource(path, null, null))));
        Assert.Equal($"{path}: line 1: the first line must be a header naming the columns, but column 1 is the number '1'", ex.Message);
    }

    [Fact]
    public void Load_RowWithWrongCellCount_NamesTheLine()
    {
        string path = Write("a,b,label\n1,2,x\n\n3,y\n");
        var ex = Assert.Throws<DataException>(() => DataSources.Load(new DataRequest(new CsvSource(path, null, null))));
        Assert.Equal($"{path}: line 4: has 2 cells, the header has 3 columns", ex.Message);
    }

    [Fact]
    public void Load_UnknownColumn_ListsTheColumns()
    {
        string path = Write("a,b,label\n1,2,x\n");
        var ex = Assert.Throws<DataException>(() => DataSources.Load(new DataRequest(new CsvSource(path, null, ["c"]))));
        Assert.Equal($"{path}: has no column 'c'; its columns are a, b, label", ex.Message);
    }

    [Fact]
    public void Load_UnknownOption_SaysWhichAreValid()
    {
        var ex = Assert.Throws<DataSourceException>(() => DataSource.Parse("csv:f.csv;colour=red"));
        Assert.Equal("f.csv: unknown CSV option 'colour=red': expected label=COLUMN or target=COLUMN[,COLUMN...]", ex.Message);
    }

    [Fact]
    public void Load_MissingFile_NamesIt()
    {
        string path = _dir.File("absent.csv");
        var ex = Assert.Throws<DataException>(() => DataSources.Load(new DataRequest(new CsvSource(path, null, null))));
        Assert.Equal($"{path}: file not found", ex.Message);
    }

    [Fact]
    public void Split_QuotedFieldsWithCommasAndQuotes_AreOneCell()
    {
        Assert.Equal(["a,b", "say \"hi\"", ""], CsvReader.Split("\"a,b\",\"say \"\"hi\"\"\",", "f", 1));
    }

    [Fact]
    public void Split_UnclosedQuote_NamesTheLine()
    {
        var ex = Assert.Throws<DataException>(() => CsvReader.Split("\"abc,d", "f.csv", 7));
        Assert.Equal("f.csv: line 7: a quoted field is not closed", ex.Message);
    }
}
