using ScaleLab.Core.Accounting;
using ScaleLab.Core.Accounting.Autograd;

namespace ScaleLab.Core.Tests.Verification;

public class MachineProfileTests
{
    private static readonly long[] Axis = [1, 16, 256];

    /// <summary>A profile whose GEMMs run at 1 GFLOP/s for m = 1 and 4 GFLOP/s for m ≥ 16; 10 GB/s; 1 µs dispatch.</summary>
    internal static MachineProfile Synthetic()
    {
        var gemms = (from m in Axis from n in Axis from k in Axis
                     select new GemmPoint(m, n, k, 2.0 * m * n * k / (m == 1 ? 1e9 : 4e9))).ToArray();
        return new MachineProfile("cpu", "fp32", 2, gemms, [new BandwidthPoint(1 << 10, 5e9), new BandwidthPoint(1 << 20, 10e9)],
            1e9, 1e-6, 2e-6, "2026-12-01T00:00:00Z", "test machine", MaxPoolingSecondsPerElement: 4e-9, AveragePoolingSecondsPerElement: 3e-9);
    }

    [Fact]
    public void GemmSeconds_AtAGridPoint_IsTheMeasuredTime() =>
        Assert.Equal(2.0 * 16 * 256 * 16 / 4e9, Synthetic().GemmSeconds(16, 256, 16), 15);

    [Fact]
    public void GemmSeconds_BetweenPoints_InterpolatesTheRateInLogSpace()
    {
        // m = 4 is halfway between 1 and 16 in log₂: the rate is √(1 × 4) = 2 GFLOP/s.
        Assert.Equal(2.0 * 4 * 16 * 16 / 2e9, Synthetic().GemmSeconds(4, 16, 16), 15);
    }

    [Fact]
    public void GemmSeconds_BeyondTheGrid_KeepsTheEdgeRate() =>
        Assert.Equal(2.0 * 4096 * 256 * 256 / 4e9, Synthetic().GemmSeconds(4096, 256, 256), 12);

    [Fact]
    public void ElementwiseSeconds_InterpolatesBandwidthByWorkingSet()
    {
        var p = Synthetic();
        Assert.Equal(1024 / 5e9 * 1e9, p.ElementwiseSeconds(1024) * 1e9, 9);
        Assert.Equal((1 << 22) / 10e9, p.ElementwiseSeconds(1 << 22), 15);   // beyond the largest point: its bandwidth
    }

    [Fact]
    public void ConvSlowdown_InterpolatesInLogKAndClampsAtTheEnds()
    {
        var p = Synthetic() with { ConvSlowdowns = [new SlowdownPoint(9, 16), new SlowdownPoint(576, 1)] };
        Assert.Equal(16, p.Slowdown(GemmKind.Conv, 3, 64), 12);
        Assert.Equal(4, p.Slowdown(GemmKind.Conv, 72, 64), 12);     // 72 = √(9 · 576): halfway in log K, √(16 · 1)
        Assert.Equal(1, p.Slowdown(GemmKind.Conv, 4_096, 64), 12);
        Assert.Equal(1, p.Slowdown(GemmKind.Matmul, 9, 64), 12);
    }

    [Fact]
    public void Json_RoundTripsEveryFigure()
    {
        var p = Synthetic() with
        {
            ConvSlowdowns = [new SlowdownPoint(9, 12.5), new SlowdownPoint(144, 1.25)],
            RecurrentSlowdowns = [new SlowdownPoint(64, 0.75), new SlowdownPoint(256, 1.5)],
            MaxPoolingSecondsPerElement = 5e-9,
            AveragePoolingSecondsPerElement = 2e-9,
            Attention = [new AttentionPoint(16, 64, 8e-9, 15e-9), new AttentionPoint(16, 256, 3.5e-9, 7e-9)],
        };
        var back = MachineProfileJson.Parse(MachineProfileJson.Write(p), "profile.json");
        Assert.Equal(p.Attention, back.Attention);
        Assert.Equal(p.Gemms, back.Gemms);
        Assert.Equal(p.ConvSlowdowns, back.ConvSlowdowns);
        Assert.Equal(p.RecurrentSlowdowns, back.RecurrentSlowdowns);
        Assert.Equal((5e-9, 2e-9), (back.MaxPoolingSecondsPerElement, back.AveragePoolingSecondsPerElement));
        Assert.Equal(1.5, back.Slowdown(GemmKind.Recurrent, 1, 512), 12);   // beyond the largest batch: its slowdown
        Assert.Equal(p.Bandwidth, back.Bandwidth);
        Assert.Equal((p.DispatchSeconds, p.AutogradOpSeconds, p.TranscendentalsPerSecond, p.Threads, p.Machine),
            (back.DispatchSeconds, back.AutogradOpSeconds, back.TranscendentalsPerSecond, back.Threads, back.Machine));
    }

