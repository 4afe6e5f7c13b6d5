using System.Globalization;
using ScaleLab.Core.Data;
using ScaleLab.Core.Spec;
using TorchSharp;

namespace ScaleLab.Torch.Data;

/// <summary>
/// Tabular data from one CSV file with a header (<see cref="CsvSource"/>): classification on the last column or the
/// label column, or regression on the target columns. Every other column is a numeric feature.
/// <para>Rows are shuffled by DataRequest.Seed (CSV files are often sorted by class), the last
/// <see cref="TestFraction"/> become the test split, and the rest are cut by <see cref="SplitPlan"/>.
/// Features are standardised with the training split's mean and standard deviation (a constant column is left
/// centred); regression targets are kept as given. Labels become class ids in sorted order (numeric when all are numbers).</para>
/// </summary>
public static class CsvData
{
    public const double TestFraction = 0.2;

    public static DataBundle Load(CsvSource source, DataRequest request)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(request);
        var (path, labelColumn, targetColumns) = (source.Path, source.Label, source.Targets);
        // With --limit L no split needs more than L rows, and the test split is the last fifth: 5·L rows cover both, so
        // only they are read (and shuffled) — a limited run of a huge file reads a few lines.
        long? rowsNeeded = request.Limit is long limit ? checked(Math.Min(limit, int.MaxValue / 5) * 5) : null;
        var table = CsvReader.Read(path, rowsNeeded);
        bool regression = targetColumns is not null;
        IReadOnlyList<string> outputs = regression ? targetColumns! : [labelColumn ?? table.Header[^1]];
        var outputIndex = outputs.Select(c => ColumnIndex(table, c)).ToArray();
        var featureIndex = Enumerable.Range(0, table.Header.Count).Where(i => !outputIndex.Contains(i)).ToArray();
        if (featureIndex.Length == 0) throw new DataException(path, "has no feature columns besides the label/target columns");

        int n = table.Rows.Count, f = featureIndex.Length, k = outputIndex.Length;
        var order = SeededOrder.Permutation(n, request.Seed, epoch: 0);
        var features = new float[(long)n * f];                                    // (N, F) row-major, shuffled order
        for (int r = 0; r < n; r++)
        {
            var row = table.Rows[(int)order[r]];
            var cells = row.Cells;   // split once per row
            for (int j = 0; j < f; j++) features[(long)r * f + j] = Number(table, row, cells, featureIndex[j]);
        }

        long testCount = (long)Math.Round(n * TestFraction, MidpointRounding.AwayFromZero);
        long trainAvailable = n - testCount;
        var plan = SplitPlan.Compute(trainAvailable, testCount, request, path);
        Standardise(features, f, plan.Train);

        using var x = torch.tensor(features, [n, f]);                               // (N, F) float32
        string[]? classNames = null;
        torch.Tensor y;
        if (regression)
        {
            var targets = new float[(long)n * k];                                   // (N, k)
            for (int r = 0; r < n; r++)
            {
                var row = table.Rows[(int)order[r]];
                var cells = row.Cells;
                for (int j = 0; j < k; j++) targets[(long)r * k + j] = Number(table, row, cells, outputIndex[j]);
            }
            y = torch.tensor(targets, [n, k]);
        }
        else
        {
            var labels = table.Rows.Select(row => row.Cells[outputIndex[0]].Trim()).ToArray();
            classNames = ClassOrder(labels);
            var id = classNames.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => (long)p.i, StringComparer.Ordinal);
            y = torch.tensor(order.Select(o => id[labels[o]]).ToArray(), [n]);     // (N) int64 class ids
        }

        using (y)
        {
            using var all = new TensorDataSet(x.alias(), y.alias(), path);
            using var fullTrain = all.Slice(0, trainAvailable);
            using var fullTest = all.Slice(trainAvailable, testCount);
            var (train, validation, test) = plan.Apply(fullTrain, fullTest, Path.GetFileNameWithoutExtension(path));
            string what = regression ? $"regression on {string.Join(", ", outputs)}" : $"{classNames!.Length} classes in '{outputs[0]}'";
            return new DataBundle(train, validation, test, regression ? TaskKind.Regression : TaskKind.Classification,
                regression ? 0 : classNames!.Length, Shape.Of(f), false,
                $"{path}: {n} rows, {f} features, {what}; {plan.Train}/{plan.Validation}/{plan.Test} train/validation/test")
            {
                ClassNames = classNames,
                TargetCount = regression ? k : 0,
            };
        }
    }

    private static int ColumnIndex(CsvTable table, string column)
    {
        for (int i = 0; i < table.Header.Count; i++)
            if (string.Equals(table.Header[i], column, StringComparison.Ordinal)) return i;
        throw new DataException(table.File, $"has no column '{column}'; its columns are {string.Join(", ", table.Header)}");
    }

    private static float Number(CsvTable table, CsvRow row, IReadOnlyList<string> cells, int column)
    {
        string text = cells[column].Trim();
        if (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v)) return v;
        throw new DataException(table.File,
            $"line {row.Line.ToString(CultureInfo.InvariantCulture)}, column '{table.Header[column]}': '{text}' is not a finite number (features and regression targets must be numeric, e.g. 3.5 or -1e-3)");
    }

    /// <summary>Class names in id order: numeric order when every label is a number, ordinal string order otherwise.</summary>
    public static string[] ClassOrder(IEnumerable<string> labels)
    {
        var distinct = labels.Distinct(StringComparer.Ordinal).ToArray();
        bool numeric = distinct.All(l => double.TryParse(l, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        return numeric
            ? [.. distinct.OrderBy(l => double.Parse(l, CultureInfo.InvariantCulture))]
            : [.. distinct.OrderBy(l => l, StringComparer.Ordinal)];
    }

    /// <summary>z = (x − mean) / std per column, with mean and (population) std from the first <paramref name="trainRows"/> rows.</summary>
    internal static void Standardise(float[] features, int columns, long trainRows)
    {
        long rows = features.Length / columns;
        for (int j = 0; j < columns; j++)
        {
            double sum = 0, sq = 0;
            for (long r = 0; r < trainRows; r++) sum += features[r * columns + j];
            double mean = sum / trainRows;
            for (long r = 0; r < trainRows; r++) { double d = features[r * columns + j] - mean; sq += d * d; }
            double std = Math.Sqrt(sq / trainRows);
            double scale = std > 0 ? 1 / std : 1;
            for (long r = 0; r < rows; r++) features[r * columns + j] = (float)((features[r * columns + j] - mean) * scale);
        }
    }
}
