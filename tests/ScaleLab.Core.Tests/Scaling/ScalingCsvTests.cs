using ScaleLab.Core.Scaling;

namespace ScaleLab.Core.Tests.Scaling;

public sealed class ScalingCsvTests
{
    private static ScalingTable Parse(string text, ScalingCsvColumns? columns = null) =>
        ScalingCsv.Parse(text.Split('\n'), "runs.csv", columns ?? new ScalingCsvColumns());

    [Fact]
    public void Parse_ParamsTokensLoss_ReadsEveryRowWithItsLine()
    {
        var table = Parse("# published\nparams,tokens,loss\n1e7,1e9,3.5\n\n\"2e7\",2e9,3.1\n");
        Assert.Equal(2, table.Rows.Count);
        Assert.Equal(new ScalingCsvRow(3, 1e7, 1e9, null, 3.5), table.Rows[0]);
        Assert.Equal(new ScalingCsvRow(5, 2e7, 2e9, null, 3.1), table.Rows[1]);
        Assert.False(table.TokensDerived);
        Assert.Equal("runs.csv line 5", table.JointPoints()[1].Source);
    }

    [Fact]
    public void Parse_FlopsWithoutTokens_DerivesTokensAsCOver6N()
    {
        var table = Parse("Params,FLOPs,Loss\n1e8,6e17,3.0\n");
        Assert.True(table.TokensDerived);
        Assert.Equal(1e9, table.Rows[0].Tokens!.Value, 6);
    }

    [Fact]
    public void Parse_RenamedColumns_AreFoundByName()
    {
        var table = Parse("n,d,val\n5,7,0.5\n", new ScalingCsvColumns("n", "d", "c", "val"));
        Assert.Equal(new ScalingCsvRow(2, 5, 7, null, 0.5), table.Rows[0]);
    }

    [Fact]
    public void Parse_NotANumber_NamesFileLineColumnAndValue()
    {
        var ex = Assert.Throws<ScalingCsvException>(() => Parse("params,tokens,loss\n1e7,1e9,3.5\n2e7,2e9,abc\n"));
        Assert.Equal("runs.csv line 3, column 'loss': 'abc' is not a number (write e.g. 1.5e9, with a dot for decimals)", ex.Message);
    }

    [Fact]
    public void Parse_NegativeParams_NamesFileLineColumnAndValue()
    {
        var ex = Assert.Throws<ScalingCsvException>(() => Parse("params,tokens,loss\n-1e7,1e9,3.5\n"));
        Assert.Equal("runs.csv line 2, column 'params': -1e7; it must be a positive, finite number", ex.Message);
    }

    [Fact]
    public void Parse_EmptyCell_IsRejected()
    {
        var ex = Assert.Throws<ScalingCsvException>(() => Parse("params,tokens,loss\n1e7,,3.5\n"));
        Assert.Equal("runs.csv line 2, column 'tokens': empty; every row needs a value here", ex.Message);
    }

    [Fact]
    public void Parse_MissingLossColumn_ListsTheColumns()
    {
        var ex = Assert.Throws<ScalingCsvException>(() => Parse("params,tokens,val_loss\n1,2,3\n"));
        Assert.Equal("runs.csv: no column 'loss' in the header (columns: params, tokens, val_loss); name the loss column with --loss-col", ex.Message);
    }

    [Fact]
    public void Parse_NoSizeColumn_IsRejected()
    {
        var ex = Assert.Throws<ScalingCsvException>(() => Parse("size,loss\n1,2\n"));
        Assert.Equal("runs.csv: none of the size columns 'params', 'tokens', 'flops' is in the header (columns: size, loss); name them with --n-col, --d-col or --c-col", ex.Message);
    }

    [Fact]
    public void Parse_ShortRow_NamesTheLine()
    {
        var ex = Assert.Throws<ScalingCsvException>(() => Parse("params,tokens,loss\n1,2\n"));
        Assert.Equal("runs.csv line 2: 2 fields, but the header has 3 (params, tokens, loss)", ex.Message);
    }

    [Fact]
    public void Parse_HeaderOnly_IsRejected()
    {
        var ex = Assert.Throws<ScalingCsvException>(() => Parse("params,loss\n"));
        Assert.Equal("runs.csv: a header (params, loss) but no data rows", ex.Message);
    }

    [Fact]
    public void Read_MissingFile_NamesIt()
    {
        var ex = Assert.Throws<ScalingCsvException>(() => ScalingCsv.Read("/nonexistent/runs.csv"));
        Assert.Equal("/nonexistent/runs.csv: file not found", ex.Message);
    }
}
