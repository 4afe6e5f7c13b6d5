using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ScaleLab.Core.Runs;
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

    /// <summary>
    /// The plan of a stored trial, as a worker on another machine rebuilds it: the resolved spec and config from the
    /// row (data paths were made absolute at submit time), the axis settings from its axes JSON. A row whose spec and
    /// config no longer hash to its id was changed after submission and is refused rather than run under a false id.
    /// </summary>
    public static TrialPlan FromRecord(TrialRecord record, string source)
    {
        ArgumentNullException.ThrowIfNull(record);
        var row = record.Plan;
        var spec = ModelSpecJson.Parse(row.SpecJson, $"{source}: trial {record.Id} spec_json");
        var config = TrainingConfigJson.Parse(row.ConfigJson, $"{source}: trial {record.Id} config_json");
        string id = IdOf(spec, config);
        if (id != record.Id)
            throw new StoreException($"{source}: trial {record.Id}: its spec and config hash to {id}; the row was edited after submission, submit the sweep again");
        return new TrialPlan(record.Id, row.Index, SettingsOf(row.AxesJson), spec, config, row.EstimatedParameters, row.ForwardFlopsPerSample);
    }

    private static List<AxisSetting> SettingsOf(string axesJson)
    {
        var settings = new List<AxisSetting>();
        using var doc = JsonDocument.Parse(axesJson);
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (SweepAxes.Parse(p.Name) is not SweepAxis axis) continue;
            if (p.Value.ValueKind == JsonValueKind.Array)
            {
                var sizes = p.Value.EnumerateArray().Select(v => v.GetInt64()).ToList();
                settings.Add(new AxisSetting(axis, 0, sizes));
            }
            else if (p.Value.ValueKind == JsonValueKind.Number)
            {
                settings.Add(new AxisSetting(axis, p.Value.GetDouble()));
            }
        }
        return settings;
    }

    public TrialPlanRow ToRow(string sweepDirectory) => new(
        Id, Index, Label, AxesJson, ModelSpecJsonWriter.Write(Spec), TrainingConfigJson.Write(Config),
        EstimatedParameters, ForwardFlopsPerSample, new TrialPaths(sweepDirectory, Id).RunDirectory);
}
