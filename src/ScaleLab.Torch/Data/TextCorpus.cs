using System.Globalization;
using System.Text;
using ScaleLab.Core.Spec;
using TorchSharp;

namespace ScaleLab.Torch.Data;

/// <summary>
/// A plain-text (UTF-8) corpus for a character-level language model, in the manner of nanoGPT's shakespeare_char:
/// the vocabulary is the distinct characters of the whole file in ordinal order (id i is Vocabulary[i]); the text is
/// split by position — the first (1 − <see cref="TestFraction"/>) for training, the rest for test — and each part is
/// cut into non-overlapping windows of S + 1 characters: inputs are the first S ids, targets the next S (shifted by one).
/// Validation windows are the last ones of the training part (<see cref="SplitPlan"/>).
/// </summary>
public static class TextCorpus
{
    public const double TestFraction = 0.1;

    /// <summary>Largest text file we read into memory.</summary>
    public const long MaxFileBytes = 256L << 20;

    public static DataBundle Load(string path, DataRequest request)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(request);
        SplitPlan.Validate(request, path);
        if (!File.Exists(path)) throw new DataException(path, "file not found");
        long bytes = new FileInfo(path).Length;
        if (bytes > MaxFileBytes)
            throw new DataException(path, $"is {I(bytes)} bytes, over the {I(MaxFileBytes)}-byte limit for a text corpus");
        string text = ScaleLab.Core.StrictText.ReadText(path);   // strict UTF-8, regular files only
        return FromText(text, path, request);
    }

    public static DataBundle FromText(string text, string source, DataRequest request)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(request);
        int s = request.SequenceLength;
        string vocabulary = new([.. text.Distinct().Order()]);
        var id = new Dictionary<char, long>(vocabulary.Length);
        for (int i = 0; i < vocabulary.Length; i++) id[vocabulary[i]] = i;

        int testStart = (int)Math.Round(text.Length * (1 - TestFraction), MidpointRounding.AwayFromZero);
        var trainWindows = Windows(text.AsSpan(0, testStart), s, id);
        var testWindows = Windows(text.AsSpan(testStart), s, id);
        if (trainWindows.Count == 0 || testWindows.Count == 0)
            throw new DataException(source,
                $"has {I(text.Length)} characters: too short for sequence_length {I(s)} (the training part and the last " +
                $"{TestFraction.ToString(CultureInfo.InvariantCulture)} test part each need at least {I(s + 1)} characters)");
        var plan = SplitPlan.Compute(trainWindows.Count, testWindows.Count, request, source);

        using var fullTrain = ToDataSet(trainWindows, s, source);
        using var fullTest = ToDataSet(testWindows, s, source);
        var (train, validation, test) = plan.Apply(fullTrain, fullTest, Path.GetFileName(source));
        return new DataBundle(train, validation, test, TaskKind.LanguageModel, vocabulary.Length, Shape.Of(s), true,
            $"{source}: {I(text.Length)} characters, vocabulary {I(vocabulary.Length)}, sequences of {I(s)}; " +
            $"{I(plan.Train)}/{I(plan.Validation)}/{I(plan.Test)} train/validation/test sequences")
        {
            Vocabulary = vocabulary,
        };
    }

    /// <summary>Non-overlapping windows of S + 1 ids, stride S, so every character but the first is a target once.</summary>
    private static List<long[]> Windows(ReadOnlySpan<char> part, int s, Dictionary<char, long> id)
    {
        var windows = new List<long[]>();
        for (int start = 0; start + s + 1 <= part.Length; start += s)
        {
            var w = new long[s + 1];
            for (int i = 0; i <= s; i++) w[i] = id[part[start + i]];
            windows.Add(w);
        }
        return windows;
    }

    private static TensorDataSet ToDataSet(List<long[]> windows, int s, string name)
    {
        int n = windows.Count;
        var inputs = new long[(long)n * s];
        var targets = new long[(long)n * s];
        for (int r = 0; r < n; r++)
        {
            Array.Copy(windows[r], 0, inputs, (long)r * s, s);
            Array.Copy(windows[r], 1, targets, (long)r * s, s);
        }
        return new TensorDataSet(torch.tensor(inputs, [n, s]), torch.tensor(targets, [n, s]), name);   // (N, S) int64 each
    }

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
}
