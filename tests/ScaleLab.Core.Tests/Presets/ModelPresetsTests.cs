using ScaleLab.Core.Accounting;
using ScaleLab.Core.Presets;
using ScaleLab.Core.Targets;

namespace ScaleLab.Core.Tests.Presets;

public class ModelPresetsTests
{
    [Theory]
    [InlineData("mlp-784-1000-500-250")]
    [InlineData("keras-mnist-cnn")]
    [InlineData("pytorch-10-100-1")]
    [InlineData("lenet-300-100")]
    [InlineData("lenet-5")]
    [InlineData("resnet-18")]
    [InlineData("resnet-50")]
    public void Presets_IncludeTheLayerStacks(string name) => Assert.Contains(name, ModelPresets.Names);

    [Fact]
    public void Presets_EveryOneLoadsAndCounts()
    {
        foreach (string name in ModelPresets.Names)
        {
            var spec = ModelPresets.Load(name);
            Assert.Equal(name, spec.Name);
            Assert.Equal("preset:" + name, spec.Source);
            Assert.True(ModelAccounting.Account(spec).Parameters > 0, name);
        }
    }

    [Fact]
    public void Should_Reject_An_Unknown_Preset_Listing_The_Known_Ones()
    {
        var ex = Assert.Throws<UnknownPresetException>(() => ModelPresets.Load("resnet-19"));
        Assert.StartsWith("unknown preset 'resnet-19'; presets: ", ex.Message);
        Assert.Contains("resnet-18", ex.Message);
    }

    [Fact]
    public void Resolve_PresetName_GivesItsSpec()
    {
        var target = Assert.IsType<ModelTarget>(TargetResolver.Resolve("lenet-5"));
        Assert.Equal(TargetOrigin.Preset, target.Origin);
        Assert.Equal("lenet-5", target.Spec.Name);
    }

    [Fact]
    public void Resolve_SpecFile_ReadsIt()
    {
        string path = Path.Combine(Path.GetTempPath(), $"scalelab-target-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, ModelPresets.Json("lenet-300-100"));
        try
        {
            var target = Assert.IsType<ModelTarget>(TargetResolver.Resolve(path));
            Assert.Equal(TargetOrigin.SpecFile, target.Origin);
            Assert.Equal(266_610, ModelAccounting.Account(target.Spec).Parameters);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Resolve_HuggingFaceConfigFile_ImportsIt()
    {
        string config = Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf", "gpt2", "config.json");
        var target = Assert.IsType<ModelTarget>(TargetResolver.Resolve(config));
        Assert.Equal(TargetOrigin.HuggingFaceConfig, target.Origin);
        Assert.Equal(124_439_808, ModelAccounting.Account(target.Spec).Parameters);
    }

    [Fact]
    public void Resolve_FolderWithConfigJson_ImportsIt()
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf", "Mistral-7B-v0.1");
        var target = Assert.IsType<ModelTarget>(TargetResolver.Resolve(folder));
        Assert.Equal(TargetOrigin.HuggingFaceConfig, target.Origin);
        Assert.Equal(7_241_732_096, ModelAccounting.Account(target.Spec).Parameters);
    }

    [Theory]
    [InlineData("model.safetensors", CheckpointFormat.Safetensors)]
    [InlineData("model.safetensors.index.json", CheckpointFormat.SafetensorsIndex)]
    [InlineData("tiny.Q4_0.gguf", CheckpointFormat.Gguf)]
    public void Resolve_WeightsFile_IsACheckpoint(string fileName, CheckpointFormat format)
    {
        string folder = Directory.CreateTempSubdirectory("scalelab-ckpt-").FullName;
        string path = Path.Combine(folder, fileName);
        File.WriteAllBytes(path, [0]);
        try
        {
            var target = Assert.IsType<CheckpointTarget>(TargetResolver.Resolve(path));
            Assert.Equal(format, target.Format);
            Assert.Equal(path, target.Path);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public void Should_Reject_A_Missing_Path() =>
        Assert.Equal("models/nope.json: no such file or folder",
            Assert.Throws<ScaleLabException>(() => TargetResolver.Resolve("models/nope.json")).Message);

    [Fact]
    public void Should_Reject_An_Empty_Target() =>
        Assert.Equal("empty target; give a preset name, a spec .json, a config.json or a checkpoint",
            Assert.Throws<ScaleLabException>(() => TargetResolver.Resolve("")).Message);

    [Fact]
    public void Should_Reject_A_File_Of_Another_Kind()
    {
        string path = Path.Combine(Path.GetTempPath(), $"scalelab-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, "hello");
        try
        {
            Assert.Equal($"{path}: not a model target; expected a .json spec or config, .safetensors, .gguf, or a preset name",
                Assert.Throws<ScaleLabException>(() => TargetResolver.Resolve(path)).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Should_Reject_A_Folder_Without_A_Model()
    {
        string folder = Directory.CreateTempSubdirectory("scalelab-empty-").FullName;
        try
        {
            Assert.Equal($"{folder}: a folder without config.json, model.safetensors or model.safetensors.index.json",
                Assert.Throws<ScaleLabException>(() => TargetResolver.Resolve(folder)).Message);
        }
        finally
        {
            Directory.Delete(folder);
        }
    }
}
