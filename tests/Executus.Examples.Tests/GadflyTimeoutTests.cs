using Executus.Configuration;
using Gadfly;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace Executus.Examples.Tests;

public class GadflyTimeoutTests
{
    [Fact]
    public async Task A_cell_that_outlives_GADFLY_CELL_TIMEOUT_is_reported_as_timed_out_and_the_rest_of_the_grid_counts()
    {
        UnifiedDiff diff = DiffParser.Parse(await File.ReadAllTextAsync(GadflyTests.SampleDiffPath));
        GadflySettings settings = GadflySettings.Read(new InMemoryConfigSource([new("GADFLY_LENSES", "security"), new("GADFLY_CELL_TIMEOUT", "30s")]));
        var time = new FakeTimeProvider();
        using var stuck = new StuckChatClient();

        using var progress = new StringWriter();
        Task<ReviewOutcome> review = ReviewRunner.RunAsync(diff, [ScriptedReviewers.Create(diff)[0], new ReviewModel("stuck", stuck)], settings, scripted: true, time, progress);
        await stuck.Started.Task;
        time.Advance(TimeSpan.FromSeconds(30));
        ReviewOutcome outcome = await review;

        CellFailure failure = Assert.Single(outcome.Failures);
        Assert.Equal(("stuck", "security", "TimedOut"), (failure.Model, failure.Lens, failure.Status));
        Assert.Contains("did not finish within 00:00:30", failure.Reason, StringComparison.Ordinal);
        Assert.Equal(2, outcome.Findings.Count);
        Assert.Contains("- Note: cell stuck × security gave no findings (TimedOut)", MarkdownReport.Render(outcome), StringComparison.Ordinal);
        Assert.Contains("] scripted-alpha × security: succeeded in ", progress.ToString(), StringComparison.Ordinal);
        Assert.Contains("] stuck × security: timed out in 30.0s", progress.ToString(), StringComparison.Ordinal);
        Assert.Contains("| stuck | security | TimedOut | — | 30.0 | 0 |", MarkdownReport.Render(outcome), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timed_out_cell_that_ignores_cancellation_still_gets_its_progress_line_once()
    {
        // Why: the fan-out abandons such a cell, so its own finally never runs before the grid returns; the line used to
        // be missing (and, for a cell that honours cancellation only a moment late, missing at random).
        UnifiedDiff diff = DiffParser.Parse(await File.ReadAllTextAsync(GadflyTests.SampleDiffPath));
        GadflySettings settings = GadflySettings.Read(new InMemoryConfigSource([new("GADFLY_LENSES", "security"), new("GADFLY_CELL_TIMEOUT", "30s")]));
        var time = new FakeTimeProvider();
        using var deaf = new StuckChatClient { IgnoreCancellation = true };

        using var progress = new StringWriter();
        Task<ReviewOutcome> review = ReviewRunner.RunAsync(diff, [new ReviewModel("deaf", deaf)], settings, scripted: true, time, progress);
        await deaf.Started.Task;
        time.Advance(TimeSpan.FromSeconds(30));
        ReviewOutcome outcome = await review;

        Assert.Equal("TimedOut", Assert.Single(outcome.Failures).Status);
        string[] lines = progress.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("[1/1] deaf × security: timed out in 30.0s", Assert.Single(lines), StringComparison.Ordinal);
    }

    private sealed class StuckChatClient : IChatClient
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool IgnoreCancellation { get; init; }

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Started.TrySetResult();
            await Task.Delay(Timeout.Infinite, IgnoreCancellation ? CancellationToken.None : cancellationToken);
            throw new InvalidOperationException("unreachable: the delay only ends by cancellation");
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("Gadfly does not stream.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
