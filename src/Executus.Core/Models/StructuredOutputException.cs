using Microsoft.Extensions.AI;

namespace Executus.Models;

/// <summary>
/// Thrown when a model gave no usable structured answer within the allowed tries: every answer was unparsable or
/// failed validation. The raw text and the error of every try are kept, with the summed usage.
/// </summary>
public sealed class StructuredOutputException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public StructuredOutputException()
        : this("The model gave no usable structured answer.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public StructuredOutputException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public StructuredOutputException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance describing every failed try.</summary>
    /// <param name="message">The message.</param>
    /// <param name="targetType">The type the answer should have had.</param>
    /// <param name="rawTexts">The raw text of every try.</param>
    /// <param name="errors">Why each try was rejected.</param>
    /// <param name="usage">The usage of every try, summed.</param>
    /// <param name="innerException">The last parse failure, if any.</param>
    public StructuredOutputException(
        string message, Type targetType, IReadOnlyList<string> rawTexts, IReadOnlyList<string> errors, UsageDetails usage, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(targetType);
        ArgumentNullException.ThrowIfNull(rawTexts);
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(usage);
        TargetType = targetType;
        RawTexts = rawTexts;
        Errors = errors;
        Usage = usage;
    }

    /// <summary>Gets the type the answer should have had.</summary>
    public Type? TargetType { get; }

    /// <summary>Gets the raw text of every try, in order.</summary>
    public IReadOnlyList<string> RawTexts { get; } = [];

    /// <summary>Gets why each try was rejected, in order.</summary>
    public IReadOnlyList<string> Errors { get; } = [];

    /// <summary>Gets the usage of every try, summed.</summary>
    public UsageDetails Usage { get; } = new();

    /// <summary>Gets how many tries were made.</summary>
    public int Attempts => RawTexts.Count;
}
