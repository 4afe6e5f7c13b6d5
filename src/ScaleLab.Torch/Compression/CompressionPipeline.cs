using System.Diagnostics;
using System.Globalization;
using ScaleLab.Core;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Building;
using ScaleLab.Torch.Compression.CompressedTensors;
using ScaleLab.Torch.Compression.Onnx;
using ScaleLab.Torch.Data;
using ScaleLab.Torch.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Compression;

/// <summary>
/// Compresses one trained classifier as a <see cref="CompressionRequest"/> says, fine-tunes, writes the artefact,
/// reads it back, and measures accuracy, bytes and latency beside the uncompressed baseline.
/// </summary>
public sealed class CompressionPipeline(ModelSpec spec, nn.Module<Tensor, Tensor> trained, DataBundle data, Device? device = null)
{
    private readonly Device _device = device ?? CPU;
    private const int EvalBatch = 512;
    private int _fineTunedEpochs;

    public IProgress<string>? Log { get; init; }

    /// <summary>A teacher for distillation: the student (this spec, freshly initialised) learns from its soft outputs.</summary>
    public nn.Module<Tensor, Tensor>? Teacher { get; init; }

    public CompressionResult Run(CompressionRequest request, string outputDirectory)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (data.Task != TaskKind.Classification)
            throw new ScaleLabException($"compression evaluates classifiers (accuracy vs bytes); this run's task is {data.Task}");
        Directory.CreateDirectory(outputDirectory);
        var clock = Stopwatch.StartNew();
        using var threads = TorchThreads.Use(request.Threads);
        var steps = new List<string>();

        double baselineAccuracy = Accuracy(trained);
        string baselinePath = Path.Combine(outputDirectory, "baseline.safetensors");
        WriteArtifact(spec, trained, baselinePath, request with { Prune = null, Quantize = null }, compressedTensors: false);
        var baselineLatency = (B1: LatencyMeter.Torch(trained, spec.Input!, 1, _device), B64: LatencyMeter.Torch(trained, spec.Input!, 64, _device));
        _fineTunedEpochs = 0;
        Log?.Report(string.Create(CultureInfo.InvariantCulture, $"baseline: accuracy {baselineAccuracy:P2}, {new FileInfo(baselinePath).Length} bytes"));

        var (currentSpec, model) = (spec, trained);
        double? scratchAccuracy = null;
        if (Teacher is not null)
            (model, scratchAccuracy) = Distill(request, steps);
        if (request.FineTuneBaseline)
        {
            FineTune(model, request, new FineTuneHooks(), "baseline");
            steps.Add(string.Create(CultureInfo.InvariantCulture, $"no compression: {request.FinetuneEpochs} more epochs of training, the reference for fine-tuned variants"));
        }
        if (request.Structured && request.Prune is { } ratio)
        {
            var rewritten = StructuredPruning.Prune(currentSpec, model, ratio);
            (currentSpec, model) = Rebuild(rewritten);
            steps.Add(rewritten.Description);
            FineTune(model, request, new FineTuneHooks(), "structured pruning");
        }
        if (request.LowRank is not null || request.LowRankEnergy is not null)
        {
            var rewritten = LowRankFactorization.Factorize(currentSpec, model, request.LowRank, request.LowRankEnergy);
            (currentSpec, model) = Rebuild(rewritten);
            steps.Add(rewritten.Description);
            FineTune(model, request, new FineTuneHooks(), "low-rank");
        }
        if (!request.Structured && request.Prune is { } sparsity)
            PruneUnstructured(model, request, sparsity, steps);

        if (request.Quantize is not null && request.QuantizationAware)
        {
            using var qat = new QuantizationAwareTraining(model, request.Quantize.Value.Bits());
            var masks = request.Prune is not null && !request.Structured ? MaskOfNonZeros(model) : null;
            FineTune(model, request, qat.Hooks(masks is null ? null : new FineTuneHooks { AfterStep = _ => MagnitudePruning.ApplyMasks(model, masks) }), "quantization-aware");
            steps.Add("quantization-aware fine-tuning (fake quantization, straight-through estimator)");
        }

