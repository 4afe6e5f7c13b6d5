namespace ScaleLab.Experiments.Store;

/// <summary>
/// A worker's hold on one trial, from <see cref="IResultsStore.Claim"/>: which trial, which attempt, who holds it
/// and until when (renewed by the heartbeat). <see cref="PreviousProcessId"/> is the trial process of the attempt
/// before, if one was recorded: a worker on the same machine stops it before starting again (OrphanTrial).
/// </summary>
public sealed record TrialLease(string TrialId, long SweepId, string Worker, int Attempt, DateTime ExpiresUtc, int? PreviousProcessId);
