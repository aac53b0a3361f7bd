namespace Executus.Batteries.Budget;

/// <summary>A model's price: money per one million input and output tokens.</summary>
/// <param name="InputPerMillion">The price of one million input tokens.</param>
/// <param name="OutputPerMillion">The price of one million output tokens.</param>
public sealed record ModelPrice(decimal InputPerMillion, decimal OutputPerMillion)
{
    /// <summary>Gets the price of <paramref name="inputTokens"/> input and <paramref name="outputTokens"/> output tokens.</summary>
    /// <param name="inputTokens">Input tokens.</param>
    /// <param name="outputTokens">Output tokens.</param>
    /// <returns>The money.</returns>
    public decimal Cost(long inputTokens, long outputTokens) =>
        ((Math.Max(inputTokens, 0) * InputPerMillion) + (Math.Max(outputTokens, 0) * OutputPerMillion)) / 1_000_000m;
}
