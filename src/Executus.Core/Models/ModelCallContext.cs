using Executus.Identity;

namespace Executus.Models;

/// <summary>
/// Ambient facts about the model calls made in the current asynchronous flow (who asked, for which run, on which tier,
/// for what purpose), read by the usage and trace decorators. The run kernel sets it around a run with
/// <see cref="Begin"/>; it flows into every awaited call and task started inside.
/// </summary>
public sealed record ModelCallContext
{
    private static readonly AsyncLocal<ModelCallContext?> CurrentContext = new();

    /// <summary>Gets the context of the current flow, or <see langword="null"/> when none was set.</summary>
    public static ModelCallContext? Current => CurrentContext.Value;

    /// <summary>Gets the caller the calls are made for.</summary>
    public CallerIdentity? Caller { get; init; }

    /// <summary>Gets the run id the calls belong to.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets the tier the run asked for (a resolved tier client reports its own tier first).</summary>
    public string? Tier { get; init; }

    /// <summary>Gets what the calls are for, e.g. <c>run</c>, <c>llm-meta:summarize</c>, <c>critic</c>.</summary>
    public string? Purpose { get; init; }

    /// <summary>Gets the phase of a phased run the calls are made in (so usage is attributed per phase).</summary>
    public string? Phase { get; init; }

    /// <summary>
    /// Gets the run's accounting scope: every call made in this flow through a resolved client is checked against the
    /// run's budget, settled or released, and summed into the run's usage — once. Null outside a run.
    /// </summary>
    public RunAccount? Account { get; init; }

    /// <summary>
    /// Makes <paramref name="context"/> the current context until the returned scope is disposed, which restores the
    /// previous one.
    /// </summary>
    /// <param name="context">The context.</param>
    /// <returns>The scope.</returns>
    public static IDisposable Begin(ModelCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ModelCallContext? previous = CurrentContext.Value;
        CurrentContext.Value = context;
        return new Scope(previous);
    }

    /// <summary>Replaces the current context in the caller's flow (the kernel, when a phase changes the tier and phase).</summary>
    internal static void SetCurrent(ModelCallContext? context) => CurrentContext.Value = context;

    private sealed class Scope(ModelCallContext? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                CurrentContext.Value = previous;
            }
        }
    }
}
