using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ScaleLab.Core.Json;

namespace ScaleLab.Core.Accounting.Autograd;

/// <summary>
/// The machine profile file (schema <see cref="MachineProfile.Schema"/>, docs/schemas/machine-profile.schema.json):
/// written by `scalelab calibrate`, read by verify and `estimate --time`. Read as untrusted input: every figure must be
/// a positive finite number and the GEMM grid complete, or the one-line error names the file, field and value.
/// </summary>
public static class MachineProfileJson
{
    /// <summary>
    /// Where calibrate writes by default and verify looks, one file per thread count (throughput depends on it):
    /// $SCALELAB_PROFILE_DIR/machine-profile-tN.json, else ~/.scalelab/machine-profile-tN.json.
    /// </summary>
    public static string DefaultPath(int threads)
    {
        string folder = Environment.GetEnvironmentVariable("SCALELAB_PROFILE_DIR") is { Length: > 0 } d
            ? d
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".scalelab");
        return Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"machine-profile-t{threads}.json"));
    }

    public static string Write(MachineProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var p = profile;
        return ScaleLabJson.Write(new MachineProfileDocument(MachineProfile.Schema, p.Device, p.Precision, p.Threads, p.Clock, p.Passes, p.GemmPassSpread, p.Machine, p.MeasuredAt,
            p.DispatchSeconds, p.AutogradOpSeconds, p.TranscendentalsPerSecond, p.ConvSlowdowns ?? [], p.RecurrentSlowdowns ?? [],
            p.MaxPoolingSecondsPerElement, p.AveragePoolingSecondsPerElement, p.OptimizerSteps ?? [], p.Attention ?? [], p.RowOpRates ?? [], p.FormatGemms ?? [], p.Bandwidth, p.SpeedReference ?? [], p.Gemms)) + "\n";
    }

    /// <summary>The file's record: the profile's measurements in the order the schema lists them.</summary>
    private sealed record MachineProfileDocument(string Schema, string Device, string Precision, int Threads, string Clock, int Passes, double GemmPassSpread, string Machine, string MeasuredAt,
        double DispatchSeconds, double AutogradOpSeconds, double TranscendentalsPerSecond, IReadOnlyList<SlowdownPoint> ConvSlowdown,
        IReadOnlyList<SlowdownPoint> RecurrentSlowdown, double MaxPoolingSecondsPerElement, double AveragePoolingSecondsPerElement,
        [property: JsonPropertyName("optimizer_step")] IReadOnlyList<OptimizerPoint> OptimizerSteps, IReadOnlyList<AttentionPoint> Attention, IReadOnlyList<RowOpPoint> RowOps, [property: JsonPropertyName("format_gemm")] IReadOnlyList<FormatGemmPoint> FormatGemms, IReadOnlyList<BandwidthPoint> Bandwidth, IReadOnlyList<GemmPoint> SpeedReference, [property: JsonPropertyName("gemm")] IReadOnlyList<GemmPoint> Gemms);

    public static void Save(MachineProfile profile, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder) Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(path, Write(profile));
    }

    public static MachineProfile Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        InputFile.RequireRegular(path);
        return Parse(StrictText.ReadText(path), path);
    }

    public static MachineProfile Parse(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException ex)
        {
            throw new ScaleLabException($"{source}: not valid JSON ({ex.Message})");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Bad(source, "top level", "an object is expected");
            string schema = Text(root, source, "schema");
            if (schema != MachineProfile.Schema) throw Bad(source, "schema", $"'{schema}'; expected '{MachineProfile.Schema}' (run scalelab calibrate again)");
            var bandwidth = Items(root, source, "bandwidth", 64).Select((e, i) =>
                new BandwidthPoint((long)Positive(e, source, $"bandwidth[{i}].bytes"), Positive(e, source, $"bandwidth[{i}].bytes_per_second"))).ToArray();
            var gemms = Items(root, source, "gemm", 4096).Select((e, i) => new GemmPoint(
                (long)Positive(e, source, $"gemm[{i}].m"), (long)Positive(e, source, $"gemm[{i}].n"), (long)Positive(e, source, $"gemm[{i}].k"),
                Positive(e, source, $"gemm[{i}].seconds"))).ToArray();
            RequireGrid(gemms, source);
            var speedReference = Items(root, source, "speed_reference", 16).Select((e, i) => new GemmPoint(
                (long)Positive(e, source, $"speed_reference[{i}].m"), (long)Positive(e, source, $"speed_reference[{i}].n"), (long)Positive(e, source, $"speed_reference[{i}].k"),
                Positive(e, source, $"speed_reference[{i}].seconds"))).ToArray();
            if (bandwidth.Length == 0) throw Bad(source, "bandwidth", "empty; at least one point is needed");
            return new MachineProfile(
                Text(root, source, "device"), Text(root, source, "precision"), (int)Positive(root, source, "threads"),
                gemms, bandwidth, Positive(root, source, "transcendentals_per_second"), Positive(root, source, "dispatch_seconds"),
                Positive(root, source, "autograd_op_seconds"), Text(root, source, "measured_at"), Text(root, source, "machine"),
                ReadPoints(root, source, "conv_slowdown"), ReadPoints(root, source, "recurrent_slowdown"),
                Positive(root, source, "max_pooling_seconds_per_element"), Positive(root, source, "average_pooling_seconds_per_element"),
                [.. Items(root, source, "optimizer_step", 64).Select((e, i) => new OptimizerPoint(
                    OptimizerName(e, source, $"optimizer_step[{i}].optimizer"), (long)Positive(e, source, $"optimizer_step[{i}].parameters"),
                    Positive(e, source, $"optimizer_step[{i}].seconds")))],
                [.. Items(root, source, "attention", 64).Select((e, i) => new AttentionPoint(
                    (long)Positive(e, source, $"attention[{i}].head_dim"), (long)Positive(e, source, $"attention[{i}].sequence"),
                    Positive(e, source, $"attention[{i}].forward_seconds_per_score"), Positive(e, source, $"attention[{i}].backward_seconds_per_score")))],
                [.. Items(root, source, "row_ops", 64).Select((e, i) => new RowOpPoint(
                    RowOpName(e, source, $"row_ops[{i}].op"), (long)Positive(e, source, $"row_ops[{i}].width"),
                    Positive(e, source, $"row_ops[{i}].forward_seconds_per_row"), NonNegative(e, source, $"row_ops[{i}].backward_seconds_per_row")))],
                [.. Items(root, source, "format_gemm", 64).Select((e, i) => new FormatGemmPoint(
                    FormatName(e, source, $"format_gemm[{i}].precision"), (long)Positive(e, source, $"format_gemm[{i}].m"), (long)Positive(e, source, $"format_gemm[{i}].n"),
                    (long)Positive(e, source, $"format_gemm[{i}].k"), Positive(e, source, $"format_gemm[{i}].seconds")))],
                ClockName(root, source), (int)Positive(root, source, "passes"), NonNegative(root, source, "gemm_pass_spread"),
                speedReference.Length == 0 ? null : speedReference);
        }
    }

    private static SlowdownPoint[] ReadPoints(JsonElement root, string source, string name) =>
        [.. Items(root, source, name, 64).Select((e, i) => new SlowdownPoint((long)Positive(e, source, $"{name}[{i}].k"), Positive(e, source, $"{name}[{i}].slowdown")))];

    /// <summary>Interpolation needs every (m, n, k) of one axis: a hand-edited or truncated grid is refused.</summary>
    private static void RequireGrid(GemmPoint[] gemms, string source)
    {
        var axis = gemms.Select(g => g.M).Distinct().Order().ToArray();
        if (axis.Length < 2) throw Bad(source, "gemm", "needs at least two sizes per dimension");
        var have = gemms.Select(g => (g.M, g.N, g.K)).ToHashSet();
        foreach (long m in axis)
            foreach (long n in axis)
                foreach (long k in axis)
                    if (!have.Contains((m, n, k)))
                        throw Bad(source, "gemm", string.Create(CultureInfo.InvariantCulture, $"the grid lacks m={m}, n={n}, k={k}; run scalelab calibrate again"));
    }

    private static IEnumerable<JsonElement> Items(JsonElement root, string source, string name, int max)
    {
        if (!root.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array) throw Bad(source, name, "missing; an array is expected");
        if (array.GetArrayLength() > max) throw Bad(source, name, string.Create(CultureInfo.InvariantCulture, $"{array.GetArrayLength()} entries; at most {max}"));
        return array.EnumerateArray().ToArray();
    }

    private static string OptimizerName(JsonElement e, string source, string name)
    {
        string text = Text(e, source, name[(name.LastIndexOf('.') + 1)..]);
        return OptimizerKindInfo.TryParse(text, out var kind) ? kind.Name() : throw Bad(source, name, OptimizerKindInfo.UnknownMessage(text));
    }

    private static string FormatName(JsonElement e, string source, string name)
    {
        string text = Text(e, source, name[(name.LastIndexOf('.') + 1)..]);
        return FormatGemmPoint.Formats.Contains(text) ? text : throw Bad(source, name, $"'{text}'; it must be one of {string.Join(", ", FormatGemmPoint.Formats)}");
    }

    private static string ClockName(JsonElement root, string source)
    {
        string text = Text(root, source, "clock");
        return TimingClocks.All.Contains(text) ? text : throw Bad(source, "clock", $"'{text}'; it must be one of {string.Join(", ", TimingClocks.All)}");
    }

    private static string RowOpName(JsonElement e, string source, string name)
    {
        string text = Text(e, source, name[(name.LastIndexOf('.') + 1)..]);
        return RowOps.All.Contains(text) ? text : throw Bad(source, name, $"'{text}'; it must be one of {string.Join(", ", RowOps.All)}");
    }

    private static string Text(JsonElement e, string source, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Bad(source, name, "missing; a string is expected");

    private static double Positive(JsonElement e, string source, string name)
    {
        string key = name[(name.LastIndexOf('.') + 1)..];
        if (!e.TryGetProperty(key, out var v) || v.ValueKind != JsonValueKind.Number) throw Bad(source, name, "missing; a number is expected");
        double d = v.GetDouble();
        if (!double.IsFinite(d) || d <= 0) throw Bad(source, name, string.Create(CultureInfo.InvariantCulture, $"{d}; it must be a positive number"));
        return d;
    }

    private static double NonNegative(JsonElement e, string source, string name)
    {
        string key = name[(name.LastIndexOf('.') + 1)..];
        if (!e.TryGetProperty(key, out var v) || v.ValueKind != JsonValueKind.Number) throw Bad(source, name, "missing; a number is expected");
        double d = v.GetDouble();
        if (!double.IsFinite(d) || d < 0) throw Bad(source, name, string.Create(CultureInfo.InvariantCulture, $"{d}; it must be zero or a positive number"));
        return d;
    }

    private static ScaleLabException Bad(string source, string field, string problem) => new($"{source}: {field}: {problem}");
}
