using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Executus.Auditing;
using Microsoft.Extensions.AI;

namespace Executus.Batteries.Audit;

/// <summary>
/// The tool arguments of the records an <see cref="InMemoryAuditStore"/> holds, as UTF-8 JSON text written one after
/// another into reused blocks of bytes. Not thread-safe: the store uses it under its lock.
/// </summary>
/// <remarks>
/// Why: a store keeps its records for days, and a record that kept the call's argument pairs kept their objects (the
/// pairs, boxed values, strings) alive with it: mid-life objects the garbage collector copies from generation to
/// generation before they die, which cost a loaded host more than writing the text. Blocks hold no references, and a
/// block that no record reads any more is reused.
/// </remarks>
internal sealed class AuditArgumentArena
{
    // Why: large enough for a few thousand typical calls' arguments, small enough that a block whose last record is
    // dropped is soon free to reuse.
    internal const int BlockSize = 32 * 1024;
    private const int MaxSpareBlocks = 2;
    private static JsonTypeInfo? s_objectInfo;
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Stack<Block> _spare = new();
    private Utf8JsonWriter? _writer;
    private Block? _current;

    private static JsonTypeInfo ObjectInfo => s_objectInfo ??= AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(object));

    /// <summary>Writes the event's arguments (its pairs, else its JSON) and returns where they are; default when it has none.</summary>
    public Slice Write(AuditEvent auditEvent)
    {
        IReadOnlyCollection<KeyValuePair<string, object?>>? values = auditEvent.ArgumentValues;
        JsonElement? json = values is null ? auditEvent.Arguments : null;
        if (values is null && json is null)
        {
            return default;
        }

        _buffer.ResetWrittenCount();
        Utf8JsonWriter writer = _writer ??= new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = AIJsonUtilities.DefaultOptions.Encoder, SkipValidation = true });
        writer.Reset(_buffer);
        try
        {
            if (values is IReadOnlyList<KeyValuePair<string, object?>> list && !HasDuplicateNames(list))
            {
                WritePairs(writer, list);
            }
            else
            {
                // Duplicate names (or pairs that are not a list): the event's own JSON, which keeps one value per name.
                (json ?? auditEvent.Arguments)!.Value.WriteTo(writer);
            }

            writer.Flush();
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            // Why: one odd value must not lose the record; the record says its arguments could not be written instead.
            _buffer.ResetWrittenCount();
            writer.Reset(_buffer);
            writer.WriteStartObject();
            writer.WriteString("_unserializable", ex.Message);
            writer.WriteEndObject();
            writer.Flush();
        }

        return Store(_buffer.WrittenSpan);
    }

    /// <summary>Reads the arguments at <paramref name="span"/> as a JSON element of their own.</summary>
    public static JsonElement? Read(in Slice span)
    {
        if (span.Block is not { } block)
        {
            return null;
        }

        using JsonDocument document = JsonDocument.Parse(block.Bytes.AsMemory(span.Offset, span.Length));
        return document.RootElement.Clone();
    }

    /// <summary>
    /// Stores <paramref name="text"/> as its UTF-16 code units (exact, whatever the string holds); null gives an empty
    /// slice, read back as null.
    /// </summary>
    public Slice StoreText(string? text) =>
        text is null ? default : Store(System.Runtime.InteropServices.MemoryMarshal.AsBytes(text.AsSpan()));

    /// <summary>Counts one more record reading <paramref name="span"/> (a text several records share).</summary>
    public static Slice AddReader(in Slice span)
    {
        if (span.Block is { } block)
        {
            block.Live++;
        }

        return span;
    }

    /// <summary>Reads a text stored with <see cref="StoreText"/>.</summary>
    public static string? ReadText(in Slice span) =>
        span.Block is { } block
            ? new string(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, char>(block.Bytes.AsSpan(span.Offset, span.Length)))
            : null;

    /// <summary>Whether a text stored with <see cref="StoreText"/> is <paramref name="text"/> (ordinal).</summary>
    public static bool TextEquals(in Slice span, string text) =>
        span.Block is { } block
        && System.Runtime.InteropServices.MemoryMarshal.Cast<byte, char>(block.Bytes.AsSpan(span.Offset, span.Length)).SequenceEqual(text);

    /// <summary>Forgets the arguments at <paramref name="span"/> (their record was dropped); their block is reused once none are left in it.</summary>
    public void Release(in Slice span)
    {
        if (span.Block is { } block && --block.Live == 0 && !ReferenceEquals(block, _current))
        {
            Recycle(block);
        }
    }

    private Slice Store(ReadOnlySpan<byte> text)
    {
        Block block;
        if (text.Length > BlockSize)
        {
            block = new Block(new byte[text.Length]);
        }
        else
        {
            if (_current is null || _current.Used + text.Length > BlockSize)
            {
                Block? full = _current;
                // Why: a block lives as long as its records (days) and holds no references: on the pinned object heap it
                // is never copied from generation to generation.
                _current = _spare.Count > 0 ? _spare.Pop() : new Block(GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true));
                if (full is { Live: 0 })
                {
                    Recycle(full);
                }
            }

            block = _current;
        }

        int offset = block.Used;
        text.CopyTo(block.Bytes.AsSpan(offset));
        block.Used += text.Length;
        block.Live++;
        return new Slice(block, offset, text.Length);
    }

    private void Recycle(Block block)
    {
        block.Generation++;
        if (block.Bytes.Length == BlockSize && _spare.Count < MaxSpareBlocks)
        {
            block.Used = 0;
            _spare.Push(block);
        }
    }

    private static bool HasDuplicateNames(IReadOnlyList<KeyValuePair<string, object?>> list)
    {
        if (list.Count > 8)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < list.Count; i++)
            {
                if (!names.Add(list[i].Key))
                {
                    return true;
                }
            }

            return false;
        }

        for (int i = 1; i < list.Count; i++)
        {
            for (int j = 0; j < i; j++)
            {
                if (string.Equals(list[i].Key, list[j].Key, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static void WritePairs(Utf8JsonWriter writer, IReadOnlyList<KeyValuePair<string, object?>> pairs)
    {
        writer.WriteStartObject();
        for (int i = 0; i < pairs.Count; i++)
        {
            (string name, object? value) = pairs[i];
            writer.WritePropertyName(name);
            switch (value)
            {
                case null:
                    writer.WriteNullValue();
                    break;
                case string text:
                    writer.WriteStringValue(text);
                    break;
                case bool flag:
                    writer.WriteBooleanValue(flag);
                    break;
                case int number:
                    writer.WriteNumberValue(number);
                    break;
                case long number:
                    writer.WriteNumberValue(number);
                    break;
                case short or sbyte or byte or ushort or uint:
                    writer.WriteNumberValue(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case ulong number:
                    writer.WriteNumberValue(number);
                    break;
                case decimal number:
                    writer.WriteNumberValue(number);
                    break;
                case double number when double.IsFinite(number):
                    writer.WriteNumberValue(number);
                    break;
                case float number when float.IsFinite(number):
                    writer.WriteNumberValue(number);
                    break;
                case JsonElement element:
                    element.WriteTo(writer);
                    break;
                default:
                    // Why: what the event's own JSON would hold (the same serializer options), for anything else.
                    JsonSerializer.Serialize(writer, value, ObjectInfo);
                    break;
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>Where one record's arguments are: a block, an offset and a length.</summary>
    internal readonly record struct Slice(Block? Block, int Offset, int Length);

    /// <summary>A block of argument text and how many records still read it.</summary>
    internal sealed class Block(byte[] bytes)
    {
        public byte[] Bytes { get; } = bytes;

        public int Used { get; set; }

        public int Live { get; set; }

        /// <summary>Gets or sets how many times the block was given up for reuse (a slice kept from before is stale).</summary>
        public int Generation { get; set; }
    }
}
