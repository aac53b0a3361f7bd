using Executus.Batteries.Budget;
using Executus.Testing.Conformance.Budget;

namespace Executus.Batteries.Budget.Tests;

public sealed class InMemoryBudgetStoreConformanceTests : BudgetStoreConformanceTests
{
    protected override Task<IBudgetStore> CreateStoreAsync() => Task.FromResult<IBudgetStore>(new InMemoryBudgetStore());
}
