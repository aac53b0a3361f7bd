using Executus.Runs;
using Microsoft.Extensions.AI;
using static Executus.Critics.Tests.Reviews;

namespace Executus.Critics.Tests;

public sealed class TimeoutCriticTests
{
    private static CriticOptions Options() => new()
    {
        SoftDeadline = Min(2),
        HardDeadline = Min(10),
        ReviewInterval = Min(1),
        MaxExtensions = 2,
        MaxTotalExtension = Min(7),
    };

    [Fact]
    public async Task Before_the_soft_deadline_it_continues_without_a_review()
    {
        var reviewer = new ScriptedReviewer(CriticVerdict.Stop("should not be asked"));
        var critic = new TimeoutCritic(reviewer, options: Options());

        Assert.Equal(CriticVerdict.Continue, await critic.ReviewAsync(At(Min(0))));
        Assert.Equal(CriticVerdict.Continue, await critic.ReviewAsync(At(Min(1.99))));

        Assert.Empty(reviewer.Reviews);
        Assert.Equal(CriticPhase.Running, critic.GetState("run-1")!.Phase);
    }

    [Fact]
    public async Task At_the_soft_deadline_it_reviews_once_per_interval()
    {
        var reviewer = new ScriptedReviewer(CriticVerdict.Continue);
        var critic = new TimeoutCritic(reviewer, options: Options());

        await critic.ReviewAsync(At(Min(2)));
        Assert.Single(reviewer.Reviews);
        Assert.Equal(CriticPhase.UnderReview, critic.GetState("run-1")!.Phase);

        await critic.ReviewAsync(At(Min(2.5)));
        Assert.Single(reviewer.Reviews);

        await critic.ReviewAsync(At(Min(3)));
        Assert.Equal([1, 2], reviewer.Reviews.Select(r => r.ReviewNumber));
    }

    [Fact]
    public async Task Agent_soft_timeout_overrides_the_default()
    {
        var reviewer = new ScriptedReviewer(CriticVerdict.Continue);
        var critic = new TimeoutCritic(reviewer, options: Options());
        var agent = new RunnableAgent("quick") { SoftTimeout = TimeSpan.FromSeconds(30) };

        await critic.ReviewAsync(At(TimeSpan.FromSeconds(31), agent: agent));

        Assert.Single(reviewer.Reviews);
    }

    [Fact]
    public async Task Extensions_are_capped_in_number_and_in_total()
    {
        var reviewer = new ScriptedReviewer(CriticVerdict.Extend(Min(5), "progress"));
        var critic = new TimeoutCritic(reviewer, options: Options());

        CriticVerdict first = await critic.ReviewAsync(At(Min(2)));
        CriticVerdict second = await critic.ReviewAsync(At(Min(3)));
        CriticVerdict third = await critic.ReviewAsync(At(Min(4)));

        Assert.Equal((CriticVerdictKind.Extend, Min(5)), (first.Kind, first.Extension));
        Assert.Equal((CriticVerdictKind.Extend, Min(2)), (second.Kind, second.Extension));
        Assert.Equal(CriticVerdict.Continue, third);
        Assert.Equal(TimeSpan.Zero, reviewer.Reviews.Last().ExtensionLeft);
        Assert.Equal(new CriticRunState(CriticPhase.UnderReview, 3, 2, Min(7)), critic.GetState("run-1"));
    }

    [Fact]
    public async Task Extension_count_cap_applies_before_the_total()
    {
        var options = Options();
        options.MaxExtensions = 1;
        var critic = new TimeoutCritic(new ScriptedReviewer(CriticVerdict.Extend(Min(1))), options: options);

        Assert.Equal(CriticVerdictKind.Extend, (await critic.ReviewAsync(At(Min(2)))).Kind);
        Assert.Equal(CriticVerdict.Continue, await critic.ReviewAsync(At(Min(3))));
    }

    [Fact]
    public async Task Hard_deadline_escalates_even_when_the_reviewer_says_extend()
    {
        var reviewer = new ScriptedReviewer(CriticVerdict.Extend(Min(5)));
        var escalator = new RecordingEscalator();
        var critic = new TimeoutCritic(reviewer, escalator, Options());
        var agent = new RunnableAgent("worker") { Timeout = Min(5) };

        await critic.ReviewAsync(At(Min(2), agent: agent));
        CriticVerdict verdict = await critic.ReviewAsync(At(Min(5), CriticTrigger.HardDeadline, agent));

        Assert.Equal(CriticVerdictKind.Escalate, verdict.Kind);
        Assert.Single(reviewer.Reviews);
        Escalation escalation = Assert.Single(escalator.Escalations);
        Assert.Equal((CriticTrigger.HardDeadline, Min(5)), (escalation.Trigger, escalation.Elapsed));
        Assert.Equal(CriticPhase.Escalated, critic.GetState("run-1")!.Phase);
    }

