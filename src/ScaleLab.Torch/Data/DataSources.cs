using System.Globalization;
using ScaleLab.Core.Spec;

namespace ScaleLab.Torch.Data;

/// <summary>The one entry point: a <see cref="DataRequest"/> in, a <see cref="DataBundle"/> of three splits out.</summary>
public static class DataSources
{
    /// <summary>The MNIST-format sets known by name.</summary>
    public static readonly IReadOnlyList<string> IdxNames = ["fashion-mnist", "mnist", "kmnist"];

    public static DataBundle Load(DataRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string name = request.Name;
        if (name.StartsWith("csv:", StringComparison.Ordinal)) return CsvData.Load(name, request);
        if (name.StartsWith("text:", StringComparison.Ordinal)) return TextCorpus.Load(name[5..], request);
        if (IdxNames.Contains(name)) return LoadIdx(name, request);
        throw new DataException(name,
            $"unknown data set '{name}': expected {string.Join(", ", IdxNames)}, csv:PATH or text:PATH (or a directory of MNIST-format IDX files)");
    }

    private static DataBundle LoadIdx(string name, DataRequest request)
    {
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
