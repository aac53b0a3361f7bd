using System.Collections.Frozen;

namespace Executus.Identity;

/// <summary>
/// Who asked for a run: an immutable caller record. It keys lanes (fair share), budgets, tool permissions and audit.
/// </summary>
/// <remarks>Equality compares every member, including the contents of the role, scope and attribute sets.</remarks>
[System.Text.Json.Serialization.JsonConverter(typeof(CallerIdentityJsonConverter))]
public sealed class CallerIdentity : IEquatable<CallerIdentity>
{
    /// <summary>The id of the anonymous caller.</summary>
    public const string AnonymousId = "anonymous";

    /// <summary>Initializes a new caller identity.</summary>
    /// <param name="id">A stable id of the caller (user id, service principal, CI job…).</param>
    /// <param name="displayName">A human-readable name; defaults to <paramref name="id"/>.</param>
    /// <param name="tenantKey">The tenant (guild, organisation, repository…) the caller acts in, if any.</param>
    /// <param name="roles">Roles granted to the caller (compared case-insensitively).</param>
    /// <param name="scopes">Scopes granted to the caller (compared case-insensitively).</param>
    /// <param name="attributes">Free-form attributes (locale, channel id…).</param>
    public CallerIdentity(
        string id,
        string? displayName = null,
        string? tenantKey = null,
        IEnumerable<string>? roles = null,
        IEnumerable<string>? scopes = null,
        IEnumerable<KeyValuePair<string, string>>? attributes = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        Id = id;
        DisplayName = string.IsNullOrWhiteSpace(displayName) ? id : displayName;
        TenantKey = string.IsNullOrWhiteSpace(tenantKey) ? null : tenantKey;
        Roles = (roles ?? []).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        Scopes = (scopes ?? []).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        Attributes = (attributes ?? []).ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Gets the anonymous caller: no tenant, no roles, no scopes. The default when a host resolves none.</summary>
    public static CallerIdentity Anonymous { get; } = new(AnonymousId, "Anonymous");

    /// <summary>Gets the caller's stable id.</summary>
    public string Id { get; }

    /// <summary>Gets the human-readable name.</summary>
    public string DisplayName { get; }

    /// <summary>Gets the tenant key, or <see langword="null"/>.</summary>
    public string? TenantKey { get; }

    /// <summary>Gets the caller's roles.</summary>
    public IReadOnlySet<string> Roles { get; }

    /// <summary>Gets the caller's scopes.</summary>
    public IReadOnlySet<string> Scopes { get; }

    /// <summary>Gets free-form attributes.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; }

    /// <summary>Gets whether this is the anonymous caller.</summary>
    public bool IsAnonymous => Id == AnonymousId;

    /// <summary>
    /// Gets the key used for fair sharing and budgets: the tenant key when there is one, else the caller id.
    /// </summary>
    public string FairnessKey => TenantKey ?? Id;

    /// <summary>Returns whether the caller has <paramref name="role"/>.</summary>
    /// <param name="role">The role.</param>
    /// <returns><see langword="true"/> when granted.</returns>
    public bool HasRole(string role) => Roles.Contains(role);

    /// <summary>Returns whether the caller has <paramref name="scope"/>.</summary>
    /// <param name="scope">The scope.</param>
    /// <returns><see langword="true"/> when granted.</returns>
    public bool HasScope(string scope) => Scopes.Contains(scope);

    /// <summary>Returns a copy with <paramref name="tenantKey"/> as the tenant.</summary>
    /// <param name="tenantKey">The new tenant key, or null for none.</param>
    /// <returns>The new identity.</returns>
    public CallerIdentity WithTenant(string? tenantKey) => new(Id, DisplayName, tenantKey, Roles, Scopes, Attributes);

    /// <inheritdoc />
    public bool Equals(CallerIdentity? other) =>
        other is not null &&
        (ReferenceEquals(this, other) ||
         (Id == other.Id &&
          DisplayName == other.DisplayName &&
          TenantKey == other.TenantKey &&
          Roles.SetEquals(other.Roles) &&
          Scopes.SetEquals(other.Scopes) &&
          Attributes.Count == other.Attributes.Count &&
          Attributes.All(a => other.Attributes.TryGetValue(a.Key, out string? v) && v == a.Value)));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CallerIdentity);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, TenantKey, Roles.Count, Scopes.Count);

    /// <inheritdoc />
    public override string ToString() => TenantKey is null ? Id : $"{Id}@{TenantKey}";
}
