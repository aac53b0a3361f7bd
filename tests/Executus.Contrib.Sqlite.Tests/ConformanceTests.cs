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

namespace Executus.Contrib.Sqlite.Tests;

// Every store suite of Executus.Testing.Conformance against its SQLite store, each case on its own file.
public sealed class SqliteBudgetStoreConformanceTests : BudgetStoreConformanceTests, IDisposable
{
    private readonly TestDatabase _db = new();

    public void Dispose() => _db.Dispose();

    protected override Task<IBudgetStore> CreateStoreAsync() => Task.FromResult<IBudgetStore>(new SqliteBudgetStore(_db.Database));
}

public sealed class SqliteAuditStoreConformanceTests : AuditStoreConformanceTests, IDisposable
{
    private readonly TestDatabase _db = new();

    public void Dispose() => _db.Dispose();

    protected override Task<IAuditStore> CreateStoreAsync(AuditRetention retention, TimeProvider timeProvider) =>
        Task.FromResult<IAuditStore>(new SqliteAuditStore(_db.Database, retention, timeProvider));
}

public sealed class SqliteCheckpointStoreConformanceTests : CheckpointStoreConformanceTests, IDisposable
{
    private readonly TestDatabase _db = new();

    public void Dispose() => _db.Dispose();

    protected override Task<ICheckpointStore> CreateStoreAsync() => Task.FromResult<ICheckpointStore>(new SqliteCheckpointStore(_db.Database));
}

public sealed class SqlitePersonaStoreConformanceTests : PersonaStoreConformanceTests, IDisposable
{
    private readonly TestDatabase _db = new();

    public void Dispose() => _db.Dispose();

    protected override IPersonaStore CreateStore() => new SqlitePersonaStore(_db.Database);
}

public sealed class SqlitePersonalizationStoreConformanceTests : PersonalizationStoreConformanceTests, IDisposable
{
    private readonly TestDatabase _db = new();

    public void Dispose() => _db.Dispose();

    protected override IPersonalizationStore CreateStore() => new SqlitePersonalizationStore(_db.Database);
}

public sealed class SqliteSkillStoreConformanceTests : SkillStoreConformanceTests, IDisposable
{
    private readonly TestDatabase _db = new();

    public void Dispose() => _db.Dispose();

    protected override ISkillStore CreateStore(TimeProvider timeProvider) => new SqliteSkillStore(_db.Database, timeProvider);
}

public sealed class SqliteKeyValueStoreConformanceTests : KeyValueStoreConformanceTests, IDisposable
{
    private readonly TestDatabase _db = new();

    public void Dispose() => _db.Dispose();

    protected override Task<IKeyValueStore> CreateStoreAsync() => Task.FromResult<IKeyValueStore>(new SqliteKeyValueStore(_db.Database));
}

public sealed class SqliteConfigSourceConformanceTests : ConfigSourceConformanceTests, IDisposable
{
    private readonly TestDatabase _db = new();

    public void Dispose() => _db.Dispose();

    protected override Task<IConfigSource> CreateSourceAsync() => Task.FromResult<IConfigSource>(new SqliteConfigSource(_db.Database));

    protected override async Task SetAsync(IConfigSource source, string key, string? value) => await ((SqliteConfigSource)source).SetAsync(key, value);
}

public sealed class SqliteScheduleStoreConformanceTests : ScheduleStoreConformanceTests, IDisposable
{
    private readonly TestDatabase _db = new();

    public void Dispose() => _db.Dispose();

    protected override Task<IScheduleStore> CreateStoreAsync() => Task.FromResult<IScheduleStore>(new SqliteScheduleStore(_db.Database));

    // A restarted host: a new SqliteDatabase (its own connection pool) over the same file.
    protected override Task<IScheduleStore> ReopenAsync(IScheduleStore store) =>
        Task.FromResult<IScheduleStore>(new SqliteScheduleStore(new SqliteDatabase(_db.ConnectionString)));
}

// The two new suites against the in-memory defaults too (the other suites already run there in the batteries' tests).
public sealed class InMemoryKeyValueStoreConformanceTests : KeyValueStoreConformanceTests
{
    protected override Task<IKeyValueStore> CreateStoreAsync() => Task.FromResult<IKeyValueStore>(new InMemoryKeyValueStore());
}

public sealed class InMemoryConfigSourceConformanceTests : ConfigSourceConformanceTests
{
    protected override Task<IConfigSource> CreateSourceAsync() => Task.FromResult<IConfigSource>(new InMemoryConfigSource());

    protected override Task SetAsync(IConfigSource source, string key, string? value)
    {
        ((InMemoryConfigSource)source).Set(key, value);
        return Task.CompletedTask;
    }
}

public sealed class SqliteRunLeaseStoreConformanceTests : RunLeaseStoreConformanceTests, IDisposable
{
    private readonly TestDatabase _db = new();

    public void Dispose() => _db.Dispose();

    protected override Task<ICheckpointStore> CreateStoreAsync() => Task.FromResult<ICheckpointStore>(new SqliteCheckpointStore(_db.Database));

    // Why: a second SqliteDatabase over the same file is another host (its own pool), so claimers race through SQLite's lock.
    protected override Task<ICheckpointStore> OpenAnotherAsync(ICheckpointStore store) =>
        Task.FromResult<ICheckpointStore>(new SqliteCheckpointStore(new SqliteDatabase(_db.ConnectionString)));
}
