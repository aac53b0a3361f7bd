namespace Executus.Runs;

/// <summary>The default <see cref="ICritic"/>: always continue.</summary>
public sealed class NullCritic : ICritic
{
    /// <summary>Gets a shared instance.</summary>
    public static NullCritic Instance { get; } = new();

    /// <inheritdoc />
    public ValueTask<CriticVerdict> ReviewAsync(CriticReview review, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(CriticVerdict.Continue);
}
