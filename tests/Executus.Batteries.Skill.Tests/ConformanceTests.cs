using Executus.Testing.Conformance;

namespace Executus.Skills.Tests;

public sealed class InMemorySkillStoreConformanceTests : SkillStoreConformanceTests
{
    protected override ISkillStore CreateStore(TimeProvider timeProvider) => new InMemorySkillStore(timeProvider);
}
