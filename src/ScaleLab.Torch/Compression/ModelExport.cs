using ScaleLab.Core.Runs;
using ScaleLab.Core;
using ScaleLab.Core.Formats;
using ScaleLab.Core.Formats.Safetensors;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Compression.CompressedTensors;
using ScaleLab.Torch.Compression.Onnx;
using ScaleLab.Torch.Runs;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Compression;

/// <summary>
/// `scalelab export`: a trained run or a compressed model out to formats other tools load. The source is a run
/// directory (`train --out`), a compressed model.safetensors (ScaleLab's compressed/1, old runs included), or the
/// `compress --out` folder holding one.
/// </summary>
public static class ModelExport
{
    /// <summary>Writes the model as ONNX to <paramref name="outputFile"/> (atomically); returns its bytes.</summary>
    public static long Onnx(string source, string outputFile, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(outputFile);
        var (spec, model) = Load(source);
        using (model)
        {
            byte[] onnx = OnnxModelExport.Export(spec, model, options);
            string temp = outputFile + ".tmp";
            File.WriteAllBytes(temp, onnx);
            File.Move(temp, outputFile, overwrite: true);
            return onnx.LongLength;
        }
    }

    /// <summary>Writes a compressed model as a compressed-tensors checkpoint folder: the same integers and scales, transcoded.</summary>
    public static void CompressedTensors(string source, string outputFolder)
    {
        string? compressed = CompressedFile(source)
            ?? throw new ScaleLabException($"{source}: not a compressed model; --compressed-tensors exports what `scalelab compress` wrote (its model.safetensors or --out folder), a run's fp32 weights have nothing to compress");
        var (encoded, specJson) = CompressedModelFile.ReadEncoded(compressed);
        CompressedTensorsWriter.Write(outputFolder, encoded, specJson);
    }

    private static (ModelSpec Spec, nn.Module<Tensor, Tensor> Model) Load(string source)
    {
        if (CompressedFile(source) is { } compressed) return CompressionPipeline.Load(compressed);
        if (!Directory.Exists(source)) throw new ScaleLabException($"{source}: no such run directory or compressed model file");
        var (spec, model, _) = RunDirectory.LoadModel(source);
        model.eval();
        return (spec, model);
    }

    /// <summary>The ScaleLab compressed/1 file <paramref name="source"/> is or holds (model.safetensors), else null.</summary>
    private static string? CompressedFile(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        string candidate = Directory.Exists(source) ? Path.Combine(source, "model.safetensors") : source;
        if (!File.Exists(candidate)) return null;
        var meta = SafetensorsReader.ReadHeader(candidate).Metadata;
        return meta.TryGetValue(ScaleLabCompressedFormat.FormatKey, out var f) && f == ScaleLabCompressedFormat.FormatValue ? candidate : null;
    }
}
