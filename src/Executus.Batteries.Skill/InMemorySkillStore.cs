using System.Collections.Immutable;

namespace Executus.Skills;

/// <summary>The default <see cref="ISkillStore"/>: skills held in memory, one map per tenant scope.</summary>
public sealed class InMemorySkillStore : ISkillStore
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private readonly Dictionary<(string Tenant, string Name), Entry> _skills = [];

    /// <summary>Initializes an empty store.</summary>
    /// <param name="timeProvider">The clock for version and change times; the system clock when null.</param>
    public InMemorySkillStore(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the tenant scopes that hold at least one skill (null = the shared scope), so a durable store can copy seeded skills.</summary>
    public IReadOnlyList<string?> Tenants
    {
        get
        {
            lock (_gate)
            {
                return [.. _skills.Keys.Select(k => k.Tenant).Distinct(StringComparer.Ordinal).Select(t => t.Length == 0 ? null : t)];
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<SkillVersion?> GetAsync(string? tenant, string name, int? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_skills.TryGetValue(Key(tenant, name), out Entry? entry))
            {
                return ValueTask.FromResult<SkillVersion?>(null);
            }

            int wanted = version ?? entry.Info.ActiveVersion;
            return ValueTask.FromResult(wanted >= 1 && wanted <= entry.Versions.Count ? entry.Versions[wanted - 1] : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<SkillInfo?> GetInfoAsync(string? tenant, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(_skills.TryGetValue(Key(tenant, name), out Entry? entry) ? entry.Info : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<SkillPage> ListAsync(string? tenant, SkillState? state = null, string? cursor = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        cancellationToken.ThrowIfCancellationRequested();
        string scope = Scope(tenant);
        List<SkillInfo> matching;
        lock (_gate)
        {
            matching = [.. _skills
                .Where(s => s.Key.Tenant == scope && (state is null || s.Value.Info.State == state) &&
                            (cursor is null || string.CompareOrdinal(s.Key.Name, cursor) > 0))
                .Select(s => s.Value.Info)
                .OrderBy(i => i.Name, StringComparer.Ordinal)];
        }

        bool more = matching.Count > limit;
        List<SkillInfo> page = more ? matching[..limit] : matching;
        return ValueTask.FromResult(new SkillPage(page, more ? page[^1].Name : null));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<SkillVersion>> ListVersionsAsync(string? tenant, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<SkillVersion>>(_skills.TryGetValue(Key(tenant, name), out Entry? entry) ? entry.Versions : []);
        }
    }

    /// <inheritdoc />
    public ValueTask<SkillVersion> SaveAsync(string? tenant, Skill skill, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(skill);
        cancellationToken.ThrowIfCancellationRequested();
        DateTimeOffset now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            (string, string) key = Key(tenant, skill.Name);
            if (!_skills.TryGetValue(key, out Entry? entry))
            {
                SkillVersion first = new(tenant, 1, skill, now);
                _skills[key] = new Entry([first], new SkillInfo(tenant, skill.Name, SkillState.Draft, 1, 1, skill.Description, now, now));
                return ValueTask.FromResult(first);
            }

            SkillVersion next = new(tenant, entry.Versions.Count + 1, skill, now);
            entry.Versions = entry.Versions.Add(next);
            entry.Info = entry.Info with { LatestVersion = next.Version, UpdatedAt = now };
            return ValueTask.FromResult(next);
        }
    }

    /// <inheritdoc />
    public ValueTask<SkillInfo> SetActiveVersionAsync(string? tenant, string name, int version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            Entry entry = Find(tenant, name);
            if (version < 1 || version > entry.Versions.Count)
            {
                throw new SkillNotFoundException(tenant, name, version);
            }

            entry.Info = entry.Info with
            {
                ActiveVersion = version,
                Description = entry.Versions[version - 1].Skill.Description,
                UpdatedAt = _timeProvider.GetUtcNow(),
            };
            return ValueTask.FromResult(entry.Info);
        }
    }

    /// <inheritdoc />
    public ValueTask<SkillInfo> SetStateAsync(string? tenant, string name, SkillState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            Entry entry = Find(tenant, name);
            SkillLifecycle.Check(name, entry.Info.State, state);
            if (entry.Info.State != state)
            {
                entry.Info = entry.Info with { State = state, UpdatedAt = _timeProvider.GetUtcNow() };
            }

            return ValueTask.FromResult(entry.Info);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string? tenant, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(_skills.Remove(Key(tenant, name)));
        }
    }

    /// <summary>
    /// Seeds <paramref name="skill"/> from a folder: a skill new to the store, or content that no stored version has,
    /// becomes a new version, made active in the Active state; content equal to any stored version changes nothing (what
    /// an operator chose since stays). How folder skills seed the store.
    /// </summary>
    internal void Import(string? tenant, Skill skill)
    {
        DateTimeOffset now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            (string, string) key = Key(tenant, skill.Name);
            if (!_skills.TryGetValue(key, out Entry? entry))
            {
                _skills[key] = new Entry([new SkillVersion(tenant, 1, skill, now)], new SkillInfo(tenant, skill.Name, SkillState.Active, 1, 1, skill.Description, now, now));
                return;
            }

            if (entry.Versions.Exists(v => v.Skill.ContentEquals(skill)))
            {
                return;
            }

            entry.Versions = entry.Versions.Add(new SkillVersion(tenant, entry.Versions.Count + 1, skill, now));
            int latest = entry.Versions.Count;
            entry.Info = entry.Info with
            {
                State = SkillState.Active,
                ActiveVersion = latest,
                LatestVersion = latest,
                Description = skill.Description,
                UpdatedAt = now,
            };
        }
    }

    private Entry Find(string? tenant, string name) =>
        _skills.TryGetValue(Key(tenant, name), out Entry? entry) ? entry : throw new SkillNotFoundException(tenant, name);

    private static (string, string) Key(string? tenant, string name) => (Scope(tenant), name);

    // Why: null is the shared scope; a blank tenant would silently alias it.
    private static string Scope(string? tenant) =>
        tenant is null ? string.Empty
        : string.IsNullOrWhiteSpace(tenant) ? throw new ArgumentException("A tenant must not be blank; pass null for the shared scope.", nameof(tenant))
        : tenant;

    private sealed class Entry(ImmutableList<SkillVersion> versions, SkillInfo info)
    {
        public ImmutableList<SkillVersion> Versions { get; set; } = versions;

        public SkillInfo Info { get; set; } = info;
    }
}
