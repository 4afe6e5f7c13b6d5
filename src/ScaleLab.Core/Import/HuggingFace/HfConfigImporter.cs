using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Import.HuggingFace;

/// <summary>Reads a Hugging Face config.json into a <see cref="ModelSpec"/> (being written).</summary>
public static class HfConfigImporter
{
    public static ModelSpec Import(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        throw new SpecException(path, "config.json", "Hugging Face import is not available yet");
    }
}
