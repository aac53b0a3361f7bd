using System.Text.Json;
using Executus.Checkpoints;
using Executus.Identity;
using Executus.Runs;
using Microsoft.Extensions.AI;
using Xunit;

namespace Executus.Testing.Conformance.Checkpoint;

/// <summary>
/// The behaviour every <see cref="ICheckpointStore"/> must have. Derive a test class, implement
/// <see cref="CreateStoreAsync"/> to return a new, empty store, and every case runs against it (in-memory, SQLite,
/// PostgreSQL…).
/// </summary>
public abstract class CheckpointStoreConformanceTests
{
    /// <summary>A fixed instant the cases are built around.</summary>
    protected static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Creates a new, empty store for one case.</summary>
    /// <returns>The store.</returns>
    protected abstract Task<ICheckpointStore> CreateStoreAsync();

    /// <summary>Checks a saved checkpoint comes back whole: head fields and every message content.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Saved_checkpoint_round_trips()
    {
        ICheckpointStore store = await CreateStoreAsync();
        RunCheckpoint saved = Checkpoint("r1", 3, T0) with
        {
            Iteration = 2,
            Usage = new UsageDetails { InputTokenCount = 5, OutputTokenCount = 6, TotalTokenCount = 11 },
            Elapsed = TimeSpan.FromSeconds(42),
            Metadata = new Dictionary<string, string> { ["channel"] = "c1" },
            ActivePhase = "draft",
            Phases =
            [
                new PhaseRun { Name = "plan", Status = PhaseStatus.Completed, Iterations = 1, Usage = new UsageDetails { TotalTokenCount = 4 }, Handoff = JsonDocument.Parse("""{"steps":["a","b"]}""").RootElement.Clone() },
                new PhaseRun { Name = "draft", Status = PhaseStatus.Running, StartIteration = 1, Iterations = 1 },
            ],
            Detached = true,
            Boundary = CheckpointBoundary.BeforeSideEffects,
            Caller = new CallerIdentity("u1", "User", "t1", roles: ["admin"]),
        };
        await store.SaveAsync(saved, 0);

        RunCheckpoint back = (await store.GetAsync("r1"))!;
        Assert.Equal(Json(saved), Json(back));
        Assert.Null(await store.GetAsync("missing"));
    }

    /// <summary>
    /// Checks a run paused for a human keeps its reason: in the checkpoint and in the listing, and a later save (the run
    /// resumed) clears it.
    /// </summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Paused_reason_is_kept_and_listed()
    {
        ICheckpointStore store = await CreateStoreAsync();
        await store.SaveAsync(Checkpoint("a", 2, T0), 0);
        await store.SaveAsync(Checkpoint("p", 3, T0) with { Boundary = CheckpointBoundary.RunEnd, PausedReason = "needs a human" }, 0);

        Assert.Equal("needs a human", (await store.GetAsync("p"))!.PausedReason);
        CheckpointPage page = await store.ListInterruptedAsync(10);
        Assert.Equal([null, "needs a human"], page.Items.Select(s => s.PausedReason));

        await store.SaveAsync(Checkpoint("p", 4, T0.AddSeconds(1)), 3);
        Assert.Null((await store.GetAsync("p"))!.PausedReason);
        Assert.All((await store.ListInterruptedAsync(10)).Items, s => Assert.Null(s.PausedReason));
    }

    /// <summary>Checks a save keeps the unchanged prefix and appends the rest, so the stored transcript equals the snapshot.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Save_appends_after_the_unchanged_prefix()
    {
        ICheckpointStore store = await CreateStoreAsync();
        await store.SaveAsync(Checkpoint("r1", 3, T0), 0);
        RunCheckpoint longer = Checkpoint("r1", 5, T0.AddSeconds(1)) with { Iteration = 2 };
        await store.SaveAsync(longer, 3);

        RunCheckpoint back = (await store.GetAsync("r1"))!;
        Assert.Equal(Json(longer), Json(back));
        Assert.Equal(2, back.Iteration);
    }

    /// <summary>Checks an unchanged count of 0 rewrites the messages (compaction shrank the history).</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Save_with_nothing_unchanged_rewrites_the_messages()
    {
        ICheckpointStore store = await CreateStoreAsync();
        await store.SaveAsync(Checkpoint("r1", 6, T0), 0);
        RunCheckpoint compacted = Checkpoint("r1", 2, T0.AddSeconds(1), text: "summary");
        await store.SaveAsync(compacted, 0);

        RunCheckpoint back = (await store.GetAsync("r1"))!;
        Assert.Equal(2, back.Messages.Count);
        Assert.Equal(Json(compacted), Json(back));
    }

