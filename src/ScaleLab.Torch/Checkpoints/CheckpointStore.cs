using System.Globalization;
using ScaleLab.Core.Runs;
using ScaleLab.Torch.Runs;
using ScaleLab.Torch.Training;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Checkpoints;

/// <summary>
/// checkpoints/: last.safetensors (weights), last.optimizer.safetensors (optimizer state tensors), last.json
/// (<see cref="CheckpointState"/>), best.safetensors (weights of the best epoch). Each file is written atomically,
/// and the three "last" files change together in two phases so a kill at any instant leaves one whole epoch:
/// (1) the new tensors go to *.pending files; (2) last.json is replaced — the commit point; (3) the pending files are
/// renamed over the old ones. <see cref="ReadState"/> finishes an interrupted phase 3 (pending files of the committed
/// epoch) or discards an uncommitted phase 1 (pending files of a later epoch). Every safetensors file carries its
/// epoch in the metadata, checked on load.
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
        ModelWeights.Save(model, Pending(files.LastWeights), metadata);
        ModelWeights.SaveTensors(optimizer.State, Pending(files.LastOptimizer), metadata);
        RunJson.Write(files.LastState, state);
        Promote(files.LastWeights);
        Promote(files.LastOptimizer);
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
        Recover(files.LastWeights, state.Epoch);
        Recover(files.LastOptimizer, state.Epoch);
        return state;
    }

    /// <summary>Where the next epoch's file waits until last.json commits it.</summary>
    public static string Pending(string path) => path + ".pending";

    private static void Promote(string path) => File.Move(Pending(path), path, overwrite: true);

    /// <summary>A pending file of the committed epoch is promoted (phase 3 was cut short); one of any other epoch was never committed and is dropped.</summary>
    private static void Recover(string path, int committedEpoch)
    {
        string pending = Pending(path);
        if (!File.Exists(pending)) return;
        bool committed = ModelWeights.ReadMetadata(pending).TryGetValue(EpochKey, out var epoch)
            && epoch == committedEpoch.ToString(CultureInfo.InvariantCulture);
        if (committed) Promote(path);
        else File.Delete(pending);
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
