using Executus.Identity;
using Executus.Models;

namespace Executus.Core.Tests.Models;

/// <summary>A budget's per-run state lives in the run's account.</summary>
public class RunAccountStateTests
{
    [Fact]
    public void The_state_is_created_once_and_shared_and_another_type_reads_as_null()
    {
        var account = new RunAccount("run-1", "agent", CallerIdentity.Anonymous);
        int created = 0;
        var first = account.GetBudgetState(() => { created++; return new List<int> { 1 }; });
        var second = account.GetBudgetState(() => { created++; return new List<int> { 2 }; });

        Assert.Same(first, second);
        Assert.Equal(1, created);
        Assert.Null(account.GetBudgetState(() => "other"));
        Assert.Throws<ArgumentNullException>(() => account.GetBudgetState<string>(null!));
    }

    [Fact]
    public async Task Concurrent_first_uses_agree_on_one_state()
    {
        var account = new RunAccount("run-1", "agent", CallerIdentity.Anonymous);
        object[] states = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => account.GetBudgetState(() => new object())!)));

        Assert.All(states, s => Assert.Same(states[0], s));
    }
}
