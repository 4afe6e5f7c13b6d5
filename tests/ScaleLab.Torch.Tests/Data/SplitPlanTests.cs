using ScaleLab.Core.Data;
using ScaleLab.Torch.Data;

namespace ScaleLab.Torch.Tests.Data;

public sealed class SplitPlanTests
{
    [Fact]
    public void Compute_Defaults_CarveTenPercentValidation()
    {
        Assert.Equal(new SplitPlan(54000, 6000, 10000), SplitPlan.Compute(60000, 10000, new DataRequest(), "x"));
    }

    [Fact]
    public void Compute_FractionThenLimitThenValidation()
    {
        var plan = SplitPlan.Compute(60000, 10000, new DataRequest(DataSource.Default, TrainFraction: 0.25, ValidationFraction: 0.1, Limit: 8000), "x");
        Assert.Equal(new SplitPlan(7200, 800, 8000), plan);
    }

    [Fact]
    public void Compute_NoValidation_KeepsEverythingForTraining()
    {
        Assert.Equal(new SplitPlan(7, 0, 3), SplitPlan.Compute(7, 3, new DataRequest(DataSource.Default, ValidationFraction: 0), "x"));
    }

    [Fact]
    public void Compute_NothingLeftForTraining_SaysWhatToChange()
    {
        var ex = Assert.Throws<DataException>(() => SplitPlan.Compute(1, 1, new DataRequest(DataSource.Default, ValidationFraction: 0.5), "set"));
        Assert.Equal("set: no training samples left: 1 kept, 1 of them for validation; lower validation_fraction or raise train_fraction/limit", ex.Message);
    }

    [Theory]
    [InlineData(0.0, 0.1, 5L, 64, "train_fraction 0 is out of range: expected 0 < f <= 1")]
    [InlineData(1.5, 0.1, 5L, 64, "train_fraction 1.5 is out of range: expected 0 < f <= 1")]
    [InlineData(1.0, 1.0, 5L, 64, "validation_fraction 1 is out of range: expected 0 <= f < 1")]
    [InlineData(1.0, -0.1, 5L, 64, "validation_fraction -0.1 is out of range: expected 0 <= f < 1")]
    [InlineData(1.0, 0.1, 0L, 64, "limit 0 is out of range: expected at least 1 sample")]
    [InlineData(1.0, 0.1, 5L, 0, "sequence_length 0 is out of range: expected at least 1")]
    public void Validate_OutOfRangeField_EchoesTheValueAndTheRange(double train, double validation, long limit, int sequence, string problem)
    {
        var ex = Assert.Throws<DataException>(() => SplitPlan.Validate(new DataRequest(DataSource.Default, TrainFraction: train, ValidationFraction: validation, Limit: limit, SequenceLength: sequence), "req"));
        Assert.Equal("req: " + problem, ex.Message);
    }
}
