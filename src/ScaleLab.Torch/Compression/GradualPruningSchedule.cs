namespace ScaleLab.Torch.Compression;

/// <summary>
/// Zhu &amp; Gupta 2017 ("To prune, or not to prune", eq. 1): sparsity rises from s_i to s_f over n pruning steps of
/// Δt each starting at t0 as s_t = s_f + (s_i − s_f)·(1 − (t − t0)/(n·Δt))³ — fast at first, when many weights are
/// redundant, and slowly near the end, leaving fine-tuning time to recover.
/// </summary>
public sealed record GradualPruningSchedule(double Initial, double Final, long StartStep, long EndStep)
{
    public double SparsityAt(long step)
    {
        if (step <= StartStep) return Initial;
        if (step >= EndStep) return Final;
        double progress = (double)(step - StartStep) / (EndStep - StartStep);
        return Final + (Initial - Final) * Math.Pow(1 - progress, 3);
    }
}
