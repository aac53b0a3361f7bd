namespace Executus.Runs;

/// <summary>The conversation was compacted before a model call.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Iteration">The 1-based iteration.</param>
/// <param name="Timestamp">When.</param>
/// <param name="MessagesBefore">Messages before compaction.</param>
/// <param name="MessagesAfter">Messages after compaction.</param>
public sealed record CompactionEvent(string RunId, int Iteration, DateTimeOffset Timestamp, int MessagesBefore, int MessagesAfter)
    : RunEvent(RunId, Iteration, Timestamp);
