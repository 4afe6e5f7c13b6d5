using System.Reflection;

namespace ScaleLab.Core.Presets;

/// <summary>
/// The bundled model specs (examples/models/*.json, embedded into this assembly as "ScaleLab.Presets.NAME.json"),
/// reachable by name: "resnet-18", "gpt2-small". Loading one parses and validates it like any spec file.
/// </summary>
public static class ModelPresets
{
    private const string Prefix = "ScaleLab.Presets.";
    private const string Suffix = ".json";

    private static readonly Assembly Resources = typeof(ModelPresets).Assembly;

    /// <summary>Every preset name, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = Resources.GetManifestResourceNames()
        .Where(r => r.StartsWith(Prefix, StringComparison.Ordinal) && r.EndsWith(Suffix, StringComparison.Ordinal))
        .Select(r => r[Prefix.Length..^Suffix.Length])
        .Order(StringComparer.Ordinal)
        .ToArray();

    public static bool Exists(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <summary>The raw JSON of a preset, as written in examples/models.</summary>
    public static string Json(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        using var stream = Resources.GetManifestResourceStream(Prefix + name + Suffix)
            ?? throw new UnknownPresetException(name, Names);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The validated spec of a preset; its <see cref="Spec.ModelSpec.Source"/> is "preset:NAME".</summary>
    public static Spec.ModelSpec Load(string name) =>
        Spec.ModelSpecJson.Parse(Json(name), "preset:" + name, name);
}

/// <summary>A name that is not a bundled preset; the message lists the ones that are.</summary>
public sealed class UnknownPresetException : ScaleLabException
{
    public UnknownPresetException(string name, IEnumerable<string> known)
        : base($"unknown preset '{name}'; presets: {string.Join(", ", known)}")
    {
        Name = name;
    }

    public UnknownPresetException() { }

    public UnknownPresetException(string message, Exception inner) : base(message, inner) { }

    public string Name { get; } = "";
}
