using ScaleLab.Core.Data;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Data;
using TorchSharp;

namespace ScaleLab.Torch.Tests.Data;

public sealed class IdxDataSetTests : IDisposable
{
    private static readonly string Embedded = Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist");
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Load_EmbeddedFashionMnist_Gives9000TrainAnd1000ValidationAnd2000TestImages()
    {
        using var bundle = DataSources.Load(new DataRequest(DataSource.Default, Directory: Embedded));
        Assert.Equal(9000, bundle.Train.Count);
        Assert.Equal(1000, bundle.Validation.Count);
        Assert.Equal(2000, bundle.Test.Count);
        Assert.Equal(Shape.Of(1, 28, 28), bundle.SampleShape);
        Assert.Equal(TaskKind.Classification, bundle.Task);
        Assert.Equal(10, bundle.Classes);
        Assert.Equal("Ankle boot", bundle.ClassNames![9]);
        Assert.Equal([9000L, 1, 28, 28], bundle.Train.Inputs.shape);
        Assert.Equal(torch.ScalarType.Float32, bundle.Train.Inputs.dtype);
        Assert.Equal(torch.ScalarType.Int64, bundle.Train.Targets.dtype);
        // Pixels / 255: the first image's byte sum is 76247 in the official file.
        Assert.Equal(76247 / 255.0, bundle.Train.Inputs[0].sum().item<float>(), 2);
        Assert.Equal(1.0f, bundle.Train.Inputs.max().item<float>());
        Assert.Equal(0.0f, bundle.Train.Inputs.min().item<float>());
        Assert.Equal(new long[] { 9, 0, 0, 3, 0 }, bundle.Train.Targets[..5].data<long>().ToArray());
        // Validation is the END of the training file: sample 9000 of train-images.
        Assert.True(bundle.Validation.Inputs[0].eq(LoadRaw()[9000]).all().item<bool>());
        Assert.Equal(new long[] { 9, 2, 1, 1, 6 }, bundle.Test.Targets[..5].data<long>().ToArray());
        Assert.Contains("fashion-mnist from " + Embedded, bundle.Description, StringComparison.Ordinal);
    }

    private static torch.Tensor LoadRaw()
    {
        using var set = IdxDataSet.LoadSplit(Embedded, train: true, "fashion-mnist");
        return set.Inputs.clone();
    }

    [Fact]
    public void Load_TrainFractionAndLimit_CutTheTrainingSplitFromTheFront()
    {
        using var bundle = DataSources.Load(new DataRequest(DataSource.Default, Directory: Embedded, TrainFraction: 0.5, ValidationFraction: 0.2, Limit: 3000));
        Assert.Equal(2400, bundle.Train.Count);
        Assert.Equal(600, bundle.Validation.Count);
        Assert.Equal(2000, bundle.Test.Count);
    }

    [Fact]
    public void Load_ImagesAndLabelsCountMismatch_NamesBothFilesAndCounts()
    {
        IdxBytes.WriteSet(_dir.Path, train: 5, test: 3);
        File.WriteAllBytes(_dir.File("train-labels-idx1-ubyte"), IdxBytes.Labels(4));
        var ex = Assert.Throws<DataException>(() => DataSources.Load(new DataRequest(DataSource.Default, Directory: _dir.Path)));
        Assert.Equal($"{_dir.File("train-images-idx3-ubyte")}: holds 5 images but {_dir.File("train-labels-idx1-ubyte")} holds 4 labels; the counts must match", ex.Message);
    }

    [Fact]
    public void Load_LabelOutOfRange_NamesTheIndexAndValue()
    {
        IdxBytes.WriteSet(_dir.Path, train: 5, test: 3);
        File.WriteAllBytes(_dir.File("t10k-labels-idx1-ubyte"), IdxBytes.Array([3], [1, 12, 0]));
        var ex = Assert.Throws<DataException>(() => DataSources.Load(new DataRequest(DataSource.Default, Directory: _dir.Path)));
        Assert.Equal($"{_dir.File("t10k-labels-idx1-ubyte")}: label 12 at index 1 is out of range: MNIST-format labels are 0 to 9", ex.Message);
    }

    [Fact]
    public void Load_ImagesOfWrongRank_AreRejected()
    {
        IdxBytes.WriteSet(_dir.Path, train: 5, test: 3);
        File.WriteAllBytes(_dir.File("train-images-idx3-ubyte"), IdxBytes.Labels(5));
        var ex = Assert.Throws<DataException>(() => DataSources.Load(new DataRequest(DataSource.Default, Directory: _dir.Path)));
        Assert.Equal($"{_dir.File("train-images-idx3-ubyte")}: images must be a rank-3 IDX array (N, rows, columns), found rank 1", ex.Message);
    }

    [Fact]
    public void Load_TruncatedImagesInADirectory_NamesTheFile()
    {
        IdxBytes.WriteSet(_dir.Path, train: 5, test: 3);
        File.WriteAllBytes(_dir.File("t10k-images-idx3-ubyte"), IdxBytes.Images(3)[..^1]);
        var ex = Assert.Throws<DataException>(() => DataSources.Load(new DataRequest(DataSource.Default, Directory: _dir.Path)));
        Assert.Equal($"{_dir.File("t10k-images-idx3-ubyte")}: truncated: header declares 3x2x2 = 12 bytes of data, found 11", ex.Message);
    }

    [Fact]
    public void Load_MixedRawAndGzipFiles_AreFoundByEitherName()
    {
        IdxBytes.WriteSet(_dir.Path, train: 10, test: 4);
        var raw = File.ReadAllBytes(_dir.File("train-images-idx3-ubyte"));
        File.Delete(_dir.File("train-images-idx3-ubyte"));
        File.WriteAllBytes(_dir.File("train-images-idx3-ubyte.gz"), IdxBytes.Gzip(raw));
        using var bundle = DataSources.Load(new DataRequest(DataSource.Default, Directory: _dir.Path, ValidationFraction: 0.2));
        Assert.Equal(8, bundle.Train.Count);
        Assert.Equal(2, bundle.Validation.Count);
        Assert.Equal(Shape.Of(1, 2, 2), bundle.SampleShape);
        Assert.Equal([0f, 1 / 255f, 2 / 255f, 3 / 255f], bundle.Train.Inputs[0].flatten().data<float>().ToArray());
    }
}
