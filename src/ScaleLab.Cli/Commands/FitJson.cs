using System.Text.Json.Serialization;
using ScaleLab.Core;
using ScaleLab.Core.Json;
using ScaleLab.Core.Scaling;

namespace ScaleLab.Cli.Commands;

/// <summary>
/// `fit --json`, schema "scalelab.fit/1" (docs/schemas/fit.schema.json): {"schema", "source", "target", "law": "joint" | "power_law", "variable", "confidence_level", "fit": {"E": {"estimate",
/// "lower", "upper"}, "A", "alpha", and for the joint law "B", "beta"}, "quality", "prediction"?, "compute_optimal"?}.
/// With both laws fitted, "fit" is the joint one and "power_law" holds the one-variable fit.
/// </summary>
internal static class FitJson
{
    public const string SchemaId = "scalelab.fit/1";

    public static string Write(FitResult r, FitRequest request)
    {
        if (r.Joint is { } j)
        {
            FitPrediction? prediction = null;
            if (request.Predict is { } n)
            {
                double d = request.PredictTokens ?? throw new ScaleLabException("--predict with the joint law also needs --predict-tokens D (the tokens or samples of that run)");
                prediction = FitPrediction.From(j.Predict(n, d), n, d);
            }
            var optimal = request.Budget is { } c ? j.ComputeOptimal(c) : null;
            return ScaleLabJson.Write(new FitDocument(SchemaId, r.Source, r.Target, r.Note, r.LeftOut, "joint", null, j.ConfidenceLevel,
                new FitConstants(Interval(j.E), Interval(j.A), Interval(j.B), Interval(j.Alpha), Interval(j.Beta)), null, FitQualityJson.From(j.Quality),
                prediction,
                optimal is null ? null : new FitComputeOptimal(optimal.Flops, Interval(optimal.Parameters), Interval(optimal.Tokens), Interval(optimal.Loss)),
                r.PowerLaw is { } p ? PowerLawJson.From(p) : null));
        }

        if (r.PowerLaw is not { } law) throw new ScaleLabException("nothing was fitted");
        if (request.Budget is not null)
            throw new ScaleLabException("--budget needs the joint law L(N, D): the trials must vary both parameters and data (at least 3 values each, not in lockstep)");
        var one = PowerLawJson.From(law);
        return ScaleLabJson.Write(new FitDocument(SchemaId, r.Source, r.Target, r.Note, r.LeftOut, "power_law", one.Variable, one.ConfidenceLevel,
            one.Fit, one.ReducibleLossCutPerDoubling, one.Quality,
            request.Predict is { } x ? FitPrediction.From(law.Predict(x), x, null) : null, null, null));
    }

    private static FitIntervalJson Interval(FitInterval i) => new(i.Estimate, i.Lower, i.Upper);

    /// <summary>The document; a key a law does not have (the power law's variable under the joint law, B and beta of the power law) is left out.</summary>
    private sealed record FitDocument(
        string Schema, string Source, string Target,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Note,
        int LeftOut, string Law,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Variable,
        double ConfidenceLevel, FitConstants Fit,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FitIntervalJson? ReducibleLossCutPerDoubling,
        FitQualityJson Quality,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FitPrediction? Prediction,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FitComputeOptimal? ComputeOptimal,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PowerLawJson? PowerLaw);

    private sealed record PowerLawJson(string Variable, double ConfidenceLevel, FitConstants Fit, FitIntervalJson ReducibleLossCutPerDoubling, FitQualityJson Quality)
    {
        public static PowerLawJson From(PowerLawFit p) => new(p.Variable, p.ConfidenceLevel,
            new FitConstants(Interval(p.E), Interval(p.A), null, Interval(p.Alpha), null), Interval(p.ReducibleLossCutPerDoubling), FitQualityJson.From(p.Quality));
    }

    private sealed record FitConstants(
        [property: JsonPropertyName("E")] FitIntervalJson E,
        [property: JsonPropertyName("A")] FitIntervalJson A,
        [property: JsonPropertyName("B"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FitIntervalJson? B,
        FitIntervalJson Alpha,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FitIntervalJson? Beta);

    private sealed record FitIntervalJson(double Estimate, double Lower, double Upper);

    private sealed record FitQualityJson(int Points, double LogRmse, [property: JsonPropertyName("log_r2")] double LogRSquared,
        [property: JsonPropertyName("huber_objective")] double Objective, int Starts, int BootstrapSamples)
    {
        public static FitQualityJson From(FitQuality q) => new(q.Points, q.LogRmse, q.LogRSquared, q.Objective, q.Starts, q.BootstrapSamples);
    }

    private sealed record FitPrediction(double At, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Tokens,
        FitIntervalJson Loss, double PredictionLower, double PredictionUpper)
    {
        public static FitPrediction From(LossPrediction p, double x, double? tokens) => new(x, tokens, Interval(p.Loss), p.PredictionLower, p.PredictionUpper);
    }

    private sealed record FitComputeOptimal(double Flops, [property: JsonPropertyName("params")] FitIntervalJson Parameters, FitIntervalJson Tokens, FitIntervalJson Loss);
}
