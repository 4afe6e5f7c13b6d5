using System.Globalization;

namespace ScaleLab.Core.Runs;

/// <summary>
/// summary.json is read back by report, fit and sweeps, and may have been edited or damaged: every figure is checked
/// against what a run can produce (accuracies in [0, 1], losses finite, counts and seconds non-negative) and a file
/// that fails names the field and the value rather than being drawn as a point.
/// </summary>
public static class RunSummaryChecks
{
    public static RunSummary Check(RunSummary s, string path)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(path);
        NonNegative(path, "epochs_completed", s.EpochsCompleted);
        NonNegative(path, "steps", s.Steps);
        NonNegative(path, "parameters", s.Parameters);
        if (s.SamplesSeen is long seen) NonNegative(path, "samples_seen", seen);
        if (s.EstimatedParameters is long e) NonNegative(path, "estimated_parameters", e);
        if (s.ForwardFlopsPerSample is long f) NonNegative(path, "forward_flops_per_sample", f);
        if (s.TrainingFlops is double t) Seconds(path, "training_flops", t);
        Seconds(path, "step_seconds_mean", s.StepSecondsMean);
        Seconds(path, "train_seconds", s.TrainSeconds);
        NonNegative(path, "peak_rss_bytes", s.PeakRssBytes);
        if (s.Final is { } final)
        {
            Loss(path, "final.train_loss", final.TrainLoss);
            Accuracy(path, "final.train_accuracy", final.TrainAccuracy);
            if (final.ValLoss is double vl) Loss(path, "final.val_loss", vl);
            Accuracy(path, "final.val_accuracy", final.ValAccuracy);
        }
        if (s.Best is { } best) Loss(path, "best.val_loss", best.ValLoss);
        if (s.Test is { } test)
        {
            NonNegative(path, "test.samples", test.Samples);
            Loss(path, "test.loss", test.Loss);
            Accuracy(path, "test.accuracy", test.Accuracy);
            Accuracy(path, "test.top_k", test.TopK);
            Accuracy(path, "test.macro_f1", test.MacroF1);
        }
        return s;
    }

    private static void NonNegative(string path, string field, long value)
    {
        if (value < 0) throw Fail(path, field, value.ToString(CultureInfo.InvariantCulture), "0 or more");
    }

    private static void Seconds(string path, string field, double value)
    {
        if (!double.IsFinite(value) || value < 0) throw Fail(path, field, value.ToString("G", CultureInfo.InvariantCulture), "a finite number, 0 or more");
    }

    private static void Loss(string path, string field, double value)
    {
        // Diverged runs record their last finite loss; a loss in a summary is finite (regression losses can be large).
        if (!double.IsFinite(value)) throw Fail(path, field, value.ToString("G", CultureInfo.InvariantCulture), "a finite number");
    }

    private static void Accuracy(string path, string field, double? value)
    {
        if (value is double v && !(v >= 0 && v <= 1)) throw Fail(path, field, v.ToString("G", CultureInfo.InvariantCulture), "from 0 to 1");
    }

    private static RunDirectoryException Fail(string path, string field, string value, string want) =>
        new(path, $"{field} is {value}; it must be {want} — the file is damaged or was not written by `scalelab train`");
}
