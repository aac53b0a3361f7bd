using Executus.Schedules;
using Executus.Testing.Conformance.Schedule;

namespace Executus.Schedules.Tests;

public sealed class InMemoryScheduleStoreConformanceTests : ScheduleStoreConformanceTests
{
    protected override Task<IScheduleStore> CreateStoreAsync() => Task.FromResult<IScheduleStore>(new InMemoryScheduleStore());
}
