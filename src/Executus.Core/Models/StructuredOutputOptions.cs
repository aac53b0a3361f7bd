using System.Text.Json;

namespace Executus.Models;

/// <summary>Options of <see cref="StructuredOutput.GenerateAsync{T}(Microsoft.Extensions.AI.IChatClient, IEnumerable{Microsoft.Extensions.AI.ChatMessage}, StructuredOutputOptions{T}?, Microsoft.Extensions.AI.ChatOptions?, CancellationToken)"/>.</summary>
/// <typeparam name="T">The type of the answer.</typeparam>
public sealed class StructuredOutputOptions<T>
{
    /// <summary>The default number of tries.</summary>
    public const int DefaultMaxAttempts = 3;

    /// <summary>Gets or sets how many times the model is asked in all (the first try plus repairs); at least 1.</summary>
    public int MaxAttempts { get; set; } = DefaultMaxAttempts;

    /// <summary>
    /// Gets or sets a validator of a parsed answer: it returns null when the answer is acceptable, otherwise the
    /// problem, which is sent back to the model in the repair request.
    /// </summary>
    public Func<T, string?>? Validator { get; set; }

    /// <summary>Gets or sets the JSON options for the schema and parsing; M.E.AI's defaults when null.</summary>
    public JsonSerializerOptions? SerializerOptions { get; set; }

    /// <summary>
    /// Gets or sets whether the JSON-schema response format is requested (null: M.E.AI's default, which requests it).
    /// Set false for providers that reject a response format; the schema is then described in the prompt.
    /// </summary>
    public bool? UseJsonSchemaResponseFormat { get; set; }
}
