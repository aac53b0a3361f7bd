using System.Buffers;
using System.Text.Json;
using Executus.Auditing;

namespace Executus.Benchmarks;

/// <summary>
/// The floor of issue 12's audit work, not a battery: the least an audit port must do per event on the run thread.
/// Under one lock it checks each tool argument's name for a secret, writes the arguments as JSON into a byte ring and
/// keeps the event's fields as a value in a bounded ring of 10,000.
/// </summary>
/// <remarks>
/// What it leaves out, which the Audit battery does: record ids, the written time, outcomes, masking secrets in data and
/// details, truncating long values, age retention, the name and run-id pools that keep the store off the young
/// generation, queries, and a queue to a durable store. So the battery's cost cannot be below this one's.
/// </remarks>
internal sealed class MinimalAudit : IAudit
{
    private static readonly string[] SecretFragments = ["key", "token", "password", "secret", "authorization"];
    private readonly Lock _gate = new();
    private readonly Row[] _rows = new Row[10_000];
    private readonly byte[] _arguments = new byte[1 << 20];
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Utf8JsonWriter _writer;
    private int _next;
    private int _argumentsNext;

    public MinimalAudit() => _writer = new Utf8JsonWriter(_buffer);

    public ValueTask RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        lock (_gate)
        {
            (int at, int length) = auditEvent.ArgumentValues is { } values ? WriteArguments(values) : (0, 0);
            ref Row row = ref _rows[_next];
            _next = _next + 1 == _rows.Length ? 0 : _next + 1;
            row.ObservedAt = auditEvent.Timestamp;
            row.Kind = auditEvent.Kind;
            row.Sequence = auditEvent.Sequence;
            row.Iteration = auditEvent.Iteration;
            row.RunId = auditEvent.RunId;
            row.AgentName = auditEvent.AgentName;
            row.Caller = auditEvent.Caller;
            row.ToolName = auditEvent.ToolName;
            row.Model = auditEvent.Model;
            row.Detail = auditEvent.Detail;
            row.InputTokens = auditEvent.Usage?.InputTokenCount ?? 0;
            row.OutputTokens = auditEvent.Usage?.OutputTokenCount ?? 0;
            row.Duration = auditEvent.Duration;
            row.ArgumentsAt = at;
            row.ArgumentsLength = length;
        }

        return default;
    }

    private (int At, int Length) WriteArguments(IReadOnlyCollection<KeyValuePair<string, object?>> values)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _writer.WriteStartObject();
        foreach (KeyValuePair<string, object?> pair in values)
        {
            _writer.WritePropertyName(pair.Key);
            if (IsSecret(pair.Key))
            {
                _writer.WriteStringValue("***");
            }
            else if (pair.Value is int number)
            {
                _writer.WriteNumberValue(number);
            }
            else if (pair.Value is string text)
            {
                _writer.WriteStringValue(text);
            }
            else
            {
                _writer.WriteNullValue();
            }
        }

        _writer.WriteEndObject();
        _writer.Flush();
        int length = _buffer.WrittenCount;
        if (_argumentsNext + length > _arguments.Length)
        {
            _argumentsNext = 0;
        }

        int at = _argumentsNext;
        _buffer.WrittenSpan.CopyTo(_arguments.AsSpan(at));
        _argumentsNext += length;
        return (at, length);
    }

    private static bool IsSecret(string name)
    {
        foreach (string fragment in SecretFragments)
        {
            if (name.Length >= fragment.Length && name.Contains(fragment, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private struct Row
    {
        public DateTimeOffset ObservedAt;
        public AuditEventKind Kind;
        public long Sequence;
        public int Iteration;
        public string? RunId;
        public string? AgentName;
        public object? Caller;
        public string? ToolName;
        public string? Model;
        public string? Detail;
        public long InputTokens;
        public long OutputTokens;
        public TimeSpan? Duration;
        public int ArgumentsAt;
        public int ArgumentsLength;
    }
}
