using System.CommandLine;
using System.Globalization;
using ScaleLab.Core.Runs;
using ScaleLab.Core;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Compression;
using ScaleLab.Torch.Data;
using ScaleLab.Reports.Data;
using ScaleLab.Reports.Plots;
using ScaleLab.Torch.Runs;

namespace ScaleLab.Cli.Commands;

/// <summary>`scalelab compress RUN …`: prune, quantize, distil or factorise a trained run, and measure what it cost.</summary>
internal static class CompressCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("run") { Description = "A run directory written by `scalelab train --out`" };
        var prune = new Option<double?>("--prune") { Description = "Fraction to remove: of weights (unstructured) or of neurons/filters (--structured), e.g. 0.9" };
        var structured = new Option<bool>("--structured") { Description = "Remove whole neurons/filters by L2 norm: a physically smaller model" };
        var global = new Option<bool>("--global") { Description = "Unstructured pruning with one threshold over all layers (default: per layer)" };
        var gradual = new Option<bool>("--gradual") { Description = "Raise sparsity gradually during fine-tuning (Zhu & Gupta cubic schedule)" };
        var rewind = new Option<bool>("--rewind") { Description = "Lottery ticket: keep the masks, rewind the surviving weights to their initial values and retrain them (Frankle & Carbin 2019)" };
        var quantize = new Option<string?>("--quantize") { Description = "int8 | int4: post-training weight quantization" };
        quantize.AcceptOnlyFromAmong("int8", "int4");
        var perTensor = new Option<bool>("--per-tensor") { Description = "int8 with one scale per tensor (default: per output channel)" };
        var asymmetric = new Option<bool>("--asymmetric") { Description = "Asymmetric quantization with zero-points (default: symmetric)" };
        var groupSize = new Option<int>("--group-size") { Description = "int4 group size: 32, 64 or 128", DefaultValueFactory = _ => 64 };
        groupSize.AcceptOnlyFromAmong("32", "64", "128");
        var qat = new Option<bool>("--qat") { Description = "Quantization-aware fine-tuning (fake quantization + straight-through estimator)" };
        var distillFrom = new Option<string?>("--distill-from") { Description = "A teacher run: train RUN's architecture from its softened outputs (and from scratch, to compare)" };
        var temperature = new Option<double>("--temperature") { Description = "Distillation temperature T", DefaultValueFactory = _ => 4.0 };
        var alpha = new Option<double>("--alpha") { Description = "Distillation weight of the soft targets", DefaultValueFactory = _ => 0.7 };
        var lowRank = new Option<int?>("--low-rank") { Description = "SVD-factorise linear layers to this rank" };
        var energy = new Option<double?>("--low-rank-energy") { Description = "…or to the smallest rank keeping this fraction of the spectrum's energy, e.g. 0.9" };
        var epochs = new Option<int>("--finetune-epochs") { Description = "Fine-tuning epochs after each change", DefaultValueFactory = _ => 2 };
        var lr = new Option<double>("--lr") { Description = "Fine-tuning learning rate (Adam)", DefaultValueFactory = _ => 1e-3 };
        var batch = new Option<int>("--batch") { Description = "Fine-tuning batch size", DefaultValueFactory = _ => 128 };
        var threads = new Option<int>("--threads") { Description = "CPU threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var data = new Option<string?>("--data") { Description = "Data to fine-tune and evaluate on (default: the run's own)" };
        var grid = new Option<bool>("--grid") { Description = "Explore a grid of methods and write a Pareto table and plot (accuracy vs bytes vs latency)" };
        var output = new Option<string>("--out") { Description = "Output directory", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the results as one JSON document, schema scalelab.compress/2 (docs/schemas/compress.schema.json), the same as OUT/compression.json" };

        var command = new Command("compress", """
            Shrink a trained model for real and measure it: file bytes, test accuracy and latency beside the fp32 baseline.
            Pruned models are stored sparse (bitmask + values), quantized ones as int8 / packed int4 with scales,
            structured pruning and low-rank factorisation write a smaller architecture. The file is read back and
            evaluated again to prove it loads identically; the same weights go to OUT/compressed-tensors/ in the
            compressed-tensors layout vLLM and transformers load. --grid adds a "baseline + N epochs" row and marks
            Pareto-optimal only what is better beyond measured noise (docs/compression.md).

            Examples:
              scalelab compress runs/lenet --prune 0.9 --finetune-epochs 2 --out runs/lenet-sparse
              scalelab compress runs/lenet --quantize int8 --out runs/lenet-int8
              scalelab compress runs/mlp --prune 0.5 --structured --out runs/mlp-half
              scalelab compress runs/lenet --grid --out runs/lenet-grid
            """);
        command.Arguments.Add(run);
        foreach (var o in new Option[] { prune, structured, global, gradual, rewind, quantize, perTensor, asymmetric, groupSize, qat, distillFrom, temperature, alpha, lowRank, energy, epochs, lr, batch, threads, data, grid, output, json })
            command.Options.Add(o);

        command.SetAction(parse =>
        {
            var writer = parse.InvocationConfiguration.Output;
            string runDir = parse.GetValue(run)!;
            var request = new CompressionRequest
            {
                Prune = parse.GetValue(prune),
                Structured = parse.GetValue(structured),
                Scope = parse.GetValue(global) ? PruningScope.Global : PruningScope.PerLayer,
                Gradual = parse.GetValue(gradual),
                Rewind = parse.GetValue(rewind),
                Quantize = parse.GetValue(quantize) is { } q ? WeightQuantizationInfo.Parse(q, "--quantize") : null,
                Int8Scheme = (parse.GetValue(perTensor), parse.GetValue(asymmetric)) switch
                {
                    (true, true) => QuantScheme.Int8PerTensorAsymmetric,
                    (true, false) => QuantScheme.Int8PerTensorSymmetric,
                    (false, true) => QuantScheme.Int8PerChannelAsymmetric,
                    _ => QuantScheme.Int8PerChannelSymmetric,
                },
                Int4Scheme = parse.GetValue(asymmetric) ? QuantScheme.Int4GroupAsymmetric : QuantScheme.Int4GroupSymmetric,
                GroupSize = parse.GetValue(groupSize),
                QuantizationAware = parse.GetValue(qat),
                LowRank = parse.GetValue(lowRank),
                LowRankEnergy = parse.GetValue(energy),
                Distill = parse.GetValue(distillFrom) is not null,
                DistillTemperature = parse.GetValue(temperature),
                DistillAlpha = parse.GetValue(alpha),
                FinetuneEpochs = parse.GetValue(epochs),
                LearningRate = parse.GetValue(lr),
                BatchSize = parse.GetValue(batch),
                Threads = Math.Max(1, parse.GetValue(threads)),
            };
            request.Validate(parse.GetValue(grid), parse.GetValue(distillFrom) is not null);
            string outDir = OutputFolder.Prepare(parse.GetValue(output)!, "--out");
            var requests = parse.GetValue(grid) ? CompressionGrid.Default(request) : [request];
            var results = CompressionSession.Run(runDir, parse.GetValue(distillFrom), parse.GetValue(data), requests, outDir,
                new Progress<string>(line => Console.Error.WriteLine(line)));
            // With --json stdout holds one document (the compression.json just written); where the files went goes to stderr.
            bool asJson = parse.GetValue(json);
            var notes = asJson ? parse.InvocationConfiguration.Error : writer;
            if (asJson) writer.WriteLine(CompressionResultsJson.Write(runDir, results));
            else CompressionTable.Write(writer, results);
            string resultsPath = Path.Combine(outDir, CompressionResultsReader.FileName);
            notes.WriteLine($"results: {resultsPath}");
            if (results.Count > 1)
            {
                string plot = ParetoPlot.Render(CompressionResultsReader.Read(resultsPath)).Save(outDir);
                notes.WriteLine($"Pareto plot: {plot}   (scalelab report {outDir} for the HTML page)");
            }
            return 0;
        });
        return command;
    }
}
