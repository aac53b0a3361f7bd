namespace Executus.Identity;

/// <summary>
/// Resolves the caller of the current operation (from an HTTP request, a chat message, a CI job…).
/// The default, <see cref="AnonymousCallerIdentityResolver"/>, always answers <see cref="CallerIdentity.Anonymous"/>.
/// </summary>
public interface ICallerIdentityResolver
{
    /// <summary>Resolves the current caller.</summary>
    /// <param name="cancellationToken">A token to cancel the resolution.</param>
    /// <returns>The caller; never <see langword="null"/>.</returns>
    ValueTask<CallerIdentity> ResolveAsync(CancellationToken cancellationToken = default);
}
