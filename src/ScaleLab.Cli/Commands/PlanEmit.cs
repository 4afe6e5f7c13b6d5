using ScaleLab.Core;
using ScaleLab.Core.Formatting;
using ScaleLab.Core.Planning;
using ScaleLab.Core.Planning.Launch;

namespace ScaleLab.Cli.Commands;

/// <summary>`plan … --emit ENGINE --out DIR`: the engine's launch files and plan.json (the `plan --json` document) beside them.</summary>
internal static class PlanEmit
{
    public const string PlanFileName = "plan.json";

    public static int Write(TextWriter output, TrainingPlan plan, LaunchEngine engine, string? outOption, long? globalBatch)
    {
        string directory = outOption ?? throw new PlanningException($"--emit {engine.Name()}: give --out DIR, the folder to write the launch files into");
        // A layout that does not fit is not worth launching: say so rather than write files that would run out of memory.
        if (!plan.Memory.Fits) throw new PlanningException($"--emit {engine.Name()}: {plan.Verdict}; nothing written");
        var files = LaunchConfigs.For(plan, engine, globalBatch);
        directory = Path.GetFullPath(OutputFolder.Prepare(directory, "--out"));
        Directory.CreateDirectory(directory);
        foreach (var file in files) File.WriteAllText(Path.Combine(directory, file.Name), file.Text);
        using (var json = new StringWriter())
        {
            PlanJson.WriteTraining(json, plan);
            File.WriteAllText(Path.Combine(directory, PlanFileName), json.ToString());
        }
        var batch = LaunchBatch.For(plan, globalBatch);
        output.WriteLine($"{plan.Verdict}");
        output.WriteLine($"{engine.Name()}: global batch {batch.GlobalBatch} = micro-batch {batch.MicroBatch} × data-parallel {batch.DataParallel} × accumulation {batch.Accumulation}"
            + (plan.Compute is { } c ? $"; {HumanUnits.Duration(c.Seconds)} on {c.Gpus} GPUs" : ""));
        foreach (string name in files.Select(f => f.Name).Append(PlanFileName)) output.WriteLine($"wrote {Path.Combine(directory, name)}");
        return CliApp.ExitOk;
    }
}
