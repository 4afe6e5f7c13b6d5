namespace ScaleLab.Core.Accounting.Autograd;

/// <summary>Where a training step reaches its memory peak.</summary>
public enum StepPhase { Forward, Backward, OptimizerStep }

/// <summary>
/// The memory of one steady-state training step (gradients and optimizer state already exist), in bytes, as the
/// tensors libtorch holds at each moment: <see cref="ModelStateBytes"/> (weights, buffers, gradients, optimizer
/// state) throughout, the batch <see cref="InputBytes"/>, and on top of them the largest of three moments — the end
/// of forward (<see cref="KeptBytes"/>: what autograd saved, and what the loop holds), the worst node of backward
/// (saved tensors not yet released, the gradients in flight, one node's weight gradient) and the optimizer step
/// (its temporaries). Runtime fixed costs (libraries, thread stacks, allocator caches) are not in these figures.
/// </summary>
public sealed record StepMemoryEstimate(
    long Batch,
    long ModelStateBytes,
    long InputBytes,
    long KeptBytes,
    long ForwardPeakBytes,
    long BackwardPeakBytes,
    long OptimizerPeakBytes)
{
    /// <summary>The step's peak above the runtime's fixed cost: state + input + the worst moment.</summary>
    public long PeakBytes => checked(ModelStateBytes + InputBytes + Math.Max(ForwardPeakBytes, Math.Max(BackwardPeakBytes, OptimizerPeakBytes)));

    public StepPhase PeakPhase =>
        BackwardPeakBytes >= ForwardPeakBytes && BackwardPeakBytes >= OptimizerPeakBytes ? StepPhase.Backward
        : ForwardPeakBytes >= OptimizerPeakBytes ? StepPhase.Forward
        : StepPhase.OptimizerStep;
}

/// <summary>
/// Walks an <see cref="AutogradTape"/> the way libtorch's eager autograd runs it (docs/verify.md, "what libtorch
/// keeps"): forward allocates every node's output and frees a tensor once its last reader has run unless a node saved
/// it or the loop holds it; backward visits nodes in reverse, allocating the gradient of each input that requires one
/// (a second gradient for the same tensor is a transient that is summed in), the node's weight gradient (a transient
/// summed into <c>.grad</c>), then releasing the output's gradient and the tensors the node alone still kept.
/// </summary>
public static class StepMemoryEstimator
{
    public static StepMemoryEstimate Estimate(AutogradTape tape, long batch, long modelStateBytes, long optimizerTransientBytes)
    {
        ArgumentNullException.ThrowIfNull(tape);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        var tensors = tape.Tensors;
        var held = tape.Held.ToHashSet();
        var readers = new int[tensors.Count];
        var savers = new int[tensors.Count];
        foreach (var node in tape.Nodes)
        {
            foreach (int i in node.Inputs.Distinct()) readers[i]++;
            foreach (int s in node.Saved.Distinct()) savers[s]++;
        }

        long Bytes(int id) => tensors[id].Bytes(batch);
        var inputs = tape.Inputs.ToHashSet();
        long inputBytes = inputs.Sum(Bytes);

        // Forward: live counts what this step allocated (the batch input is apart).
        var live = new HashSet<int>();
        long liveBytes = 0, forwardPeak = 0;
        void Allocate(int id)
        {
            if (!inputs.Contains(id) && live.Add(id)) liveBytes += Bytes(id);
        }

        void Free(int id)
        {
            if (live.Remove(id)) liveBytes -= Bytes(id);
        }

        var pendingReaders = (int[])readers.Clone();
        foreach (var node in tape.Nodes)
        {
            Allocate(node.Output);
            foreach (int s in node.Saved) Allocate(s);   // the node's own indices, masks, statistics
            forwardPeak = Math.Max(forwardPeak, checked(liveBytes + (node.ForwardWorkspaceBytesPerSample * batch)));
            foreach (int i in node.Inputs.Distinct())
                if (--pendingReaders[i] == 0 && savers[i] == 0 && !held.Contains(i)) Free(i);
        }

        // The loss (the last node's output) is a scalar the loop holds; everything unsaved and unheld is gone.
        foreach (int id in live.ToArray())
            if (savers[id] == 0 && !held.Contains(id)) Free(id);
        long kept = liveBytes;

        // Backward: gradients in flight on top of what is still saved.
        var gradients = new Dictionary<int, long>();
        long gradientBytes = 0, backwardPeak = 0;
        var pendingSavers = (int[])savers.Clone();
        for (int n = tape.Nodes.Count - 1; n >= 0; n--)
        {
            var node = tape.Nodes[n];
            long created = 0, transient = checked(node.ParameterGradientBytes + (node.BackwardWorkspaceBytesPerSample * batch));
            foreach (int i in node.Inputs.Distinct())
            {
                if (!tensors[i].RequiresGrad) continue;
                if (gradients.ContainsKey(i)) transient = checked(transient + Bytes(i));   // summed into the existing one
                else created = checked(created + Bytes(i));
            }

            backwardPeak = Math.Max(backwardPeak, checked(liveBytes + gradientBytes + created + transient));
            foreach (int i in node.Inputs.Distinct())
            {
                if (!tensors[i].RequiresGrad || gradients.ContainsKey(i)) continue;
                gradients[i] = Bytes(i);
                gradientBytes += Bytes(i);
            }

            if (gradients.Remove(node.Output, out long released)) gradientBytes -= released;
            foreach (int s in node.Saved.Distinct())
                if (--pendingSavers[s] == 0 && !held.Contains(s)) Free(s);
        }

        long heldBytes = held.Where(h => !inputs.Contains(h)).Sum(Bytes);
        long optimizerPeak = checked(heldBytes + optimizerTransientBytes);
        return new StepMemoryEstimate(batch, modelStateBytes, inputBytes, kept, forwardPeak, backwardPeak, optimizerPeak);
    }
}
