using ScaleLab.Core.Accounting;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Building;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Measurement;

/// <summary>
/// Builds a spec in TorchSharp, trains it for a few steps on synthetic data of the right shapes (verify measures cost,
/// not accuracy), and sets the measurements beside the estimator's figures (<see cref="VerificationResult"/>).
/// Order matters for memory: a throw-away model first runs every code path once (JIT, libtorch thread pools, BLAS
/// buffers), then the GEMM peak is measured, and only then is the RSS peak reset and the baseline taken, so the growth
/// measured is the model's weights, gradients, Adam state and activations, not the runtime warming up.
/// </summary>
public static class SpecVerifier
{
    public static VerificationResult Run(ModelSpec spec, VerifyOptions options, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Steps, 1);
        var cost = ModelAccounting.Account(spec, options.SequenceLength);
        var memory = MemoryEstimator.Training(cost, new TrainingMemoryOptions(Precision.Fp32, OptimizerKind.Adam, false, options.Batch));

        progress?.Report("warming up the runtime");
        WarmUp();
        progress?.Report("measuring the GEMM peak");
        var peak = GemmBenchmark.Measure(Precision.Fp32, TimeSpan.FromSeconds(options.GemmBudgetSeconds));

        GC.Collect();
        GC.WaitForPendingFinalizers();
        bool reset = PeakMemory.TryResetPeak();
        long baseline = PeakMemory.ReadResidentBytes();

        progress?.Report("building the model");
        torch.manual_seed(options.Seed);
        using var model = ModuleBuilder.Build(spec);
        long parameters = model.parameters().Sum(p => p.numel());
        var timer = new StepTimer(options.WarmupSteps);
        using (var optimizer = optim.Adam(model.parameters()))
        {
            var (inputs, targets) = SyntheticBatch(spec, cost, model, options.Batch);
            using (inputs)
            using (targets)
            {
                progress?.Report($"training {options.WarmupSteps + options.Steps} steps");
                for (int step = 0; step < options.WarmupSteps + options.Steps; step++)
                {
                    using var scope = torch.NewDisposeScope();
                    timer.Start();
                    optimizer.zero_grad();
                    var output = model.forward(inputs);
                    var loss = Loss(spec.Task, output, targets);
                    loss.backward();
                    optimizer.step();
                    timer.Stop();
                }
            }
        }
        long growth = (reset ? PeakMemory.ReadPeakResidentBytes() : PeakMemory.ReadResidentBytes()) - baseline;

        double flopsPerStep = (double)cost.TrainingFlops * options.Batch;
        return new VerificationResult(spec.Name, options.Batch, cost.SequenceLength, cost.Parameters, parameters, flopsPerStep,
            timer.Summary(), peak, memory.TotalBytes, growth, reset, torch.get_num_threads());
    }

    /// <summary>Classification and language models: cross-entropy on logits; regression: MSE.</summary>
    private static Tensor Loss(TaskKind task, Tensor output, Tensor targets) => task switch
    {
        TaskKind.Regression => nn.functional.mse_loss(output, targets),
        _ => nn.functional.cross_entropy(output.reshape(-1, output.shape[^1]), targets.reshape(-1)),
    };

    /// <summary>Random inputs of the spec's shape (token ids below the vocabulary for token models) and targets shaped like the model's output.</summary>
    private static (Tensor Inputs, Tensor Targets) SyntheticBatch(ModelSpec spec, ModelCost cost, nn.Module<Tensor, Tensor> model, int batch)
    {
        var generator = new Generator(seed: 7);
        Tensor inputs;
        if (spec.Transformer is { } t)
            inputs = randint(t.VocabSize, [batch, cost.SequenceLength], dtype: ScalarType.Int64, generator: generator);        // (B, S)
        else if (spec.InputIsTokens)
            inputs = randint(Vocabulary(spec), [batch, .. cost.Spec.Input!.Dims], dtype: ScalarType.Int64, generator: generator);   // (B, S)
        else
            inputs = randn([batch, .. cost.Spec.Input!.Dims], generator: generator);                                                 // (B, ...input)

        long[] outputShape;
        using (no_grad())
        using (var probe = model.forward(inputs)) outputShape = probe.shape;                                                          // (B, C) / (B, S, V) / (B, k)
        var targets = spec.Task == TaskKind.Regression
            ? randn(outputShape, generator: generator)
            : randint(outputShape[^1], outputShape[..^1], dtype: ScalarType.Int64, generator: generator);
        return (inputs, targets);
    }

    private static long Vocabulary(ModelSpec spec) =>
        spec.Layers.OfType<EmbeddingLayer>().Select(e => e.Vocab).FirstOrDefault(2);

    /// <summary>One Adam step of a tiny linear model: loads and JITs every path the measured run takes.</summary>
    private static void WarmUp()
    {
        using var scope = torch.NewDisposeScope();
        var layer = nn.Linear(8, 4);
        using var optimizer = optim.Adam(layer.parameters());
        var loss = nn.functional.cross_entropy(layer.forward(randn(2, 8)), tensor(new long[] { 0, 3 }));
        loss.backward();
        optimizer.step();
    }
}
