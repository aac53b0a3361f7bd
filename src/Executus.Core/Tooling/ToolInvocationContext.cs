using Executus.Identity;

namespace Executus.Tooling;

/// <summary>Who and what a tool call belongs to; passed to validators, the approval handler and the function.</summary>
public sealed class ToolInvocationContext
{
    /// <summary>Gets the caller the run is for.</summary>
    public CallerIdentity Caller { get; init; } = CallerIdentity.Anonymous;

    /// <summary>Gets the agent's name.</summary>
    public string? AgentName { get; init; }

    /// <summary>Gets the run's id.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets the run's iteration (model turn) the call came from, if known.</summary>
    public int? Iteration { get; init; }

    /// <summary>Gets services handed to the function through <see cref="Microsoft.Extensions.AI.AIFunctionArguments.Services"/>.</summary>
    public IServiceProvider? Services { get; init; }

    private IDictionary<object, object?>? _functionContext;

    /// <summary>
    /// Gets the read-only dictionary handed to a tool as <c>AIFunctionArguments.Context</c>, holding this context under
    /// <c>typeof(ToolInvocationContext)</c>. Built once per context and shared by the calls that use it.
    /// </summary>
    internal IDictionary<object, object?> FunctionContext => _functionContext ??= new SingleEntry(this);

    /// <summary>A read-only dictionary of one entry, <c>typeof(ToolInvocationContext)</c> → the context (one small object per turn).</summary>
    private sealed class SingleEntry(ToolInvocationContext context) : IDictionary<object, object?>
    {
        private static readonly object Key = typeof(ToolInvocationContext);

        public int Count => 1;

        public bool IsReadOnly => true;

        public ICollection<object> Keys => [Key];

        public ICollection<object?> Values => [context];

        public object? this[object key]
        {
            get => IsKey(key) ? context : throw new KeyNotFoundException();
            set => throw ReadOnly();
        }

        public bool ContainsKey(object key) => IsKey(key);

        public bool TryGetValue(object key, out object? value)
        {
            value = IsKey(key) ? context : null;
            return IsKey(key);
        }

        public bool Contains(KeyValuePair<object, object?> item) => IsKey(item.Key) && ReferenceEquals(item.Value, context);

        public void CopyTo(KeyValuePair<object, object?>[] array, int arrayIndex)
        {
            ArgumentNullException.ThrowIfNull(array);
            array[arrayIndex] = new KeyValuePair<object, object?>(Key, context);
        }

        public IEnumerator<KeyValuePair<object, object?>> GetEnumerator()
        {
            yield return new KeyValuePair<object, object?>(Key, context);
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public void Add(object key, object? value) => throw ReadOnly();

        public void Add(KeyValuePair<object, object?> item) => throw ReadOnly();

        public bool Remove(object key) => throw ReadOnly();

        public bool Remove(KeyValuePair<object, object?> item) => throw ReadOnly();

        public void Clear() => throw ReadOnly();

        private static bool IsKey(object key) => Equals(key, Key);

        private static NotSupportedException ReadOnly() => new("The tool invocation context dictionary is read-only.");
    }
}
