namespace ScaleLab.Core.Accounting.Autograd;

/// <summary>A predicted training step, in seconds, by part.</summary>
public sealed record StepTimeEstimate(long Batch, double ForwardSeconds, double BackwardSeconds, double OptimizerSeconds, double DispatchSeconds)
{
    /// <summary>Forward, backward and optimizer kernels plus the fixed cost of launching every one of them.</summary>
    public double Seconds => ForwardSeconds + BackwardSeconds + OptimizerSeconds + DispatchSeconds;
}

/// <summary>
/// Step time from a <see cref="MachineProfile"/> and the model's <see cref="AutogradTape"/> (docs/verify.md, "step
/// time"): every kernel takes the longer of its compute time and its memory time — GEMMs at the throughput measured for
/// their shape, other kernels at the bandwidth measured for their working set or the transcendental rate — and every
/// launch costs the measured dispatch overhead (views and unrecorded calls one launch each, recorded ops the autograd
/// overhead besides); oneDNN convolutions and recurrent cells run at their GEMM time times
/// the slowdown calibrate measured for that kernel class, and fused attention at its measured per-score rate where the
/// profile has one (its GEMM equivalents otherwise), row-wise kernels (a router's softmax, sum and topk, batch, layer
/// and RMS norm) at their measured per-row rates. Backward runs two GEMMs per forward GEMM (the input gradient, skipped
/// where the input needs none, and the weight gradient), moves twice the forward bytes, and adds each weight gradient
/// into <c>.grad</c> (zero-fill, read, read, write: 4 bytes of traffic per gradient byte). The optimizer step is the
/// profile's measured one for that optimizer where calibrate measured it, plus zero_grad's one fill of the flat
/// gradient buffer; otherwise it runs its update kernel by kernel per tensor (Adam: 8 kernels moving 84 bytes per fp32
/// parameter; SGD: 1, 12 bytes), and zero_grad one kernel per tensor writing its gradient.
/// </summary>
public static class StepTimeEstimator
{
    public static StepTimeEstimate Estimate(AutogradTape tape, long batch, long parameters, OptimizerKind optimizer, MachineProfile profile)
    {
        ArgumentNullException.ThrowIfNull(tape);
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        double forward = 0, backward = 0, dispatch = 0;
        foreach (var node in tape.Nodes)
        {
            var n = Node(tape, node, batch, profile);
            forward += n.ForwardSeconds;
            backward += n.BackwardSeconds;
            dispatch += n.DispatchSeconds;
        }

        if (profile.OptimizerSeconds(optimizer, parameters) is double measured)
        {
            // The measured update (its launches included), and zero_grad: one fill of the flat gradient buffer.
            double zeroGrad = profile.ElementwiseSeconds(checked(4 * parameters));
            return new StepTimeEstimate(batch, forward, backward, measured + zeroGrad, dispatch + profile.DispatchSeconds);
        }

        var (kernelsPerTensor, bytesPerParameter) = optimizer switch
        {
            OptimizerKind.Sgd => (1, 12L),
            OptimizerKind.SgdMomentum => (3, 28L),
            OptimizerKind.RmsProp or OptimizerKind.RmsPropMomentum => (5, 56L),
            _ => (8, 84L),
        };
        int tensors = Math.Max(1, tape.ParameterTensors);
        // Adam's update per tensor and zero_grad's fill; bytes per parameter are for fp32 and scale with the element size.
        // A kernel's working set is the tensors it touches (about 16 bytes per element), not the traffic summed over kernels.
        long perTensor = Math.Max(1, parameters / tensors);
        double optimizerSeconds = tensors * bytesPerParameter * perTensor / BytesPerSecond(profile, 16 * perTensor)
            + profile.ElementwiseSeconds(checked(4 * parameters));
        dispatch += tensors * (kernelsPerTensor + 1) * profile.DispatchSeconds;
        return new StepTimeEstimate(batch, forward, backward, optimizerSeconds, dispatch);
    }

