namespace ScaleLab.Core.Planning;

/// <summary>
/// How attention is computed in training, which decides whether the s × s score tensors are kept for the backward pass.
/// </summary>
public enum AttentionKernel
{
    /// <summary>
    /// A fused kernel (FlashAttention, Dao et al. 2022, §3.1; FlashAttention-2, Dao 2023, §3.1; PyTorch's SDPA): scores,
    /// softmax and the dropout on them stay in on-chip memory; the backward pass recomputes them from Q, K, V, the output
    /// and one fp32 log-sum-exp per head and token. Attention dropout keeps no mask: the kernel stores its random
    /// generator's state and regenerates it. What every current training stack uses, hence the default.
    /// </summary>
    Flash,

    /// <summary>Attention written as matmul, softmax, dropout, matmul: the softmax output, its dropout mask and output are kept (Korthikanti et al. 2022, §4.1).</summary>
    Eager,
}

public static class AttentionKernelInfo
{
    public static string Name(this AttentionKernel kernel) => kernel == AttentionKernel.Flash ? "flash" : "eager";

    public static AttentionKernel Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "flash" => AttentionKernel.Flash,
        "eager" => AttentionKernel.Eager,
        _ => throw new PlanningException($"--attention '{text}': unknown; valid: flash (fused attention, the default), eager (scores kept)"),
    };
}
