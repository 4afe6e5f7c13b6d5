using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Checkpoints;

/// <summary>Tensors ↔ the (dtype, shape, little-endian bytes) triple safetensors stores. DType names are the format's own.</summary>
public static class TensorBytes
{
    public static string DType(ScalarType type) => type switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float64 => "F64",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new NotSupportedException($"tensors of {type} cannot be stored in safetensors here"),
    };

    public static ScalarType ScalarTypeOf(string dtype) => dtype switch
    {
        "F32" => ScalarType.Float32,
        "F64" => ScalarType.Float64,
        "F16" => ScalarType.Float16,
        "BF16" => ScalarType.BFloat16,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        "I16" => ScalarType.Int16,
        "I8" => ScalarType.Int8,
        "U8" => ScalarType.Byte,
        "BOOL" => ScalarType.Bool,
        _ => throw new NotSupportedException($"safetensors dtype '{dtype}' is not supported"),
    };

    /// <summary>A copy of the tensor's bytes (moved to the CPU and made contiguous first).</summary>
    public static byte[] Read(Tensor tensor)
    {
        using var cpu = tensor.detach().cpu().contiguous();
        return cpu.bytes.ToArray();
    }

    /// <summary>A new CPU tensor holding <paramref name="data"/>.</summary>
    public static Tensor Create(string dtype, long[] shape, byte[] data)
    {
        var tensor = empty(shape, ScalarTypeOf(dtype));
        tensor.bytes = data;
        return tensor;
    }
}
