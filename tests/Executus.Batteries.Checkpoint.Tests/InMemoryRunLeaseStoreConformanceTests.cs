using Executus.Checkpoints;
using Executus.Testing.Conformance.Checkpoint;

namespace Executus.Batteries.Checkpoint.Tests;

public sealed class InMemoryRunLeaseStoreConformanceTests : RunLeaseStoreConformanceTests
{
    protected override Task<ICheckpointStore> CreateStoreAsync() => Task.FromResult<ICheckpointStore>(new InMemoryCheckpointStore());
}
