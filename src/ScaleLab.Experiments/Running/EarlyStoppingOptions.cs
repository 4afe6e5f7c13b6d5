namespace ScaleLab.Experiments.Running;

/// <summary>How clearly losing trials are stopped: the median rule or (asynchronous) successive halving.</summary>
public enum EarlyStoppingRule { Median, Halving }

/// <summary>
/// Opt-in early stopping (the "early_stopping" object of a sweep file, or --early-stop).
/// Median (Golovin et al. 2017, "Google Vizier", §3.2.2; Optuna's MedianPruner): after epoch e ≥ WarmupEpochs, stop a
/// trial whose best validation loss so far is worse than the median, over at least MinTrials finished trials, of their
/// best validation loss up to epoch e.
/// Halving (Li et al. 2020, "A System for Massively Parallel Hyperparameter Tuning" (ASHA); Optuna's
/// SuccessiveHalvingPruner): rungs at epochs MinEpochs · ReductionFactor^k; a trial reaching a rung continues only if its
/// best validation loss is among the top 1/ReductionFactor of all trials that have reached that rung.
/// </summary>
public sealed record EarlyStoppingOptions(
    EarlyStoppingRule Rule,
    int MinTrials = 3,
    int WarmupEpochs = 1,
    int MinEpochs = 1,
    int ReductionFactor = 3);
