using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
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
    /// JSON <c>null</c>, lacks a required member, or fails <see cref="StructuredOutputOptions{T}.Validator"/> is sent back
    /// to the model with the error, up to <see cref="StructuredOutputOptions{T}.MaxAttempts"/> tries in all.
    /// </summary>
    /// <remarks>
    /// The answer may be bare JSON or a single Markdown code fence (<c>```json … ```</c>, prose around it allowed); two
    /// or more fences are ambiguous and go to repair. Parsing is strict whatever <see cref="StructuredOutputOptions{T}.SerializerOptions"/>
    /// says (a copy with <see cref="JsonSerializerOptions.RespectRequiredConstructorParameters"/> and
    /// <see cref="JsonSerializerOptions.RespectNullableAnnotations"/> on is used): a constructor parameter without a
    /// default, a <c>required</c> member, or a non-nullable reference member that is missing or <c>null</c> makes
    /// the answer unusable (<c>{}</c> for <c>record Verdict(string Label, int Score)</c> is not <c>Verdict(null, 0)</c>).
    /// A validator that throws ends the call at once with a <see cref="StructuredOutputException"/> whose inner
    /// exception is the validator's.
    /// </remarks>
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
        JsonSerializerOptions json = StrictOptions(options.SerializerOptions ?? AIJsonUtilities.DefaultOptions);
        bool wrapped = IsWrappedInObject<T>(json);

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
            string? error = Parse(response.Text, json, wrapped, out T? value, out Exception? parseError);
            if (error is null && options.Validator is { } validator)
            {
                error = Validate(validator, value!, typeof(T), rawTexts, errors, usage);
            }

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

    private static readonly ConditionalWeakTable<JsonSerializerOptions, JsonSerializerOptions> StrictCopies = [];

    // Why: the caller's options (often AIJsonUtilities.DefaultOptions) let a missing constructor parameter become 0 and
    // an explicit null land in a non-nullable member; a cached copy keeps the metadata cache warm across calls.
    private static JsonSerializerOptions StrictOptions(JsonSerializerOptions options) =>
        options is { RespectNullableAnnotations: true, RespectRequiredConstructorParameters: true }
            ? options
            : StrictCopies.GetValue(options, static o =>
            {
                var copy = new JsonSerializerOptions(o) { RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true };
                copy.MakeReadOnly(populateMissingResolver: true);
                return copy;
            });

    // Why: M.E.AI asks for {"data": …} when T's schema is not an object (numbers, arrays, enums); it decides from the
    // schema's "type", and so does this.
    private static bool IsWrappedInObject<T>(JsonSerializerOptions options)
    {
        JsonElement schema = AIJsonUtilities.CreateJsonSchema(typeof(T), serializerOptions: options);
        return !(schema.ValueKind == JsonValueKind.Object
            && schema.TryGetProperty("type", out JsonElement type)
            && type.ValueKind == JsonValueKind.String
            && type.ValueEquals("object"u8));
    }

    private static string? Validate<T>(
        Func<T, string?> validator, T value, Type targetType, List<string> rawTexts, List<string> errors, UsageDetails usage)
    {
        try
        {
            return validator(value) is { Length: > 0 } problem ? $"the answer is invalid: {problem}" : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            errors.Add($"the validator threw {ex.GetType().Name}: {ex.Message}");
            throw new StructuredOutputException(
                $"The validator of {targetType.Name} threw {ex.GetType().Name}: {ex.Message}", targetType, rawTexts, errors, usage, ex);
        }
    }

    /// <summary>Parses one answer text strictly; returns null on success, otherwise the problem for the repair request.</summary>
    internal static string? Parse<T>(string text, JsonSerializerOptions options, bool wrapped, out T? value, out Exception? parseError)
    {
        parseError = null;
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return "the answer was empty.";
        }

        string? fenceError = Unfence(text, out string json);
        if (fenceError is not null)
        {
            return fenceError;
        }

        try
        {
            if (wrapped)
            {
                using JsonDocument document = JsonDocument.Parse(json);
                if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("data", out JsonElement data))
                {
                    return "the answer must be a JSON object with a \"data\" property holding the value.";
                }

                json = data.GetRawText();
            }

            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), new JsonReaderOptions { AllowMultipleValues = true });
            value = JsonSerializer.Deserialize(ref reader, (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            parseError = ex;
            return $"the answer is not valid JSON for the schema ({ex.Message}).";
        }

        if (value is null)
        {
            return "the answer was JSON null.";
        }

        return MissingMember(value, options, typeof(T).Name, depth: 0) is { } missing
            ? $"the answer has no value for the required member '{missing}'."
            : null;
    }

    // Why: RespectNullableAnnotations refuses an explicit null, but a non-nullable reference member that is simply absent
    // from the JSON (a settable property, not a constructor parameter) still comes out null; walk the value to find it.
    private static string? MissingMember(object value, JsonSerializerOptions options, string path, int depth)
    {
        const int MaxDepth = 16;
        if (depth > MaxDepth)
        {
            return null;
        }

        JsonTypeInfo info = options.GetTypeInfo(value.GetType());
        if (info.Kind == JsonTypeInfoKind.Object)
        {
            foreach (JsonPropertyInfo property in info.Properties)
            {
                if (property.Get is null)
                {
                    continue;
                }

                object? member = property.Get(value);
                string memberPath = depth == 0 ? property.Name : $"{path}.{property.Name}";
                if (member is null)
                {
                    if (!property.IsGetNullable)
                    {
                        return memberPath;
                    }

                    continue;
                }

                if (!property.PropertyType.IsPrimitive && property.PropertyType != typeof(string)
                    && MissingMember(member, options, memberPath, depth + 1) is { } nested)
                {
                    return nested;
                }
            }
        }
        else if (info.Kind == JsonTypeInfoKind.Enumerable && value is System.Collections.IEnumerable items)
        {
            int index = 0;
            foreach (object? item in items)
            {
                if (item is not null && item is not string && !item.GetType().IsPrimitive
                    && MissingMember(item, options, $"{path}[{index}]", depth + 1) is { } nested)
                {
                    return nested;
                }

                index++;
            }
        }

        return null;
    }

    /// <summary>
    /// Takes the JSON out of a single Markdown code fence (language tag empty or <c>json</c>); text without a fence is
    /// returned as it is. Returns the problem when the fence cannot be used.
    /// </summary>
    internal static string? Unfence(string text, out string json)
    {
        json = text;
        string trimmed = text.TrimStart();

        // Why: bare JSON may carry ``` inside a string value (a suggested code snippet); only text that does not start
        // as JSON is searched for a fence.
        int open = trimmed.Length > 0 && trimmed[0] is '{' or '[' ? -1 : text.IndexOf("```", StringComparison.Ordinal);
        if (open < 0)
        {
            return null;
        }

        int tagEnd = text.IndexOf('\n', open);
        if (tagEnd < 0)
        {
            return "the answer has an unterminated Markdown code fence; send only the JSON value.";
        }

        string tag = text[(open + 3)..tagEnd].Trim();
        if (tag.Length > 0 && !tag.Equals("json", StringComparison.OrdinalIgnoreCase))
        {
            return $"the answer is a '{tag}' code block, not JSON; send only the JSON value.";
        }

        int close = text.IndexOf("```", tagEnd + 1, StringComparison.Ordinal);
        if (close < 0)
        {
            return "the answer has an unterminated Markdown code fence; send only the JSON value.";
        }

        if (text.IndexOf("```", close + 3, StringComparison.Ordinal) >= 0)
        {
            return "the answer has more than one Markdown code block; send exactly one JSON value.";
        }

        json = text[(tagEnd + 1)..close];
        return null;
    }
}
