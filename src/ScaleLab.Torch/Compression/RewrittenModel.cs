using ScaleLab.Core.Spec;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Compression;

/// <summary>
/// A model whose architecture changed (fewer neurons, factorised layers): the new spec, which the estimator and the
/// builder both read, and the weights to load into the module built from it ("layers.{i}.weight", …).
/// </summary>
public sealed record RewrittenModel(ModelSpec Spec, IReadOnlyDictionary<string, Tensor> State, string Description);
