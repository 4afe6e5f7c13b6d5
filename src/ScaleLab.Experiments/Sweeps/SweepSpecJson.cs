using System.Globalization;
using System.Text;
using System.Text.Json;
using ScaleLab.Core.Presets;
using ScaleLab.Core.Spec;
using ScaleLab.Experiments.Running;
using ScaleLab.Torch.Training;

namespace ScaleLab.Experiments.Sweeps;

/// <summary>
/// Reads a sweep file (docs/sweeps.md) into a <see cref="SweepSpec"/>: JSON → field-by-field checks with messages that
/// name the file, the field and the value → a validated record. Unknown fields are errors, so a typo never silently
/// runs a different sweep. Paths (model file, text:/csv: data, data.directory) are relative to the sweep file.
/// </summary>
public static class SweepSpecJson
{
    /// <summary>A sweep file is a few KiB; anything past this is not one.</summary>
    public const long MaxFileBytes = 4 * 1024 * 1024;

    /// <summary>Most trials one sweep may expand to (grid × repeats, or the explicit list × repeats): 10,000.</summary>
    public const int MaxTrials = 10_000;

    private static readonly string[] Fields =
        ["name", "description", "model", "training", "axes", "trials", "repeats", "depth_block", "early_stopping", "max_attempts"];

    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, AllowDuplicateProperties = false };

    public static SweepSpec Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var info = new FileInfo(path);
        if (!info.Exists) throw new SweepException($"{path}: no such sweep file");
        if (info.Length > MaxFileBytes) throw new SweepException($"{path}: {info.Length} bytes; a sweep file is at most {MaxFileBytes} bytes");
        return Parse(ScaleLab.Core.StrictText.ReadText(path), path, Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Parses a sweep; <paramref name="baseDirectory"/> anchors relative paths.</summary>
    public static SweepSpec Parse(string json, string source, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new SweepException($"{source}: not valid JSON (line {(ex.LineNumber ?? 0) + 1}): {ex.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Fail(source, "top level", $"is {Describe(root)}; a sweep file is a JSON object");
            foreach (var p in root.EnumerateObject())
                if (!Fields.Contains(p.Name, StringComparer.Ordinal))
                    throw Fail(source, p.Name, $"unknown field; a sweep file has {string.Join(", ", Fields)}");
            return Read(root, source, baseDirectory) with { Json = json };
        }
    }

    /// <summary>
    /// The early_stopping rule of a stored sweep file (a worker reads it from the store): only that field is read, so
    /// a sweep whose model file or data lives on the submitting machine still gives its rule on any other.
    /// </summary>
    public static EarlyStoppingOptions? EarlyStoppingIn(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json, DocumentOptions);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("early_stopping", out var es)
                ? EarlyStoppingOf(es, source)
                : null;
        }
        catch (JsonException ex)
        {
            throw new SweepException($"{source}: not valid JSON (line {(ex.LineNumber ?? 0) + 1}): {ex.Message}");
        }
    }

    private static SweepSpec Read(JsonElement root, string source, string baseDirectory)
    {
        string name = OptionalString(root, "name", source) ?? Path.GetFileNameWithoutExtension(source);
        if (name.Length == 0) throw Fail(source, "name", "is empty; name the sweep, e.g. \"mlp-width\"");
        if (!ScaleLab.Core.PathName.IsSafe(name))
            throw Fail(source, "name", $"\"{(name.Length > 40 ? name[..40] + "…" : name)}\" cannot be a folder name (the sweep's results go to sweeps/NAME); use 1 to {ScaleLab.Core.PathName.MaxLength} letters, digits, '.', '_', '-', '+', '=' or ',', not starting with '.'");
        var model = ModelOf(root, source, baseDirectory);
        var training = TrainingOf(root, source, baseDirectory);
        bool hasAxes = root.TryGetProperty("axes", out var axes);
        bool hasTrials = root.TryGetProperty("trials", out var trials);
        if (hasAxes == hasTrials)
            throw Fail(source, "top level", hasAxes
                ? "has both 'axes' and 'trials'; give a grid (axes) or an explicit list (trials), not both"
                : "has neither 'axes' (a grid, e.g. {\"width\": [0.5, 1, 2]}) nor 'trials' (a list of axis settings)");
        return new SweepSpec
        {
            Name = name,
            Description = OptionalString(root, "description", source),
            Source = source,
            Model = model,
            Training = training,
            Axes = hasAxes ? AxesOf(axes, source) : [],
            Trials = hasTrials ? TrialsOf(trials, source) : [],
            Repeats = RepeatsOf(root, source, hasAxes ? axes : trials, hasAxes),
            DepthBlock = DepthBlockOf(root, source, model),
            EarlyStopping = root.TryGetProperty("early_stopping", out var es) ? EarlyStoppingOf(es, source) : null,
            MaxAttempts = (int)OptionalInteger(root, "max_attempts", source, 2, 1, 100),
        };
    }

    private static ModelSpec ModelOf(JsonElement root, string source, string baseDirectory)
    {
        if (!root.TryGetProperty("model", out var model))
            throw Fail(source, "model", "missing; name a preset (e.g. \"mlp-784-1000-500-250\"), a spec file, or give the spec inline");
        if (model.ValueKind == JsonValueKind.Object) return ModelSpecJson.Parse(model, $"{source}: model");
        if (model.ValueKind != JsonValueKind.String) throw Fail(source, "model", $"is {Describe(model)}; it must be a preset name, a spec file path or an inline spec object");
        string text = model.GetString()!;
        if (ModelPresets.Exists(text)) return ModelPresets.Load(text);
        string path = Path.GetFullPath(text, baseDirectory);
        if (File.Exists(path)) return ModelSpecJson.Load(path);
        throw Fail(source, "model", $"'{text}' is neither a preset ({string.Join(", ", ModelPresets.Names)}) nor a file (looked for {path})");
    }

    private static TrainingConfig TrainingOf(JsonElement root, string source, string baseDirectory)
    {
        if (!root.TryGetProperty("training", out var training)) return new TrainingConfig();
        if (training.ValueKind != JsonValueKind.Object) throw Fail(source, "training", $"is {Describe(training)}; it must be a training config object (docs/training.md)");
        var config = TrainingConfigJson.Parse(training.GetRawText(), $"{source}: training");
        if (config.Model is not null) throw Fail(source, "training.model", "leave it out; the sweep's 'model' names the model");
        return config with { Data = TrialPaths.Anchor(config.Data, baseDirectory) };
    }

    private static List<(SweepAxis, IReadOnlyList<AxisSetting>)> AxesOf(JsonElement axes, string source)
    {
        if (axes.ValueKind != JsonValueKind.Object || !axes.EnumerateObject().Any())
            throw Fail(source, "axes", $"is {Describe(axes)}; it must be an object of axis → list of values, e.g. {{\"width\": [0.5, 1, 2]}}");
        // Count the grid before building it: the product of the axis lengths is known from the array lengths.
        if (GridSize(axes) > MaxTrials)
            throw Fail(source, "axes", $"the grid has more than {MaxTrials.ToString(CultureInfo.InvariantCulture)} trials (the product of the axis lengths); split the sweep or list the trials you want under 'trials'");
        var result = new List<(SweepAxis, IReadOnlyList<AxisSetting>)>();
        foreach (var p in axes.EnumerateObject())
        {
            var axis = AxisOf(p.Name, source, "axes");
            string field = "axes." + p.Name;
            if (p.Value.ValueKind != JsonValueKind.Array || p.Value.GetArrayLength() == 0)
                throw Fail(source, field, $"is {Describe(p.Value)}; it must be a non-empty list of values, each {axis.Describe()}");
            result.Add((axis, [.. p.Value.EnumerateArray().Select((v, i) => SettingOf(axis, v, source, $"{field}[{i}]"))]));
        }
        return result;
    }

    private static List<IReadOnlyList<AxisSetting>> TrialsOf(JsonElement trials, string source)
    {
        if (trials.ValueKind != JsonValueKind.Array || trials.GetArrayLength() == 0)
            throw Fail(source, "trials", $"is {Describe(trials)}; it must be a non-empty list of objects, e.g. [{{\"width\": 0.5}}, {{\"width\": 2, \"lr\": 0.0003}}]");
        if (trials.GetArrayLength() > MaxTrials)
            throw Fail(source, "trials", $"lists {trials.GetArrayLength().ToString(CultureInfo.InvariantCulture)} trials; at most {MaxTrials.ToString(CultureInfo.InvariantCulture)} are accepted");
        var result = new List<IReadOnlyList<AxisSetting>>();
        int i = 0;
        foreach (var t in trials.EnumerateArray())
        {
            string field = $"trials[{i++}]";
            if (t.ValueKind != JsonValueKind.Object) throw Fail(source, field, $"is {Describe(t)}; it must be an object of axis → value, e.g. {{\"width\": 0.5}}");
            result.Add([.. t.EnumerateObject().Select(p => SettingOf(AxisOf(p.Name, source, field), p.Value, source, $"{field}.{p.Name}"))]);
        }
        return result;
    }

    private static SweepAxis AxisOf(string name, string source, string field) =>
        SweepAxes.Parse(name) ?? throw Fail(source, $"{field}.{name}", $"unknown axis; axes are {string.Join(", ", SweepAxes.Names)}");

    private static AxisSetting SettingOf(SweepAxis axis, JsonElement v, string source, string field)
    {
        if (axis == SweepAxis.LayerSizes)
        {
            if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() == 0 || v.GetArrayLength() > SweepAxes.MaxLayerSizes ||
                v.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.Number || !s.TryGetInt64(out long n) || n < 1 || n > TransformerSpecJson.MaxWidth))
                throw Fail(source, field, $"is {Describe(v)}; it must be {axis.Describe()}");
            return new AxisSetting(axis, 0, [.. v.EnumerateArray().Select(s => s.GetInt64())]);
        }
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double x) || !double.IsFinite(x))
            throw Fail(source, field, $"is {Describe(v)}; it must be {axis.Describe()}");
        bool valid = axis switch
        {
            SweepAxis.DataFraction => x is > 0 and <= 1,
            SweepAxis.Width or SweepAxis.Lr => x > 0 && x <= axis.Maximum(),
            _ => x == Math.Floor(x) && x >= axis.Minimum() && x <= axis.Maximum(),
        };
        if (!valid) throw Fail(source, field, $"is {x.ToString("G", CultureInfo.InvariantCulture)}; it must be {axis.Describe()}");
        return new AxisSetting(axis, x);
    }

    /// <summary>repeats multiplies the trial count, so the product is checked against <see cref="MaxTrials"/> too.</summary>
    private static int RepeatsOf(JsonElement root, string source, JsonElement trials, bool grid)
    {
        int repeats = (int)OptionalInteger(root, "repeats", source, 1, 1, 1000);
        long count = grid ? GridSize(trials) : trials.ValueKind == JsonValueKind.Array ? trials.GetArrayLength() : 1;
        if (count * repeats > MaxTrials)
            throw Fail(source, "repeats", $"{repeats.ToString(CultureInfo.InvariantCulture)} repeats of {count.ToString(CultureInfo.InvariantCulture)} trials make more than {MaxTrials.ToString(CultureInfo.InvariantCulture)}; use fewer repeats or trials");
        return repeats;
    }

    /// <summary>The product of the axes' list lengths, saturating just above <see cref="MaxTrials"/>.</summary>
    private static long GridSize(JsonElement axes)
    {
        if (axes.ValueKind != JsonValueKind.Object) return 1;
        long size = 1;
        foreach (var p in axes.EnumerateObject())
            size = Math.Min(size * (p.Value.ValueKind == JsonValueKind.Array ? Math.Max(1, p.Value.GetArrayLength()) : 1), MaxTrials + 1L);
        return size;
    }

    private static (int, int)? DepthBlockOf(JsonElement root, string source, ModelSpec model)
    {
        if (!root.TryGetProperty("depth_block", out var block)) return null;
        int count = model.Layers.Count;
        string want = $"[start, end]: the half-open range of top-level layers the depth axis repeats, 0 ≤ start < end ≤ {count}";
        if (model.Transformer is not null) throw Fail(source, "depth_block", "is for layer stacks; a transformer's depth axis sets its layers");
        if (block.ValueKind != JsonValueKind.Array || block.GetArrayLength() != 2 ||
            block.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out _)))
            throw Fail(source, "depth_block", $"is {Describe(block)}; it must be {want}");
        int start = block[0].GetInt32(), end = block[1].GetInt32();
        if (start < 0 || end <= start || end > count) throw Fail(source, "depth_block", $"is [{start}, {end}]; it must be {want}");
        return (start, end);
    }

    private static EarlyStoppingOptions EarlyStoppingOf(JsonElement e, string source)
    {
        string[] fields = ["rule", "min_trials", "warmup_epochs", "min_epochs", "reduction_factor"];
        if (e.ValueKind != JsonValueKind.Object) throw Fail(source, "early_stopping", $"is {Describe(e)}; it must be an object, e.g. {{\"rule\": \"median\"}}");
        foreach (var p in e.EnumerateObject())
            if (!fields.Contains(p.Name, StringComparer.Ordinal))
                throw Fail(source, "early_stopping." + p.Name, $"unknown field; early_stopping has {string.Join(", ", fields)}");
        var rule = OptionalString(e, "rule", source, "early_stopping.") switch
        {
            "median" => EarlyStoppingRule.Median,
            "halving" => EarlyStoppingRule.Halving,
            var other => throw Fail(source, "early_stopping.rule", $"is {(other is null ? "missing" : $"'{other}'")}; it must be median or halving"),
        };
        return new EarlyStoppingOptions(rule,
            (int)OptionalInteger(e, "min_trials", source, 3, 1, 10_000, "early_stopping."),
            (int)OptionalInteger(e, "warmup_epochs", source, 1, 0, 10_000, "early_stopping."),
            (int)OptionalInteger(e, "min_epochs", source, 1, 1, 10_000, "early_stopping."),
            (int)OptionalInteger(e, "reduction_factor", source, 3, 2, 100, "early_stopping."));
    }

    private static string? OptionalString(JsonElement o, string field, string source, string prefix = "")
    {
        if (!o.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String) throw Fail(source, prefix + field, $"is {Describe(v)}; it must be a string");
        return v.GetString();
    }

    private static long OptionalInteger(JsonElement o, string field, string source, long fallback, long min, long max, string prefix = "")
    {
        if (!o.TryGetProperty(field, out var v)) return fallback;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long n) || n < min || n > max)
            throw Fail(source, prefix + field, $"is {Describe(v)}; it must be an integer from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
        return n;
    }

    private static SweepException Fail(string source, string field, string problem) => new($"{source}: {field}: {problem}");

    private static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => $"\"{v.GetString()}\"",
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
        JsonValueKind.Array => v.GetArrayLength() <= 8 ? v.GetRawText() : $"a list of {v.GetArrayLength()}",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}