    [Fact]
    public void Json_IncompleteGrid_IsRefusedNamingTheMissingShape()
    {
        var p = Synthetic();
        var cut = p with { Gemms = [.. p.Gemms.Where(g => (g.M, g.N, g.K) != (16, 1, 256))] };
        var ex = Assert.Throws<ScaleLabException>(() => MachineProfileJson.Parse(MachineProfileJson.Write(cut), "p.json"));
        Assert.Equal("p.json: gemm: the grid lacks m=16, n=1, k=256; run scalelab calibrate again", ex.Message);
    }

    [Fact]
    public void Json_NonPositiveFigure_IsRefusedNamingTheField()
    {
        string json = MachineProfileJson.Write(Synthetic()).Replace("\"dispatch_seconds\": 1E-06", "\"dispatch_seconds\": -1", StringComparison.Ordinal);
        var ex = Assert.Throws<ScaleLabException>(() => MachineProfileJson.Parse(json, "p.json"));
        Assert.Equal("p.json: dispatch_seconds: -1; it must be a positive number", ex.Message);
    }

    [Fact]
    public void Json_OtherSchema_IsRefused()
    {
        var ex = Assert.Throws<ScaleLabException>(() => MachineProfileJson.Parse("{\"schema\": \"scalelab.machine-profile/0\"}", "p.json"));
        Assert.Equal("p.json: schema: 'scalelab.machine-profile/0'; expected 'scalelab.machine-profile/3' (run scalelab calibrate again)", ex.Message);
    }

    private static MachineProfile WithAdam() => Synthetic() with
    {
        OptimizerSteps = [new OptimizerPoint("adam", 1 << 18, 1e-3), new OptimizerPoint("adam", 1 << 22, 32e-3)],
    };

    [Fact]
    public void OptimizerSeconds_InterpolatesSecondsPerParameterInLogParameters()
    {
        // 3.81 ns a parameter at 256 Ki, 7.63 at 4 Mi: halfway in log parameters (1 Mi) the rate is their geometric mean.
        double low = 1e-3 / (1 << 18), high = 32e-3 / (1 << 22);
        Assert.Equal(Math.Sqrt(low * high) * (1 << 20), WithAdam().OptimizerSeconds(OptimizerKind.Adam, 1 << 20)!.Value, 12);
        Assert.Equal(low * 1000, WithAdam().OptimizerSeconds(OptimizerKind.Adam, 1000)!.Value, 15);          // clamped below
        Assert.Equal(high * (1L << 30), WithAdam().OptimizerSeconds(OptimizerKind.Adam, 1L << 30)!.Value, 9); // clamped above
        Assert.Null(WithAdam().OptimizerSeconds(OptimizerKind.Sgd, 1 << 20));                                  // not measured
    }

    [Fact]
    public void Estimate_UsesTheMeasuredOptimizerStepWhereThereIsOne()
    {
        var tape = StepMemory.Tape(ModelAccounting.Account(ScaleLab.Core.Presets.ModelPresets.Load("mlp-784-1000-500-250"), null));
        var profile = WithAdam();
        var estimate = StepTimeEstimator.Estimate(tape, 64, 1_410_750, OptimizerKind.Adam, profile);
        double expected = profile.OptimizerSeconds(OptimizerKind.Adam, 1_410_750)!.Value + profile.ElementwiseSeconds(4 * 1_410_750L);
        Assert.Equal(expected, estimate.OptimizerSeconds, 15);
        Assert.NotEqual(expected, StepTimeEstimator.Estimate(tape, 64, 1_410_750, OptimizerKind.Adam, Synthetic()).OptimizerSeconds);
    }

    [Fact]
    public void Json_OptimizerSteps_RoundTripAndAnUnknownOptimizerIsRefused()
    {
        var back = MachineProfileJson.Parse(MachineProfileJson.Write(WithAdam()), "p.json");
        Assert.Equal(WithAdam().OptimizerSteps, back.OptimizerSteps);
        string json = MachineProfileJson.Write(WithAdam()).Replace("\"optimizer\": \"adam\"", "\"optimizer\": \"lion\"", StringComparison.Ordinal);
        var ex = Assert.Throws<ScaleLabException>(() => MachineProfileJson.Parse(json, "p.json"));
        Assert.Equal($"p.json: optimizer_step[0].optimizer: {OptimizerKindInfo.UnknownMessage("lion")}", ex.Message);
    }
}

public class StepTimeDispatchTests
{
    private static AutogradTape Tape(string name) =>
        StepMemory.Tape(ModelAccounting.Account(ScaleLab.Core.Verification.VerifySuite.Models.Single(m => m.Name == name).Spec, null));

    private static double Dispatch(AutogradTape tape, string layer, MachineProfile profile) =>
        tape.Nodes.Where(n => n.Layer == layer).Sum(n => StepTimeEstimator.Node(tape, n, 4, profile).DispatchSeconds);

