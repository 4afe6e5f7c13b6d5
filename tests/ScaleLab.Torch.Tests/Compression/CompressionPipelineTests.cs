using ScaleLab.Core.Data;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Building;
using ScaleLab.Torch.Compression;
using ScaleLab.Torch.Data;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Tests.Compression;

/// <summary>
/// End to end on real data (the embedded Fashion-MNIST subset): a small MLP is trained, then compressed; the file must
/// really shrink, load back into a fresh module and evaluate identically, and cost little accuracy. Serial: the
/// lottery-ticket test rebuilds initial weights from the seed, so no other collection may draw from torch's global
/// generator meanwhile (ParameterParityTests builds dozens of modules).
/// </summary>
[Collection(ScaleLab.Torch.Tests.Training.SerialTorchCollection.Name)]
public sealed class CompressionPipelineTests : IClassFixture<CompressionPipelineTests.TrainedMlp>, IDisposable
{
    private readonly TrainedMlp _trained;
    private readonly string _dir = Directory.CreateTempSubdirectory("scalelab-compress-").FullName;

    public CompressionPipelineTests(TrainedMlp trained) => _trained = trained;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public sealed class TrainedMlp : IDisposable
    {
        public TrainedMlp()
        {
            set_num_threads(2);
            Data = DataSources.Load(new DataRequest(DataSource.Default, DataDirectory.EmbeddedRoot + "/fashion-mnist", Limit: 4000, ValidationFraction: 0.1));
            Spec = new ModelSpec
            {
                Name = "mlp-128-64",
                Source = "test",
                Input = Data.SampleShape,
                Layers = [new FlattenLayer(), new LinearLayer(128), new ActivationLayer(ActivationKind.Relu), new LinearLayer(64), new ActivationLayer(ActivationKind.Relu), new LinearLayer(10)],
            };
            manual_seed(0);
            var model = ModuleBuilder.Build(Spec);
            FineTuner.Run(model, Data.Train, new FineTuneOptions(4, 64), CPU, new FineTuneHooks());
            State = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        }

        public DataBundle Data { get; }
        public ModelSpec Spec { get; }
        public Dictionary<string, Tensor> State { get; }

        public nn.Module<Tensor, Tensor> Fresh()
        {
            var model = ModuleBuilder.Build(Spec);
            model.load_state_dict(State);
            model.eval();
            return model;
        }

        public void Dispose() => Data.Dispose();
    }

    private CompressionResult Compress(CompressionRequest request) =>
        new CompressionPipeline(_trained.Spec, _trained.Fresh(), _trained.Data).Run(request with { Threads = 2 }, _dir);

    [Fact]
    public void Int8_PerChannel_QuartersTheFile_LoadsBackIdentically_AndKeepsAccuracy()
    {
        var r = Compress(new CompressionRequest { Quantize = WeightQuantization.Int8, FinetuneEpochs = 0 });
        Assert.True(r.ReloadedIdentically);
        Assert.InRange(r.FileRatio, 0.2, 0.27);
        Assert.True(r.Accuracy > r.BaselineAccuracy - 0.01, $"{r.Accuracy} vs {r.BaselineAccuracy}");
        Assert.NotNull(r.Int8RuntimeAccuracy);
        Assert.True(r.Int8RuntimeAccuracy > r.BaselineAccuracy - 0.02, $"ONNX Runtime int8 {r.Int8RuntimeAccuracy} vs {r.BaselineAccuracy}");
        Assert.True(r.StaticInt8RuntimeAccuracy > r.BaselineAccuracy - 0.03, $"static int8 {r.StaticInt8RuntimeAccuracy} vs {r.BaselineAccuracy}");
        Assert.True(r.StaticInt8Accuracy > r.BaselineAccuracy - 0.03, $"simulated static int8 {r.StaticInt8Accuracy} vs {r.BaselineAccuracy}");
    }

