using Executus.Batteries.Audit;
using Executus.Testing.Conformance.Audit;

namespace Executus.Batteries.Audit.Tests;

public sealed class InMemoryAuditStoreConformanceTests : AuditStoreConformanceTests
{
    protected override Task<IAuditStore> CreateStoreAsync(AuditRetention retention, TimeProvider timeProvider) =>
        Task.FromResult<IAuditStore>(new InMemoryAuditStore(retention, timeProvider));
}
