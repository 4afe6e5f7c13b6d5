namespace ScaleLab.Core.Accounting;

/// <summary>
/// The optimizers `estimate`, `plan` and `train` share; state sizes are in <see cref="MemoryEstimator"/>. The momentum
/// variants are separate kinds because momentum adds a buffer per parameter (torch.optim.SGD's and RMSprop's
/// momentum_buffer): the memory follows the kind.
/// </summary>
public enum OptimizerKind { Sgd, SgdMomentum, Adam, AdamW, Adam8Bit, RmsProp, RmsPropMomentum }

public static class OptimizerKindInfo
{
    /// <summary>The momentum `train` uses for sgd_momentum and rmsprop_momentum when the config gives none (PyTorch's usual 0.9).</summary>
    public const double DefaultMomentum = 0.9;

    public static IReadOnlyList<OptimizerKind> All { get; } =
    [
        OptimizerKind.Sgd, OptimizerKind.SgdMomentum, OptimizerKind.Adam, OptimizerKind.AdamW, OptimizerKind.Adam8Bit,
        OptimizerKind.RmsProp, OptimizerKind.RmsPropMomentum,
    ];

    /// <summary>The name used on the command line and in JSON: sgd, sgd_momentum, adam, adamw, adam8bit, rmsprop, rmsprop_momentum.</summary>
    public static string Name(this OptimizerKind kind) => kind switch
    {
        OptimizerKind.Sgd => "sgd",
        OptimizerKind.SgdMomentum => "sgd_momentum",
        OptimizerKind.Adam => "adam",
        OptimizerKind.AdamW => "adamw",
        OptimizerKind.Adam8Bit => "adam8bit",
        OptimizerKind.RmsProp => "rmsprop",
        OptimizerKind.RmsPropMomentum => "rmsprop_momentum",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static bool TryParse(string text, out OptimizerKind kind)
    {
        ArgumentNullException.ThrowIfNull(text);
        switch (text.Trim().ToLowerInvariant().Replace('-', '_'))
        {
            case "sgd": kind = OptimizerKind.Sgd; return true;
            case "sgd_momentum" or "momentum": kind = OptimizerKind.SgdMomentum; return true;
            case "adam": kind = OptimizerKind.Adam; return true;
            case "adamw": kind = OptimizerKind.AdamW; return true;
            case "adam8bit" or "adam_8bit" or "adamw8bit": kind = OptimizerKind.Adam8Bit; return true;
            case "rmsprop": kind = OptimizerKind.RmsProp; return true;
            case "rmsprop_momentum": kind = OptimizerKind.RmsPropMomentum; return true;
            default: kind = default; return false;
        }
    }

    /// <summary>The one message for a name that is no optimizer, e.g. "'lion' is not an optimizer; use sgd, sgd_momentum, …".</summary>
    public static string UnknownMessage(string text) =>
        $"'{text}' is not an optimizer; use {string.Join(", ", All.Take(All.Count - 1).Select(Name))} or {All[^1].Name()}";

    /// <summary>Parses or throws <see cref="UnknownMessage"/>; <paramref name="option"/> names where the text came from (--optimizer).</summary>
    public static OptimizerKind Parse(string text, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var kind) ? kind : throw new ScaleLabException($"{option} {UnknownMessage(text)}");
    }

    /// <summary>
    /// The kind whose state a run keeps: sgd or rmsprop given a momentum above 0 keep a momentum buffer as their
    /// _momentum kinds do (torch.optim.SGD and torch.optim.RMSprop allocate momentum_buffer only when momentum ≠ 0).
    /// </summary>
    public static OptimizerKind WithMomentum(this OptimizerKind kind, double momentum) => (kind, momentum > 0) switch
    {
        (OptimizerKind.Sgd, true) => OptimizerKind.SgdMomentum,
        (OptimizerKind.RmsProp, true) => OptimizerKind.RmsPropMomentum,
        _ => kind,
    };
}
