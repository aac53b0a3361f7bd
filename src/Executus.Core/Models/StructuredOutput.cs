using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Executus.Models;

/// <summary>
/// Structured output with validation and repair, on top of M.E.AI's <c>GetResponseAsync&lt;T&gt;</c> (which requests the
/// JSON-schema response format where the provider supports it).
/// </summary>
public static class StructuredOutput
{
    /// <summary>
    /// Asks <paramref name="client"/> for an answer of type <typeparamref name="T"/>. An answer that does not parse, is
    /// JSON <c>null</c>, or fails <see cref="StructuredOutputOptions{T}.Validator"/> is sent back to the model with the
    /// error, up to <see cref="StructuredOutputOptions{T}.MaxAttempts"/> tries in all.
    /// </summary>
    /// <typeparam name="T">The type of the answer.</typeparam>
    /// <param name="client">The client.</param>
    /// <param name="messages">The conversation; it is not modified.</param>
    /// <param name="options">Tries, validator and JSON options; defaults when null.</param>
    /// <param name="chatOptions">The chat options of every try.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The answer with the summed usage and the raw text of every try.</returns>
    /// <exception cref="StructuredOutputException">No try gave a usable answer.</exception>
    public static async Task<StructuredOutputResult<T>> GenerateAsync<T>(
        this IChatClient client,
        IEnumerable<ChatMessage> messages,
        StructuredOutputOptions<T>? options = null,
        ChatOptions? chatOptions = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(messages);
        options ??= new StructuredOutputOptions<T>();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1, nameof(options));
        JsonSerializerOptions json = options.SerializerOptions ?? AIJsonUtilities.DefaultOptions;

        List<ChatMessage> conversation = [.. messages];
        var usage = new UsageDetails();
        var rawTexts = new List<string>(options.MaxAttempts);
        var errors = new List<string>(options.MaxAttempts);
        Exception? lastParseError = null;
        for (int attempt = 1; attempt <= options.MaxAttempts; attempt++)
        {
            ChatResponse<T> response = await client.GetResponseAsync<T>(
                conversation, json, chatOptions, options.UseJsonSchemaResponseFormat, cancellationToken).ConfigureAwait(false);
            if (response.Usage is { } tryUsage)
            {
                usage.Add(tryUsage);
            }

            rawTexts.Add(response.Text);
            string? error = Check(response, options.Validator, out T? value, out Exception? parseError);
            if (error is null)
            {
                return new StructuredOutputResult<T>(value!, response, usage, rawTexts);
            }

            lastParseError = parseError ?? lastParseError;
            errors.Add(error);
            conversation.AddRange(response.Messages);
            conversation.Add(new ChatMessage(
                ChatRole.User,
                $"Your previous answer could not be used: {error}\nAnswer again with only a JSON value that matches the requested schema, and nothing else."));
        }

        throw new StructuredOutputException(
            $"The model gave no usable {typeof(T).Name} in {options.MaxAttempts} tries; last error: {errors[^1]}",
            typeof(T),
            rawTexts,
            errors,
            usage,
            lastParseError);
    }

    /// <summary>Asks <paramref name="client"/> for an answer of type <typeparamref name="T"/> to a single user prompt.</summary>
    /// <typeparam name="T">The type of the answer.</typeparam>
    /// <param name="client">The client.</param>
    /// <param name="prompt">The user prompt.</param>
    /// <param name="options">Tries, validator and JSON options; defaults when null.</param>
    /// <param name="chatOptions">The chat options of every try.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The answer with the summed usage and the raw text of every try.</returns>
    /// <exception cref="StructuredOutputException">No try gave a usable answer.</exception>
    public static Task<StructuredOutputResult<T>> GenerateAsync<T>(
        this IChatClient client,
        string prompt,
        StructuredOutputOptions<T>? options = null,
        ChatOptions? chatOptions = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return client.GenerateAsync([new ChatMessage(ChatRole.User, prompt)], options, chatOptions, cancellationToken);
    }

    private static string? Check<T>(ChatResponse<T> response, Func<T, string?>? validator, out T? value, out Exception? parseError)
    {
        parseError = null;
        value = default;
        try
        {
            value = response.Result;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException)
        {
            parseError = ex;
            return string.IsNullOrWhiteSpace(response.Text)
                ? "the answer was empty."
                : $"the answer is not valid JSON for the schema ({ex.Message}).";
        }

        if (value is null)
        {
            return "the answer was JSON null.";
        }

        return validator?.Invoke(value) is { Length: > 0 } problem ? $"the answer is invalid: {problem}" : null;
    }
}
