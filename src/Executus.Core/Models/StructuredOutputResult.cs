using Microsoft.Extensions.AI;

namespace Executus.Models;

/// <summary>A structured answer together with what it cost to get it.</summary>
/// <typeparam name="T">The type of the answer.</typeparam>
public sealed class StructuredOutputResult<T>
{
    /// <summary>Initializes a new result.</summary>
    /// <param name="value">The parsed, validated answer.</param>
    /// <param name="response">The last response (the one that parsed).</param>
    /// <param name="usage">The usage of every try, summed.</param>
    /// <param name="rawTexts">The raw text of every try, in order.</param>
    public StructuredOutputResult(T value, ChatResponse response, UsageDetails usage, IReadOnlyList<string> rawTexts)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(usage);
        ArgumentNullException.ThrowIfNull(rawTexts);
        Value = value;
        Response = response;
        Usage = usage;
        RawTexts = rawTexts;
    }

    /// <summary>Gets the parsed, validated answer.</summary>
    public T Value { get; }

    /// <summary>Gets the response that carried the answer.</summary>
    public ChatResponse Response { get; }

    /// <summary>Gets the usage of every try, summed.</summary>
    public UsageDetails Usage { get; }

    /// <summary>Gets the raw text of every try, in order (the last one is the accepted answer).</summary>
    public IReadOnlyList<string> RawTexts { get; }

    /// <summary>Gets how many tries it took.</summary>
    public int Attempts => RawTexts.Count;
}
