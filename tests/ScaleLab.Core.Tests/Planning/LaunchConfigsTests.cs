using System.Text.Json;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Planning;
using ScaleLab.Core.Planning.Launch;
using ScaleLab.Core.Presets;

namespace ScaleLab.Core.Tests.Planning;

/// <summary>
/// `plan --emit`: every emitted key or flag is one the engine documents, and its value is the plan's. The documented
/// sets were read from the engines' sources (names only):
/// DeepSpeed (deepspeedai/DeepSpeed edaa722): runtime/constants.py (top-level keys), runtime/zero/config.py
/// DeepSpeedZeroConfig, runtime/zero/offload_config.py (OffloadDeviceEnum none|cpu|nvme);
/// PyTorch 2.x torch/distributed/fsdp/fully_sharded_data_parallel.py (FullyShardedDataParallel arguments), api.py
/// (ShardingStrategy, CPUOffload, MixedPrecision), torch/distributed/run.py (torchrun flags);
/// Megatron-LM core_r0.11.0 megatron/training/arguments.py (flags and their choices).
/// </summary>
public class LaunchConfigsTests
{
    private static readonly HashSet<string> DeepSpeedKeys =
    [
        "train_batch_size", "train_micro_batch_size_per_gpu", "gradient_accumulation_steps", "bf16", "bf16.enabled", "fp16", "fp16.enabled",
        "zero_optimization", "zero_optimization.stage", "zero_optimization.offload_optimizer", "zero_optimization.offload_optimizer.device",
        "zero_optimization.offload_param", "zero_optimization.offload_param.device",
    ];

    private static readonly HashSet<string> FsdpKeys =
    [
        "sharding_strategy", "cpu_offload", "cpu_offload.offload_params", "mixed_precision", "mixed_precision.param_dtype",
        "mixed_precision.reduce_dtype", "mixed_precision.buffer_dtype", "backward_prefetch", "forward_prefetch", "limit_all_gathers",
        "use_orig_params", "sync_module_states",
    ];

    private static readonly HashSet<string> TorchrunFlags = ["--nnodes", "--nproc-per-node", "--rdzv-backend", "--rdzv-endpoint", "--rdzv-id"];

    private static readonly Dictionary<string, string[]?> MegatronFlags = new()
    {
        ["--tensor-model-parallel-size"] = null, ["--pipeline-model-parallel-size"] = null, ["--context-parallel-size"] = null,
        ["--expert-model-parallel-size"] = null, ["--sequence-parallel"] = null, ["--micro-batch-size"] = null, ["--global-batch-size"] = null,
        ["--seq-length"] = null, ["--bf16"] = null, ["--fp16"] = null, ["--fp8-format"] = ["e4m3", "hybrid"], ["--use-distributed-optimizer"] = null,
        ["--recompute-granularity"] = ["full", "selective"], ["--recompute-method"] = ["uniform", "block"], ["--recompute-num-layers"] = null,
        ["--num-layers"] = null, ["--hidden-size"] = null, ["--num-attention-heads"] = null, ["--ffn-hidden-size"] = null,
        ["--max-position-embeddings"] = null, ["--group-query-attention"] = null, ["--num-query-groups"] = null, ["--num-experts"] = null,
        ["--moe-router-topk"] = null,
    };

    private static TrainingPlan Llama3(ParallelLayout layout, ActivationRecompute recompute = ActivationRecompute.Full, ComputeFormat format = ComputeFormat.Bf16) =>
        TrainingPlanner.Plan(ModelAccounting.Account(ModelPresets.Load("llama-3-8b"), 8192), HardwareCatalog.H100Sxm, layout,
            new TrainingSetup(1, 8192, format, recompute), tokens: 1e12);

    private static Dictionary<string, JsonElement> Flatten(string json)
    {
        var keys = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        using var doc = JsonDocument.Parse(json);
        void Walk(JsonElement e, string prefix)
        {
            foreach (var p in e.EnumerateObject())
            {
                string key = prefix.Length == 0 ? p.Name : prefix + "." + p.Name;
                keys[key] = p.Value.Clone();
                if (p.Value.ValueKind == JsonValueKind.Object) Walk(p.Value, key);
            }
        }
        Walk(doc.RootElement, "");
        return keys;
    }

    [Fact]
    public void DeepSpeed_Llama3On64GpusZero3_WritesStage3TheBatchAndBf16WithDocumentedKeysOnly()
    {
        var file = LaunchConfigs.For(Llama3(new ParallelLayout(64, Zero: 3)), LaunchEngine.DeepSpeed, 1024).Single();

        var keys = Flatten(file.Text);
        Assert.Equal("ds_config.json", file.Name);
        Assert.Subset(DeepSpeedKeys, keys.Keys.ToHashSet());
        Assert.Equal((1024, 1, 16, 3, true, false), (keys["train_batch_size"].GetInt32(), keys["train_micro_batch_size_per_gpu"].GetInt32(),
            keys["gradient_accumulation_steps"].GetInt32(), keys["zero_optimization.stage"].GetInt32(), keys["bf16.enabled"].GetBoolean(), keys["fp16.enabled"].GetBoolean()));
        Assert.Equal(("none", "none"), (keys["zero_optimization.offload_optimizer.device"].GetString(), keys["zero_optimization.offload_param.device"].GetString()));
    }

    [Fact]
    public void DeepSpeed_BelowStage3_HasNoParameterOffloadKey()
    {
        var keys = Flatten(LaunchConfigs.For(Llama3(new ParallelLayout(64, Zero: 2)), LaunchEngine.DeepSpeed, null).Single().Text);
        Assert.False(keys.ContainsKey("zero_optimization.offload_param"));
        Assert.Equal((64, 1), (keys["train_batch_size"].GetInt32(), keys["gradient_accumulation_steps"].GetInt32()));
    }

