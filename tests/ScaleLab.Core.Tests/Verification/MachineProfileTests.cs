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
    public void GemmSpeed_IsTheMedianOfProfileOverNowAtTheShapesBothHold_AndNullWhenNoneMatch()
    {
        var profile = Synthetic();
        double At(long m, long n, long k) => profile.GemmSeconds(m, n, k);
        // Twice as fast at one shape, the same at another, half as fast at a third; a shape the grid lacks is ignored.
        Assert.Equal(1.0, profile.GemmSpeed([new GemmPoint(256, 256, 256, At(256, 256, 256) / 2), new GemmPoint(16, 16, 16, At(16, 16, 16)),
            new GemmPoint(1, 256, 16, At(1, 256, 16) * 2), new GemmPoint(4096, 256, 256, 1.0)])!.Value, 12);
        Assert.Equal(1.5, profile.GemmSpeed([new GemmPoint(256, 256, 256, At(256, 256, 256) / 2), new GemmPoint(16, 16, 16, At(16, 16, 16))])!.Value, 12);
        Assert.Equal(0.8, profile.GemmSpeed([new GemmPoint(16, 256, 16, At(16, 256, 16) / 0.8)])!.Value, 12);
        Assert.Null(profile.GemmSpeed([new GemmPoint(4096, 256, 256, 1.0)]));
        Assert.Null(profile.GemmSpeed([new GemmPoint(16, 16, 16, 0)]));
        Assert.Null(profile.GemmSpeed([]));
    }

    [Fact]
    public void GemmSpeed_ReadsAgainstTheSpeedReferenceWhereCalibrateProbedOne()
    {
        // The probes through calibration took 2 ms at 256³, where the grid's own point says 8.4 ms: 1 ms now is 2× the
        // reference's speed, not the grid's 8.4×; a shape the reference lacks falls back to nothing (null), not to the grid.
        var profile = Synthetic() with { SpeedReference = [new GemmPoint(256, 256, 256, 2e-3)] };
        Assert.Equal(2.0, profile.GemmSpeed([new GemmPoint(256, 256, 256, 1e-3)])!.Value, 12);
        Assert.Null(profile.GemmSpeed([new GemmPoint(16, 16, 16, 1e-3)]));
        Assert.Equal(profile.GemmSeconds(256, 256, 256) / 1e-3, (profile with { SpeedReference = [] }).GemmSpeed([new GemmPoint(256, 256, 256, 1e-3)])!.Value, 12);
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
            RowOpRates = [new RowOpPoint(RowOps.Softmax, 2, 52e-9, 19e-9), new RowOpPoint(RowOps.TopK, 4, 40e-9, 0)],
            FormatGemms = [new FormatGemmPoint("bf16", 64, 64, 64, 6.9e-5), new FormatGemmPoint("fp16", 512, 512, 512, 0.117)],
            SpeedReference = [new GemmPoint(256, 256, 256, 1.1e-3), new GemmPoint(4096, 256, 256, 4.3e-3)],
        };
        var back = MachineProfileJson.Parse(MachineProfileJson.Write(p), "profile.json");
        Assert.Equal(p.SpeedReference, back.SpeedReference);
        Assert.Null(MachineProfileJson.Parse(MachineProfileJson.Write(Synthetic()), "profile.json").SpeedReference);   // written as [], read as none
        Assert.Equal(p.FormatGemms, back.FormatGemms);
        Assert.Equal(p.Attention, back.Attention);
        Assert.Equal(p.RowOpRates, back.RowOpRates);
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
    public void Json_Clock_RoundTrips_AndAnUnknownOneIsRefusedNamingIt()
    {
        var p = Synthetic() with { Clock = TimingClocks.ThreadCpu };
        string json = MachineProfileJson.Write(p);
        Assert.Contains("\"clock\": \"thread_cpu\"", json, StringComparison.Ordinal);
        Assert.Equal(TimingClocks.ThreadCpu, MachineProfileJson.Parse(json, "p.json").Clock);
        Assert.Equal(TimingClocks.Wall, MachineProfileJson.Parse(MachineProfileJson.Write(Synthetic()), "p.json").Clock);
        var ex = Assert.Throws<ScaleLabException>(() => MachineProfileJson.Parse(json.Replace("\"thread_cpu\"", "\"cpu\"", StringComparison.Ordinal), "p.json"));
        Assert.Equal("p.json: clock: 'cpu'; it must be one of wall, thread_cpu", ex.Message);
    }

    [Fact]
    public void MedianOf_TakesEachFiguresMedianOverThePasses_AndRecordsHowFarTheyDisagreed()
    {
        // Three passes, the second caught in a slow spell (every time ×3, every rate ÷3): the medians are the first and third's.
        MachineProfile Pass(double slower, string at) => Synthetic() with
        {
            Gemms = [.. Synthetic().Gemms.Select(g => g with { Seconds = g.Seconds * slower })],
            Bandwidth = [.. Synthetic().Bandwidth.Select(b => b with { BytesPerSecond = b.BytesPerSecond / slower })],
            DispatchSeconds = 1e-6 * slower,
            ConvSlowdowns = [new SlowdownPoint(9, 1.5 * slower)],
            RowOpRates = [new RowOpPoint(RowOps.Softmax, 2, 5e-8 * slower, 2e-8 * slower)],
            MeasuredAt = at,
        };
        var median = MachineProfile.MedianOf([Pass(1.0, "t1"), Pass(3.0, "t2"), Pass(1.2, "t3")]);
        var g = median.Gemms.Single(x => (x.M, x.N, x.K) == (16, 16, 16));
        Assert.Equal(Synthetic().Gemms.Single(x => (x.M, x.N, x.K) == (16, 16, 16)).Seconds * 1.2, g.Seconds, 15);
        Assert.Equal(10e9 / 1.2, median.Bandwidth[1].BytesPerSecond, 3);
        Assert.Equal(1.2e-6, median.DispatchSeconds, 15);
        Assert.Equal(1.8, median.ConvSlowdowns![0].Slowdown, 12);
        Assert.Equal(6e-8, median.RowOpRates![0].ForwardSecondsPerRow, 15);
        Assert.Equal(2.4e-8, median.RowOpRates[0].BackwardSecondsPerRow, 15);
        Assert.Null(median.Attention);
        Assert.Equal(("t3", 3), (median.MeasuredAt, median.Passes));
        Assert.Equal((3.0 - 1.0) / 1.2, median.GemmPassSpread, 12);
        var back = MachineProfileJson.Parse(MachineProfileJson.Write(median), "p.json");
        Assert.Equal((3, median.GemmPassSpread), (back.Passes, back.GemmPassSpread));

        Assert.Same(median, MachineProfile.MedianOf([median]));
        var other = Synthetic() with { Gemms = [.. Synthetic().Gemms.Skip(1)] };
        Assert.Throws<ArgumentException>(() => MachineProfile.MedianOf([Synthetic(), other]));
        Assert.Throws<ArgumentException>(() => MachineProfile.MedianOf([Synthetic(), Synthetic() with { Threads = 1 }]));
    }

    [Fact]
    public void Json_OtherSchema_IsRefused()
    {
        var ex = Assert.Throws<ScaleLabException>(() => MachineProfileJson.Parse("{\"schema\": \"scalelab.machine-profile/0\"}", "p.json"));
        Assert.Equal("p.json: schema: 'scalelab.machine-profile/0'; expected 'scalelab.machine-profile/8' (run scalelab calibrate again)", ex.Message);
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

    private static MachineProfile WithRowOps() => MachineProfileTests.Synthetic() with
    {
        RowOpRates = [new RowOpPoint(RowOps.Softmax, 2, 50e-9, 20e-9), new RowOpPoint(RowOps.Softmax, 8, 200e-9, 80e-9),
            new RowOpPoint(RowOps.Softmax, 64, 64e-9, 32e-9), new RowOpPoint(RowOps.TopK, 4, 40e-9, 0), new RowOpPoint(RowOps.TopK, 16, 160e-9, 0)],
    };

    [Fact]
    public void RowOpSeconds_InterpolatesPerRowInLogWidth_ClampsBelowAndScalesPerValueAbove()
    {
        var p = WithRowOps();
        static void Near((double, double) expected, (double Forward, double Backward)? actual)
        {
            Assert.Equal(expected.Item1, actual!.Value.Forward, 15);
            Assert.Equal(expected.Item2, actual.Value.Backward, 15);
        }

        Near((50e-6, 20e-6), p.RowOpSeconds(RowOps.Softmax, 2, 1000));                        // a measured point
        // Width 4: halfway between 2 and 8 in log width, the geometric mean of 50 and 200 ns (100), of 20 and 80 (40).
        var (forward, backward) = p.RowOpSeconds(RowOps.Softmax, 4, 1000)!.Value;
        Assert.Equal(100e-6, forward, 15);
        Assert.Equal(40e-6, backward, 15);
        Near((50e-6, 20e-6), p.RowOpSeconds(RowOps.Softmax, 1, 1000));                        // below: the narrowest rate
        var (wide, wideBack) = p.RowOpSeconds(RowOps.Softmax, 256, 1000)!.Value;               // above: per value, 1 ns
        Assert.Equal(256e-6, wide, 15);
        Assert.Equal(128e-6, wideBack, 15);
        Near((80e-6, 0), p.RowOpSeconds(RowOps.TopK, 8, 1000));                               // topk: no backward
        Assert.Null(p.RowOpSeconds(RowOps.Sum, 2, 1000));
        Assert.Null(MachineProfileTests.Synthetic().RowOpSeconds(RowOps.Softmax, 2, 1000));
    }

    [Fact]
    public void BatchNorm_WithAMeasuredRate_IsPricedPerPlaneInPlaceOfItsBytes()
    {
        // resnet-stack's stem batch norm: 16 channels of 32×32, so 16 rows of 1,024 values a sample; at batch 4, 64 rows.
        // Its read and write (2 × 64 KiB a sample) are in the rate; without one it moves them at the bandwidth.
        var tape = Tape("resnet-stack");
        var node = tape.Nodes.Single(n => n.Layer == "layers[1]");
        Assert.Equal("batch_norm", node.Op);
        Assert.Equal(new TapeRowOp(RowOps.BatchNorm, 1024, 16, 2 * 65_536), node.Work.Row);
        var plain = MachineProfileTests.Synthetic();
        var p = plain with { RowOpRates = [new RowOpPoint(RowOps.BatchNorm, 1024, 2e-6, 3e-6)] };
        var e = StepTimeEstimator.Node(tape, node, 4, p);
        Assert.Equal(64 * 2e-6, e.ForwardSeconds, 15);
        // Backward: the rate, and the weight and bias gradients' fill, reads and write (4 × 2 × 16 fp32).
        Assert.Equal((64 * 3e-6) + p.ElementwiseSeconds(4 * 128), e.BackwardSeconds, 15);
        Assert.Equal(plain.ElementwiseSeconds(4 * 2 * 65_536), StepTimeEstimator.Node(tape, node, 4, plain).ForwardSeconds, 15);
    }

    [Fact]
    public void LayerAndRmsNorm_WithMeasuredRates_ArePricedPerRow_TheRmsNormsSixNodesAsOne()
    {
        // char-gpt's layer norm and gqa-decoder's RMSNorm: 128 tokens of 128 values a sample, 512 rows at batch 4.
        var p = MachineProfileTests.Synthetic() with
        {
            RowOpRates = [new RowOpPoint(RowOps.LayerNorm, 128, 100e-9, 200e-9), new RowOpPoint(RowOps.RmsNorm, 128, 300e-9, 1500e-9)],
        };
        var gpt = Tape("char-gpt");
        var layerNorm = gpt.Nodes.First(n => n.Op == "layer_norm");
        var e = StepTimeEstimator.Node(gpt, layerNorm, 4, p);
        Assert.Equal(512 * 100e-9, e.ForwardSeconds, 15);
        Assert.Equal((512 * 200e-9) + p.ElementwiseSeconds(4 * 2 * 512), e.BackwardSeconds, 15);   // + weight and bias gradients

        var gqa = Tape("gqa-decoder");
        var rms = gqa.Nodes.Where(n => n.Layer == "blocks[0].attn_norm").ToArray();
        Assert.Equal(["pow", "mean", "add_eps", "rsqrt", "mul", "mul_weight"], rms.Select(n => n.Op));
        var parts = rms.Select(n => StepTimeEstimator.Node(gqa, n, 4, p)).ToArray();
        Assert.Equal(512 * 300e-9, parts.Sum(x => x.ForwardSeconds), 15);
        Assert.Equal((512 * 1500e-9) + p.ElementwiseSeconds(4 * 512), parts.Sum(x => x.BackwardSeconds), 15);
        // Still six recorded ops' launches.
        Assert.Equal(6 * (p.AutogradOpSeconds + p.DispatchSeconds) + (2 * p.DispatchSeconds), parts.Sum(x => x.DispatchSeconds), 15);

        // Without a rate the first node moves all six ops' bytes (x²: 2 full; mean: full + row; ε and rsqrt: 4 rows;
        // x·r: 2 full + row; ·w: 2 full, of 65,536 and 512 bytes a sample) and the others none.
        var plain = MachineProfileTests.Synthetic();
        long bytes = (7 * 65_536) + (6 * 512);
        Assert.Equal(plain.ElementwiseSeconds(4 * bytes), StepTimeEstimator.Node(gqa, rms[0], 4, plain).ForwardSeconds, 15);
        Assert.All(rms.Skip(1), n => Assert.Equal(0, StepTimeEstimator.Node(gqa, n, 4, plain).ForwardSeconds));
    }

    [Fact]
    public void MixtureOfExperts_RouterRowKernels_ArePricedAtTheirRatesOnTopOfTheirBytes()
    {
        // small-moe: 64 tokens a sample, 4 experts, top 2. The gather node carries topk over the 4 logits of each
        // token, the softmax node softmax over its 2 choices (priced per row), each expert's sum over the 2 choices.
        var tape = Tape("small-moe");
        var p = WithRowOps() with { RowOpRates = [.. WithRowOps().RowOpRates!, new RowOpPoint(RowOps.Sum, 2, 18e-9, 8e-9)] };
        var plain = MachineProfileTests.Synthetic();
        TapeNode Node(string op) => tape.Nodes.First(n => n.Layer == "blocks[0].moe.router" && n.Op == op);
        double Extra(TapeNode n, bool backward)
        {
            var (with, without) = (StepTimeEstimator.Node(tape, n, 4, p), StepTimeEstimator.Node(tape, n, 4, plain));
            return backward ? with.BackwardSeconds - without.BackwardSeconds : with.ForwardSeconds - without.ForwardSeconds;
        }

        const double rows = 4 * 64;
        Assert.Equal(rows * 40e-9, Extra(Node("gather"), false), 15);
        Assert.Equal(0, Extra(Node("gather"), true), 15);
        Assert.Equal(rows * 50e-9, Extra(Node("softmax"), false), 15);
        Assert.Equal(rows * 20e-9, Extra(Node("softmax"), true), 15);
        Assert.Equal(rows * 18e-9, Extra(Node("sum"), false), 15);
        Assert.Equal(rows * 8e-9, Extra(Node("sum"), true), 15);
        Assert.Equal(4, tape.Nodes.Count(n => n.Layer == "blocks[0].moe.router" && n.Op == "sum"));
    }

    [Fact]
    public void Json_RowOps_UnknownOpAndNegativeBackwardAreRefused()
    {
        string json = MachineProfileJson.Write(MachineProfileTests.Synthetic() with { RowOpRates = [new RowOpPoint(RowOps.Sum, 2, 18e-9, 8e-9)] });
        var op = Assert.Throws<ScaleLabException>(() => MachineProfileJson.Parse(json.Replace("\"op\": \"sum\"", "\"op\": \"mean\"", StringComparison.Ordinal), "p.json"));
        Assert.Equal("p.json: row_ops[0].op: 'mean'; it must be one of softmax, sum, topk, batch_norm, layer_norm, rms_norm", op.Message);
        var back = Assert.Throws<ScaleLabException>(() => MachineProfileJson.Parse(json.Replace("\"backward_seconds_per_row\": 8E-09", "\"backward_seconds_per_row\": -1", StringComparison.Ordinal), "p.json"));
        Assert.Equal("p.json: row_ops[0].backward_seconds_per_row: -1; it must be zero or a positive number", back.Message);
    }

    [Fact]
    public void FormatGemms_LargestShapesRateIsTheFormatsRate_AndUnknownFormatsAreRefused()
    {
        // bf16 as the build machine measured it (7.6 GFLOP/s at 64³, 344 at 512³): the large shape is the format's rate.
        var p = MachineProfileTests.Synthetic() with
        {
            FormatGemms = [new FormatGemmPoint("bf16", 64, 64, 64, 2.0 * 64 * 64 * 64 / 7.6e9), new FormatGemmPoint("bf16", 512, 512, 512, 2.0 * 512 * 512 * 512 / 344e9)],
        };
        Assert.Equal(344e9, p.FormatFlopsPerSecond("bf16")!.Value, 1e-3);
        Assert.Null(p.FormatFlopsPerSecond("fp16"));
        string json = MachineProfileJson.Write(p);
        var bad = Assert.Throws<ScaleLabException>(() => MachineProfileJson.Parse(json.Replace("\"precision\": \"bf16\"", "\"precision\": \"fp8\"", StringComparison.Ordinal), "p.json"));
        Assert.Equal("p.json: format_gemm[0].precision: 'fp8'; it must be one of bf16, fp16", bad.Message);
        var missing = Assert.Throws<ScaleLabException>(() => MachineProfileJson.Parse(json.Replace("\"format_gemm\"", "\"format_gemms\"", StringComparison.Ordinal), "p.json"));
        Assert.StartsWith("p.json: format_gemm: missing; an array is expected", missing.Message, StringComparison.Ordinal);
    }
}
