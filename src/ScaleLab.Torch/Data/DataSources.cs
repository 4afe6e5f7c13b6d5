using System.Globalization;
using ScaleLab.Core.Data;
using ScaleLab.Core.Spec;

namespace ScaleLab.Torch.Data;

/// <summary>The one entry point: a <see cref="DataRequest"/> in, a <see cref="DataBundle"/> of three splits out.</summary>
public static class DataSources
{
    public static DataBundle Load(DataRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Source switch
        {
            IdxSource idx => LoadIdx(idx.Set, request),
            CsvSource csv => CsvData.Load(csv, request),
            TextSource text => TextCorpus.Load(text.Path, request),
            _ => throw new ArgumentOutOfRangeException(nameof(request), request.Source, "a data source this loader does not know"),
        };
    }

    private static DataBundle LoadIdx(IdxSet set, DataRequest request)
    {
        string name = set.Name();
        SplitPlan.Validate(request, name);
        var location = DataDirectory.Resolve(name, request.Directory);
        using var fullTrain = IdxDataSet.LoadSplit(location.Path, train: true, name);
        using var fullTest = IdxDataSet.LoadSplit(location.Path, train: false, name);
        if (!fullTrain.Inputs.shape.AsSpan(1).SequenceEqual(fullTest.Inputs.shape.AsSpan(1)))
            throw new DataException(location.Path,
                $"training images are {string.Join('x', fullTrain.Inputs.shape[2..])} but test images are {string.Join('x', fullTest.Inputs.shape[2..])}");
        var plan = SplitPlan.Compute(fullTrain.Count, fullTest.Count, request, location.Path);
        var (train, validation, test) = plan.Apply(fullTrain, fullTest, name);
        var sample = new Shape(fullTrain.Inputs.shape.Skip(1));
        return new DataBundle(train, validation, test, TaskKind.Classification, IdxDataSet.ClassCount, sample, false,
            $"{name} from {location.Path} ({location.Origin}): {I(plan.Train)}/{I(plan.Validation)}/{I(plan.Test)} " +
            $"train/validation/test images of {sample}, pixels / 255")
        {
            ClassNames = IdxDataSet.ClassNames(name),
        };
    }

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
}
