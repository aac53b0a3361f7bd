using System.ComponentModel;
using System.Globalization;
using System.Text;
using Executus.Identity;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Tools;

/// <summary>
/// The store tool group: <c>memory_get</c>, <c>memory_set</c>, <c>memory_delete</c> and <c>memory_list</c> over an
/// <see cref="IKeyValueStore"/>, scoped per caller (or per tenant, see <see cref="GenericToolsOptions.MemoryScope"/>)
/// and per agent, so callers never see each other's keys. The scope comes from the call's
/// <see cref="ToolInvocationContext"/> (else the ambient <see cref="Runs.RunContext"/>); keys and values are size-capped.
/// </summary>
/// <remarks>
/// Bad input (empty or oversized key or value, missing key, a full scope) throws <see cref="GenericToolException"/>.
/// All anonymous callers share one memory per agent: give callers identities to keep them apart.
/// </remarks>
public sealed class MemoryTools
{
    private readonly IKeyValueStore _store;
    private readonly GenericToolsOptions _options;

    /// <summary>Initializes the group.</summary>
    /// <param name="store">The store; <see langword="null"/> for a new <see cref="InMemoryKeyValueStore"/>.</param>
    /// <param name="options">Caps and scoping; <see langword="null"/> for defaults.</param>
    public MemoryTools(IKeyValueStore? store = null, GenericToolsOptions? options = null)
    {
        _store = store ?? new InMemoryKeyValueStore();
        _options = options ?? new GenericToolsOptions();
        _options.Validate();

        MemoryGet = Register(
            AIFunctionFactory.Create(
                ([Description("The key to read.")] string key, AIFunctionArguments arguments, CancellationToken cancellationToken) =>
                    GetAsync(ScopeFor(arguments), key, cancellationToken),
                GenericToolNames.MemoryGet,
                "Reads a value remembered earlier (memory is private to the current user and agent)."),
            SideEffect.Read);
        MemorySet = Register(
            AIFunctionFactory.Create(
                ([Description("The key to write.")] string key, [Description("The value to remember.")] string value, AIFunctionArguments arguments, CancellationToken cancellationToken) =>
                    SetAsync(ScopeFor(arguments), key, value, cancellationToken),
                GenericToolNames.MemorySet,
                "Remembers a value under a key, replacing any previous value (memory is private to the current user and agent)."),
            SideEffect.Write);
        MemoryDelete = Register(
            AIFunctionFactory.Create(
                ([Description("The key to forget.")] string key, AIFunctionArguments arguments, CancellationToken cancellationToken) =>
                    DeleteAsync(ScopeFor(arguments), key, cancellationToken),
                GenericToolNames.MemoryDelete,
                "Forgets the value remembered under a key."),
            SideEffect.Write);
        MemoryList = Register(
            AIFunctionFactory.Create(
                (AIFunctionArguments arguments, CancellationToken cancellationToken, [Description("Only keys starting with this; omit for all keys.")] string? prefix = null) =>
                    ListAsync(ScopeFor(arguments), prefix, cancellationToken),
                GenericToolNames.MemoryList,
                "Lists the keys remembered for the current user and agent."),
            SideEffect.Read);
        Tools = [MemoryGet, MemorySet, MemoryDelete, MemoryList];
    }

    /// <summary>Gets <c>memory_get</c>.</summary>
    public RegisteredTool MemoryGet { get; }

    /// <summary>Gets <c>memory_set</c>.</summary>
    public RegisteredTool MemorySet { get; }

    /// <summary>Gets <c>memory_delete</c>.</summary>
    public RegisteredTool MemoryDelete { get; }

    /// <summary>Gets <c>memory_list</c>.</summary>
    public RegisteredTool MemoryList { get; }

    /// <summary>Gets every tool of the group.</summary>
    public IReadOnlyList<RegisteredTool> Tools { get; }

    /// <summary>
    /// Builds the store scope of <paramref name="caller"/> and <paramref name="agentName"/>: tenant, caller (unless
    /// scoping is per tenant) and agent, each escaped losslessly (lone surrogates included) so no two different triples give the same scope.
    /// </summary>
    /// <param name="caller">The caller.</param>
    /// <param name="agentName">The agent; <see langword="null"/> outside any agent.</param>
    /// <returns>The scope.</returns>
    public string Scope(CallerIdentity caller, string? agentName)
    {
        ArgumentNullException.ThrowIfNull(caller);
        string tenant = caller.TenantKey ?? string.Empty;
        string who = _options.MemoryScope == MemoryScope.Tenant && caller.TenantKey is not null ? "*" : caller.Id;
        return string.Join(
            '/',
            "t=" + EscapeScopePart(tenant),
            "c=" + EscapeScopePart(who),
            "a=" + EscapeScopePart(agentName ?? string.Empty));
    }

    /// <summary>
    /// Escapes one scope part losslessly: well-formed text as <see cref="Uri.EscapeDataString(string)"/> does (so
    /// existing scopes keep their keys), and each lone surrogate, which that would turn into U+FFFD, as <c>!uXXXX</c>
    /// (<c>!</c> never appears in its output).
    /// </summary>
    private static string EscapeScopePart(string part)
    {
        int start = 0;
        StringBuilder? escaped = null;
        for (int i = 0; i < part.Length; i++)
        {
            if (!char.IsSurrogate(part[i]))
            {
                continue;
            }

            if (char.IsHighSurrogate(part[i]) && i + 1 < part.Length && char.IsLowSurrogate(part[i + 1]))
            {
                i++;
                continue;
            }

            escaped ??= new StringBuilder(part.Length + 16);
            escaped.Append(Uri.EscapeDataString(part[start..i])).Append(CultureInfo.InvariantCulture, $"!u{(int)part[i]:X4}");
            start = i + 1;
        }

        return escaped is null ? Uri.EscapeDataString(part) : escaped.Append(Uri.EscapeDataString(part[start..])).ToString();
    }

