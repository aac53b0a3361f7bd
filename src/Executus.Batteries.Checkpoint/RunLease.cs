namespace Executus.Checkpoints;

/// <summary>
/// A host's claim on one run (<see cref="IRunLeaseStore"/>): while it holds an unexpired lease no other host resumes
/// that run, so hosts sharing one checkpoint store resume each interrupted run once.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="Owner">The host that holds it (<see cref="RunLeaseOptions.HostId"/>).</param>
/// <param name="ExpiresAt">When it ends unless renewed by the owner's heartbeat.</param>
/// <param name="Token">A fencing token: it grows every time the lease changes hands, never on a renewal.</param>
public sealed record RunLease(string RunId, string Owner, DateTimeOffset ExpiresAt, long Token);
