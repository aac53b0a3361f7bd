namespace Executus.Batteries.Budget;

/// <summary>A model's price: money per one million input and output tokens.</summary>
/// <param name="InputPerMillion">The price of one million input tokens.</param>
/// <param name="OutputPerMillion">The price of one million output tokens.</param>
public sealed record ModelPrice(decimal InputPerMillion, decimal OutputPerMillion)
{
    // Why: the price of one token, kept beside the per-million price so a cost is two multiplications instead of a
    // decimal division on every model call (both are exact: a decimal divided by 10^6 only moves its scale).
    private decimal _inputPerToken = InputPerMillion / 1_000_000m;
    private decimal _outputPerToken = OutputPerMillion / 1_000_000m;

    /// <summary>Gets the price of one million input tokens.</summary>
    public decimal InputPerMillion
    {
        get;
        init
        {
            field = value;
            _inputPerToken = value / 1_000_000m;
        }
    } = InputPerMillion;

    /// <summary>Gets the price of one million output tokens.</summary>
    public decimal OutputPerMillion
    {
        get;
        init
        {
            field = value;
            _outputPerToken = value / 1_000_000m;
        }
    } = OutputPerMillion;

    /// <summary>Gets the price of <paramref name="inputTokens"/> input and <paramref name="outputTokens"/> output tokens.</summary>
    /// <param name="inputTokens">Input tokens.</param>
    /// <param name="outputTokens">Output tokens.</param>
    /// <returns>The money.</returns>
    public decimal Cost(long inputTokens, long outputTokens) =>
        (Math.Max(inputTokens, 0) * _inputPerToken) + (Math.Max(outputTokens, 0) * _outputPerToken);

    /// <summary>Gets the price of <paramref name="tokens"/> tokens at the higher of the two rates.</summary>
    internal decimal CostAtHigherRate(long tokens) => Math.Max(tokens, 0) * Math.Max(_inputPerToken, _outputPerToken);
}
