using ScaleLab.Core.Accounting;
using ScaleLab.Core.FineTuning;
using ScaleLab.Core.Json;
using ScaleLab.Core.Planning;

namespace ScaleLab.Cli.Commands;

/// <summary>
/// `plan --json`: one object per run, keys snake_case, raw bytes, FLOPs and seconds (no units applied), every mode
/// tagged by "mode". The schema is docs/schemas/plan.schema.json; "schema" names its version. The records below are
/// the documents, in the schema's key order; the plan records they are made from are the ones the tables print.
/// </summary>
internal static class PlanJson
{
    // Version 2: model.parameters {total, active} and memory_per_gpu.parameters {total} are objects, as "parameters" is
    // in every scalelab document (version 1 had numbers and active_parameters).
    public const string Schema = "scalelab.plan/2";

    public static void WriteTraining(TextWriter output, TrainingPlan plan) => Write(output, PlanTrainingJson.From(plan));

    public static void WriteServing(TextWriter output, ModelCost cost, HardwareProfile hardware, ServingPlan plan, ServingPhases phases,
        ExpertParallelServing? expertParallel = null)
    {
        ArgumentNullException.ThrowIfNull(phases);
        Write(output, PlanServingJson.From(cost, hardware, plan, phases, expertParallel));
    }

    public static void WriteComputeOptimal(TextWriter output, ComputeOptimalSplit split) => Write(output, new PlanComputeOptimalJson(
        Schema, "compute_optimal", split.ComputeFlops,
        new ComputeOptimalRule(ComputeOptimal.TokensPerParameter, split.RuleParameters, split.RuleTokens, split.RuleLoss),
        new ComputeOptimalFitted(split.FittedParameters, split.FittedTokens, split.FittedLoss,
            new ChinchillaConstants(ComputeOptimal.E, ComputeOptimal.A, ComputeOptimal.B, ComputeOptimal.Alpha, ComputeOptimal.Beta))));

    public static void WriteHardware(TextWriter output, IReadOnlyList<HardwareProfile> profiles) =>
        Write(output, new PlanHardwareListJson(Schema, "hardware", [.. profiles.Select(PlanHardwareJson.From)]));

    private static void Write<T>(TextWriter output, T document) => output.WriteLine(ScaleLabJson.Write(document));
}

internal sealed record PlanModel(string Name, string Source, PlanModelParameters Parameters)
{
    public static PlanModel From(ModelCost cost) => new(cost.Spec.Name, cost.Spec.Source, new PlanModelParameters(cost.Parameters, cost.ActiveParameters));
}

internal sealed record PlanModelParameters(long Total, long Active);

internal sealed record PlanHardwareJson(string Name, string Description, long MemoryBytes, double MemoryBandwidthBytesPerSecond,
    IReadOnlyDictionary<string, double?> PeakFlops, double? InterconnectBytesPerSecond, string Source)
{
    public static PlanHardwareJson From(HardwareProfile h) => new(h.Name, h.Description, h.MemoryBytes, h.MemoryBandwidthBytesPerSecond,
        ComputeFormatInfo.All.ToDictionary(f => f.Name(), f => h.Peak.For(f), StringComparer.Ordinal), h.InterconnectBytesPerSecond, h.Source);
}

internal sealed record PlanHardwareListJson(string Schema, string Mode, IReadOnlyList<PlanHardwareJson> Hardware);

internal sealed record PlanComputeOptimalJson(string Schema, string Mode, double ComputeFlops, ComputeOptimalRule Rule, ComputeOptimalFitted Fitted);

internal sealed record ComputeOptimalRule(double TokensPerParameter, double Parameters, double Tokens, double Loss);

internal sealed record ComputeOptimalFitted(double Parameters, double Tokens, double Loss, ChinchillaConstants Constants);

/// <summary>Hoffmann et al. 2022's fitted L(N, D) = E + A/N^α + B/D^β.</summary>
internal sealed record ChinchillaConstants(double E, double A, double B, double Alpha, double Beta);
