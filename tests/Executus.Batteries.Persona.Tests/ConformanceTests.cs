using Executus.Personas;
using Executus.Testing.Conformance;

namespace Executus.Personas.Tests;

public sealed class InMemoryPersonaStoreConformanceTests : PersonaStoreConformanceTests
{
    protected override IPersonaStore CreateStore() => new InMemoryPersonaStore();
}

public sealed class InMemoryPersonalizationStoreConformanceTests : PersonalizationStoreConformanceTests
{
    protected override IPersonalizationStore CreateStore() => new InMemoryPersonalizationStore();
}
