using ScaleLab.Core.Accounting;
using ScaleLab.Core.NumberFormats;
using ScaleLab.Core.Planning;
using ScaleLab.Core.Presets;

namespace ScaleLab.Core.Tests.Planning;

/// <summary>Serving with stored weight formats and scaled KV caches: Llama-2-7B (32 layers × 32 KV heads × 128) at 4,096 tokens.</summary>
public class ServingFormatsTests
{
    private const long Values = 2L * 32 * 32 * 128 * 4096;   // K and V per sequence: 2 GiB in fp16

    private static ModelCost Llama2 => ModelAccounting.Account(ModelPresets.Load("llama-2-7b"), 4096);

    [Fact]
    public void Q4KM_Weights_AreTheRecipesBytes_AndTheCacheStaysFp16()
    {
        var storage = WeightRecipes.Find("q4_k_m")!.Store(Llama2.Spec.Transformer!, Llama2.Parameters);
        var plan = ServingFormatsPlanner.Plan(Llama2, HardwareCatalog.Rtx4090, 4096, 1, Precision.Fp16, new ServingFormats(storage, null));
        Assert.Equal(4_080_263_168, plan.WeightBytes);
        Assert.Equal(Values * 2, plan.KvCacheBytesPerSequence);
        Assert.Equal(("q4_k_m", "fp16", ComputeFormat.Fp16), (plan.WeightFormatName, plan.KvFormatName, plan.ComputeFormat));
        // A decode step streams the weights at the recipe's average bits (the untied embedding rows are not read).
        double perParameter = 8.0 * 4_080_263_168 / Llama2.Parameters;
        Assert.Equal((perParameter / 8 * (Llama2.Parameters - (32_000L * 4096))) + (Values * 2), plan.BytesReadPerStep, 1.0);
    }

    [Theory]
    [InlineData("int8", (Values * 8 / 8) + (Values / 128 * 4))]   // 1 byte each + fp16 scale and zero per head and token
    [InlineData("int4", (Values / 2) + (Values / 128 * 4))]
    [InlineData("q8_0", Values / 32 * 34)]
    [InlineData("q4_0", Values / 32 * 18)]
    [InlineData("fp8", Values)]
    public void ScaledKvCache_HasItsFormatsBytes(string name, long bytes)
    {
        var plan = ServingFormatsPlanner.Plan(Llama2, HardwareCatalog.L4, 4096, 1, Precision.Fp16, new ServingFormats(null, KvFormats.Find(name)));
        Assert.Equal(bytes, plan.KvCacheBytesPerSequence);
        Assert.Equal(2 * Llama2.Parameters, plan.WeightBytes);
    }

    [Fact]
    public void Fp8Weights_MultiplyInFp8_OnlyWhereTheDeviceHasIt()
    {
        var storage = WeightRecipes.Find("fp8-e4m3")!.Store(Llama2.Spec.Transformer!, Llama2.Parameters);
        var formats = new ServingFormats(storage, null);
        Assert.Equal(ComputeFormat.Fp8, ServingFormatsPlanner.Plan(Llama2, HardwareCatalog.H100Sxm, 4096, 1, Precision.Fp16, formats).ComputeFormat);
        Assert.Equal(ComputeFormat.Fp16, ServingFormatsPlanner.Plan(Llama2, HardwareCatalog.A100Sxm80GB, 4096, 1, Precision.Fp16, formats).ComputeFormat);
    }
}
