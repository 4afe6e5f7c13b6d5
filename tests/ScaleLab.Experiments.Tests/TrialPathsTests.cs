using ScaleLab.Core.Data;
using ScaleLab.Experiments.Sweeps;
using ScaleLab.Torch.Training;

namespace ScaleLab.Experiments.Tests;

/// <summary>A sweep's data paths are made absolute against the sweep file, so every trial process finds them.</summary>
public sealed class TrialPathsTests
{
    private static readonly string Base = Path.GetFullPath("/sweeps/mine");

    [Fact]
    public void Anchor_CsvPathAndDirectory_BecomeAbsoluteKeepingTheOptions()
    {
        var data = TrialPaths.Anchor(new DataConfig { Source = new CsvSource("../data/h.csv", "species", null), Directory = "idx" }, Base);
        Assert.Equal(new CsvSource(Path.GetFullPath("/sweeps/data/h.csv"), "species", null), data.Source);
        Assert.Equal(Path.GetFullPath("/sweeps/mine/idx"), data.Directory);
        Assert.Equal("csv:" + Path.GetFullPath("/sweeps/data/h.csv") + ";label=species", data.Source.Text);
    }

    [Fact]
    public void Anchor_MissingFile_IsAnchoredAnyway()
    {
        // Unlike `train CONFIG` (which keeps a path with no file beside the config relative to the working directory),
        // a trial runs in another directory: the path it is given must not depend on it.
        var data = TrialPaths.Anchor(new DataConfig { Source = new TextSource("no-such.txt") }, Base);
        Assert.Equal(new TextSource(Path.GetFullPath("/sweeps/mine/no-such.txt")), data.Source);
    }

    [Fact]
    public void Anchor_IdxSet_IsUnchanged()
    {
        var data = TrialPaths.Anchor(new DataConfig { Source = new IdxSource(IdxSet.Mnist) }, Base);
        Assert.Equal((new IdxSource(IdxSet.Mnist), (string?)null), (data.Source, data.Directory));
    }
}
