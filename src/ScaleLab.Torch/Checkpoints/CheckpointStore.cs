using System.Globalization;
using ScaleLab.Torch.Runs;
using ScaleLab.Torch.Training;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Checkpoints;

/// <summary>
/// checkpoints/: last.safetensors (weights), last.optimizer.safetensors (optimizer state tensors), last.json
/// (<see cref="CheckpointState"/>), best.safetensors (weights of the best epoch). Each file is written atomically;
/// last.json goes last and names the epoch, and both safetensors files carry the same epoch in their metadata,
/// so a kill between the writes is detected on resume instead of mixing two epochs.
/// </summary>
public static class CheckpointStore
{
    private const string EpochKey = "epoch";

    public static void Save(RunFiles files, nn.Module model, Optimizer optimizer, CheckpointState state)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(state);
        var metadata = Metadata(state.Epoch, "last");
        ModelWeights.Save(model, files.LastWeights, metadata);
        ModelWeights.SaveTensors(optimizer.State, files.LastOptimizer, metadata);
        RunJson.Write(files.LastState, state);
    }

    public static void SaveBest(RunFiles files, nn.Module model, int epoch)
    {
        ArgumentNullException.ThrowIfNull(files);
        ModelWeights.Save(model, files.BestWeights, Metadata(epoch, "best"));
    }

    public static CheckpointState ReadState(RunFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (!File.Exists(files.LastState))
            throw new CheckpointException(files.LastState, "not found: nothing to resume (the run did not finish an epoch, or this is not a run directory)");
        var state = RunJson.Read<CheckpointState>(files.LastState);
        if (state.Format != CheckpointState.FormatName)
            throw new CheckpointException(files.LastState, $"format '{state.Format}' is not '{CheckpointState.FormatName}'");
        return state;
    }

    /// <summary>Restores weights and optimizer state of the checkpointed epoch.</summary>
    public static void Load(RunFiles files, CheckpointState state, nn.Module model, Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(optimizer);
        RequireEpoch(files.LastWeights, state.Epoch);
        RequireEpoch(files.LastOptimizer, state.Epoch);
        ModelWeights.Load(model, files.LastWeights);
        var saved = ModelWeights.ReadAll(files.LastOptimizer);
        try
        {
            optimizer.LoadState(saved, state.OptimizerSteps);
        }
        catch (InvalidDataException ex)
        {
            throw new CheckpointException(files.LastOptimizer, ex.Message);
        }
        finally
        {
            foreach (var t in saved.Values) t.Dispose();
        }
    }

    private static void RequireEpoch(string path, int epoch)
    {
        if (!File.Exists(path)) throw new CheckpointException(path, "missing; the checkpoint is incomplete");
        string expected = epoch.ToString(CultureInfo.InvariantCulture);
        if (!ModelWeights.ReadMetadata(path).TryGetValue(EpochKey, out var found) || found != expected)
            throw new CheckpointException(path, $"holds epoch {found ?? "?"} but last.json says epoch {expected}: the run was killed while writing its checkpoint");
    }

    private static Dictionary<string, string> Metadata(int epoch, string kind) => new(StringComparer.Ordinal)
    {
        ["format"] = "scalelab",
        [EpochKey] = epoch.ToString(CultureInfo.InvariantCulture),
        ["checkpoint"] = kind,
    };
}
