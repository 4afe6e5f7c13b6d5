using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Compression;

/// <summary>Per layer: each weight tensor loses the same fraction. Global: one threshold over all weights, so layers with many small weights lose more.</summary>
public enum PruningScope { PerLayer, Global }

/// <summary>
/// Unstructured magnitude pruning (Han et al. 2015, "Learning both Weights and Connections"): the weights with the
/// smallest |w| are set to zero and kept at zero by a mask during fine-tuning. Only matrices and kernels (dim ≥ 2) are
/// pruned; biases and norm parameters are few and sensitive, so they are left dense, as in the paper.
/// </summary>
public static class MagnitudePruning
{
    /// <summary>The names of the parameters this pruner touches, in module order.</summary>
    public static IReadOnlyList<string> PrunableParameters(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return [.. model.named_parameters().Where(p => p.parameter.dim() >= 2 && !IsEmbedding(p.name)).Select(p => p.name)];
    }

    /// <summary>
    /// Masks (1 = kept, 0 = pruned) that zero a fraction <paramref name="sparsity"/> of the prunable weights. The caller
    /// owns them: they are detached from any DisposeScope, because gradual pruning recomputes them inside a training
    /// step's scope and uses them for the steps after it.
    /// </summary>
    public static Dictionary<string, Tensor> ComputeMasks(nn.Module model, double sparsity, PruningScope scope)
    {
        var masks = ComputeMasksInScope(model, sparsity, scope);
        foreach (var mask in masks.Values) mask.DetachFromDisposeScope();
        return masks;
    }

    private static Dictionary<string, Tensor> ComputeMasksInScope(nn.Module model, double sparsity, PruningScope scope)
    {
        if (sparsity is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(sparsity), sparsity, "sparsity must be in [0, 1)");
        var names = PrunableParameters(model);
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var masks = new Dictionary<string, Tensor>();
        using var noGrad = no_grad();
        if (scope == PruningScope.Global)
        {
            using var all = cat([.. names.Select(n => parameters[n].detach().abs().flatten())]);
            double threshold = KthSmallest(all, (long)Math.Floor(sparsity * all.numel()));
            foreach (var n in names) masks[n] = MaskAbove(parameters[n], threshold, (long)Math.Floor(sparsity * parameters[n].numel()), global: true);
            return masks;
        }
        foreach (var n in names)
        {
            var w = parameters[n];
            long prune = (long)Math.Floor(sparsity * w.numel());
            using var magnitudes = w.detach().abs().flatten();
            masks[n] = MaskAbove(w, KthSmallest(magnitudes, prune), prune, global: false);
        }
        return masks;
    }

    /// <summary>Multiplies each masked parameter by its mask in place (after every optimizer step while fine-tuning).</summary>
    public static void ApplyMasks(nn.Module model, IReadOnlyDictionary<string, Tensor> masks)
    {
        ArgumentNullException.ThrowIfNull(masks);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
            if (masks.TryGetValue(name, out var mask)) parameter.mul_(mask);
    }

    /// <summary>Fraction of zeros over the prunable parameters.</summary>
    public static double MeasuredSparsity(nn.Module model)
    {
        long zeros = 0, total = 0;
        var names = PrunableParameters(model).ToHashSet();
        foreach (var (name, p) in model.named_parameters())
        {
            if (!names.Contains(name)) continue;
            zeros += p.eq(Scalars.Zero).sum().item<long>();
            total += p.numel();
        }
        return total == 0 ? 0 : (double)zeros / total;
    }

    /// <summary>The magnitude below which <paramref name="count"/> values fall (−1 when none is pruned).</summary>
    private static double KthSmallest(Tensor magnitudes, long count)
    {
        if (count <= 0) return -1;
        var (values, indices) = magnitudes.kthvalue(count, 0, false);
        indices.Dispose();
        using (values) return values.item<float>();
    }

    /// <summary>
    /// Keeps |w| &gt; threshold. Ties at the threshold would prune more than asked (many exact zeros after a
    /// previous round); for per-layer pruning exactly <paramref name="prune"/> weights are removed by rank instead.
    /// </summary>
    private static Tensor MaskAbove(Tensor w, double threshold, long prune, bool global)
    {
        using var magnitudes = w.detach().abs();
        using var bound = threshold.ToScalar();
        if (global || prune <= 0) return magnitudes.gt(bound).to_type(w.dtype);
        using var flat = magnitudes.flatten();
        var (_, order) = flat.sort();
        using (order)
        {
            var mask = ones_like(flat);
            mask.index_put_(zeros(prune, dtype: w.dtype), order.narrow(0, 0, prune));
            return mask.reshape(w.shape);
        }
    }

    private static bool IsEmbedding(string name) => name.Contains("embed", StringComparison.OrdinalIgnoreCase);
}
