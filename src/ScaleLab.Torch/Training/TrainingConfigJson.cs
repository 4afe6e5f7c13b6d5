using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ScaleLab.Torch.Training;

/// <summary>Reads and writes <see cref="TrainingConfig"/> as snake_case JSON; unknown keys are errors, so a typo never goes unnoticed.</summary>
public static class TrainingConfigJson
{
    public static JsonSerializerOptions Options => Core.Json.ScaleLabJson.StrictInput;

    public static TrainingConfig Parse(string json, string source)
    {
        TrainingConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<TrainingConfig>(json, Options);
        }
        catch (JsonException ex)
        {
            string where = ex.Path is null ? "" : $" at {ex.Path}";
            throw new TrainingConfigException(source, $"not a valid training config{where}: {ex.Message}");
        }

        if (config is null) throw new TrainingConfigException(source, "the file holds JSON null, expected an object");
        TrainingConfigValidator.Validate(config, source);
        return config;
    }

    public static TrainingConfig Load(string path)
    {
        if (!File.Exists(path)) throw new TrainingConfigException(path, "file not found");
        return Parse(ScaleLab.Core.StrictText.ReadText(path), path);
    }

    public static string Write(TrainingConfig config) => JsonSerializer.Serialize(config, Options);

    /// <summary>
    /// SHA-256 of what decides the trajectory of a run. Epochs, threads and device are left out: a resumed run may be
    /// given more epochs, and thread count or device do not change what is computed.
    /// </summary>
    public static string TrajectoryHash(TrainingConfig config)
    {
        var stripped = config with { Epochs = 0, Threads = null, Device = ComputeDevice.Cpu, Model = null };
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Write(stripped))));
    }
}