    [Fact]
    public void Prune90_WithFineTuning_StoresSparse_AndHasTheRequestedZeros()
    {
        var r = Compress(new CompressionRequest { Prune = 0.9, FinetuneEpochs = 4, LearningRate = 2e-3 });
        Assert.True(r.ReloadedIdentically);
        Assert.True(r.FileRatio <= 0.25, $"file {r.FileRatio:P1} of fp32");
        // 90% of the 100,480 + 8,192 + 640 weights are zero; the 202 biases stay.
        long weights = 784 * 128 + 128 * 64 + 64 * 10;
        Assert.Equal(weights - (long)(0.9 * 784 * 128) - (long)(0.9 * 128 * 64) - (long)(0.9 * 64 * 10) + 202, r.NonZeroParameters);
        Assert.True(r.Accuracy > r.BaselineAccuracy - 0.05, $"{r.Accuracy} vs {r.BaselineAccuracy}");
    }

    [Fact]
    public void GradualPruning_ReachesTheFinalSparsityExactly()
    {
        var r = Compress(new CompressionRequest { Prune = 0.8, Gradual = true, FinetuneEpochs = 1 });
        long weights = 784 * 128 + 128 * 64 + 64 * 10;
        Assert.Equal(weights - (long)(0.8 * 784 * 128) - (long)(0.8 * 128 * 64) - (long)(0.8 * 64 * 10) + 202, r.NonZeroParameters);
        Assert.True(r.ReloadedIdentically);
    }

    [Fact]
    public void LotteryTicket_RewindsSurvivorsToTheirInitialValues()
    {
        // With no retraining, every stored weight is either pruned or exactly its value at initialisation (seed 0).
        var r = Compress(new CompressionRequest { Prune = 0.8, Rewind = true, FinetuneEpochs = 0 });
        manual_seed(0);
        var initial = ModuleBuilder.Build(_trained.Spec).state_dict();
        var (tensors, _) = CompressedModelFile.Read(r.ArtifactPath);
        var stored = tensors["layers.1.weight"].Values;
        var init = initial["layers.1.weight"].data<float>().ToArray();
        Assert.Equal(784 * 128 - (int)(0.8 * 784 * 128), stored.Count(v => v != 0));
        Assert.All(Enumerable.Range(0, stored.Length), i => Assert.True(stored[i] == 0 || stored[i] == init[i]));
        Assert.Equal("ticket 80%", r.Label);
    }

    [Fact]
    public void Int4_GroupWise_FileIsAtMostFifteenPercent()
    {
        var r = Compress(new CompressionRequest { Quantize = WeightQuantization.Int4, GroupSize = 64, FinetuneEpochs = 0 });
        Assert.True(r.ReloadedIdentically);
        Assert.True(r.FileRatio <= 0.15, $"file {r.FileRatio:P1} of fp32");
        Assert.True(r.Accuracy > r.BaselineAccuracy - 0.05, $"{r.Accuracy} vs {r.BaselineAccuracy}");
    }

    [Fact]
    public void StructuredHalf_BuildsASmallerModel_ThatTheEstimatorCountsAsSmaller()
    {
        var r = Compress(new CompressionRequest { Prune = 0.5, Structured = true, FinetuneEpochs = 1 });
        Assert.True(r.ReloadedIdentically);
        Assert.Equal(784 * 64 + 64 + 64 * 32 + 32 + 32 * 10 + 10, r.Parameters);
        var (spec, _) = CompressionPipeline.Load(r.ArtifactPath);
        Assert.Equal(r.Parameters, ScaleLab.Core.Accounting.ModelAccounting.Account(spec).Parameters);
    }

    [Fact]
    public void Distillation_ReportsTheSameStudentFromScratch()
    {
        var student = _trained.Spec with { Layers = [new FlattenLayer(), new LinearLayer(32), new ActivationLayer(ActivationKind.Relu), new LinearLayer(10)] };
        manual_seed(1);
        var r = new CompressionPipeline(student, ModuleBuilder.Build(student), _trained.Data) { Teacher = _trained.Fresh() }
            .Run(new CompressionRequest { Threads = 2, FinetuneEpochs = 1 }, _dir);
        Assert.NotNull(r.ScratchAccuracy);
        Assert.Contains(r.Steps, s => s.StartsWith("distillation (T=4, α=0.7)", StringComparison.Ordinal));
        Assert.True(r.Accuracy > 0.6, $"student {r.Accuracy}");
    }
}
