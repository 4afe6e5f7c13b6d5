namespace ScaleLab.Core.Formats.Gguf;

/// <summary>
/// One validated tensor info. Dimensions are as GGUF stores them, ne[0] first (the fastest-varying axis);
/// Shape is the same reversed, the row-major order PyTorch and safetensors use. Offset is relative to the data
/// section; FileOffset is absolute. ByteCount = Elements / block elements × block bytes of the ggml type.
/// </summary>
public sealed record GgufTensorInfo(
    string Name,
    IReadOnlyList<long> Dimensions,
    GgmlType Type,
    long Offset,
    long FileOffset,
    long Elements,
    long ByteCount)
{
    public IReadOnlyList<long> Shape => [.. Dimensions.Reverse()];
}
