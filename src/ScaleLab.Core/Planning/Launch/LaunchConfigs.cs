using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleLab.Core.Formatting;

namespace ScaleLab.Core.Planning.Launch;

/// <summary>
/// `plan --emit ENGINE`: the launch configuration of an existing training engine for the layout a plan chose
/// (ScaleLab does not train across GPUs itself). Refuses a layout the engine cannot express, naming the option.
/// </summary>
public static class LaunchConfigs
{
    public static IReadOnlyList<LaunchFile> For(TrainingPlan plan, LaunchEngine engine, long? globalBatch)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var batch = LaunchBatch.For(plan, globalBatch);
        return engine switch
        {
            LaunchEngine.DeepSpeed => [DeepSpeedConfig.Write(plan, batch)],
            LaunchEngine.TorchrunFsdp => FsdpConfig.Write(plan, batch),
            _ => [MegatronArgs.Write(plan, batch)],
        };
    }
}

/// <summary>Text shared by the emitters: JSON layout, the plan's figures as a comment, the model-parallel degrees in words.</summary>
internal static class LaunchText
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Json(JsonNode node) => node.ToJsonString(Indented) + "\n";

    /// <summary>"# scalelab plan: …" with per-GPU memory and time, so a launch file says what it was planned to use.</summary>
    public static string Comment(TrainingPlan plan, LaunchBatch batch)
    {
        var m = plan.Memory;
        string time = plan.Compute is { } c ? $"; {HumanUnits.Duration(c.Seconds)} for {HumanUnits.Things(c.Tokens)} tokens at MFU {c.Mfu.ToString("0.##", CultureInfo.InvariantCulture)}" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"# scalelab plan: {plan.Cost.Spec.Name} on {m.Layout.Gpus} × {plan.Hardware.Name}, {HumanUnits.Bytes(m.TotalBytes)} of {HumanUnits.Bytes(m.CapacityBytes)} per GPU{time}; global batch {batch.GlobalBatch} = micro {batch.MicroBatch} × dp {batch.DataParallel} × accumulation {batch.Accumulation} (plan.json)");
    }

    public static string ModelParallel(ParallelLayout layout) => string.Create(CultureInfo.InvariantCulture,
        $"--tp {layout.TensorParallel}, --pp {layout.PipelineParallel}, --cp {layout.ContextParallel}, --ep {layout.ExpertParallel}");
}
