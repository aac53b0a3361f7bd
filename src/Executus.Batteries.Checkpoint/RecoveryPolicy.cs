namespace Executus.Checkpoints;

/// <summary>What <see cref="InterruptedRunRecovery"/> does with each interrupted run it finds at start-up.</summary>
public enum RecoveryPolicy
{
    /// <summary>Resume it through the executor on the recovery lane (same run id and iteration count), up to the retry cap.</summary>
    Resume,

    /// <summary>Mark it failed: delete its checkpoint and audit it as a failed, abandoned run.</summary>
    Abandon,

    /// <summary>Only tell an operator (a delivery and a log line); the checkpoint stays for a human to resume or abandon.</summary>
    Notify,
}