    [Fact]
    public void Should_Refuse_DeepSpeed_For_A_Tensor_Parallel_Layout()
    {
        var error = Assert.Throws<PlanningException>(() => LaunchConfigs.For(Llama3(new ParallelLayout(64, Zero: 1, TensorParallel: 4)), LaunchEngine.DeepSpeed, null));
        Assert.Equal("--emit deepspeed: the plan uses --tp 4, --pp 1, --cp 1, --ep 1; ds_config.json describes data parallelism with ZeRO only (pipeline and tensor parallelism are set in the model code): use --emit megatron", error.Message);
    }

    [Fact]
    public void TorchrunFsdp_Zero2_IsShardGradOpInBf16AndTorchrunGetsTheNodesAndBatch()
    {
        var files = LaunchConfigs.For(Llama3(new ParallelLayout(64, Zero: 2)), LaunchEngine.TorchrunFsdp, 256);

        Assert.Equal(["fsdp_config.json", "torchrun.sh"], files.Select(f => f.Name));
        var keys = Flatten(files[0].Text);
        Assert.Subset(FsdpKeys, keys.Keys.ToHashSet());
        Assert.Equal(("SHARD_GRAD_OP", "bfloat16", false), (keys["sharding_strategy"].GetString(), keys["mixed_precision.param_dtype"].GetString(), keys["cpu_offload.offload_params"].GetBoolean()));
        string launcher = files[1].Text;
        var flags = launcher.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("--", StringComparison.Ordinal))
            .TakeWhile(l => !l.StartsWith("--fsdp-config", StringComparison.Ordinal)).Select(l => l.Split('=')[0]).ToList();
        Assert.Equal(TorchrunFlags.Order(), flags.Order());
        Assert.Contains("NNODES=${NNODES:-$(( 64 / GPUS_PER_NODE ))}", launcher, StringComparison.Ordinal);
        Assert.Contains("--gradient-accumulation-steps 4 \\", launcher, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_Refuse_Fsdp_For_Zero1()
    {
        var error = Assert.Throws<PlanningException>(() => LaunchConfigs.For(Llama3(new ParallelLayout(64, Zero: 1)), LaunchEngine.TorchrunFsdp, null));
        Assert.Equal("--emit torchrun-fsdp: FSDP has no ZeRO-1 (optimizer state alone sharded); plan with --zero 2 (SHARD_GRAD_OP) or --zero 3 (FULL_SHARD)", error.Message);
    }

    [Fact]
    public void Megatron_Tp4Pp2Zero1_WritesTheLayoutTheBatchAndLlama3sShapeWithDocumentedFlagsOnly()
    {
        var file = LaunchConfigs.For(Llama3(new ParallelLayout(64, Zero: 1, TensorParallel: 4, PipelineParallel: 2, SequenceParallel: true)), LaunchEngine.Megatron, 512).Single();

        var args = file.Text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("--", StringComparison.Ordinal)).ToList();
        Assert.Equal([
            "--tensor-model-parallel-size 4", "--pipeline-model-parallel-size 2", "--context-parallel-size 1", "--sequence-parallel",
            "--micro-batch-size 1", "--global-batch-size 512", "--seq-length 8192", "--bf16", "--use-distributed-optimizer",
            "--recompute-granularity full", "--recompute-method uniform", "--recompute-num-layers 1", "--num-layers 32", "--hidden-size 4096",
            "--num-attention-heads 32", "--ffn-hidden-size 14336", "--max-position-embeddings 8192", "--group-query-attention", "--num-query-groups 8"], args);
        foreach (string arg in args)
        {
            string[] parts = arg.Split(' ');
            Assert.True(MegatronFlags.TryGetValue(parts[0], out var choices), $"{parts[0]} is not a Megatron-LM flag");
            if (choices is not null) Assert.Contains(parts[1], choices);
        }
    }

    [Fact]
    public void Megatron_Fp8WithTransformerEngine_IsHybridOnBf16()
    {
        var text = LaunchConfigs.For(Llama3(new ParallelLayout(8, Zero: 1), ActivationRecompute.Selective, ComputeFormat.Fp8), LaunchEngine.Megatron, null).Single().Text;
        Assert.Contains("  --bf16\n  --fp8-format hybrid\n", text, StringComparison.Ordinal);
        Assert.Contains("  --recompute-granularity selective\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_Refuse_Megatron_For_Zero3()
    {
        var error = Assert.Throws<PlanningException>(() => LaunchConfigs.For(Llama3(new ParallelLayout(64, Zero: 3)), LaunchEngine.Megatron, null));
        Assert.Equal("--emit megatron: Megatron-LM has no ZeRO-3; its distributed optimizer is ZeRO-1: plan with --zero 1, or use --emit deepspeed", error.Message);
    }

    [Fact]
    public void Should_Refuse_A_Global_Batch_That_Is_Not_Whole_Micro_Batches_On_Every_Rank()
    {
        var error = Assert.Throws<PlanningException>(() => LaunchConfigs.For(Llama3(new ParallelLayout(64, Zero: 3)), LaunchEngine.DeepSpeed, 100));
        Assert.Equal("--global-batch 100 is not a multiple of --micro-batch 1 × data-parallel 64 = 64; the engines accumulate whole micro-batches", error.Message);
    }

    [Fact]
    public void Should_Refuse_An_Unknown_Engine()
    {
        var error = Assert.Throws<PlanningException>(() => LaunchEngineInfo.Parse("horovod"));
        Assert.Equal("--emit 'horovod': not an engine; use deepspeed, torchrun-fsdp, megatron", error.Message);
    }
}
