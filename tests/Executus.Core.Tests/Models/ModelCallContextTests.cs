using Executus.Models;

namespace Executus.Core.Tests.Models;

public sealed class ModelCallContextTests
{
    [Fact]
    public async Task Begin_flows_into_awaited_calls_and_restores_the_previous_context()
    {
        Assert.Null(ModelCallContext.Current);
        using (ModelCallContext.Begin(new ModelCallContext { RunId = "outer" }))
        {
            using (ModelCallContext.Begin(ModelCallContext.Current! with { Purpose = "inner" }))
            {
                string? seen = await Task.Run(() => ModelCallContext.Current?.RunId + "/" + ModelCallContext.Current?.Purpose);
                Assert.Equal("outer/inner", seen);
            }

            Assert.Null(ModelCallContext.Current!.Purpose);
        }

        Assert.Null(ModelCallContext.Current);
    }
}
