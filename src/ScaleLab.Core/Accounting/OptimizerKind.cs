namespace ScaleLab.Core.Accounting;

/// <summary>The optimizers whose state the memory estimate knows; state sizes are in <see cref="MemoryEstimator"/>.</summary>
public enum OptimizerKind { Sgd, SgdMomentum, Adam, AdamW, Adam8Bit }

public static class OptimizerKindInfo
{
    public static IReadOnlyList<OptimizerKind> All { get; } =
        [OptimizerKind.Sgd, OptimizerKind.SgdMomentum, OptimizerKind.Adam, OptimizerKind.AdamW, OptimizerKind.Adam8Bit];

    /// <summary>The name used on the command line and in JSON: sgd, sgd_momentum, adam, adamw, adam8bit.</summary>
    public static string Name(this OptimizerKind kind) => kind switch
    {
        OptimizerKind.Sgd => "sgd",
        OptimizerKind.SgdMomentum => "sgd_momentum",
        OptimizerKind.Adam => "adam",
        OptimizerKind.AdamW => "adamw",
        _ => "adam8bit",
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
            default: kind = default; return false;
        }
    }
}
