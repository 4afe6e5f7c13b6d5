using System.CommandLine;
using ScaleLab.Core;
using ScaleLab.Core.Formatting;
using ScaleLab.Torch.Compression;
using ScaleLab.Torch.Compression.Onnx;

namespace ScaleLab.Cli.Commands;

/// <summary>`scalelab export PATH --onnx | --compressed-tensors --out …`: a model in a format other tools load.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("path") { Description = "A run directory (train --out), or a compressed model: compress --out folder or its model.safetensors" };
        var onnx = new Option<bool>("--onnx") { Description = "Write a standard ONNX model (input x, output y), run by ONNX Runtime, TensorRT, …" };
        var int8 = new Option<bool>("--int8") { Description = "With --onnx: linear and conv weights int8 per output channel; linear layers as integer ops (MatMulInteger), conv as QDQ" };
        var opset = new Option<int>("--opset")
        {
            Description = $"With --onnx: ONNX opset, {OnnxModelExport.MinOpset} to {OnnxModelExport.MaxOpset} (layernorm needs 17+)",
            DefaultValueFactory = _ => OnnxModelExport.DefaultOpset,
        };
        var compressedTensors = new Option<bool>("--compressed-tensors") { Description = "Write a compressed model as a compressed-tensors checkpoint folder (config.json + model.safetensors), as vLLM and transformers load" };
        var output = new Option<string>("--out") { Description = "The .onnx file, or the folder for --compressed-tensors", Required = true };
        var command = new Command("export", """
            Write a model in a standard format: ONNX for any layer stack (fp32 or int8), or a compressed model as a
            compressed-tensors checkpoint (int8 naive-quantized, int4 pack-quantized, sparse-bitmask).

            Examples:
              scalelab export runs/lenet --onnx --out lenet.onnx
              scalelab export runs/lenet-int8 --onnx --int8 --opset 13 --out lenet-int8.onnx
              scalelab export runs/lenet-int8 --compressed-tensors --out lenet-int8-ct
            """);
        command.Arguments.Add(source);
        foreach (var o in new Option[] { onnx, int8, opset, compressedTensors, output })
            command.Options.Add(o);
        command.SetAction(parse =>
        {
            var writer = parse.InvocationConfiguration.Output;
            string path = parse.GetValue(source)!, target = parse.GetValue(output)!;
            bool toOnnx = parse.GetValue(onnx), toCompressed = parse.GetValue(compressedTensors);
            if (toOnnx == toCompressed) throw new ScaleLabException("export: give exactly one of --onnx or --compressed-tensors");
            if (parse.GetValue(int8) && !toOnnx) throw new ScaleLabException("export: --int8 applies to --onnx (a compressed-tensors checkpoint keeps the model's own encoding)");
            if (toCompressed)
            {
                OutputFolder.Prepare(target, "--out");
                ModelExport.CompressedTensors(path, target);
                writer.WriteLine($"wrote {target}: config.json + model.safetensors (compressed-tensors)");
                return 0;
            }
            string? folder = Path.GetDirectoryName(Path.GetFullPath(target));
            if (folder is not null) OutputFolder.Prepare(folder, "--out");
            var options = new OnnxExportOptions(parse.GetValue(opset), parse.GetValue(int8));
            long bytes = ModelExport.Onnx(path, target, options);
            writer.WriteLine($"wrote {target}: {HumanUnits.Bytes(bytes)}, ONNX opset {options.Opset}, {(options.Int8 ? "int8 weights (MatMulInteger linear, QDQ conv)" : "fp32")}");
            return 0;
        });
        return command;
    }
}
