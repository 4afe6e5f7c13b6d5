using ScaleLab.Core;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Presets;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Tests.Accounting;

/// <summary>Issue 2's memory figures: bytes of model state per parameter for each optimizer and precision.</summary>
public class MemoryEstimatorTests
{
    private const long N = 1_410_750;   // the seed MLP
    private static readonly ModelCost Mlp = ModelAccounting.Account(ModelPresets.Load("mlp-784-1000-500-250"));

    private static TrainingMemory Train(OptimizerKind optimizer, Precision precision = Precision.Fp32, bool mixed = false, long batch = 1) =>
        MemoryEstimator.Training(Mlp, new TrainingMemoryOptions(precision, optimizer, mixed, batch));

    [Fact]
    public void Training_MixedPrecisionAdam_Is16BytesPerParameter()
    {
        var m = Train(OptimizerKind.Adam, Precision.Bf16, mixed: true);
        Assert.Equal(2 * N, m.WeightBytes);
        Assert.Equal(2 * N, m.GradientBytes);
        Assert.Equal(4 * N, m.MasterWeightBytes);
        Assert.Equal(8 * N, m.OptimizerStateBytes);
        Assert.Equal(16 * N, m.ModelStateBytes);
    }

    [Fact]
    public void Training_MixedPrecisionFromFp32_ComputesInBf16() =>
        Assert.Equal(2 * N, Train(OptimizerKind.Adam, Precision.Fp32, mixed: true).WeightBytes);

    [Fact]
    public void Training_Fp32Adam_Is16BytesPerParameter()
    {
        var m = Train(OptimizerKind.Adam);
        Assert.Equal(16 * N, m.ModelStateBytes);
        Assert.Equal(0, m.MasterWeightBytes);
    }

    [Fact]
    public void Training_Fp32AdamW_EqualsAdam() => Assert.Equal(16 * N, Train(OptimizerKind.AdamW).ModelStateBytes);

    [Fact]
    public void Training_Fp32Sgd_Is8BytesPerParameter() => Assert.Equal(8 * N, Train(OptimizerKind.Sgd).ModelStateBytes);

    [Fact]
    public void Training_Fp32SgdMomentum_Is12BytesPerParameter() => Assert.Equal(12 * N, Train(OptimizerKind.SgdMomentum).ModelStateBytes);

