namespace ScaleLab.Experiments.Store;

/// <summary>
/// The claim protocol (docs/sweeps.md, "Many machines"). A claim is one UPDATE of the first claimable trial, in one
/// write transaction: PostgreSQL locks the chosen row with FOR UPDATE SKIP LOCKED, so concurrent claims pass over
/// each other's rows instead of waiting; SQLite has one writer at a time (BEGIN IMMEDIATE), which gives the same
/// guarantee on one machine. The claim is the attempt (attempts + 1), and every later write of the worker is
/// conditioned on (worker, attempt), so a worker whose lease was taken over can no longer write the trial.
/// Lease times are the workers' clocks (UTC): machines of one cluster keep them in sync (NTP) to well under a lease.
/// </summary>
public abstract partial class SqlResultsStore
{
    /// <summary>Appended to the subquery that picks the trial: PostgreSQL's row lock; nothing for SQLite.</summary>
    protected abstract string ClaimLockClause { get; }

    public TrialLease? Claim(string worker, TimeSpan leaseDuration, long? sweepId = null)
    {
        ArgumentNullException.ThrowIfNull(worker);
        var now = DateTime.UtcNow;
        var expires = now + leaseDuration;
        string sweepFilter = sweepId is null ? "" : " AND t.sweep_id = @sweep";
        var parameters = new List<(string Name, object? Value)> { ("@worker", worker), ("@expires", TimeValue(expires)), ("@now", TimeValue(now)) };
        if (sweepId is long s) parameters.Add(("@sweep", s));
        var rows = Write(t =>
        {
            using var command = Command(t.Connection!, $"""
                UPDATE trials SET status = 'running', attempts = attempts + 1, worker = @worker, lease_expires_utc = @expires,
                    started_utc = @now, finished_utc = NULL, message = NULL
                WHERE id = (
                    SELECT t.id FROM trials t JOIN sweeps s ON s.id = t.sweep_id
                    WHERE (t.status = 'queued'
                           OR (t.status = 'running' AND t.lease_expires_utc IS NOT NULL AND t.lease_expires_utc < @now)
                           OR (t.status = 'failed' AND t.attempts < s.max_attempts)){sweepFilter}
                    ORDER BY t.sweep_id, t.idx, t.id
                    LIMIT 1{ClaimLockClause})
                RETURNING id, sweep_id, attempts, pid;
                """, [.. parameters]);
            command.Transaction = t;
            using var reader = command.ExecuteReader();
            var claimed = new List<TrialLease>();
            while (reader.Read())
                claimed.Add(new TrialLease(reader.GetString(0), Long(reader, 1), worker, Int(reader, 2), expires, reader.IsDBNull(3) ? null : Int(reader, 3)));
            return claimed;
        });
        return rows.SingleOrDefault();
    }

    public bool Renew(TrialLease lease, TimeSpan leaseDuration)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return Write(t => Execute(t,
            "UPDATE trials SET lease_expires_utc = @expires WHERE id = @id AND status = 'running' AND worker = @worker AND attempts = @attempt;",
            ("@expires", TimeValue(DateTime.UtcNow + leaseDuration)), ("@id", lease.TrialId), ("@worker", lease.Worker),
            ("@attempt", (long)lease.Attempt))) > 0;
    }
}
