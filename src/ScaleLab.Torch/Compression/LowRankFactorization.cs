using System.Globalization;
using ScaleLab.Core;
using ScaleLab.Core.Spec;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Compression;

/// <summary>
/// Truncated-SVD factorisation of linear layers (Denton et al. 2014; Sainath et al. 2013): W (out × in) ≈ U_r·Σ_r·V_rᵀ,
/// stored as two linears, in → r (weight Σ_r·V_rᵀ, no bias) then r → out (weight U_r, the original bias).
/// By Eckart–Young this is the best rank-r approximation in the Frobenius norm. A layer is factorised only when
/// r·(in + out) &lt; in·out, i.e. when it really gets smaller.
/// </summary>
public static class LowRankFactorization
{
    /// <param name="rank">A fixed rank for every layer, or null to choose by <paramref name="energy"/>.</param>
    /// <param name="energy">Keep the smallest r with Σ_{k≤r} σ_k² ≥ energy · Σ σ_k² (e.g. 0.9).</param>
    public static RewrittenModel Factorize(ModelSpec spec, nn.Module model, int? rank, double? energy)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(model);
        if (rank is null == energy is null) throw new ScaleLabException("low-rank factorisation needs exactly one of a rank or an energy fraction");
        if (rank is < 1) throw new ScaleLabException($"low-rank rank must be at least 1, got {rank}");
        if (energy is <= 0 or > 1) throw new ScaleLabException($"low-rank energy must be in (0, 1], got {energy?.ToString(CultureInfo.InvariantCulture)}");
        if (spec.Transformer is not null || spec.Layers.Any(l => l is ResidualLayer))
            throw new ScaleLabException($"{spec.Source}: low-rank factorisation supports top-level linear layers of layer stacks");

        var oldState = model.state_dict();
        var newState = new Dictionary<string, Tensor>();
        var newLayers = new List<LayerSpec>();
        var factorised = new List<string>();
        using var noGrad = no_grad();
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            int target = newLayers.Count;
            var layer = spec.Layers[i];
            if (layer is LinearLayer linear && TryFactor(oldState[Key(i, "weight")], rank, energy, out var first, out var second, out int r))
            {
                newLayers.Add(new LinearLayer(r, Bias: false) { Name = (layer.Name ?? $"layers[{i}]") + ".v" });
                newLayers.Add(linear with { Name = (layer.Name ?? $"layers[{i}]") + ".u" });
                newState[Key(target, "weight")] = first;
                newState[Key(target + 1, "weight")] = second;
                if (oldState.TryGetValue(Key(i, "bias"), out var bias)) newState[Key(target + 1, "bias")] = bias.detach().clone();
                factorised.Add(string.Create(CultureInfo.InvariantCulture, $"layers[{i}] rank {r}"));
                continue;
            }
            newLayers.Add(layer);
            string prefix = $"layers.{i.ToString(CultureInfo.InvariantCulture)}.";
            foreach (var (key, value) in oldState.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)))
                newState[Key(target, key[prefix.Length..])] = value.detach().clone();
        }
        if (factorised.Count == 0) throw new ScaleLabException($"{spec.Source}: no linear layer gets smaller at this rank/energy; nothing to factorise");
        var newSpec = spec with { Layers = newLayers, Name = spec.Name + "-lowrank" };
        return new RewrittenModel(newSpec, newState, "low-rank: " + string.Join(", ", factorised));
    }

    private static bool TryFactor(Tensor weight, int? rank, double? energy, out Tensor first, out Tensor second, out int r)
    {
        long outFeatures = weight.shape[0], inFeatures = weight.shape[1];
        // In float64, the factors cast back to the weight's dtype below: a doc-test run once refused a low-rank model
        // holding 12 NaN weights (cause not pinned down); the wider SVD is the steadier one, and the finite check
        // below makes such a failure name itself where it happens instead of at the reload.
        using var wide = weight.detach().to(ScalarType.Float64);
        var (u, s, vh) = linalg.svd(wide, fullMatrices: false);   // u (out, k), s (k), vh (k, in)
        using (u) using (s) using (vh)
        {
            r = rank ?? ChooseRank(s, energy!.Value);
            r = (int)Math.Min(r, s.shape[0]);
            if ((long)r * (inFeatures + outFeatures) >= inFeatures * outFeatures)
            {
                first = second = null!;
                return false;
            }
            first = (s.narrow(0, 0, r).unsqueeze(1) * vh.narrow(0, 0, r)).to(weight.dtype).contiguous();   // (r, in)
            second = u.narrow(1, 0, r).to(weight.dtype).contiguous();                                        // (out, r)
            if (!first.isfinite().all().item<bool>() || !second.isfinite().all().item<bool>())
                throw new ScaleLabException($"low-rank: the SVD of a ({outFeatures}, {inFeatures}) weight gave non-finite factors; the weights hold NaN or infinite values");
            return true;
        }
    }

    private static int ChooseRank(Tensor singularValues, double energy)
    {
        using var two = 2.ToScalar();
        var squares = singularValues.pow(two).to(ScalarType.Float64).data<double>().ToArray();
        double total = squares.Sum(), running = 0;
        for (int k = 0; k < squares.Length; k++)
        {
            running += squares[k];
            if (running >= energy * total) return k + 1;
        }
        return squares.Length;
    }

    private static string Key(int layer, string name) => $"layers.{layer.ToString(CultureInfo.InvariantCulture)}.{name}";
}