        string artifact = Path.Combine(outputDirectory, "model.safetensors");
        var decoded = WriteArtifact(currentSpec, model, artifact, request, compressedTensors: true);
        if (request.StoredQuantization is { } stored) steps.Add(stored + " weights");
        LoadDecoded(model, decoded);
        double accuracy = Accuracy(model);

        // Read the file back into a freshly built module: it must evaluate exactly as the in-memory model did.
        var (reloadedSpec, reloaded) = Load(artifact);
        double reloadedAccuracy = Accuracy(reloaded);
        bool identical = reloadedAccuracy == accuracy && reloadedSpec.Layers.Count == currentSpec.Layers.Count;

        var (parameters, nonZero) = CountParameters(model);
        var lat1 = LatencyMeter.Torch(model, currentSpec.Input!, 1, _device);
        var lat64 = LatencyMeter.Torch(model, currentSpec.Input!, 64, _device);
        // One calibration serves both static int8 figures: the simulated one and ONNX Runtime's integer kernels.
        var ranges = request.Quantize == WeightQuantization.Int8
            ? StaticActivationQuantization.Calibrate(model, data.Train, samples: 2048, batchSize: 256, _device)
            : null;
        var runtime = ranges is null ? null : Runtimes.Int8Runtime(currentSpec, model, request.Threads, ranges);
        double? staticAccuracy = ranges is null ? null : StaticInt8Accuracy(model, ranges);

