using ScaleLab.Core.Accounting;
using ScaleLab.Core.Presets;
using static ScaleLab.Core.Tests.Spec.SpecTestJson;

namespace ScaleLab.Core.Tests.Accounting;

public class EstimateReportTests
{
    [Fact]
    public void Estimate_DefaultBatch_Is32ForLayerStacksAnd1ForTransformers()
    {
        Assert.Equal(32, EstimateReport.Create(ModelPresets.Load("lenet-5"), new EstimateOptions()).Batch);
        Assert.Equal(1, EstimateReport.Create(ModelPresets.Load("gpt2-small"), new EstimateOptions()).Batch);
    }

    [Fact]
    public void Estimate_Mixtral_SixNdUsesActiveParameters()
    {
        var r = EstimateReport.Create(ModelPresets.Load("mixtral-8x7b"), new EstimateOptions(SequenceLength: 4096));
        Assert.Equal(6L * 12_879_925_248 * 4096, r.SixNd);
    }

    [Fact]
    public void Estimate_TrainingPerStep_IsTrainingTimesBatch()
    {
        var r = EstimateReport.Create(ModelPresets.Load("mlp-784-1000-500-250"), new EstimateOptions(Batch: 64));
        Assert.Equal(64L * 3 * 2_818_000, r.TrainingFlopsPerStep);
    }

    [Fact]
    public void Estimate_CausalAttention_AppliesToDecodersAndCausalLayersOnly()
    {
        Assert.True(EstimateReport.Create(ModelPresets.Load("gpt2-small"), new EstimateOptions()).HasCausalAttention);
        Assert.False(EstimateReport.Create(ModelPresets.Load("bert-base-uncased"), new EstimateOptions()).HasCausalAttention);
        var causal = Parse(Stack("[8, 16]", """{"type": "residual", "body": [{"type": "attention", "heads": 2, "causal": true}]}"""));
        Assert.True(EstimateReport.Create(causal, new EstimateOptions()).HasCausalAttention);
    }

    [Fact]
    public void Estimate_MixedPrecisionFromFp32_ServesInBf16()
    {
        var r = EstimateReport.Create(ModelPresets.Load("gpt2-small"), new EstimateOptions(MixedPrecision: true));
        Assert.Equal(Precision.Bf16, r.InferencePrecision);
        Assert.Equal(2L * 124_439_808, r.Inference.WeightBytes);
    }
}
