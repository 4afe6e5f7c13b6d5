using System.Globalization;
using ScaleLab.Core.Runs;
using ScaleLab.Core;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Data;
using ScaleLab.Torch.Runs;

namespace ScaleLab.Torch.Compression;

/// <summary>
/// Compression of a trained run, end to end: load the run and its data, apply each request to a fresh copy of the
/// trained weights, and record the measured results in OUT/compression.json (written atomically, <see cref="CompressionResultsJson"/>). With several
/// requests each goes to its own sub-directory and the Pareto-optimal ones are marked.
/// </summary>
public static class CompressionSession
{
    public static IReadOnlyList<CompressionResult> Run(string runDirectory, string? teacherDirectory, string? dataOverride,
        IReadOnlyList<CompressionRequest> requests, string outputDirectory, IProgress<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(requests);
        foreach (var r in requests) r.Validate(grid: false, hasTeacher: teacherDirectory is not null);
        // The pipeline seeds torch's default generator for reproducible students and tickets: the caller's state comes back after.
        using var generator = GlobalGenerator.Borrow();
        var (spec, _, config) = RunDirectory.LoadModel(runDirectory);
        var dataRequest = dataOverride is null
            ? config.Data.ToRequest(config.Seed)
            : DataRequest.FromArgument(dataOverride, config.Data.ToRequest(config.Seed));
        using var data = DataSources.Load(dataRequest);
        if (spec.Input is not null && !spec.Input.Equals(data.SampleShape))
            throw new ScaleLabException($"{runDirectory}: the model takes {spec.Input} samples but the data '{dataRequest.Source.Text}' holds {data.SampleShape}");
        var teacher = teacherDirectory is null ? null : RunDirectory.LoadModel(teacherDirectory).Model;
        teacher?.eval();

        Directory.CreateDirectory(outputDirectory);
        var results = new List<CompressionResult>();
        foreach (var request in requests)
        {
            // Every request starts from the trained weights, not from the previous request's result.
            var (_, model, _) = RunDirectory.LoadModel(runDirectory);
            model.eval();
            string target = requests.Count == 1 ? outputDirectory : Path.Combine(outputDirectory, Slug(request.Label));
            log?.Report($"— {request.Label}");
            var pipeline = new CompressionPipeline(spec, model, data) { Log = log, Teacher = teacher };
            results.Add(pipeline.Run(request with { Seed = config.Seed }, target));
        }
        WriteResults(Path.Combine(outputDirectory, "compression.json"), runDirectory, results);
        return results;
    }

    private static void WriteResults(string path, string runDirectory, IReadOnlyList<CompressionResult> results)
    {
        string temp = path + ".tmp";
        File.WriteAllText(temp, CompressionResultsJson.Write(runDirectory, results));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>"prune 90% + int8" → "prune-90-int8": every run of other characters becomes one dash.</summary>
    internal static string Slug(string label) =>
        System.Text.RegularExpressions.Regex.Replace(label.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');
}
