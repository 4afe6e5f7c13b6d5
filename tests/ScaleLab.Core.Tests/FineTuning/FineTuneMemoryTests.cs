using ScaleLab.Core.Accounting;
using ScaleLab.Core.FineTuning;
using ScaleLab.Core.Planning;
using ScaleLab.Core.Presets;

namespace ScaleLab.Core.Tests.FineTuning;

/// <summary>
/// LoRA and QLoRA memory, category by category, against hand formulas for Llama-2-7B (32 layers, d = 4096,
/// f = 11,008, v = 32,000; 6,738,415,616 parameters, of which 32 × (4·4096² + 3·4096·11,008) = 6,476,005,376 sit in the
/// block matrices) at s = 4096, b = 1, bf16, FlashAttention, no dropout (Llama's config).
/// NF4 storage (Dettmers et al. 2023, §2–3; bitsandbytes quantize_4bit, blocksize 64, compress_statistics): n/2 bytes of
/// codes + n/64 one-byte block scales + 4 bytes per 256 blocks.
/// </summary>
public class FineTuneMemoryTests
{
    private const long S = 4096, D = 4096, F = 11_008, V = 32_000, Base = 6_738_415_616, BlockElements = 6_476_005_376;
    private const long Adapters = 4_194_304;   // r = 8 on q, v

    private static ModelCost Llama2 => ModelAccounting.Account(ModelPresets.Load("llama-2-7b"), S);

    private static TrainingSetup QLora(ActivationRecompute recompute = ActivationRecompute.Full, LoraConfig? lora = null) =>
        new(1, S, Recompute: recompute, FineTune: new FineTuneSetup(FineTuneMethod.Qlora, lora ?? new LoraConfig()));

    private static long Nf4(long n) => (n / 2) + (n / 64) + (4 * (n / 64 / 256));

    [Fact]
    public void Nf4_BitsPerWeight_Is4Point127()
    {
        Assert.Equal(4.126953125, Nf4Storage.BitsPerWeight);
        Assert.Equal(8_654_848, Nf4Storage.Bytes(4096L * 4096));          // 8,388,608 + 262,144 + 4,096
        Assert.Equal(Nf4(4096L * 11_008), Nf4Storage.Bytes(4096L * 11_008));
        Assert.Equal(Nf4Storage.BitsPerWeight, Nf4Storage.Bytes(4096L * 4096) * 8.0 / (4096L * 4096));
    }

    [Fact]
    public void QLora_Llama2_7B_OnRtx4090_EachCategoryMatchesItsFormula()
    {
        var plan = ParallelMemory.Plan(Llama2, HardwareCatalog.Rtx4090, ParallelLayout.Single, QLora());
        var ft = plan.FineTune!;
        long frozen = (32 * ((4 * Nf4(D * D)) + (3 * Nf4(D * F)))) + ((Base - BlockElements) * 2);   // NF4 matrices + bf16 embeddings, head, norms
        Assert.Equal(3_865_591_808, frozen);
        Assert.Equal(frozen, ft.FrozenWeights);
        Assert.Equal(Adapters, ft.TrainableParameters);
        Assert.Equal(Base + Adapters, ft.TotalParameters);
        Assert.Equal(4 * Adapters, ft.AdapterWeights);          // fp32 adapters
        Assert.Equal(4 * Adapters, ft.AdapterGradients);        // fp32 gradients
        Assert.Equal(8 * Adapters, ft.OptimizerState);          // Adam moments, fp32
        long activations = (32 * 2 * S * D) + (2 * 2 * S * D) + (4 * S * V);   // checkpointed layer inputs; final norm, head input, fp32 logits
        Assert.Equal(activations, ft.BaseActivations);
        Assert.Equal(0, ft.AdapterActivations);                 // recomputed with the layer
        Assert.Equal(frozen + (16 * Adapters) + activations, plan.TotalBytes);
        Assert.True(plan.Fits);                                 // 5.21 GiB of 22.35 GiB
    }

