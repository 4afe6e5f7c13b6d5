using System.Text.Json.Serialization;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Data;

namespace ScaleLab.Torch.Training;

/// <summary>
/// How to train: every option of `scalelab train`, as a JSON file with snake_case keys (see docs/training.md).
/// Defaults are the seed documents' choices (Adam, lr 1e-3, batch 64). <see cref="TrainingConfigValidator"/> checks
/// a loaded config; <see cref="TrainingConfigJson"/> reads and writes it.
/// </summary>
public sealed record TrainingConfig
{
    /// <summary>Optional model: a preset name or a spec file (relative to the config file), so a config alone is runnable.</summary>
    public string? Model { get; init; }

    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 64;

    /// <summary>
    /// sgd | sgd_momentum | adam | adamw | rmsprop | rmsprop_momentum, the names `estimate --optimizer` takes
    /// (<see cref="OptimizerKindInfo"/>); adam8bit is estimate-only.
    /// </summary>
    [JsonConverter(typeof(OptimizerKindJsonConverter))]
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Peak learning rate (the schedule scales it; one-cycle climbs to it).</summary>
    public double Lr { get; init; } = 1e-3;

    /// <summary>SGD and RMSprop momentum; 0 with sgd_momentum or rmsprop_momentum means <see cref="OptimizerKindInfo.DefaultMomentum"/> (see <see cref="ResolvedMomentum"/>).</summary>
    public double Momentum { get; init; }
    public bool Nesterov { get; init; }

    /// <summary>L2 penalty added to the gradient (sgd, adam, rmsprop) or decoupled decay (adamw, Loshchilov &amp; Hutter 2019).</summary>
    public double WeightDecay { get; init; }

    /// <summary>L1 penalty: l1 · sign(w) is added to every gradient (the subgradient of l1 · Σ|w|).</summary>
    public double L1 { get; init; }

    public double[] Betas { get; init; } = [0.9, 0.999];
    public double Eps { get; init; } = 1e-8;

    /// <summary>RMSprop smoothing constant (PyTorch's alpha).</summary>
    public double Alpha { get; init; } = 0.99;

    /// <summary>none | step | cosine | onecycle; a linear warm-up (warmup_steps / warmup_epochs) can precede any of them.</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.None;

    /// <summary>step schedule: multiply the lr by gamma every step_size epochs.</summary>
    public int StepSize { get; init; } = 1;
    public double Gamma { get; init; } = 0.1;

    public long WarmupSteps { get; init; }
    public int WarmupEpochs { get; init; }

    /// <summary>Floor of the cosine schedule.</summary>
    public double MinLr { get; init; }

    /// <summary>Clip the global L2 norm of all gradients to this value; null = no clipping.</summary>
    public double? GradClip { get; init; }

    /// <summary>Stop when the validation loss has not improved for this many epochs; null = never.</summary>
    public int? EarlyStoppingPatience { get; init; }

    public int Seed { get; init; }

    /// <summary>cpu | cuda (cuda needs the libtorch-cuda package, docs/training.md).</summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Cpu;

    /// <summary>
    /// torch.set_num_threads. Null chooses the cores free when the run starts (<see cref="CpuAvailability.DefaultThreads"/>)
    /// and steps down to one thread while other processes contend for the CPU (<see cref="ContentionWatch"/>).
    /// </summary>
    public int? Threads { get; init; }

    /// <summary>cross_entropy | mse | bce | auto (from the task: classification and language models → cross_entropy, regression → mse).</summary>
    public LossChoice Loss { get; init; } = LossChoice.Auto;

    public DataConfig Data { get; init; } = new();

    /// <summary>Cap on steps per epoch (quick runs, tests); null = the whole training split.</summary>
    public long? MaxStepsPerEpoch { get; init; }

    /// <summary>Batch size for validation and test; null = 4 × batch_size.</summary>
    public int? EvalBatchSize { get; init; }

    /// <summary>The momentum the optimizer runs with: the _momentum kinds take 0.9 unless the config gives one.</summary>
    [JsonIgnore]
    public double ResolvedMomentum => Optimizer is OptimizerKind.SgdMomentum or OptimizerKind.RmsPropMomentum && Momentum == 0
        ? OptimizerKindInfo.DefaultMomentum
        : Momentum;

    [JsonIgnore]
    public int ResolvedEvalBatchSize => EvalBatchSize ?? Math.Max(BatchSize * 4, 256);
}

/// <summary>The data part of a config; the fields of <see cref="Data.DataRequest"/>.</summary>
public sealed record DataConfig
{
    /// <summary>The JSON key stays "name", holding the source's text (fashion-mnist, csv:PATH;label=COL, text:PATH).</summary>
    [JsonPropertyName("name")]
    public DataSource Source { get; init; } = DataSource.Default;

    public string? Directory { get; init; }
    public double TrainFraction { get; init; } = 1.0;
    public double ValidationFraction { get; init; } = 0.1;
    public long? Limit { get; init; }
    public int SequenceLength { get; init; } = 64;

    public Data.DataRequest ToRequest(int seed) => new(Source, Directory, TrainFraction, ValidationFraction, Limit, SequenceLength, seed);
}
