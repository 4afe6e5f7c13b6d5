using ScaleLab.Core.Accounting;
using ScaleLab.Core.FineTuning;
using ScaleLab.Core.Planning;

namespace ScaleLab.Cli.Commands;

/// <summary>`plan MODEL --json` (mode "train"): the <see cref="TrainingPlan"/> the tables print, as plan.schema.json lists it.</summary>
internal sealed record PlanTrainingJson(
    string Schema, string Mode, PlanModel Model, PlanHardwareJson Hardware, PlanTrainingSetup Setup, IReadOnlyList<string> Assumptions,
    PlanTrainingMemory MemoryPerGpu, PlanFineTune? Finetune, bool Fits, int? MinimumGpusForLayout, PlanLayout? SmallestFit, string Verdict,
    IReadOnlyList<PlanFitChange> FitChanges, PlanCompute? Compute)
{
    public static PlanTrainingJson From(TrainingPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var m = plan.Memory;
        return new PlanTrainingJson(PlanJson.Schema, "train", PlanModel.From(plan.Cost), PlanHardwareJson.From(plan.Hardware), PlanTrainingSetup.From(plan),
            plan.Assumptions, PlanTrainingMemory.From(m), PlanFineTune.From(plan), m.Fits, plan.MinimumGpus,
            plan.Smallest is { } s ? PlanLayout.From(s) : null, plan.Verdict,
            [.. plan.FitChanges.Select(f => new PlanFitChange(f.Change, f.Cost, f.Memory.TotalBytes))],
            plan.Compute is { } c ? new PlanCompute(c.Tokens, c.ParametersPerToken, c.TrainingFlopsPerToken, c.ExactFlops, c.ApproximateFlops,
                c.PeakFlopsPerGpu, c.Mfu, c.Seconds, c.GpuHours, c.CostPerGpuHour, c.Cost) : null);
    }
}

internal sealed record PlanTrainingSetup(int Gpus, int DataParallel, int TensorParallel, int PipelineParallel, int ExpertParallel, int ContextParallel,
    int Zero, bool SequenceParallel, long MicroBatch, long SequenceLength, string Precision, string Optimizer, string Recompute, string Attention,
    string? Fp8Recipe, PlanDropout? Dropout)
{
    public static PlanTrainingSetup From(TrainingPlan plan)
    {
        var l = plan.Memory.Layout;
        var s = plan.Setup;
        return new PlanTrainingSetup(l.Gpus, l.DataParallel, l.TensorParallel, l.PipelineParallel, l.ExpertParallel, l.ContextParallel, l.Zero,
            l.SequenceParallel, s.MicroBatch, s.SequenceLength, s.Format.Name(), s.Optimizer.Name(), s.Recompute.Name(), s.Attention.Name(),
            s.Format == ComputeFormat.Fp8 ? s.Fp8.Name() : null, plan.Cost.Spec.Transformer is null ? null : PlanDropout.From(plan));
    }
}

internal sealed record PlanDropout(double Residual, double Attention, bool MasksKept)
{
    public static PlanDropout From(TrainingPlan plan)
    {
        var d = TrainingDropout.For(plan.Cost.Spec.Transformer, plan.Setup.Dropout);
        return new PlanDropout(d.HiddenRate, d.AttentionRate,
            d.Hidden || (d.Attention && plan.Setup.Attention == AttentionKernel.Eager && plan.Setup.Recompute == ActivationRecompute.None));
    }
}

internal sealed record PlanTrainingMemory(PlanPerGpuParameters Parameters, long WeightsBytes, long GradientsBytes, long MasterWeightsBytes,
    long OptimizerStateBytes, long ActivationsBytes, long BuffersBytes, long TotalBytes, long CapacityBytes)
{
    public static PlanTrainingMemory From(TrainingMemoryPlan m) => new(new PlanPerGpuParameters(m.ParametersPerGpu), m.ModelState.Weights,
        m.ModelState.Gradients, m.ModelState.MasterWeights, m.ModelState.OptimizerState, m.Activations, m.Buffers, m.TotalBytes, m.CapacityBytes);
}

internal sealed record PlanPerGpuParameters(long Total);

/// <summary>A layout that fits (the smallest one), with its memory per GPU.</summary>
internal sealed record PlanLayout(int Gpus, int DataParallel, int TensorParallel, int PipelineParallel, int ExpertParallel, int ContextParallel,
    int Zero, bool SequenceParallel, long TotalBytes)
{
    public static PlanLayout From(TrainingMemoryPlan m) => new(m.Layout.Gpus, m.Layout.DataParallel, m.Layout.TensorParallel, m.Layout.PipelineParallel,
        m.Layout.ExpertParallel, m.Layout.ContextParallel, m.Layout.Zero, m.Layout.SequenceParallel, m.TotalBytes);
}

internal sealed record PlanFitChange(string Change, string Cost, long TotalBytes);

internal sealed record PlanCompute(double Tokens, long ParametersPerToken, double TrainingFlopsPerToken, double TrainingFlopsExact,
    [property: System.Text.Json.Serialization.JsonPropertyName("training_flops_6nd")] double TrainingFlops6ND, double PeakFlopsPerGpu, double Mfu,
    double Seconds, double GpuHours, double? PricePerGpuHour, double? Cost);

/// <summary>null for full training; for LoRA/QLoRA the adapters, parameters.trainable/total and memory.per_gpu_bytes by category.</summary>
internal sealed record PlanFineTune(string Method, PlanLora? Lora, PlanFineTuneParameters Parameters, PlanFineTuneMemory Memory)
{
    public static PlanFineTune? From(TrainingPlan plan)
    {
        if (plan.Setup.FineTune is not { } setup) return null;
        var ft = plan.Memory.FineTune;
        var m = plan.Memory;
        return new PlanFineTune(setup.Method.Name(),
            ft is null ? null : new PlanLora(setup.Lora.Rank, setup.Lora.EffectiveAlpha, setup.Lora.Targets.Name(), setup.Lora.Dropout,
                setup.Lora.AdapterBytes == 4 ? "fp32" : "bf16"),
            new PlanFineTuneParameters(ft?.TrainableParameters ?? plan.Cost.TrainableParameters, ft?.TotalParameters ?? plan.Cost.Parameters),
            new PlanFineTuneMemory(new PlanFineTuneBytes(ft?.FrozenWeights ?? 0, ft?.AdapterWeights ?? m.ModelState.Weights,
                ft?.AdapterGradients ?? m.ModelState.Gradients, m.ModelState.MasterWeights, ft?.OptimizerState ?? m.ModelState.OptimizerState,
                ft?.BaseActivations ?? m.Activations, ft?.AdapterActivations ?? 0, m.Buffers, m.TotalBytes)));
    }
}

internal sealed record PlanLora(int Rank, double Alpha, string Targets, double Dropout, string Dtype);

internal sealed record PlanFineTuneParameters(long Trainable, long Total);

internal sealed record PlanFineTuneMemory(PlanFineTuneBytes PerGpuBytes);

internal sealed record PlanFineTuneBytes(long FrozenWeights, long TrainableWeights, long Gradients, long MasterWeights, long OptimizerState,
    long Activations, long AdapterActivations, long Buffers, long Total);
