using System.Text;
using System.Text.Json;

namespace Executus.Tooling;

/// <summary>
/// Refuses a call whose arguments are too large: each named argument (string length in UTF-8 bytes, anything else
/// by its JSON size), or, with no names, all arguments together.
/// </summary>
public sealed class MaxSizeValidator : IToolArgumentValidator
{
    private readonly long _maxBytes;
    private readonly string[] _argumentNames;

    /// <summary>Initializes a validator.</summary>
    /// <param name="maxBytes">The largest size allowed, in bytes.</param>
    /// <param name="argumentNames">The arguments to measure one by one; none to measure all arguments together.</param>
    public MaxSizeValidator(long maxBytes, params string[] argumentNames)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        ArgumentNullException.ThrowIfNull(argumentNames);
        _maxBytes = maxBytes;
        _argumentNames = argumentNames;
    }

    /// <inheritdoc />
    public ValueTask<PermissionDecision> ValidateAsync(
        RegisteredTool tool, IReadOnlyDictionary<string, object?> arguments, ToolInvocationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (_argumentNames.Length == 0)
        {
            long total = 0;
            foreach (KeyValuePair<string, object?> argument in arguments)
            {
                total += Encoding.UTF8.GetByteCount(argument.Key) + Measure(argument.Value);
            }

            return ValueTask.FromResult(total > _maxBytes
                ? PermissionDecision.Deny(FormattableString.Invariant($"the arguments are {total} bytes; the limit is {_maxBytes} bytes"))
                : PermissionDecision.Allow);
        }

        foreach (string name in _argumentNames)
        {
            if (arguments.TryGetValue(name, out object? value))
            {
                long size = Measure(value);
                if (size > _maxBytes)
                {
                    return ValueTask.FromResult(PermissionDecision.Deny(
                        FormattableString.Invariant($"argument '{name}' is {size} bytes; the limit is {_maxBytes} bytes")));
                }
            }
        }

        return ValueTask.FromResult(PermissionDecision.Allow);
    }

    private static long Measure(object? value)
    {
        if (ToolArguments.AsString(value) is { } text)
        {
            return Encoding.UTF8.GetByteCount(text);
        }

        JsonElement element = ToolArguments.ToJsonElement(value);
        return element.ValueKind == JsonValueKind.Undefined ? 0 : Encoding.UTF8.GetByteCount(element.GetRawText());
    }
}
