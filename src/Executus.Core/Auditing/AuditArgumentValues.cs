using System.Collections;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace Executus.Auditing;

/// <summary>
/// A tool call's arguments as an <see cref="AuditEvent"/> keeps them: a copy of the name/value pairs taken when the
/// event is built, each value immutable (a string, number, boolean or <see cref="JsonElement"/>; anything else is
/// turned into a <see cref="JsonElement"/> at once), and their JSON, serialized only when first read.
/// </summary>
/// <remarks>
/// Why: most events are stored and never read; serializing every call's arguments on the run thread (a JSON document
/// per call) cost more than the rest of the event. A later change to the call's dictionary does not change the copy.
/// </remarks>
internal sealed class AuditArgumentValues : IReadOnlyList<KeyValuePair<string, object?>>
{
    private static JsonTypeInfo? s_dictionaryInfo;
    private static JsonTypeInfo? s_objectInfo;
    // Why: a call has one or two arguments more often than not; those are kept in fields, without an array.
    private readonly KeyValuePair<string, object?> _first;
    private readonly KeyValuePair<string, object?> _second;
    private readonly KeyValuePair<string, object?>[]? _values;
    private StrongBox<JsonElement>? _json;

    private AuditArgumentValues(int count, KeyValuePair<string, object?> first, KeyValuePair<string, object?> second, KeyValuePair<string, object?>[]? values) =>
        (Count, _first, _second, _values) = (count, first, second, values);

    public int Count { get; }

    /// <summary>Gets the arguments' JSON (an object of the pairs in order), serialized on first read.</summary>
    public JsonElement Json
    {
        get
        {
            StrongBox<JsonElement>? json = Volatile.Read(ref _json);
            if (json is null)
            {
                var dictionary = new Dictionary<string, object?>(Count, StringComparer.Ordinal);
                for (int i = 0; i < Count; i++)
                {
                    KeyValuePair<string, object?> pair = this[i];
                    dictionary[pair.Key] = pair.Value;
                }

                json = new StrongBox<JsonElement>(JsonSerializer.SerializeToElement(dictionary, DictionaryInfo));
                json = Interlocked.CompareExchange(ref _json, json, null) ?? json;
            }

            return json.Value;
        }
    }

    private static JsonTypeInfo DictionaryInfo => s_dictionaryInfo ??= AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(Dictionary<string, object?>));

    private static JsonTypeInfo ObjectInfo => s_objectInfo ??= AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(object));

    public KeyValuePair<string, object?> this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return _values?[index] ?? (index == 0 ? _first : _second);
        }
    }

    /// <summary>Copies <paramref name="arguments"/>; a value that is not immutable is serialized now.</summary>
    /// <exception cref="NotSupportedException">A value cannot be serialized.</exception>
    /// <exception cref="ArgumentException">A name is null.</exception>
    public static AuditArgumentValues Create(IEnumerable<KeyValuePair<string, object?>> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments is AuditArgumentValues existing)
        {
            return existing;
        }

        if (arguments is Dictionary<string, object?> dictionary && dictionary.Count <= 2)
        {
            // Why: providers hand a Dictionary; its struct enumerator avoids a boxed one per call.
            KeyValuePair<string, object?> first = default, second = default;
            int count = 0;
            foreach (KeyValuePair<string, object?> pair in dictionary)
            {
                if (count++ == 0)
                {
                    first = Immutable(pair);
                }
                else
                {
                    second = Immutable(pair);
                }
            }

            return new AuditArgumentValues(count, first, second, null);
        }

        if (arguments is Dictionary<string, object?> larger)
        {
            var values = new KeyValuePair<string, object?>[larger.Count];
            int i = 0;
            foreach (KeyValuePair<string, object?> pair in larger)
            {
                values[i++] = Immutable(pair);
            }

            return new AuditArgumentValues(values.Length, default, default, values);
        }

        var list = new List<KeyValuePair<string, object?>>();
        foreach (KeyValuePair<string, object?> pair in arguments)
        {
            list.Add(Immutable(pair));
        }

        return list.Count <= 2
            ? new AuditArgumentValues(list.Count, list.Count > 0 ? list[0] : default, list.Count > 1 ? list[1] : default, null)
            : new AuditArgumentValues(list.Count, default, default, [.. list]);
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static KeyValuePair<string, object?> Immutable(KeyValuePair<string, object?> pair)
    {
        if (pair.Key is null)
        {
            throw new ArgumentException("A tool argument has no name.", nameof(pair));
        }

        return pair.Value is null or string or bool or int or long or double or float or decimal or short or byte or sbyte or ushort or uint or ulong or JsonElement
            ? pair
            : new(pair.Key, JsonSerializer.SerializeToElement(pair.Value, ObjectInfo));
    }
}