    [Fact]
    public async Task Critic_hard_deadline_applies_to_agents_without_a_timeout_and_moves_with_extensions()
    {
        var reviewer = new ScriptedReviewer(CriticVerdict.Extend(Min(5)));
        var escalator = new RecordingEscalator();
        var critic = new TimeoutCritic(reviewer, escalator, Options());

        await critic.ReviewAsync(At(Min(2)));   // +5 → hard deadline 15 min
        Assert.Equal(CriticVerdictKind.Extend, (await critic.ReviewAsync(At(Min(9)))).Kind);   // +2 → 17 min
        Assert.Equal(CriticVerdict.Continue, await critic.ReviewAsync(At(Min(16.9))));
        CriticVerdict verdict = await critic.ReviewAsync(At(Min(17)));

        Assert.Equal(CriticVerdictKind.Escalate, verdict.Kind);
        Assert.Contains("hard deadline", verdict.Reason, StringComparison.Ordinal);
        Assert.Single(escalator.Escalations);
    }

    [Fact]
    public async Task Stop_is_terminal()
    {
        var critic = new TimeoutCritic(new ScriptedReviewer(CriticVerdict.Stop("looping")), options: Options());

        Assert.Equal(CriticVerdict.Stop("looping"), await critic.ReviewAsync(At(Min(2))));
        Assert.Equal(CriticVerdict.Stop("looping"), await critic.ReviewAsync(At(Min(2.1))));
        Assert.Equal(CriticPhase.Stopped, critic.GetState("run-1")!.Phase);
    }

    [Fact]
    public async Task Reviewer_escalation_is_delivered_to_the_operator_once()
    {
        var delivery = new RecordingDelivery();
        var critic = new TimeoutCritic(new ScriptedReviewer(CriticVerdict.Escalate("needs a human")), new DeliveryEscalator(delivery, "ops-channel"), Options());
        IReadOnlyList<ChatMessage> messages =
        [
            new(ChatRole.User, "Deploy the service"),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "deploy", new Dictionary<string, object?> { ["env"] = "prod", ["api_key"] = "sk-SECRET-123" })]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", "{\"status\":\"pending\",\"token\":\"tok-SECRET\"}")]),
        ];

        Assert.Equal(CriticVerdictKind.Escalate, (await critic.ReviewAsync(At(Min(3), messages: messages))).Kind);
        Assert.Equal(CriticVerdictKind.Escalate, (await critic.ReviewAsync(At(Min(4), messages: messages))).Kind);

        var sent = Assert.Single(delivery.Delivered);
        Assert.Equal("run-1", sent.RunId);
        Assert.Equal(Caller, sent.Caller);
        Assert.Equal("escalated", sent.Metadata[DeliveryEscalator.EventKey]);
        Assert.Equal(("worker", "alice", "180", "ops-channel"), (sent.Metadata["agent"], sent.Metadata["caller"], sent.Metadata["elapsed"], sent.Metadata["destination"]));
        Assert.Contains("needs a human", sent.Text, StringComparison.Ordinal);
        Assert.Contains("00:03:00", sent.Text, StringComparison.Ordinal);
        Assert.Contains("call deploy(", sent.Text, StringComparison.Ordinal);
        Assert.Contains("\"env\":\"prod\"", sent.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", sent.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failing_reviewer_continues_and_failing_escalator_still_escalates()
    {
        var reviewer = new ScriptedReviewer(CriticVerdict.Continue) { Throw = new InvalidOperationException("boom") };
        var critic = new TimeoutCritic(reviewer, new ThrowingEscalator(), Options());

        Assert.Equal(CriticVerdict.Continue, await critic.ReviewAsync(At(Min(2))));
        Assert.Equal(CriticVerdictKind.Escalate, (await critic.ReviewAsync(At(Min(3), CriticTrigger.HardDeadline))).Kind);
    }

    [Fact]
    public async Task Runs_are_tracked_apart()
    {
        var reviewer = new ScriptedReviewer(CriticVerdict.Stop("a"));
        var critic = new TimeoutCritic(reviewer, options: Options());

        await critic.ReviewAsync(At(Min(2), runId: "a"));
        Assert.Equal(CriticVerdict.Continue, await critic.ReviewAsync(At(Min(1), runId: "b")));
        Assert.Equal(CriticPhase.Running, critic.GetState("b")!.Phase);
        Assert.Null(critic.GetState("c"));
    }

    private sealed class ThrowingEscalator : IEscalator
    {
        public ValueTask<EscalationDecision> EscalateAsync(Escalation escalation, CancellationToken cancellationToken = default) => throw new InvalidOperationException("channel down");
    }
}