    /// <summary>Checks an unchanged count larger than what the store holds appends from what it holds (nothing is lost).</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Save_claiming_more_than_stored_appends_from_what_is_stored()
    {
        ICheckpointStore store = await CreateStoreAsync();
        await store.SaveAsync(Checkpoint("r1", 2, T0), 0);
        RunCheckpoint later = Checkpoint("r1", 6, T0.AddSeconds(1));
        await store.SaveAsync(later, 5);

        Assert.Equal(Json(later), Json((await store.GetAsync("r1"))!));
    }

    /// <summary>Checks saves of different runs are independent.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Runs_are_independent()
    {
        ICheckpointStore store = await CreateStoreAsync();
        await store.SaveAsync(Checkpoint("a", 2, T0, text: "A"), 0);
        await store.SaveAsync(Checkpoint("b", 3, T0, text: "B"), 0);

        Assert.Equal(2, (await store.GetAsync("a"))!.Messages.Count);
        Assert.Equal("B 1", (await store.GetAsync("b"))!.Messages[1].Text);
    }

    /// <summary>Checks listing pages by run id with a cursor, and summarizes each run.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task List_pages_by_run_id()
    {
        ICheckpointStore store = await CreateStoreAsync();
        foreach (string id in new[] { "r3", "r1", "r5", "r2", "r4" })
        {
            await store.SaveAsync(Checkpoint(id, 2, T0) with { Iteration = 7 }, 0);
        }

        CheckpointPage first = await store.ListInterruptedAsync(2);
        Assert.Equal(["r1", "r2"], first.Items.Select(i => i.RunId));
        Assert.NotNull(first.NextCursor);
        CheckpointPage second = await store.ListInterruptedAsync(2, first.NextCursor);
        Assert.Equal(["r3", "r4"], second.Items.Select(i => i.RunId));
        CheckpointPage third = await store.ListInterruptedAsync(2, second.NextCursor);
        Assert.Equal(["r5"], third.Items.Select(i => i.RunId));
        Assert.Null(third.NextCursor);

        CheckpointSummary summary = first.Items[0];
        Assert.Equal("agent", summary.AgentName);
        Assert.Equal("v1", summary.AgentVersion);
        Assert.Equal(CallerIdentity.Anonymous.Id, summary.CallerId);
        Assert.Equal(7, summary.Iteration);
        Assert.Equal(2, summary.MessageCount);
        Assert.Equal(T0, summary.SavedAt);
        Assert.Equal(0, summary.ResumeAttempts);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.ListInterruptedAsync(0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.ListInterruptedAsync(1001));
    }

    /// <summary>Checks an empty store lists nothing.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Empty_store_lists_nothing()
    {
        ICheckpointStore store = await CreateStoreAsync();
        CheckpointPage page = await store.ListInterruptedAsync(10);
        Assert.Empty(page.Items);
        Assert.Null(page.NextCursor);
    }

    /// <summary>Checks delete removes the run (and says whether there was one).</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Delete_removes_the_candidate()
    {
        ICheckpointStore store = await CreateStoreAsync();
        await store.SaveAsync(Checkpoint("r1", 2, T0), 0);

        Assert.True(await store.DeleteAsync("r1"));
        Assert.False(await store.DeleteAsync("r1"));
        Assert.Null(await store.GetAsync("r1"));
        Assert.Empty((await store.ListInterruptedAsync(10)).Items);

        // A run saved again after a delete starts from nothing.
        await store.SaveAsync(Checkpoint("r1", 3, T0), 2);
        Assert.Equal(3, (await store.GetAsync("r1"))!.Messages.Count);
    }

    /// <summary>Checks prune deletes checkpoints saved strictly before the cut-off.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Prune_deletes_checkpoints_older_than_the_cut_off()
    {
        ICheckpointStore store = await CreateStoreAsync();
        await store.SaveAsync(Checkpoint("old", 1, T0.AddDays(-8)), 0);
        await store.SaveAsync(Checkpoint("edge", 1, T0), 0);
        await store.SaveAsync(Checkpoint("new", 1, T0.AddDays(1)), 0);

        Assert.Equal(1, await store.PruneAsync(T0));
        Assert.Equal(["edge", "new"], (await store.ListInterruptedAsync(10)).Items.Select(i => i.RunId));
        Assert.Equal(0, await store.PruneAsync(T0));
    }

