using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ScaleLab.Core.Spec;
using ScaleLab.Experiments.Store;
using ScaleLab.Torch.Training;

namespace ScaleLab.Experiments.Sweeps;

/// <summary>
/// One trial of a sweep, fully resolved: the model spec and training config its process trains, the axis values that
/// made it, and the estimator's figures. <see cref="Id"/> is a hash of the resolved spec and config, so the same trial
/// has the same id in every run of the sweep (that is how a re-run finds what is already done) and two trials that
/// resolve to the same thing are caught as duplicates.
/// </summary>
public sealed record TrialPlan(
    string Id,
    int Index,
    IReadOnlyList<AxisSetting> Settings,
    ModelSpec Spec,
    TrainingConfig Config,
    long EstimatedParameters,
    long ForwardFlopsPerSample)
{
    /// <summary>Hex digits of SHA-256 kept in an id: 48 bits, no collision in any sweep a person runs.</summary>
    public const int IdLength = 12;

    /// <summary>"width=0.5 lr=0.001", or "base" for a trial that changes nothing.</summary>
    public string Label => Settings.Count == 0 ? "base" : string.Join(" ", Settings);

    /// <summary>The axis values as a JSON object: numbers, and layer_sizes as a list.</summary>
    public string AxesJson
    {
        get
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream))
            {
                w.WriteStartObject();
                foreach (var s in Settings)
                {
                    if (s.Sizes is null)
                    {
                        w.WriteNumber(s.Axis.Name(), s.Value);
                        continue;
                    }
                    w.WriteStartArray(s.Axis.Name());
                    foreach (long size in s.Sizes) w.WriteNumberValue(size);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(stream.ToArray());
        }
    }

    /// <summary>The id of a resolved trial. Threads are left out: a resumed sweep may run with a different worker count.</summary>
    public static string IdOf(ModelSpec spec, TrainingConfig config)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(config);
        string text = ModelSpecJsonWriter.Write(spec) + "\n" + TrainingConfigJson.Write(config with { Threads = null });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..IdLength];
    }

    public TrialPlanRow ToRow(string sweepDirectory) => new(
        Id, Index, Label, AxesJson, ModelSpecJsonWriter.Write(Spec), TrainingConfigJson.Write(Config),
        EstimatedParameters, ForwardFlopsPerSample, new TrialPaths(sweepDirectory, Id).RunDirectory);
}
