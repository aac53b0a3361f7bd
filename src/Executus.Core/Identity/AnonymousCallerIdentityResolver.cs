namespace Executus.Identity;

/// <summary>The default <see cref="ICallerIdentityResolver"/>: every caller is <see cref="CallerIdentity.Anonymous"/>.</summary>
public sealed class AnonymousCallerIdentityResolver : ICallerIdentityResolver
{
    /// <summary>Gets a shared instance.</summary>
    public static AnonymousCallerIdentityResolver Instance { get; } = new();

    /// <inheritdoc />
    public ValueTask<CallerIdentity> ResolveAsync(CallerResolutionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(CallerIdentity.Anonymous);
    }
}
