namespace ScaleLab.Core.Formats.Safetensors;

/// <summary>
/// One validated header entry. Begin/End are data_offsets, relative to the start of the data section;
/// FileOffset is where the bytes start in the file. Only <see cref="SafetensorsValidation"/> creates these,
/// so ByteCount always equals shape × dtype size and the bytes lie inside the file.
/// </summary>
public sealed record SafetensorsTensorInfo(
    string Name,
    string DType,
    IReadOnlyList<long> Shape,
    long Elements,
    long Begin,
    long End,
    long FileOffset)
{
    public long ByteCount => End - Begin;
}
