using System.Globalization;

namespace Executus.Compaction;

/// <summary>
/// How far a triggered compaction reduces the conversation: a small composable object (<see cref="Tokens"/>,
/// <see cref="Fraction"/>, the smallest of several with <see cref="Smallest"/>). A custom target derives from this class.
/// The compactor never aims above the usable window, whatever the target says.
/// </summary>
public abstract class CompactionTarget
{
    /// <summary>Returns the token count the conversation described by <paramref name="state"/> is reduced to.</summary>
    /// <param name="state">The window and the conversation's size.</param>
    /// <returns>The target in tokens; values below 1 are treated as 1.</returns>
    public abstract long GetTargetTokens(CompactionState state);

    /// <summary>A fixed target of <paramref name="tokens"/> tokens.</summary>
    /// <param name="tokens">The target; at least 1.</param>
    /// <returns>The target.</returns>
    public static CompactionTarget Tokens(int tokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 1);
        return new TokensTarget(tokens);
    }

    /// <summary>A target of <paramref name="fraction"/> of the usable window (the window less the reserved output tokens).</summary>
    /// <param name="fraction">The fraction, greater than 0 and at most 1.</param>
    /// <returns>The target.</returns>
    public static CompactionTarget Fraction(double fraction)
    {
        if (!(fraction > 0 && fraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The target fraction must be greater than 0 and at most 1.");
        }

        return new FractionTarget(fraction);
    }

    /// <summary>The smallest of <paramref name="targets"/> (e.g. half the window, but never more than 40,000 tokens).</summary>
    /// <param name="targets">The targets; at least one.</param>
    /// <returns>The target.</returns>
    public static CompactionTarget Smallest(params CompactionTarget[] targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Length == 0)
        {
            throw new ArgumentException("At least one target is required.", nameof(targets));
        }

        for (int i = 0; i < targets.Length; i++)
        {
            if (targets[i] is null)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Target {i} is null."), nameof(targets));
            }
        }

        return new SmallestTarget([.. targets]);
    }

    private sealed class TokensTarget(int tokens) : CompactionTarget
    {
        public override long GetTargetTokens(CompactionState state) => tokens;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{tokens} tokens");
    }

    private sealed class FractionTarget(double fraction) : CompactionTarget
    {
        public override long GetTargetTokens(CompactionState state) => (long)(state.UsableTokens * fraction);

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{fraction:0.###} of the window");
    }

    private sealed class SmallestTarget(CompactionTarget[] targets) : CompactionTarget
    {
        public override long GetTargetTokens(CompactionState state)
        {
            long smallest = long.MaxValue;
            foreach (CompactionTarget target in targets)
            {
                smallest = Math.Min(smallest, target.GetTargetTokens(state));
            }

            return smallest;
        }

        public override string ToString() => "smallest of " + string.Join(", ", targets.Select(t => t.ToString()));
    }
}
