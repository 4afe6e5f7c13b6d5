using ScaleLab.Core.Data;
using ScaleLab.Torch.Data;
using ScaleLab.Torch.Tests.Data;
using ScaleLab.Torch.Training;

namespace ScaleLab.Torch.Tests.Training;

/// <summary>Where a training config's data comes from: its data paths, and --data on top of it.</summary>
public sealed class TrainingTargetDataTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Config(string dataName)
    {
        string path = Path.Combine(_dir.Path, "c.json");
        File.WriteAllText(path, $$$"""{"model": "mlp-784-1000-500-250", "epochs": 1, "data": {"name": "{{{dataName}}}"}}""");
        return path;
    }

    [Fact]
    public void Resolve_DataFileBesideTheConfig_IsReadFromThere()
    {
        File.WriteAllText(Path.Combine(_dir.Path, "corpus.txt"), "hello");
        var (_, config) = TrainingTarget.Resolve(Config("text:corpus.txt"), null, new TrainingOverrides());
        Assert.Equal(new TextSource(Path.Combine(Path.GetFullPath(_dir.Path), "corpus.txt")), config.Data.Source);
    }

    [Fact]
    public void Resolve_DataFileNotBesideTheConfig_StaysRelativeToTheWorkingDirectory()
    {
        var (_, config) = TrainingTarget.Resolve(Config("csv:data/h.csv;target=y"), null, new TrainingOverrides());
        Assert.Equal(new CsvSource("data/h.csv", null, ["y"]), config.Data.Source);
    }

    [Fact]
    public void Resolve_BadDataName_NamesTheFileTheFieldAndTheValue()
    {
        string path = Config("csv:h.csv;colour=red");
        var ex = Assert.Throws<TrainingConfigException>(() => TrainingTarget.Resolve(path, null, new TrainingOverrides()));
        Assert.Equal($"{path}: not a valid training config at $.data.name: unknown CSV option 'colour=red': expected label=COLUMN or target=COLUMN[,COLUMN...]", ex.Message);
    }

    [Fact]
    public void Overrides_DataDirectoryNamedAfterASet_TakesThatSet()
    {
        var data = new TrainingOverrides { Data = "/data/kmnist/" }.Apply(new TrainingConfig()).Data;
        Assert.Equal((new IdxSource(IdxSet.Kmnist), "/data/kmnist/"), (data.Source, data.Directory));
    }

    [Fact]
    public void Overrides_DataSource_ReplacesTheConfigsAndItsDirectory()
    {
        var config = new TrainingConfig { Data = new DataConfig { Directory = "/idx" } };
        var data = new TrainingOverrides { Data = "text:a.txt" }.Apply(config).Data;
        Assert.Equal((new TextSource("a.txt"), (string?)null), (data.Source, data.Directory));
    }

    [Fact]
    public void Overrides_UnknownData_ListsTheValidForms()
    {
        var ex = Assert.Throws<DataSourceException>(() => new TrainingOverrides { Data = "cifar10" }.Apply(new TrainingConfig()));
        Assert.Equal("cifar10: unknown data set 'cifar10': expected fashion-mnist, mnist, kmnist, csv:PATH or text:PATH (or a directory of MNIST-format IDX files)", ex.Message);
    }

    [Fact]
    public void ParseArgument_ExistingFolder_IsADirectoryOfIdxFiles()
    {
        Assert.Equal((DataSource.Default, _dir.Path), DataRequest.ParseArgument(_dir.Path));
    }
}
