namespace Executus.Checkpoints;

/// <summary>
/// Leases on runs, so several hosts can share one checkpoint store: a host claims the runs it executes and renews
/// its leases with a heartbeat; when a host stops heartbeating its interrupted runs become claimable and exactly one
/// other host claims (and resumes) each. Implemented by a checkpoint store itself (the in-memory, SQLite and PostgreSQL
/// stores), because <see cref="ClaimInterruptedAsync"/> picks among that store's checkpoints. The contract is the
/// conformance suite in <c>Executus.Testing.Conformance</c> (<c>RunLeaseStoreConformanceTests</c>).
/// </summary>
/// <remarks>
/// <para>Each method is atomic. A lease exists independently of the run's checkpoint (a host claims a run before its
/// first save); deleting or pruning the checkpoint (<see cref="ICheckpointStore.DeleteAsync"/>,
/// <see cref="ICheckpointStore.PruneAsync"/>) ends the run's lease with it. A released lease keeps its token, so
/// fencing tokens only grow while the run has a checkpoint.</para>
/// <para>Expiry is judged against the <c>now</c> the caller passes (a lease is expired when
/// <see cref="RunLease.ExpiresAt"/> ≤ now), so hosts sharing a store need roughly synchronised clocks; leave the lease
/// duration several heartbeats long.</para>
/// </remarks>
public interface IRunLeaseStore
{
    /// <summary>
    /// Claims or renews one run's lease. Succeeds when nobody holds it (never leased, released, or expired: the token
    /// grows) or when <paramref name="owner"/> holds an unexpired one (a renewal: same token, later expiry).
    /// </summary>
    /// <param name="runId">The run (it need not have a checkpoint yet).</param>
    /// <param name="owner">The host asking.</param>
    /// <param name="now">The host's current time.</param>
    /// <param name="duration">How long the lease lasts from <paramref name="now"/> (positive).</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>The lease, or <see langword="null"/> when another owner holds an unexpired one.</returns>
    ValueTask<RunLease?> TryClaimAsync(string runId, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>
    /// The heartbeat: extends every lease <paramref name="owner"/> still holds to <paramref name="now"/> +
    /// <paramref name="duration"/> (tokens unchanged). A lease of the owner that expired and was not claimed by anyone
    /// else is still the owner's and is renewed too.
    /// </summary>
    /// <param name="owner">The host.</param>
    /// <param name="now">The host's current time.</param>
    /// <param name="duration">How long the leases last from <paramref name="now"/> (positive).</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>The renewed leases, ordered by run id (ordinal); a run missing from it is no longer the owner's.</returns>
    ValueTask<IReadOnlyList<RunLease>> RenewAsync(string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims up to <paramref name="limit"/> interrupted runs for <paramref name="owner"/>: runs that have a checkpoint,
    /// are not paused for a human (<see cref="CheckpointSummary.PausedReason"/> is null) and whose lease is absent,
    /// released or expired. Concurrent claimers never get the same run; each claimed lease's token grows.
    /// </summary>
    /// <param name="owner">The host asking.</param>
    /// <param name="now">The host's current time.</param>
    /// <param name="duration">How long the new leases last from <paramref name="now"/> (positive).</param>
    /// <param name="limit">How many at most (1–1000).</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>The claimed leases, ordered by run id (ordinal); empty when nothing is claimable.</returns>
    ValueTask<IReadOnlyList<RunLease>> ClaimInterruptedAsync(string owner, DateTimeOffset now, TimeSpan duration, int limit, CancellationToken cancellationToken = default);

    /// <summary>Gives a lease back, when it is still the current one (same owner and token): the run is claimable at once.</summary>
    /// <param name="lease">The lease.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns><see langword="true"/> when it was released; <see langword="false"/> when it changed hands, ended with its checkpoint, or was released already.</returns>
    ValueTask<bool> ReleaseAsync(RunLease lease, CancellationToken cancellationToken = default);

    /// <summary>Gives back every lease <paramref name="owner"/> holds (a host shutting down, or starting under the id of a crashed predecessor).</summary>
    /// <param name="owner">The host.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>How many leases were released.</returns>
    ValueTask<int> ReleaseAllAsync(string owner, CancellationToken cancellationToken = default);

    /// <summary>Reads a run's current lease.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The lease (possibly expired: compare <see cref="RunLease.ExpiresAt"/> with now), or <see langword="null"/> when the run is not leased (never, released, or its checkpoint was deleted).</returns>
    ValueTask<RunLease?> GetLeaseAsync(string runId, CancellationToken cancellationToken = default);
}
