using ScaleLab.Core.Data;
using ScaleLab.Torch.Data;

namespace ScaleLab.Torch.Tests.Data;

public sealed class DataDirectoryTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    private string Dir(string name) => Path.Combine(_root.Path, name);

    [Fact]
    public void Resolve_PrefersEnvironmentOverFetchedOverSystemOverEmbedded()
    {
        IdxBytes.WriteSet(Path.Combine(Dir("env"), "mnist"), 2, 2);
        IdxBytes.WriteSet(Path.Combine(Dir("system"), "mnist"), 2, 2);
        IdxBytes.WriteSet(Path.Combine(Dir("embedded"), "mnist"), 2, 2);
        Assert.Equal("$SCALELAB_DATA/mnist", DataDirectory.Resolve("mnist", null, Dir("env"), Dir("system"), Dir("embedded"), fetchRoot: Dir("fetched")).Origin);
        Assert.Equal("system", DataDirectory.Resolve("mnist", null, Dir("nothing"), Dir("system"), Dir("embedded"), fetchRoot: Dir("fetched")).Origin);
        IdxBytes.WriteSet(Path.Combine(Dir("fetched"), "mnist"), 2, 2);
        Assert.Equal("fetched", DataDirectory.Resolve("mnist", null, Dir("nothing"), Dir("system"), Dir("embedded"), fetchRoot: Dir("fetched")).Origin);
        Directory.Delete(Dir("fetched"), recursive: true);
        var embedded = DataDirectory.Resolve("mnist", null, Dir("nothing"), Dir("nothing"), Dir("embedded"), fetchRoot: Dir("fetched"));
        Assert.Equal("embedded", embedded.Origin);
        Assert.Equal(Path.Combine(Dir("embedded"), "mnist"), embedded.Path);
    }

    [Fact]
    public void Resolve_EnvironmentDirectoryItselfMayHoldTheFiles()
    {
        IdxBytes.WriteSet(Dir("flat"), 2, 2);
        var found = DataDirectory.Resolve("kmnist", null, Dir("flat"), Dir("none"), Dir("none"), fetchRoot: Dir("fetched"));
        Assert.Equal("$SCALELAB_DATA", found.Origin);
        Assert.Equal(Dir("flat"), found.Path);
    }

    [Fact]
    public void Resolve_ExplicitDirectoryWithoutFiles_NamesTheMissingOnes()
    {
        IdxBytes.WriteSet(Dir("partial"), 2, 2);
        File.Delete(Path.Combine(Dir("partial"), "t10k-labels-idx1-ubyte"));
        IdxBytes.WriteSet(Path.Combine(Dir("system"), "mnist"), 2, 2);   // present, but an explicit directory is never skipped
        var ex = Assert.Throws<DataException>(() => DataDirectory.Resolve("mnist", Dir("partial"), null, Dir("system"), Dir("none"), fetchRoot: Dir("fetched")));
        Assert.Equal($"{Dir("partial")}: missing t10k-labels-idx1-ubyte[.gz] (an MNIST-format directory holds the four IDX files " +
                     "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, raw or .gz)", ex.Message);
    }

    [Fact]
    public void Resolve_ExplicitDirectoryThatDoesNotExist_SaysSo()
    {
        var ex = Assert.Throws<DataException>(() => DataDirectory.Resolve("mnist", Dir("absent"), null, Dir("none"), Dir("none"), fetchRoot: Dir("fetched")));
        Assert.Equal($"{Dir("absent")}: data directory not found", ex.Message);
    }

    [Fact]
    public void Resolve_NothingFound_ListsEveryPlaceLookedAndHowToGetTheData()
    {
        var ex = Assert.Throws<DataException>(() => DataDirectory.Resolve("mnist", null, Dir("env"), Dir("system"), Dir("embedded"), fetchRoot: Dir("fetched")));
        Assert.Equal($"mnist: no MNIST-format files found; looked in {Path.Combine(Dir("env"), "mnist")}, {Dir("env")}, " +
                     $"{Path.Combine(Dir("fetched"), "mnist")}, " +
                     $"{Path.Combine(Dir("system"), "mnist")}, {Path.Combine(Dir("embedded"), "mnist")}. " +
                     "Pass --data DIR, set $SCALELAB_DATA, or run `scalelab data fetch mnist`", ex.Message);
    }

    [Fact]
    public void EmbeddedRoot_BesideTheTestBinary_HoldsFashionMnist()
    {
        var found = DataDirectory.Resolve("fashion-mnist", null, Dir("none"), Dir("none"), fetchRoot: Dir("fetched"));
        Assert.Equal("embedded", found.Origin);
        Assert.True(found.HasFiles);
    }

    [Fact]
    public void FromArgument_ReadsNamesFormsAndDirectories()
    {
        Assert.Equal(new DataRequest(new IdxSource(IdxSet.Mnist)), DataRequest.FromArgument("mnist"));
        Assert.Equal(new DataRequest(new CsvSource("x.csv", "y", null)), DataRequest.FromArgument("csv:x.csv;label=y"));
        Assert.Equal(new DataRequest(new IdxSource(IdxSet.Kmnist), "/data/kmnist/"), DataRequest.FromArgument("/data/kmnist/"));
        Assert.Equal(new DataRequest(DataSource.Default, "/data/other", Limit: 5), DataRequest.FromArgument("/data/other", new DataRequest(DataSource.Default, Limit: 5)));
    }
}
