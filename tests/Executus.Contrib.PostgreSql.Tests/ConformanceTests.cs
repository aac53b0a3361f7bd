using Executus.Batteries.Audit;
using Executus.Batteries.Budget;
using Executus.Checkpoints;
using Executus.Configuration;
using Executus.Personas;
using Executus.Skills;
using Executus.Testing.Conformance;
using Executus.Testing.Conformance.Audit;
using Executus.Testing.Conformance.Budget;
using Executus.Testing.Conformance.Checkpoint;
using Executus.Testing.Conformance.Configuration;
using Executus.Testing.Conformance.KeyValue;
using Executus.Testing.Conformance.Schedule;
using Executus.Schedules;
using Executus.Tools;

namespace Executus.Contrib.PostgreSql.Tests;

// Every store suite of Executus.Testing.Conformance against its PostgreSQL store, each case in its own schema.
public sealed class PostgreSqlBudgetStoreConformanceTests : BudgetStoreConformanceTests, IDisposable
{
    private readonly TestSchema _db = new();

    public void Dispose() => _db.Dispose();

    protected override Task<IBudgetStore> CreateStoreAsync() => Task.FromResult<IBudgetStore>(new PostgreSqlBudgetStore(_db.Database));
}

public sealed class PostgreSqlAuditStoreConformanceTests : AuditStoreConformanceTests, IDisposable
{
    private readonly TestSchema _db = new();

    public void Dispose() => _db.Dispose();

    protected override Task<IAuditStore> CreateStoreAsync(AuditRetention retention, TimeProvider timeProvider) =>
        Task.FromResult<IAuditStore>(new PostgreSqlAuditStore(_db.Database, retention, timeProvider));
}

public sealed class PostgreSqlCheckpointStoreConformanceTests : CheckpointStoreConformanceTests, IDisposable
{
    private readonly TestSchema _db = new();

    public void Dispose() => _db.Dispose();

    protected override Task<ICheckpointStore> CreateStoreAsync() => Task.FromResult<ICheckpointStore>(new PostgreSqlCheckpointStore(_db.Database));
}

public sealed class PostgreSqlPersonaStoreConformanceTests : PersonaStoreConformanceTests, IDisposable
{
    private readonly TestSchema _db = new();

    public void Dispose() => _db.Dispose();

    protected override IPersonaStore CreateStore() => new PostgreSqlPersonaStore(_db.Database);
}

public sealed class PostgreSqlPersonalizationStoreConformanceTests : PersonalizationStoreConformanceTests, IDisposable
{
    private readonly TestSchema _db = new();

    public void Dispose() => _db.Dispose();

    protected override IPersonalizationStore CreateStore() => new PostgreSqlPersonalizationStore(_db.Database);
}

public sealed class PostgreSqlSkillStoreConformanceTests : SkillStoreConformanceTests, IDisposable
{
    private readonly TestSchema _db = new();

    public void Dispose() => _db.Dispose();

    protected override ISkillStore CreateStore(TimeProvider timeProvider) => new PostgreSqlSkillStore(_db.Database, timeProvider);
}

public sealed class PostgreSqlKeyValueStoreConformanceTests : KeyValueStoreConformanceTests, IDisposable
{
    private readonly TestSchema _db = new();

    public void Dispose() => _db.Dispose();

    protected override Task<IKeyValueStore> CreateStoreAsync() => Task.FromResult<IKeyValueStore>(new PostgreSqlKeyValueStore(_db.Database));
}

public sealed class PostgreSqlConfigSourceConformanceTests : ConfigSourceConformanceTests, IDisposable
{
    private readonly TestSchema _db = new();

    public void Dispose() => _db.Dispose();

    protected override Task<IConfigSource> CreateSourceAsync() => Task.FromResult<IConfigSource>(new PostgreSqlConfigSource(_db.Database));

    protected override async Task SetAsync(IConfigSource source, string key, string? value) => await ((PostgreSqlConfigSource)source).SetAsync(key, value);
}

public sealed class PostgreSqlScheduleStoreConformanceTests : ScheduleStoreConformanceTests, IDisposable
{
    private readonly TestSchema _db = new();

    public void Dispose() => _db.Dispose();

    protected override Task<IScheduleStore> CreateStoreAsync() => Task.FromResult<IScheduleStore>(new PostgreSqlScheduleStore(_db.Database));

    // A restarted host: a new data source (its own connection pool) over the same schema.
    protected override Task<IScheduleStore> ReopenAsync(IScheduleStore store) =>
        Task.FromResult<IScheduleStore>(new PostgreSqlScheduleStore(_db.NewHost()));
}

// The settings source in its cached mode: a snapshot kept fresh by the change feed (LISTEN/NOTIFY).
public sealed class PostgreSqlCachedConfigSourceConformanceTests : ConfigSourceConformanceTests, IDisposable
{
    private readonly TestSchema _db = new();
    private PostgreSqlChangeFeed? _feed;

    public void Dispose()
    {
        _feed?.Dispose();
        _db.Dispose();
    }

    protected override Task<IConfigSource> CreateSourceAsync()
    {
        _feed = new PostgreSqlChangeFeed(_db.Database);
        return Task.FromResult<IConfigSource>(new PostgreSqlConfigSource(_db.Database, _feed));
    }

    protected override async Task SetAsync(IConfigSource source, string key, string? value) => await ((PostgreSqlConfigSource)source).SetAsync(key, value);
}

public sealed class PostgreSqlRunLeaseStoreConformanceTests : RunLeaseStoreConformanceTests, IDisposable
{
    private readonly TestSchema _db = new();

    public void Dispose() => _db.Dispose();

    protected override Task<ICheckpointStore> CreateStoreAsync() => Task.FromResult<ICheckpointStore>(new PostgreSqlCheckpointStore(_db.Database));

    // Why: another data source over the same schema is another host (its own connections), so claimers race in the server.
    protected override Task<ICheckpointStore> OpenAnotherAsync(ICheckpointStore store) =>
        Task.FromResult<ICheckpointStore>(new PostgreSqlCheckpointStore(_db.NewHost()));
}
