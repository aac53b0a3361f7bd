using Executus.Core.Tests.Telemetry;
using Executus.Identity;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using static Executus.Core.Tests.Tooling.ToolingFixtures;

namespace Executus.Core.Tests.Tooling;

public sealed class DenialRecorderTests
{
    [Fact]
    public async Task A_throwing_audit_is_logged_and_counted_and_the_denial_still_reads_well()
    {
        using var metrics = new MetricCapture(ExecutusTelemetry.ToolingMeterName);
        var logs = new CapturingLoggerFactory();
        var registry = new ToolRegistry();
        registry.Register(AIFunctionFactory.Create((string text) => text, "echo"));
        var factory = new ToolboxFactory(registry, audit: new ThrowingAudit(), loggerFactory: logs);

        Toolbox toolbox = await factory.CreateAsync(new ToolboxRequest("helper", ["echo", "ghost"], CallerIdentity.Anonymous) { RunId = "run-7" });
        FunctionResultContent result = await toolbox.InvokeAsync(new FunctionCallContent("c", "nope"));

        Assert.StartsWith("Error: there is no tool named 'nope'", ResultText(result), StringComparison.Ordinal);
        Assert.Equal(2, metrics.Sum("executus.tool.audit_failures", ("error.type", typeof(InvalidOperationException).FullName)));
        Assert.Equal(2, metrics.Sum("executus.tool.denials"));
        Assert.Equal(2, logs.Entries.Count);
        Assert.All(logs.Entries, e =>
        {
            Assert.Equal(LogLevel.Warning, e.Level);
            Assert.Equal("audit store is down", e.Exception!.Message);
            Assert.Contains("run-7", e.Message, StringComparison.Ordinal);
        });
        Assert.Contains(logs.Entries, e => e.Message.Contains("'ghost' (NotRegistered)", StringComparison.Ordinal));
    }
}
