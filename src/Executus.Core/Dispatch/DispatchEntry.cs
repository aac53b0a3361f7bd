namespace Executus.Dispatch;

/// <summary>
/// The outcome of <see cref="DispatchGuard.Enter"/>: either admitted (the new run's scope is now the
/// ambient one until this entry is disposed) or <see cref="Denied"/>. Dispose it when the run ends.
/// </summary>
public sealed class DispatchEntry : IDisposable
{
    private readonly DispatchScope? _previous;
    private int _disposed;

    internal DispatchEntry(DispatchScope scope, DispatchScope? previous)
    {
        Scope = scope;
        _previous = previous;
    }

    internal DispatchEntry(DispatchDenied denied, DispatchScope? previous)
    {
        Denied = denied;
        _previous = previous;
        _disposed = 1;
    }

    /// <summary>Gets a value indicating whether the run may start.</summary>
    public bool IsAllowed => Denied is null;

    /// <summary>Gets the new run's scope when admitted.</summary>
    internal DispatchScope? Scope { get; }

    /// <summary>Gets why the run was refused, or <see langword="null"/> when admitted.</summary>
    public DispatchDenied? Denied { get; }

    /// <summary>Restores the ambient scope that was current before the run was entered.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            DispatchGuard.SetCurrent(_previous);
        }
    }
}
