namespace Executus.Identity;

/// <summary>
/// Resolves the caller of an operation (from an HTTP request, a chat message, a CI job…). The run kernel asks it for
/// every run whose request names no caller (and is not a sub-agent, which inherits its parent's), handing it the
/// request's <c>CallerContext</c>. The default, <see cref="AnonymousCallerIdentityResolver"/>, always answers
/// <see cref="CallerIdentity.Anonymous"/>.
/// </summary>
/// <remarks>A resolver that throws ends the run <c>Failed</c>: an unknown caller must not run with someone's rights.</remarks>
public interface ICallerIdentityResolver
{
    /// <summary>Resolves the caller.</summary>
    /// <param name="context">What the host attached to the operation (e.g. <c>RunRequest.CallerContext</c>).</param>
    /// <param name="cancellationToken">A token to cancel the resolution.</param>
    /// <returns>The caller; never <see langword="null"/>.</returns>
    ValueTask<CallerIdentity> ResolveAsync(CallerResolutionContext context, CancellationToken cancellationToken = default);
}
