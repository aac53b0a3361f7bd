namespace Executus.Contrib.PostgreSql;

/// <summary>
/// A change another host (or this one) made to shared state, as <see cref="PostgreSqlChangeFeed.Changed"/> reports it:
/// a setting or a skill, by key; or <see cref="PollKind"/> when anything may have changed (the fallback poll, or the
/// listener reconnected and may have missed notifications), so a cache should reload everything.
/// </summary>
public sealed class PostgreSqlChangeEventArgs : EventArgs
{
    /// <summary>The kind of a settings-table change; the key is the setting's key.</summary>
    public const string SettingKind = "setting";

    /// <summary>The kind of a skill change (saved, activated, state changed, deleted); the key is <c>tenant/name</c>, the tenant empty for the shared scope.</summary>
    public const string SkillKind = "skill";

    /// <summary>The kind of a fallback poll: anything may have changed.</summary>
    public const string PollKind = "poll";

    /// <summary>Initializes a new instance.</summary>
    /// <param name="kind">The kind (<see cref="SettingKind"/>, <see cref="SkillKind"/>, <see cref="PollKind"/>).</param>
    /// <param name="key">What changed; empty for a poll.</param>
    public PostgreSqlChangeEventArgs(string kind, string key)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(key);
        Kind = kind;
        Key = key;
    }

    /// <summary>Gets the kind of change.</summary>
    public string Kind { get; }

    /// <summary>Gets what changed (a setting key, <c>tenant/name</c> of a skill); empty for a poll.</summary>
    public string Key { get; }

    /// <summary>Gets whether this is a fallback poll (anything may have changed).</summary>
    public bool IsPoll => Kind == PollKind;
}
