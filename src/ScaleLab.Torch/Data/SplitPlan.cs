using System.Globalization;

namespace ScaleLab.Torch.Data;

/// <summary>
/// How many samples each split gets, decided once from a request so every source cuts the same way:
/// keep the first TrainFraction of the training samples, cap training and test at Limit, then carve
/// round(kept × ValidationFraction) validation samples from the END of the kept training samples.
/// </summary>
public readonly record struct SplitPlan(long Train, long Validation, long Test)
{
    public static SplitPlan Compute(long trainAvailable, long testAvailable, DataRequest request, string source)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validate(request, source);
        long kept = Math.Max(1, (long)Math.Floor(trainAvailable * request.TrainFraction));
        kept = Math.Min(kept, trainAvailable);
        long test = testAvailable;
        if (request.Limit is long limit)
        {
            kept = Math.Min(kept, limit);
            test = Math.Min(test, limit);
        }
        long validation = (long)Math.Round(kept * request.ValidationFraction, MidpointRounding.AwayFromZero);
        long train = kept - validation;
        if (train < 1)
            throw new DataException(source,
                $"no training samples left: {kept.ToString(CultureInfo.InvariantCulture)} kept, {validation.ToString(CultureInfo.InvariantCulture)} of them for validation; " +
                "lower validation_fraction or raise train_fraction/limit");
        return new SplitPlan(train, validation, test);
    }

    /// <summary>Every request field checked in one place, echoing the bad value and the valid range.</summary>
    public static void Validate(DataRequest request, string source)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!(request.TrainFraction > 0 && request.TrainFraction <= 1))
            throw new DataException(source, $"train_fraction {F(request.TrainFraction)} is out of range: expected 0 < f <= 1");
        if (!(request.ValidationFraction >= 0 && request.ValidationFraction < 1))
            throw new DataException(source, $"validation_fraction {F(request.ValidationFraction)} is out of range: expected 0 <= f < 1");
        if (request.Limit is long limit && limit < 1)
            throw new DataException(source, $"limit {limit.ToString(CultureInfo.InvariantCulture)} is out of range: expected at least 1 sample");
        if (request.SequenceLength < 1)
            throw new DataException(source, $"sequence_length {request.SequenceLength.ToString(CultureInfo.InvariantCulture)} is out of range: expected at least 1");
    }

    /// <summary>Cuts a full training set and a full test set by this plan; the results are views (no copy).</summary>
    public (TensorDataSet Train, TensorDataSet Validation, TensorDataSet Test) Apply(TensorDataSet fullTrain, TensorDataSet fullTest, string name)
    {
        ArgumentNullException.ThrowIfNull(fullTrain);
        ArgumentNullException.ThrowIfNull(fullTest);
        var train = Slice(fullTrain, 0, Train, $"{name}/train");
        var validation = Slice(fullTrain, Train, Validation, $"{name}/validation");
        var test = Slice(fullTest, 0, Test, $"{name}/test");
        return (train, validation, test);
    }

    private static TensorDataSet Slice(TensorDataSet set, long start, long count, string name)
    {
        using var view = set.Slice(start, count);
        return view.Rename(name);
    }

    private static string F(double v) => v.ToString(CultureInfo.InvariantCulture);
}