    /// <summary>torch.optim.RMSprop keeps square_avg per parameter, and momentum_buffer only when momentum &gt; 0.</summary>
    [Fact]
    public void Training_Fp32RmsProp_KeepsOneValuePerParameterAndTwoWithMomentum()
    {
        Assert.Equal(4 * N, Train(OptimizerKind.RmsProp).OptimizerStateBytes);
        Assert.Equal(8 * N, Train(OptimizerKind.RmsPropMomentum).OptimizerStateBytes);
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd, 0.9, OptimizerKind.SgdMomentum)]
    [InlineData(OptimizerKind.RmsProp, 0.5, OptimizerKind.RmsPropMomentum)]
    [InlineData(OptimizerKind.RmsProp, 0.0, OptimizerKind.RmsProp)]
    [InlineData(OptimizerKind.Adam, 0.9, OptimizerKind.Adam)]
    public void WithMomentum_NamesTheKindWhoseStateARunKeeps(OptimizerKind kind, double momentum, OptimizerKind expected) =>
        Assert.Equal(expected, kind.WithMomentum(momentum));

    [Fact]
    public void Should_Name_Every_Optimizer_When_One_Is_Unknown() =>
        Assert.Equal("--optimizer 'lion' is not an optimizer; use sgd, sgd_momentum, adam, adamw, adam8bit, rmsprop or rmsprop_momentum",
            Assert.Throws<ScaleLabException>(() => OptimizerKindInfo.Parse("lion", "--optimizer")).Message);

    [Fact]
    public void Training_Adam8Bit_KeepsTwoBytesOfStatePerParameter()
    {
        Assert.Equal(2 * N, Train(OptimizerKind.Adam8Bit).OptimizerStateBytes);
        Assert.Equal(10 * N, Train(OptimizerKind.Adam8Bit).ModelStateBytes);
    }

    [Fact]
    public void Training_PureBf16Adam_Is8BytesPerParameter() => Assert.Equal(8 * N, Train(OptimizerKind.Adam, Precision.Bf16).ModelStateBytes);

    [Fact]
    public void Training_Activations_ScaleWithBatchAndPrecision()
    {
        Assert.Equal(3_784L * 32 * 4, Train(OptimizerKind.Adam, batch: 32).ActivationBytes);
        Assert.Equal(3_784L * 32 * 2, Train(OptimizerKind.Adam, Precision.Fp16, mixed: true, batch: 32).ActivationBytes);
    }

    [Fact]
    public void Training_Total_IsTheSumOfItsParts()
    {
        var m = MemoryEstimator.Training(ModelAccounting.Account(ModelPresets.Load("resnet-18")), new TrainingMemoryOptions(Precision.Fp16, OptimizerKind.Adam, true, 8));
        Assert.Equal(m.WeightBytes + m.GradientBytes + m.OptimizerStateBytes + m.MasterWeightBytes + m.ActivationBytes + m.BufferBytes, m.TotalBytes);
        Assert.True(m.BufferBytes > 0);
    }

    [Fact]
    public void Training_BatchNormBuffers_StayFp32UnderMixedPrecision()
    {
        var cost = ModelAccounting.Account(ModelPresets.Load("resnet-18"));
        var m = MemoryEstimator.Training(cost, new TrainingMemoryOptions(Precision.Fp16, OptimizerKind.Sgd, true));
        Assert.Equal(4 * cost.Buffers, m.BufferBytes);
    }

    [Fact]
    public void Inference_SeedMlp_Fp16_IsWeightsPlusPeakLiveActivations()
    {
        var m = MemoryEstimator.Inference(Mlp, new InferenceMemoryOptions(Precision.Fp16));
        Assert.Equal(2 * N, m.WeightBytes);
        Assert.Equal(0, m.KvCacheBytes);
        Assert.Equal(2 * 2_000, m.ActivationBytes);   // ReLU after linear 1: 1000 in + 1000 out
        Assert.Equal(m.WeightBytes + m.ActivationBytes, m.TotalBytes);
    }

    [Fact]
    public void KvCache_Gpt2SmallShape_At1024Tokens_Fp16()
    {
        var t = new TransformerSpec { DModel = 768, Layers = 12, Heads = 12 };
        Assert.Equal(2L * 12 * 12 * 64 * 1024 * 2, MemoryEstimator.KvCacheBytes(t, 1024, 1, Precision.Fp16));
    }

    [Fact]
    public void KvCache_GroupedQuery_UsesKvHeads()
    {
        // Mistral-7B: 32 layers, 8 KV heads of 128, 4096 tokens, fp16: 512 MiB.
        var t = new TransformerSpec { DModel = 4096, Layers = 32, Heads = 32, KvHeads = 8 };
        Assert.Equal(536_870_912, MemoryEstimator.KvCacheBytes(t, 4096, 1, Precision.Fp16));
    }

    [Theory]
    [InlineData(Precision.Fp32, 5_643_000)]
    [InlineData(Precision.Bf16, 2_821_500)]
    [InlineData(Precision.Int8, 1_410_750)]
    [InlineData(Precision.Int4, 705_375)]
    public void Disk_SeedMlp_FollowsThePrecision(Precision precision, long bytes) =>
        Assert.Equal(bytes, MemoryEstimator.DiskBytes(Mlp, precision));

    [Fact]
    public void Should_Reject_A_Training_Batch_Below_One() =>
        Assert.Equal("batch 0: it must be at least 1",
            Assert.Throws<ScaleLabException>(() => Train(OptimizerKind.Sgd, batch: 0)).Message);

    [Fact]
    public void Should_Reject_An_Inference_Batch_Below_One() =>
        Assert.Equal("batch -1: it must be at least 1",
            Assert.Throws<ScaleLabException>(() => MemoryEstimator.Inference(Mlp, new InferenceMemoryOptions(Precision.Fp16, -1))).Message);

    [Theory]
    [InlineData("sgd", OptimizerKind.Sgd)]
    [InlineData("sgd_momentum", OptimizerKind.SgdMomentum)]
    [InlineData("adamw", OptimizerKind.AdamW)]
    [InlineData("adam8bit", OptimizerKind.Adam8Bit)]
    [InlineData("rmsprop", OptimizerKind.RmsProp)]
    [InlineData("rmsprop_momentum", OptimizerKind.RmsPropMomentum)]
    public void OptimizerNames_RoundTrip(string name, OptimizerKind kind)
    {
        Assert.True(OptimizerKindInfo.TryParse(name, out var parsed));
        Assert.Equal(kind, parsed);
        Assert.Equal(name, kind.Name());
    }
}