    /// <summary>Reads <paramref name="key"/> in <paramref name="scope"/>.</summary>
    /// <param name="scope">The scope (see <see cref="Scope"/>).</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The value.</returns>
    /// <exception cref="GenericToolException">The key is invalid or not set.</exception>
    public async Task<string> GetAsync(string scope, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        string checkedKey = CheckKey(key);
        return await _store.GetAsync(scope, checkedKey, cancellationToken).ConfigureAwait(false)
            ?? throw new GenericToolException($"no value is remembered under '{checkedKey}'{await HintAsync(scope, cancellationToken).ConfigureAwait(false)}");
    }

    /// <summary>Sets <paramref name="key"/> in <paramref name="scope"/>.</summary>
    /// <param name="scope">The scope (see <see cref="Scope"/>).</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>A confirmation.</returns>
    /// <exception cref="GenericToolException">The key or value is invalid or too large, or the scope is full.</exception>
    public async Task<string> SetAsync(string scope, string key, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        string checkedKey = CheckKey(key);
        if (value is null)
        {
            throw new GenericToolException("the value is missing; to forget a key use memory_delete");
        }

        int bytes = Encoding.UTF8.GetByteCount(value);
        if (bytes > _options.MaxValueBytes)
        {
            throw new GenericToolException(string.Create(
                CultureInfo.InvariantCulture,
                $"the value is {bytes} bytes; the limit is {_options.MaxValueBytes} bytes (UTF-8). Store less, or split it over several keys"));
        }

        if (await _store.GetAsync(scope, checkedKey, cancellationToken).ConfigureAwait(false) is null)
        {
            IReadOnlyList<string> keys = await _store.ListAsync(scope, null, cancellationToken).ConfigureAwait(false);
            if (keys.Count >= _options.MaxKeysPerScope)
            {
                throw new GenericToolException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"memory is full ({keys.Count} of {_options.MaxKeysPerScope} keys); delete keys you no longer need with memory_delete"));
            }
        }

        await _store.SetAsync(scope, checkedKey, value, cancellationToken).ConfigureAwait(false);
        return string.Create(CultureInfo.InvariantCulture, $"Remembered '{checkedKey}' ({bytes} bytes).");
    }

    /// <summary>Deletes <paramref name="key"/> in <paramref name="scope"/>.</summary>
    /// <param name="scope">The scope (see <see cref="Scope"/>).</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>A confirmation.</returns>
    /// <exception cref="GenericToolException">The key is invalid or not set.</exception>
    public async Task<string> DeleteAsync(string scope, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        string checkedKey = CheckKey(key);
        return await _store.DeleteAsync(scope, checkedKey, cancellationToken).ConfigureAwait(false)
            ? $"Forgot '{checkedKey}'."
            : throw new GenericToolException($"no value is remembered under '{checkedKey}'{await HintAsync(scope, cancellationToken).ConfigureAwait(false)}");
    }

    /// <summary>Lists the keys in <paramref name="scope"/>.</summary>
    /// <param name="scope">The scope (see <see cref="Scope"/>).</param>
    /// <param name="prefix">Only keys starting with this; <see langword="null"/> or empty for all.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>One key per line, or a line saying there are none.</returns>
    public async Task<string> ListAsync(string scope, string? prefix = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        IReadOnlyList<string> keys = await _store.ListAsync(scope, string.IsNullOrEmpty(prefix) ? null : prefix, cancellationToken).ConfigureAwait(false);
        if (keys.Count == 0)
        {
            return string.IsNullOrEmpty(prefix) ? "No keys are remembered." : $"No keys start with '{prefix}'.";
        }

        return string.Create(CultureInfo.InvariantCulture, $"{keys.Count} key(s):\n") + string.Join('\n', keys);
    }

    private RegisteredTool Register(AIFunction function, SideEffect sideEffect) =>
        new(function, _options.Apply(function.Name, new ToolMetadata { Category = "store", SideEffect = sideEffect }));

    private string ScopeFor(AIFunctionArguments arguments)
    {
        ToolCallContext context = ToolCallContext.From(arguments);
        return Scope(context.Caller, context.AgentName);
    }

    private string CheckKey(string? key)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new GenericToolException("the key is empty; give a short name such as 'favourite_colour'");
        }

        string trimmed = key.Trim();
        if (trimmed.Length > _options.MaxKeyLength)
        {
            throw new GenericToolException(string.Create(
                CultureInfo.InvariantCulture,
                $"the key is {trimmed.Length} characters; the limit is {_options.MaxKeyLength}"));
        }

        if (trimmed.Any(char.IsControl))
        {
            throw new GenericToolException("the key contains control characters; use letters, digits and punctuation");
        }

        return trimmed;
    }

    private async Task<string> HintAsync(string scope, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> keys = await _store.ListAsync(scope, null, cancellationToken).ConfigureAwait(false);
        return keys.Count == 0
            ? " (nothing is remembered yet)"
            : keys.Count <= 20 ? $". Remembered keys: {string.Join(", ", keys)}" : string.Create(CultureInfo.InvariantCulture, $" ({keys.Count} keys are remembered; use memory_list)");
    }
}