    /// <summary>One node's forward, backward and launch seconds at <paramref name="batch"/> (no optimizer part).</summary>
    public static StepTimeEstimate Node(AutogradTape tape, TapeNode node, long batch, MachineProfile profile)
    {
        ArgumentNullException.ThrowIfNull(tape);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(profile);
        var work = node.Work;
        bool inputNeedsGradient = node.Inputs.Any(i => tape.Tensors[i].RequiresGrad);
        double forwardGemm = 0, backwardGemm = 0;
        long bytesPerSample = work.BytesPerSample;
        var flash = work.Flash is { } f ? profile.AttentionSeconds(f.HeadDim, f.Sequence, (double)f.ScoresPerSample * batch) : null;
        if (flash is var (flashForward, flashBackward))
        {
            // The fused kernel at its measured rate; what it reads and writes is in that rate, the rest of the node's bytes are not.
            forwardGemm = flashForward;
            backwardGemm = flashBackward;
            bytesPerSample = Math.Max(0, bytesPerSample - work.Flash!.KernelBytesPerSample);
        }
        foreach (var g in flash is null ? work.Gemms : [])
        {
            long rows = checked(g.RowsPerSample * batch);
            double slowdown = profile.Slowdown(g.Kind, g.K, batch);
            forwardGemm += slowdown * g.Repeats * profile.GemmSeconds(rows, g.N, g.K);
            if (inputNeedsGradient) backwardGemm += slowdown * g.Repeats * profile.GemmSeconds(rows, g.K, g.N);     // dA = dC·Bᵀ
            if (g.RightNeedsGradient) backwardGemm += slowdown * g.Repeats * profile.GemmSeconds(g.K, g.N, rows);  // dB = Aᵀ·dC
        }

        var rowRate = work.Row is { } row ? profile.RowOpSeconds(row.Op, row.Width, (double)row.RowsPerSample * batch) : null;
        if (rowRate is not null) bytesPerSample = Math.Max(0, bytesPerSample - work.Row!.KernelBytesPerSample);

        // The fused kernel's exps are in its rate too.
        long transcendentals = flash is null ? work.TranscendentalsPerSample : 0;
        long backwardTranscendentals = flash is null ? work.BackwardTranscendentalsPerSample ?? work.TranscendentalsPerSample : 0;
        double forward = forwardGemm + Elementwise(profile, checked(bytesPerSample * batch), checked(transcendentals * batch));
        double backward = backwardGemm + Elementwise(profile, checked(2 * bytesPerSample * batch), checked(backwardTranscendentals * batch));
        if (work.PooledElementsPerSample > 0)
        {
            // Calibrate measures pooling forward + backward together; backward (a scatter) is about two thirds of it.
            double rate = work.MaxPooling ? profile.MaxPoolingSecondsPerElement : profile.AveragePoolingSecondsPerElement;
            double pooling = rate * work.PooledElementsPerSample * batch;
            forward = Math.Max(forward, pooling / 3);
            backward = Math.Max(backward, 2 * pooling / 3);
        }
        if (rowRate is var (rowForward, rowBackward))
        {
            // The rate is per call as measured (its launches and autograd records taken out), on top of the node's other bytes.
            forward += rowForward;
            if (inputNeedsGradient) backward += rowBackward;
        }

        double dispatch = (work.Kernels * (profile.AutogradOpSeconds + profile.DispatchSeconds)) + (work.Launches * profile.DispatchSeconds);
        if (node.ParameterGradientBytes > 0)
        {
            backward += profile.ElementwiseSeconds(checked(4 * node.ParameterGradientBytes));
            dispatch += 2 * profile.DispatchSeconds;   // the gradient kernel's fill and AccumulateGrad's add
        }

        return new StepTimeEstimate(batch, forward, backward, 0, dispatch);
    }

    private static double BytesPerSecond(MachineProfile profile, long workingSet) => workingSet / profile.ElementwiseSeconds(workingSet);

    private static double Elementwise(MachineProfile profile, long bytes, long transcendentals) =>
        Math.Max(profile.ElementwiseSeconds(bytes), transcendentals / profile.TranscendentalsPerSecond);
}
