using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Executus.Tooling;

/// <summary>Reads tool-call argument values, which arrive as <see cref="JsonElement"/>s from models and as CLR values from code.</summary>
internal static class ToolArguments
{
    /// <summary>Reads argument <paramref name="name"/> as a string when it is one.</summary>
    /// <param name="arguments">The arguments.</param>
    /// <param name="name">The argument name.</param>
    /// <param name="value">The string when present and a string.</param>
    /// <returns><see langword="true"/> when the argument is present and a string.</returns>
    public static bool TryGetString(IReadOnlyDictionary<string, object?> arguments, string name, [NotNullWhen(true)] out string? value)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(name);
        value = arguments.TryGetValue(name, out object? raw) ? AsString(raw) : null;
        return value is not null;
    }

    /// <summary>Returns <paramref name="value"/> as a string when it is a string or a JSON string, else <see langword="null"/>.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The string or <see langword="null"/>.</returns>
    public static string? AsString(object? value) => value switch
    {
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
        _ => null,
    };

    /// <summary>Converts an argument value to a <see cref="JsonElement"/> (using M.E.AI's default JSON options).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The element.</returns>
    public static JsonElement ToJsonElement(object? value)
    {
        if (value is JsonElement element)
        {
            return element;
        }

        if (value is null)
        {
            return JsonSerializer.SerializeToElement(null, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(object)));
        }

        return JsonSerializer.SerializeToElement(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType()));
    }

    /// <summary>
    /// The values of the named arguments that are present and not null, in name order; an array argument yields each
    /// of its items (so a validator checks <c>urls: ["…", "…"]</c> item by item).
    /// </summary>
    /// <param name="arguments">The call's arguments.</param>
    /// <param name="names">The argument names to read.</param>
    /// <returns>Each (argument name, value) pair.</returns>
    internal static IEnumerable<(string Name, JsonElement Value)> NamedValues(IReadOnlyDictionary<string, object?> arguments, IEnumerable<string> names)
    {
        foreach (string name in names)
        {
            if (!arguments.TryGetValue(name, out object? raw) || raw is null)
            {
                continue;
            }

            JsonElement element = ToJsonElement(raw);
            if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement item in element.EnumerateArray())
                {
                    yield return (name, item);
                }
            }
            else
            {
                yield return (name, element);
            }
        }
    }
}
