using System.Text.Json.Nodes;
using ScaleLab.Core.Json;
using ScaleLab.Core.Spec;
using ScaleLab.Experiments.Running;
using ScaleLab.Torch.Training;

namespace ScaleLab.Experiments.Sweeps;

/// <summary>
/// A sweep as a sweep file (docs/sweeps.md), for sweeps built in code (the study): what the store keeps as the
/// sweep's text and a worker reads its early-stopping rule from. <see cref="SweepSpecJson.Parse"/> of the result gives
/// back the same sweep (the same trials, the same ids).
/// </summary>
public static class SweepSpecJsonWriter
{
    public static string Write(SweepSpec sweep)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        var root = new JsonObject { ["name"] = sweep.Name };
        if (sweep.Description is not null) root["description"] = sweep.Description;
        root["model"] = JsonNode.Parse(ModelSpecJsonWriter.Write(sweep.Model));
        root["training"] = JsonNode.Parse(TrainingConfigJson.Write(sweep.Training));
        if (sweep.Axes.Count > 0)
        {
            var axes = new JsonObject();
            foreach (var (axis, values) in sweep.Axes) axes[axis.Name()] = new JsonArray([.. values.Select(Value)]);
            root["axes"] = axes;
        }
        else
        {
            root["trials"] = new JsonArray([.. sweep.Trials.Select(t => (JsonNode)new JsonObject(t.Select(s => KeyValuePair.Create(s.Axis.Name(), Value(s)))))]);
        }
        if (sweep.Repeats != 1) root["repeats"] = sweep.Repeats;
        if (sweep.DepthBlock is { } block) root["depth_block"] = new JsonArray(block.Start, block.End);
        if (sweep.EarlyStopping is { } es)
        {
            root["early_stopping"] = new JsonObject
            {
                ["rule"] = es.Rule == EarlyStoppingRule.Median ? "median" : "halving",
                ["min_trials"] = es.MinTrials,
                ["warmup_epochs"] = es.WarmupEpochs,
                ["min_epochs"] = es.MinEpochs,
                ["reduction_factor"] = es.ReductionFactor,
            };
        }
        root["max_attempts"] = sweep.MaxAttempts;
        return root.ToJsonString(ScaleLabJson.Options) + "\n";
    }

    private static JsonNode? Value(AxisSetting s) => s.Sizes is { } sizes
        ? new JsonArray([.. sizes.Select(n => (JsonNode?)n)])
        : s.Axis.IsInteger() ? JsonValue.Create(s.Integer) : JsonValue.Create(s.Value);
}
