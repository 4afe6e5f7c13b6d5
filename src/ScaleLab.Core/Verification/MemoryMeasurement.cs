using System.Text.Json;
using ScaleLab.Core.Json;

namespace ScaleLab.Core.Verification;

/// <summary>
/// One model's measured step memory as <c>verify</c> takes it (docs/verify.md, "How memory is measured"): every
/// repeat's peak above the baseline at every batch size, the baseline itself (the runtime's fixed cost), the parameters
/// of the built model, whether VmHWM could be reset and glibc's allocator pinned, and whether this was the first model
/// measured in its process (no earlier model's freed chunks in the heap under it). <c>verify --suite</c> measures
/// each model in a process of its own and hands the figures back as <see cref="ToJson"/>'s one line (schema
/// <see cref="SchemaId"/>, docs/schemas/verify-memory.schema.json), read back with <see cref="Parse"/>.
/// </summary>
public sealed record MemoryMeasurement(long MeasuredParameters, IReadOnlyList<BatchMemorySamples> Batches, long BaselineBytes, bool PeakReset, bool AllocatorPinned,
    bool FirstInProcess)
{
    public const string SchemaId = "scalelab.verify-memory/1";

    // Every key is required and none may be null: the document is a child's report, never partial.
    private static readonly JsonSerializerOptions Reading = new(ScaleLabJson.StrictInput) { RespectRequiredConstructorParameters = true, RespectNullableAnnotations = true };

    /// <summary>The repeats' peaks at <paramref name="batch"/>.</summary>
    public IReadOnlyList<long> PeaksAt(int batch) =>
        Batches.FirstOrDefault(b => b.Batch == batch)?.PeakBytes ?? throw new ArgumentException($"no memory was measured at batch {batch}", nameof(batch));

    public string ToJson() => JsonSerializer.Serialize(
        new Document(SchemaId, MeasuredParameters, BaselineBytes, PeakReset, AllocatorPinned, FirstInProcess, [.. Batches.Select(b => new BatchDocument(b.Batch, b.PeakBytes))]),
        ScaleLabJson.CompactDocument);

    /// <summary>
    /// Reads <see cref="ToJson"/>'s document back, checked: <paramref name="source"/> names where it came from in the
    /// one-line error an unreadable, foreign or incomplete document gets.
    /// </summary>
    public static MemoryMeasurement Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        Document? d;
        try
        {
            d = JsonSerializer.Deserialize<Document>(text, Reading);
        }
        catch (JsonException ex)
        {
            throw new ScaleLabException($"{source}: not a {SchemaId} document ({ex.Message})");
        }

        if (d is null) throw new ScaleLabException($"{source}: not a {SchemaId} document (empty)");
        if (d.Schema != SchemaId) throw new ScaleLabException($"{source}: schema: '{d.Schema}'; expected '{SchemaId}'");
        if (d.MeasuredParameters < 0) throw new ScaleLabException($"{source}: measured_parameters: {d.MeasuredParameters}; it must be 0 or more");
        if (d.BaselineBytes < 0) throw new ScaleLabException($"{source}: baseline_bytes: {d.BaselineBytes}; it must be 0 or more");
        if (d.Batches.Count == 0) throw new ScaleLabException($"{source}: batches: none; at least one batch size is measured");
        for (int i = 0; i < d.Batches.Count; i++)
        {
            var b = d.Batches[i];
            if (b.Batch < 1) throw new ScaleLabException($"{source}: batches[{i}].batch: {b.Batch}; it must be at least 1");
            if (b.PeakBytes.Count == 0) throw new ScaleLabException($"{source}: batches[{i}].peak_bytes: none; every batch has one peak per repeat");
            if (b.PeakBytes.FirstOrDefault(p => p < 0) is < 0 and var negative)
                throw new ScaleLabException($"{source}: batches[{i}].peak_bytes: {negative}; a peak above the baseline is 0 or more");
            if (d.Batches.Take(i).Any(o => o.Batch == b.Batch)) throw new ScaleLabException($"{source}: batches[{i}].batch: {b.Batch} appears twice");
        }

        return new MemoryMeasurement(d.MeasuredParameters, [.. d.Batches.Select(b => new BatchMemorySamples(b.Batch, b.PeakBytes))], d.BaselineBytes,
            d.PeakReset, d.AllocatorPinned, d.FirstInProcess);
    }

    private sealed record Document(string Schema, long MeasuredParameters, long BaselineBytes, bool PeakReset, bool AllocatorPinned, bool FirstInProcess, IReadOnlyList<BatchDocument> Batches);

    private sealed record BatchDocument(int Batch, IReadOnlyList<long> PeakBytes);
}

/// <summary>The peak above the baseline of every repeat at one batch size.</summary>
public sealed record BatchMemorySamples(int Batch, IReadOnlyList<long> PeakBytes);