    [Fact]
    public void Lora_WithoutRecompute_AddsTheRWideIntermediatePerTargetedMatrix()
    {
        var setup = new TrainingSetup(1, S, FineTune: new FineTuneSetup(FineTuneMethod.Lora, new LoraConfig()));
        var plan = ParallelMemory.Plan(Llama2, HardwareCatalog.A100Sxm80GB, ParallelLayout.Single, setup);
        Assert.Equal(2 * Base, plan.FineTune!.FrozenWeights);                         // bf16 base
        Assert.Equal(S * 32 * 2 * (2 * 8), plan.FineTune.AdapterActivations);         // A·x: 8 bf16 values, q and v, every layer
        var full = ParallelMemory.Plan(Llama2, HardwareCatalog.A100Sxm80GB, ParallelLayout.Single, setup with { FineTune = null });
        Assert.Equal(full.Activations, plan.FineTune.BaseActivations);                // the frozen layers keep the training inventory
    }

    [Fact]
    public void Lora_Dropout_KeepsTheDroppedInputAndItsMaskPerTargetedMatrix()
    {
        var setup = new TrainingSetup(1, S, FineTune: new FineTuneSetup(FineTuneMethod.Lora, new LoraConfig(Dropout: 0.05)));
        var plan = ParallelMemory.Plan(Llama2, HardwareCatalog.A100Sxm80GB, ParallelLayout.Single, setup);
        Assert.Equal(S * 32 * 2 * ((2 * 8) + (3 * D)), plan.FineTune!.AdapterActivations);
    }

    [Fact]
    public void QLora_Zero3On4Gpus_ShardsTheFrozenBaseAndTheAdapterState()
    {
        var single = ParallelMemory.Plan(Llama2, HardwareCatalog.Rtx4090, ParallelLayout.Single, QLora()).FineTune!;
        var sharded = ParallelMemory.Plan(Llama2, HardwareCatalog.Rtx4090, new ParallelLayout(4, Zero: 3), QLora()).FineTune!;
        Assert.Equal((single.FrozenWeights + 3) / 4, sharded.FrozenWeights);
        Assert.Equal(Adapters, sharded.AdapterWeights);   // 4 B × Ψ / 4
        Assert.Equal(single.BaseActivations, sharded.BaseActivations);
    }

    [Fact]
    public void Should_Reject_TensorParallel_For_Adapters() =>
        Assert.Equal("--finetune qlora plans data parallelism with ZeRO; --tp, --pp, --cp and --ep are not modelled for adapters",
            Assert.Throws<PlanningException>(() => ParallelMemory.Plan(Llama2, HardwareCatalog.Rtx4090, new ParallelLayout(2, TensorParallel: 2), QLora())).Message);

    [Fact]
    public void Should_Reject_Adapters_On_A_Layer_Stack() =>
        Assert.Equal("--finetune qlora is modelled for transformer specs only; a layer stack has no attention or FFN matrices to adapt",
            Assert.Throws<PlanningException>(() => ParallelMemory.Plan(ModelAccounting.Account(ModelPresets.Load("lenet-5")), HardwareCatalog.Rtx4090, ParallelLayout.Single, QLora())).Message);

    [Fact]
    public void SmallestLayout_ForAdapters_UsesDataParallelOnly()
    {
        var big = ModelAccounting.Account(ModelPresets.Load("mixtral-8x7b"), 4096);
        var plan = TrainingPlanner.Plan(big, HardwareCatalog.Rtx4090, ParallelLayout.Single, QLora());
        Assert.False(plan.Memory.Fits);
        Assert.NotNull(plan.Smallest);
        Assert.Equal(1, plan.Smallest.Layout.TensorParallel * plan.Smallest.Layout.PipelineParallel);
    }
}

public class FineTuneComputeTests
{
    [Fact]
    public void Lora_Flops_DropTheFrozenWeightsGradientMatmuls()
    {
        // Full training: 3 × forward. LoRA: forward + input gradients = 2 × the weight matmuls + 3 × attention.
        var cost = ModelAccounting.Account(ModelPresets.Load("llama-2-7b"), 4096);
        var setup = new TrainingSetup(1, 4096, Recompute: ActivationRecompute.Full, FineTune: new FineTuneSetup(FineTuneMethod.Lora, new LoraConfig()));
        var plan = TrainingPlanner.Plan(cost, HardwareCatalog.A100Sxm80GB, ParallelLayout.Single, setup, tokens: 1e9);
        double weights = cost.ForwardFlops - (2.0 * cost.AttentionMacs), attention = 2.0 * cost.AttentionMacs;
        Assert.Equal(((2 * weights) + (3 * attention)) / 4096, plan.Compute!.TrainingFlopsPerToken, 1e-3);
        Assert.Equal(plan.Compute.TrainingFlopsPerToken * 1e9, plan.Compute.ExactFlops, 1.0);
    }
}
