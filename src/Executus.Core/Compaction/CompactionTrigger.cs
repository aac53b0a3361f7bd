using System.Globalization;

namespace Executus.Compaction;

/// <summary>
/// Decides whether a conversation is compacted: a small composable object (<see cref="TokensExceed"/>,
/// <see cref="FractionExceeds"/>, <see cref="MessagesExceed"/>, combined with <see cref="Any"/> and <see cref="All"/>).
/// <see cref="TokenBudgetCompactor"/> asks it after trimming oversized tool results; a custom trigger derives from this
/// class.
/// </summary>
public abstract class CompactionTrigger
{
    /// <summary>Returns whether the conversation described by <paramref name="state"/> should be compacted.</summary>
    /// <param name="state">The window and the conversation's size.</param>
    /// <returns><see langword="true"/> to compact.</returns>
    public abstract bool ShouldCompact(CompactionState state);

    /// <summary>A trigger that fires when the conversation counts more than <paramref name="tokens"/> tokens.</summary>
    /// <param name="tokens">The threshold in tokens; at least 1.</param>
    /// <returns>The trigger.</returns>
    public static CompactionTrigger TokensExceed(int tokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 1);
        return new TokensTrigger(tokens);
    }

    /// <summary>
    /// A trigger that fires when the conversation takes more than <paramref name="fraction"/> of the usable window (the
    /// window less the reserved output tokens).
    /// </summary>
    /// <param name="fraction">The fraction, greater than 0 and at most 1.</param>
    /// <returns>The trigger.</returns>
    public static CompactionTrigger FractionExceeds(double fraction)
    {
        if (!(fraction > 0 && fraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The trigger fraction must be greater than 0 and at most 1.");
        }

        return new FractionTrigger(fraction);
    }

    /// <summary>A trigger that fires when the conversation has more than <paramref name="count"/> messages.</summary>
    /// <param name="count">The message count; at least 1.</param>
    /// <returns>The trigger.</returns>
    public static CompactionTrigger MessagesExceed(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new MessagesTrigger(count);
    }

    /// <summary>A trigger that fires when any of <paramref name="triggers"/> fires.</summary>
    /// <param name="triggers">The triggers; at least one.</param>
    /// <returns>The trigger.</returns>
    public static CompactionTrigger Any(params CompactionTrigger[] triggers) => new CompositeTrigger(Checked(triggers), all: false);

    /// <summary>A trigger that fires only when every one of <paramref name="triggers"/> fires.</summary>
    /// <param name="triggers">The triggers; at least one.</param>
    /// <returns>The trigger.</returns>
    public static CompactionTrigger All(params CompactionTrigger[] triggers) => new CompositeTrigger(Checked(triggers), all: true);

    /// <summary>
    /// The token count below which this trigger cannot fire on size alone; reported as
    /// <see cref="CompactionResult.TargetTokens"/> when nothing was compacted. The usable window unless a built-in
    /// trigger knows better.
    /// </summary>
    internal virtual long ThresholdTokens(CompactionState state) => state.UsableTokens;

    private static CompactionTrigger[] Checked(CompactionTrigger[] triggers)
    {
        ArgumentNullException.ThrowIfNull(triggers);
        if (triggers.Length == 0)
        {
            throw new ArgumentException("At least one trigger is required.", nameof(triggers));
        }

        for (int i = 0; i < triggers.Length; i++)
        {
            if (triggers[i] is null)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Trigger {i} is null."), nameof(triggers));
            }
        }

        return [.. triggers];
    }

    private sealed class TokensTrigger(int tokens) : CompactionTrigger
    {
        public override bool ShouldCompact(CompactionState state) => state.Tokens > tokens;

        internal override long ThresholdTokens(CompactionState state) => tokens;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"tokens > {tokens}");
    }

    private sealed class FractionTrigger(double fraction) : CompactionTrigger
    {
        public override bool ShouldCompact(CompactionState state) => state.Tokens > ThresholdTokens(state);

        internal override long ThresholdTokens(CompactionState state) => (long)(state.UsableTokens * fraction);

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"tokens > {fraction:0.###} of the window");
    }

    private sealed class MessagesTrigger(int count) : CompactionTrigger
    {
        public override bool ShouldCompact(CompactionState state) => state.Messages.Count > count;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"messages > {count}");
    }

    private sealed class CompositeTrigger(CompactionTrigger[] triggers, bool all) : CompactionTrigger
    {
        public override bool ShouldCompact(CompactionState state)
        {
            foreach (CompactionTrigger trigger in triggers)
            {
                if (trigger.ShouldCompact(state) != all)
                {
                    return !all;
                }
            }

            return all;
        }

        internal override long ThresholdTokens(CompactionState state)
        {
            long threshold = triggers[0].ThresholdTokens(state);
            for (int i = 1; i < triggers.Length; i++)
            {
                long next = triggers[i].ThresholdTokens(state);
                threshold = all ? Math.Max(threshold, next) : Math.Min(threshold, next);
            }

            return threshold;
        }

        public override string ToString() => string.Join(all ? " and " : " or ", triggers.Select(t => $"({t})"));
    }
}