        var result = new CompressionResult(
            request.Label, artifact, parameters, nonZero, new FileInfo(artifact).Length, new FileInfo(baselinePath).Length,
            baselineAccuracy, accuracy, identical, lat1, lat64, baselineLatency.B1, baselineLatency.B64, "TorchSharp fp32",
            runtime?.Accuracy, runtime?.Batch1, runtime?.Batch64, runtime?.StaticAccuracy, staticAccuracy, scratchAccuracy,
            clock.Elapsed.TotalSeconds, steps, data.Test.Count, _fineTunedEpochs, request.FineTuneBaseline)
        {
            Deployment = Runtimes.Deployment(currentSpec, model, request.Threads),
        };
        Log?.Report(string.Create(CultureInfo.InvariantCulture, $"{result.Label}: accuracy {accuracy:P2} ({result.AccuracyDelta * 100:+0.00;-0.00} pts), file {result.FileRatio:P1} of fp32"));
        return result;
    }

    /// <summary>Reads a compressed file into a module built from the spec stored inside it.</summary>
    public static (ModelSpec Spec, nn.Module<Tensor, Tensor> Model) Load(string path)
    {
        var (tensors, specJson) = CompressedModelFile.Read(path);
        var loadedSpec = ModelSpecJson.Parse(specJson, path);
        var model = ModuleBuilder.Build(loadedSpec);
        LoadDecoded(model, tensors.ToDictionary(kv => kv.Key, kv => kv.Value.Values), path);
        model.eval();
        return (loadedSpec, model);
    }

    private (nn.Module<Tensor, Tensor>, double) Distill(CompressionRequest request, List<string> steps)
    {
        manual_seed(request.Seed);
        using var scratch = ModuleBuilder.Build(spec, _device);
        FineTune(scratch, request, new FineTuneHooks(), "student from scratch");
        double scratchAccuracy = Accuracy(scratch);
        manual_seed(request.Seed);
        nn.Module<Tensor, Tensor>? student = ModuleBuilder.Build(spec, _device);
        try
        {
            var kd = new DistillationLoss(Teacher!, request.DistillTemperature, request.DistillAlpha);
            FineTune(student, request, new FineTuneHooks { Loss = kd.Compute }, "student from teacher");
            steps.Add(string.Create(CultureInfo.InvariantCulture, $"distillation (T={request.DistillTemperature}, α={request.DistillAlpha}) vs the same student from scratch ({scratchAccuracy:P2})"));
            var trained = student;
            student = null;   // the caller owns it now
            return (trained, scratchAccuracy);
        }
        finally
        {
            student?.Dispose();
        }
    }

    private void PruneUnstructured(nn.Module<Tensor, Tensor> model, CompressionRequest request, double sparsity, List<string> steps)
    {
        if (request.Rewind)
        {
            var ticket = MagnitudePruning.ComputeMasks(model, sparsity, request.Scope);
            // The run's initial weights are reproducible: the trainer seeds torch with the run's seed, then builds.
            manual_seed(request.Seed);
            using (var initial = ModuleBuilder.Build(spec))
            using (no_grad())
                model.load_state_dict(initial.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.to(_device)));
            MagnitudePruning.ApplyMasks(model, ticket);
            FineTune(model, request, new FineTuneHooks { AfterStep = _ => MagnitudePruning.ApplyMasks(model, ticket) }, "winning ticket");
            steps.Add(string.Create(CultureInfo.InvariantCulture, $"lottery ticket: {sparsity:P0} masks from the trained weights, survivors rewound to their initial values and retrained {request.FinetuneEpochs} epochs"));
            return;
        }
        if (!request.Gradual)
        {
            var masks = MagnitudePruning.ComputeMasks(model, sparsity, request.Scope);
            MagnitudePruning.ApplyMasks(model, masks);
            FineTune(model, request, new FineTuneHooks { AfterStep = _ => MagnitudePruning.ApplyMasks(model, masks) }, "pruned");
            steps.Add(string.Create(CultureInfo.InvariantCulture, $"magnitude pruning {sparsity:P0} ({request.Scope}), fine-tuned with masks"));
            return;
        }
        // Zhu & Gupta: prune every 1/10 of fine-tuning up to the final sparsity by 3/4 of it, then recover.
        long batches = (data.Train.Count + request.BatchSize - 1) / request.BatchSize;
        long total = Math.Max(1, batches * Math.Max(1, request.FinetuneEpochs));
        var schedule = new GradualPruningSchedule(0, sparsity, 0, Math.Max(1, total * 3 / 4));
        long every = Math.Max(1, total / 10);
        Dictionary<string, Tensor> current = MagnitudePruning.ComputeMasks(model, schedule.SparsityAt(0), request.Scope);
        FineTune(model, request, new FineTuneHooks
        {
            AfterStep = step =>
            {
                if (step % every == 0) current = MagnitudePruning.ComputeMasks(model, schedule.SparsityAt(step), request.Scope);
                MagnitudePruning.ApplyMasks(model, current);
            },
        }, "gradual pruning");
        current = MagnitudePruning.ComputeMasks(model, sparsity, request.Scope);
        MagnitudePruning.ApplyMasks(model, current);
        steps.Add(string.Create(CultureInfo.InvariantCulture, $"gradual magnitude pruning to {sparsity:P0} (Zhu & Gupta cubic schedule)"));
    }

    private void FineTune(nn.Module<Tensor, Tensor> model, CompressionRequest request, FineTuneHooks hooks, string what)
    {
        if (request.FinetuneEpochs <= 0) return;
        // The student trained from scratch is a comparison, not this variant's training budget.
        if (what != "student from scratch") _fineTunedEpochs += request.FinetuneEpochs;
        FineTuner.Run(model, data.Train, new FineTuneOptions(request.FinetuneEpochs, request.BatchSize, request.LearningRate, request.Seed), _device, hooks,
            (epoch, loss) => Log?.Report(string.Create(CultureInfo.InvariantCulture, $"  {what}: fine-tune epoch {epoch}/{request.FinetuneEpochs}, loss {loss:F4}")));
    }

    private (ModelSpec, nn.Module<Tensor, Tensor>) Rebuild(RewrittenModel rewritten)
    {
        var model = ModuleBuilder.Build(rewritten.Spec, _device);
        LoadDecoded(model, rewritten.State.ToDictionary(kv => kv.Key, kv => kv.Value.cpu().contiguous().data<float>().ToArray()), rewritten.Spec.Name);
        return (rewritten.Spec, model);
    }

    private Dictionary<string, float[]> WriteArtifact(ModelSpec modelSpec, nn.Module model, string path, CompressionRequest request, bool compressedTensors)
    {
        var prunable = MagnitudePruning.PrunableParameters(model).ToHashSet();
        var entries = new List<CompressedModelFile.Entry>();
        foreach (var (name, tensor) in model.state_dict())
        {
            if (tensor.dtype != ScalarType.Float32) continue;   // num_batches_tracked: a counter, not needed to evaluate
            var values = tensor.detach().cpu().contiguous().data<float>().ToArray();
            var encoding = TensorEncoding.Dense;
            bool sparse = request.Prune is not null && !request.Structured;
            if (prunable.Contains(name))
            {
                encoding = (request.Quantize, sparse) switch
                {
                    (WeightQuantization.Int8, true) => TensorEncoding.SparseInt8,
                    (WeightQuantization.Int8, false) => TensorEncoding.Int8,
                    (WeightQuantization.Int4, _) => TensorEncoding.Int4,
                    (_, true) => TensorEncoding.Sparse,
                    _ => TensorEncoding.Dense,
                };
            }
            var scheme = encoding == TensorEncoding.Int4 ? request.Int4Scheme : request.Int8Scheme;
            entries.Add(new CompressedModelFile.Entry(name, [.. tensor.shape], values, encoding, scheme, request.GroupSize));
        }
        // Encoded once, written twice: ScaleLab's file (read back below) and the same integers and scales as a
        // compressed-tensors checkpoint beside it, for tools that load that format.
        var encoded = entries.Select(EncodedTensor.Encode).ToList();
        string specJson = ModelSpecJsonWriter.Write(modelSpec);
        CompressedModelFile.WriteEncoded(path, encoded, specJson);
        if (compressedTensors) CompressedTensorsWriter.Write(Path.Combine(Path.GetDirectoryName(path)!, CompressedTensorsFolder), encoded, specJson);
        return encoded.ToDictionary(e => e.Name, e => e.Decode());
    }

    /// <summary>The compressed-tensors checkpoint folder written beside every compressed model.safetensors.</summary>
    public const string CompressedTensorsFolder = "compressed-tensors";

    private static void LoadDecoded(nn.Module model, IReadOnlyDictionary<string, float[]> values, string source = "")
    {
        using var noGrad = no_grad();
        var state = model.state_dict();
        foreach (var (name, target) in state)
        {
            if (target.dtype != ScalarType.Float32) continue;
            if (!values.TryGetValue(name, out var v))
                throw new ScaleLabException($"{source}: tensor '{name}' of the model is missing from the weights");
            if (v.LongLength != target.numel())
                throw new ScaleLabException($"{source}: tensor '{name}' holds {v.LongLength} values, the model expects {target.numel()} ({string.Join('x', target.shape)})");
            using var decoded = tensor(v).reshape(target.shape);
            target.copy_(decoded);
        }
    }

    private static Dictionary<string, Tensor> MaskOfNonZeros(nn.Module model)
    {
        var names = MagnitudePruning.PrunableParameters(model).ToHashSet();
        return model.named_parameters().Where(p => names.Contains(p.name)).ToDictionary(p => p.name, p => p.parameter.detach().ne(Scalars.Zero).to_type(p.parameter.dtype));
    }

    private RuntimeMeasurement Runtimes => new(data, _device, EvalBatch, Log);

    private double Accuracy(nn.Module<Tensor, Tensor> model) =>
        Evaluator.Evaluate(model, data.Test, data.Task, data.Classes, EvalBatch, _device).Accuracy ?? double.NaN;

    /// <summary>int8 weights (already decoded into the model) and int8 activations with calibrated static scales.</summary>
    private double StaticInt8Accuracy(nn.Module<Tensor, Tensor> model, IReadOnlyDictionary<string, (float Scale, int Zero)> ranges)
    {
        using var hooks = StaticActivationQuantization.Apply(model, ranges);
        return Accuracy(model);
    }

    private static (long Parameters, long NonZero) CountParameters(nn.Module model)
    {
        long total = 0, nonZero = 0;
        foreach (var p in model.parameters())
        {
            total += p.numel();
            nonZero += p.ne(Scalars.Zero).sum().item<long>();
        }
        return (total, nonZero);
    }
}
