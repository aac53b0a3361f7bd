using Microsoft.Extensions.AI;

namespace Executus.Fanout;

/// <summary>The outcome of one cell of a fan-out grid: a value or a captured error, never both.</summary>
/// <typeparam name="T">The cell's value type.</typeparam>
public sealed class FanOutCell<T>
{
    internal FanOutCell(int row, int column, FanOutCellStatus status, T? value, Exception? error, UsageDetails? usage, TimeSpan duration)
    {
        Row = row;
        Column = column;
        Status = status;
        Value = value;
        Error = error;
        Usage = usage;
        Duration = duration;
    }

    /// <summary>Gets the cell's row index.</summary>
    public int Row { get; }

    /// <summary>Gets the cell's column index.</summary>
    public int Column { get; }

    /// <summary>Gets how the cell ended.</summary>
    public FanOutCellStatus Status { get; }

    /// <summary>Gets a value indicating whether the cell returned a value.</summary>
    public bool Succeeded => Status == FanOutCellStatus.Succeeded;

    /// <summary>Gets the value when <see cref="Succeeded"/>; otherwise the default.</summary>
    public T? Value { get; }

    /// <summary>
    /// Gets the error: the cell's exception, a <see cref="TimeoutException"/>, or an
    /// <see cref="OperationCanceledException"/> for a cancelled cell; <see langword="null"/> when it succeeded.
    /// </summary>
    public Exception? Error { get; }

    /// <summary>Gets the usage the cell reported, if any.</summary>
    public UsageDetails? Usage { get; }

    /// <summary>Gets how long the cell took from start to end (zero for a cell that never started).</summary>
    public TimeSpan Duration { get; }

    /// <inheritdoc />
    public override string ToString() => $"({Row},{Column}) {Status}{(Error is null ? "" : ": " + Error.Message)}";
}
