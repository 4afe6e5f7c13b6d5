using System.Globalization;
using ScaleLab.Core;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Building;
using ScaleLab.Torch.Data;

namespace ScaleLab.Torch.Training;

/// <summary>A model and data that do not fit each other; the message names both shapes.</summary>
public sealed class DataMismatchException : ScaleLabException
{
    public DataMismatchException(string message) : base(message) { }

    public DataMismatchException() { }

    public DataMismatchException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// Checks, before any training, that the data's samples are what the model takes and its targets what the model
/// predicts. A layer stack whose input has the same number of elements in another layout (784 vs 1x28x28) gets
/// its batches reshaped; anything else is an error naming the spec's shape and the data's.
/// </summary>
public static class DataFit
{
    /// <summary>The per-sample shape batches must be reshaped to, or null when they already fit.</summary>
    public static long[]? Check(ModelSpec spec, DataBundle data, TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> model)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(data);
        string what = $"model '{spec.Name}' ({spec.Source})";
        if (spec.Transformer is { } t)
        {
            if (!data.InputIsTokens) throw new DataMismatchException($"{what} is a transformer over token ids, but the data '{data.Description}' holds real-valued samples of shape {data.SampleShape}; use text:PATH data");
            long seq = data.SampleShape[0];
            if (t.Positions == PositionKind.Learned && seq > t.MaxPositions)
                throw new DataMismatchException(I($"{what} has {t.MaxPositions} learned positions, but the data's sequences are {seq} tokens; lower data.sequence_length"));
            // The logits' width must be the data's vocabulary: the loss and the evaluator index classes by it.
            if (data.Classes != t.VocabSize)
                throw new DataMismatchException(I($"{what} has vocab_size {t.VocabSize}, but the data has {data.Classes} distinct tokens; set vocab_size to {data.Classes}"));
            return null;
        }

        var input = spec.Input!;
        if (spec.InputIsTokens != data.InputIsTokens)
        {
            string expects = spec.InputIsTokens ? "token ids" : "real values";
            string has = data.InputIsTokens ? "token ids" : "real values";
            throw new DataMismatchException($"{what} takes {expects} of shape {input}, but the data holds {has} of shape {data.SampleShape}");
        }

        long[]? reshape = null;
        if (!input.Equals(data.SampleShape))
        {
            if (input.Elements != data.SampleShape.Elements || spec.InputIsTokens)
                throw new DataMismatchException($"{what} takes samples of shape {input}, but the data '{data.Description}' has samples of shape {data.SampleShape}");
            reshape = [.. input.Dims];
        }

        CheckOutputs(spec, data, ((StackModel)model).OutputShape, what);
        return reshape;
    }

    /// <summary>A view of <paramref name="set"/> whose samples have <paramref name="sampleShape"/> (same elements); the caller disposes it.</summary>
    public static TensorDataSet Reshaped(TensorDataSet set, long[] sampleShape)
    {
        ArgumentNullException.ThrowIfNull(set);
        return new TensorDataSet(set.Inputs.reshape([set.Count, .. sampleShape]), set.Targets.alias(), set.Name);   // (N, ...spec input)
    }

    private static void CheckOutputs(ModelSpec spec, DataBundle data, Shape output, string what)
    {
        long width = output[-1];
        if (data.Task == TaskKind.Regression)
        {
            if (data.TargetCount > 0 && width != data.TargetCount)
                throw new DataMismatchException(I($"{what} outputs {output} per sample, but the data has {data.TargetCount} regression targets; end the model with a linear layer of {data.TargetCount} units"));
            return;
        }

        if (width != data.Classes)
            throw new DataMismatchException(I($"{what} outputs {output} per sample, but the data has {data.Classes} classes; end the model with a linear layer of {data.Classes} units"));
    }

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
