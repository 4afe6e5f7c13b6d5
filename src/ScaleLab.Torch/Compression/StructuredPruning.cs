using System.Globalization;
using ScaleLab.Core;
using ScaleLab.Core.Spec;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Compression;

/// <summary>
/// Structured pruning by norm (Li et al. 2017, "Pruning Filters for Efficient ConvNets", for filters; the same rule for
/// neurons): every hidden linear layer keeps the output neurons whose weight rows have the largest L2 norm, every
/// conv the filters with the largest norm; the layers that read them lose the matching inputs. The result is a
/// physically smaller network — a new spec with fewer units/filters — not a mask, so it is smaller on disk and faster.
/// The last linear/conv (the model's outputs) is never pruned. Layer stacks only, without residual blocks, whose
/// shortcut would tie the channel choice of several layers together.
/// </summary>
public static class StructuredPruning
{
    public static RewrittenModel Prune(ModelSpec spec, nn.Module model, double ratio)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(model);
        if (ratio is <= 0 or >= 1) throw new ScaleLabException($"structured pruning ratio must be in (0, 1), got {ratio.ToString(CultureInfo.InvariantCulture)}");
        if (spec.Transformer is not null) throw new ScaleLabException($"{spec.Source}: structured pruning supports layer stacks; transformer specs are not supported yet");
        var layers = spec.Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i] is ResidualLayer or RecurrentLayer or AttentionLayer or EmbeddingLayer || layers[i] is ConvLayer { Groups: > 1 })
                throw new ScaleLabException($"{spec.Source}: layers[{i}] ({layers[i].Type}): structured pruning supports linear, conv (groups 1), norm, pool, activation, dropout and flatten layers");
        }

        var state = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        var producers = Enumerable.Range(0, layers.Count).Where(i => layers[i] is LinearLayer or ConvLayer).ToList();
        if (producers.Count < 2) throw new ScaleLabException($"{spec.Source}: structured pruning needs at least one hidden linear or conv layer");
        var newLayers = layers.ToList();
        using var noGrad = no_grad();
        for (int p = 0; p + 1 < producers.Count; p++)
        {
            int i = producers[p], next = producers[p + 1];
            var weight = state[Key(i, "weight")];
            long units = weight.shape[0];
            long keepCount = Math.Max(1, (long)Math.Round(units * (1 - ratio)));
            using var norms = weight.flatten(1).norm(1);  // L2 norm of each output row / filter
            var (_, order) = norms.sort(descending: true);
            using var keep = order.narrow(0, 0, keepCount).sort().Values;  // keep the original order of survivors
            order.Dispose();

            state[Key(i, "weight")] = weight.index_select(0, keep);
            if (state.TryGetValue(Key(i, "bias"), out var bias)) state[Key(i, "bias")] = bias.index_select(0, keep);
            newLayers[i] = newLayers[i] switch
            {
                LinearLayer l => l with { Units = keepCount },
                ConvLayer c => c with { Filters = keepCount },
                var other => other,
            };

            // Layers between this producer and the next that carry per-channel state lose the pruned channels.
            bool flattened = false;
            for (int j = i + 1; j < next; j++)
            {
                if (layers[j] is FlattenLayer) flattened = true;
                if (layers[j] is BatchNormLayer or LayerNormLayer or RmsNormLayer)
                    foreach (var name in new[] { "weight", "bias", "running_mean", "running_var" })
                        if (state.TryGetValue(Key(j, name), out var t)) state[Key(j, name)] = t.index_select(0, keep);
            }

            // The next producer reads the survivors: its input columns (a conv output flattened gives HW columns a channel).
            var nextWeight = state[Key(next, "weight")];
            long perChannel = flattened && layers[i] is ConvLayer ? nextWeight.shape[1] / units : 1;
            using var columns = perChannel == 1 ? keep.clone() : ExpandChannels(keep, perChannel);
            state[Key(next, "weight")] = nextWeight.index_select(1, columns);
        }

        var newSpec = spec with { Layers = newLayers, Name = spec.Name + $"-structured{(int)Math.Round(ratio * 100)}" };
        return new RewrittenModel(newSpec, state, string.Create(CultureInfo.InvariantCulture, $"structured pruning: {ratio:P0} of neurons/filters removed by L2 norm"));
    }

    /// <summary>Channel c of a flattened (C, H, W) map is columns c·HW … c·HW + HW − 1.</summary>
    private static Tensor ExpandChannels(Tensor channels, long perChannel)
    {
        using var width = perChannel.ToScalar();
        using var offsets = arange(Scalars.Zero, width, Scalars.One, dtype: ScalarType.Int64);
        using var starts = channels.unsqueeze(1).mul(width);
        using var all = starts.add(offsets.unsqueeze(0), Scalars.One);
        return all.flatten();
    }

    private static string Key(int layer, string name) => $"layers.{layer.ToString(CultureInfo.InvariantCulture)}.{name}";
}
