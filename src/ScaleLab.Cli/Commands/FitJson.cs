using System.Text;
using System.Text.Json;
using ScaleLab.Core;
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

    public static string Write(FitCommand.FitResult r, FitCommand.FitRequest request)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("schema", SchemaId);
            w.WriteString("source", r.Source);
            w.WriteString("target", r.Target);
            if (r.Note is not null) w.WriteString("note", r.Note);
            w.WriteNumber("left_out", r.LeftOut);
            if (r.Joint is { } j)
            {
                w.WriteString("law", "joint");
                w.WriteNumber("confidence_level", j.ConfidenceLevel);
                w.WriteStartObject("fit");
                Interval(w, "E", j.E); Interval(w, "A", j.A); Interval(w, "B", j.B); Interval(w, "alpha", j.Alpha); Interval(w, "beta", j.Beta);
                w.WriteEndObject();
                Quality(w, j.Quality);
                if (request.Predict is { } n)
                {
                    double d = request.PredictTokens ?? throw new ScaleLabException("--predict with the joint law also needs --predict-tokens D (the tokens or samples of that run)");
                    Prediction(w, j.Predict(n, d), n, d);
                }
                if (request.Budget is { } c)
                {
                    var a = j.ComputeOptimal(c);
                    w.WriteStartObject("compute_optimal");
                    w.WriteNumber("flops", c);
                    Interval(w, "params", a.Parameters); Interval(w, "tokens", a.Tokens); Interval(w, "loss", a.Loss);
                    w.WriteEndObject();
                }
                if (r.PowerLaw is { } p)
                {
                    w.WriteStartObject("power_law");
                    PowerLaw(w, p, null);
                    w.WriteEndObject();
                }
            }
            else if (r.PowerLaw is { } p)
            {
                if (request.Budget is not null)
                    throw new ScaleLabException("--budget needs the joint law L(N, D): the trials must vary both parameters and data (at least 3 values each, not in lockstep)");
                w.WriteString("law", "power_law");
                PowerLaw(w, p, request.Predict);
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void PowerLaw(Utf8JsonWriter w, PowerLawFit p, double? predict)
    {
        w.WriteString("variable", p.Variable);
        w.WriteNumber("confidence_level", p.ConfidenceLevel);
        w.WriteStartObject("fit");
        Interval(w, "E", p.E); Interval(w, "A", p.A); Interval(w, "alpha", p.Alpha);
        w.WriteEndObject();
        Interval(w, "reducible_loss_cut_per_doubling", p.ReducibleLossCutPerDoubling);
        Quality(w, p.Quality);
        if (predict is { } x) Prediction(w, p.Predict(x), x, null);
    }

    private static void Interval(Utf8JsonWriter w, string name, FitInterval i)
    {
        w.WriteStartObject(name);
        w.WriteNumber("estimate", i.Estimate);
        w.WriteNumber("lower", i.Lower);
        w.WriteNumber("upper", i.Upper);
        w.WriteEndObject();
    }

    private static void Quality(Utf8JsonWriter w, FitQuality q)
    {
        w.WriteStartObject("quality");
        w.WriteNumber("points", q.Points);
        w.WriteNumber("log_rmse", q.LogRmse);
        w.WriteNumber("log_r2", q.LogRSquared);
        w.WriteNumber("huber_objective", q.Objective);
        w.WriteNumber("starts", q.Starts);
        w.WriteNumber("bootstrap_samples", q.BootstrapSamples);
        w.WriteEndObject();
    }

    private static void Prediction(Utf8JsonWriter w, LossPrediction p, double x, double? tokens)
    {
        w.WriteStartObject("prediction");
        w.WriteNumber("at", x);
        if (tokens is { } d) w.WriteNumber("tokens", d);
        Interval(w, "loss", p.Loss);
        w.WriteNumber("prediction_lower", p.PredictionLower);
        w.WriteNumber("prediction_upper", p.PredictionUpper);
        w.WriteEndObject();
    }
}