    /// <summary>Checks resume attempts count up, survive saves, reset, and are zero for unknown runs.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Resume_attempts_are_counted_and_kept_across_saves()
    {
        ICheckpointStore store = await CreateStoreAsync();
        Assert.Equal(0, await store.RecordResumeAttemptAsync("missing"));
        Assert.False(await store.ClearResumeAttemptsAsync("missing"));
        await store.SaveAsync(Checkpoint("r1", 2, T0), 0);

        Assert.Equal(1, await store.RecordResumeAttemptAsync("r1"));
        Assert.Equal(2, await store.RecordResumeAttemptAsync("r1"));
        await store.SaveAsync(Checkpoint("r1", 3, T0.AddSeconds(1)), 2);
        Assert.Equal(2, Assert.Single((await store.ListInterruptedAsync(10)).Items).ResumeAttempts);

        Assert.True(await store.ClearResumeAttemptsAsync("r1"));
        Assert.Equal(0, Assert.Single((await store.ListInterruptedAsync(10)).Items).ResumeAttempts);
    }

    /// <summary>Checks bad arguments are refused.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Bad_arguments_are_refused()
    {
        ICheckpointStore store = await CreateStoreAsync();
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.SaveAsync(null!, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.SaveAsync(Checkpoint("r1", 1, T0), -1));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.GetAsync(null!));
    }

    /// <summary>Builds a checkpoint with <paramref name="messages"/> messages: a user message, then alternating assistant/tool turns.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="messages">How many messages.</param>
    /// <param name="savedAt">When it was saved.</param>
    /// <param name="text">The text prefix of the messages.</param>
    /// <returns>The checkpoint.</returns>
    protected static RunCheckpoint Checkpoint(string runId, int messages, DateTimeOffset savedAt, string text = "m")
    {
        var list = new List<ChatMessage>(messages);
        for (int i = 0; i < messages; i++)
        {
            list.Add(i == 0
                ? new ChatMessage(ChatRole.User, $"{text} {i}")
                : i % 2 == 1
                    ? new ChatMessage(ChatRole.Assistant, [new TextContent($"{text} {i}"), new FunctionCallContent($"c{i}", "add", new Dictionary<string, object?> { ["a"] = i })]) { MessageId = $"m{i}" }
                    : new ChatMessage(ChatRole.Tool, [new FunctionResultContent($"c{i - 1}", $"{text} {i}")]));
        }

        return new RunCheckpoint
        {
            RunId = runId,
            Agent = AgentSnapshot.From(new RunnableAgent("agent") { Version = "v1", Instructions = "Be brief.", Tools = ["add"] }),
            Caller = CallerIdentity.Anonymous,
            Messages = list,
            SavedAt = savedAt,
        };
    }

    private static string Json(RunCheckpoint checkpoint) => JsonSerializer.Serialize(checkpoint, AIJsonUtilities.DefaultOptions);

    /// <summary>Checks unicode, a large message, an offset save time and null fields round-trip.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Unicode_large_offsets_and_nulls_round_trip()
    {
        ICheckpointStore store = await CreateStoreAsync();
        string large = string.Concat(Enumerable.Repeat("ünïcødé 😀 字 ", 40_000));
        RunCheckpoint saved = Checkpoint("run-ü😀", 1, new DateTimeOffset(2026, 11, 1, 17, 30, 0, TimeSpan.FromHours(5.5))) with
        {
            Messages = [new ChatMessage(ChatRole.User, large), new ChatMessage(ChatRole.Assistant, "ok") { AuthorName = null }],
            ActivePhase = null,
        };
        await store.SaveAsync(saved, 0);

        RunCheckpoint back = (await store.GetAsync("run-ü😀"))!;
        Assert.Equal(Json(saved), Json(back));
        Assert.Equal(large, back.Messages[0].Text);
        Assert.Equal(saved.SavedAt, back.SavedAt);
        Assert.Null(back.ActivePhase);
        CheckpointSummary summary = Assert.Single((await store.ListInterruptedAsync(10)).Items);
        Assert.Equal(saved.SavedAt.UtcTicks, summary.SavedAt.UtcTicks);
    }

    /// <summary>Checks parallel saves of different runs, and of one run, all land whole.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Parallel_saves_keep_every_run_whole()
    {
        ICheckpointStore store = await CreateStoreAsync();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(r => Task.Run(async () =>
        {
            for (int n = 1; n <= 6; n++)
            {
                await store.SaveAsync(Checkpoint($"r{r}", n, T0.AddSeconds(n)), n - 1);
            }
        })));

        for (int r = 0; r < 8; r++)
        {
            RunCheckpoint back = (await store.GetAsync($"r{r}"))!;
            Assert.Equal(Json(Checkpoint($"r{r}", 6, T0.AddSeconds(6))), Json(back));
        }

        Assert.Equal(8, (await store.ListInterruptedAsync(100)).Items.Count);
    }

}