    [Fact]
    public void AttentionCore_PaysForItsViewsAndUnrecordedLaunches()
    {
        // gqa-decoder (rotary, 8 query heads over 2 K/V heads): per block two rotary calls (7 recorded kernels and the 9
        // launches that build their tables), two repeat_interleaves (1 kernel, 3 launches for the index) and the fused
        // attention (its kernel and the output's copy, 14 view launches). Recorded kernels cost autograd + dispatch
        // (2 + 1 µs in the synthetic profile), launches the dispatch alone.
        var profile = MachineProfileTests.Synthetic();
        double kernel = profile.AutogradOpSeconds + profile.DispatchSeconds, launch = profile.DispatchSeconds;
        double expected = (2 * ((7 * kernel) + (9 * launch))) + (2 * (kernel + (3 * launch))) + ((2 * kernel) + (14 * launch));
        Assert.Equal(92e-6, expected, 12);
        Assert.Equal(expected, Dispatch(Tape("gqa-decoder"), "blocks[0].attn.core", profile), 12);
    }

    [Fact]
    public void MixtureOfExperts_RoutingPaysForItsMaskAndIndexLaunches()
    {
        // small-moe (4 experts): the router's linear, gather (+6 launches: topk, the zeros, the reshapes) and softmax,
        // then per expert the masked multiply (+4: eq, any, nonzero, squeeze), sum, two index_selects, the weighted
        // multiply (+2: unsqueeze) and index_add.
        var profile = MachineProfileTests.Synthetic();
        double kernel = profile.AutogradOpSeconds + profile.DispatchSeconds, launch = profile.DispatchSeconds;
        double gradient = 2 * launch;   // the router weight's gradient: a fill and AccumulateGrad's add
        double expected = kernel + gradient + (kernel + (6 * launch)) + kernel
            + (4 * ((kernel + (4 * launch)) + kernel + (2 * kernel) + (kernel + (2 * launch)) + kernel));
        Assert.Equal(expected, Dispatch(Tape("small-moe"), "blocks[0].moe.router", profile), 12);
    }

    private static MachineProfile WithAttention() => MachineProfileTests.Synthetic() with
    {
        Attention = [new AttentionPoint(16, 64, 8e-9, 16e-9), new AttentionPoint(16, 256, 2e-9, 4e-9),
            new AttentionPoint(64, 64, 32e-9, 64e-9), new AttentionPoint(64, 256, 8e-9, 16e-9)],
    };

    [Fact]
    public void AttentionSeconds_InterpolatesThePerScoreRateInLogHeadDimAndLogSequence_AndClampsAtTheEdges()
    {
        var p = WithAttention();
        var (atPoint, atPointBack) = p.AttentionSeconds(16, 64, 1e6)!.Value;                   // a measured point
        Assert.Equal(8e-3, atPoint, 15);
        Assert.Equal(16e-3, atPointBack, 15);
        // Head dim 32, 128 tokens: halfway in both logs, the geometric mean of the four corners: (8 · 2 · 32 · 8)^¼ = 8 ns.
        var (forward, backward) = p.AttentionSeconds(32, 128, 1e6)!.Value;
        Assert.Equal(8e-3, forward, 15);
        Assert.Equal(16e-3, backward, 15);
        var (beyond, beyondBack) = p.AttentionSeconds(8, 1024, 1e6)!.Value;                  // beyond the grid: its corner
        Assert.Equal(2e-3, beyond, 15);
        Assert.Equal(4e-3, beyondBack, 15);
        Assert.Null(MachineProfileTests.Synthetic().AttentionSeconds(32, 128, 1e6));
    }

    [Fact]
    public void FusedAttention_WithMeasuredRates_IsPricedPerScoreInPlaceOfItsGemms()
    {
        // gqa-decoder: 8 heads of 16 over 128 tokens, causal: 8 × 128 × 64 = 65,536 scores per sample. The kernel's own
        // traffic (Q, K, V, output: 4 × 128 × 128 fp32) is in the rate; the output's copy (2 × 65,536 bytes) is not.
        var tape = Tape("gqa-decoder");
        var node = tape.Nodes.First(n => n.Layer == "blocks[0].attn.core" && n.Op == "flash_attention");
        var p = MachineProfileTests.Synthetic() with { Attention = [new AttentionPoint(16, 128, 1e-9, 3e-9)] };
        var e = StepTimeEstimator.Node(tape, node, 4, p);
        Assert.Equal((4 * 65_536 * 1e-9) + p.ElementwiseSeconds(4 * 131_072), e.ForwardSeconds, 15);
        Assert.Equal((4 * 65_536 * 3e-9) + p.ElementwiseSeconds(8 * 131_072), e.BackwardSeconds, 15);
        // Without rates (an older profile's figures) it falls back to the GEMM equivalents and the exps.
        Assert.NotEqual(e.ForwardSeconds, StepTimeEstimator.Node(tape, node, 4, MachineProfileTests.Synthetic()).ForwardSeconds);
    }
}
