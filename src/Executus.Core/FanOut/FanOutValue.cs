using Microsoft.Extensions.AI;

namespace Executus.Fanout;

/// <summary>What a cell returns: its value and, when the cell called a model, the usage it reported.</summary>
/// <typeparam name="T">The cell's value type.</typeparam>
/// <param name="Value">The value.</param>
/// <param name="Usage">The token usage of the cell, or <see langword="null"/> when it reports none.</param>
public readonly record struct FanOutValue<T>(T Value, UsageDetails? Usage = null);
