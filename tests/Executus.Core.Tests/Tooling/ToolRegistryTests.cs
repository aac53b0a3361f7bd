using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Core.Tests.Tooling;

public sealed class ToolRegistryTests
{
    [Fact]
    public void Registers_and_looks_up_by_exact_name_in_order()
    {
        ToolRegistry registry = new();
        RegisteredTool echo = registry.Register(AIFunctionFactory.Create((string text) => text, "echo"), new ToolMetadata { Category = "util" });
        registry.Register(AIFunctionFactory.Create(() => 1, "one"));

        Assert.True(registry.TryGet("echo", out RegisteredTool? found));
        Assert.Same(echo, found);
        Assert.Equal("util", found.Metadata.Category);
        Assert.False(registry.TryGet("ECHO", out _));
        Assert.Equal(["echo", "one"], registry.Tools.Select(t => t.Name));
        Assert.Same(ToolMetadata.Default, registry.Tools[1].Metadata);
    }

    [Fact]
    public void Remove_takes_a_tool_out_so_its_name_can_be_registered_again()
    {
        ToolRegistry registry = new();
        registry.Register(AIFunctionFactory.Create(() => 1, "a"));
        registry.Register(AIFunctionFactory.Create(() => 2, "b"));

        Assert.True(registry.Remove("a"));
        Assert.False(registry.Remove("a"));
        Assert.False(registry.TryGet("a", out _));
        Assert.Equal(["b"], registry.Tools.Select(t => t.Name));
        registry.Register(AIFunctionFactory.Create(() => 3, "a"));
        Assert.Equal(["b", "a"], registry.Tools.Select(t => t.Name));
    }

    [Fact]
    public void Duplicate_names_are_rejected_with_a_clear_error()
    {
        ToolRegistry registry = new();
        registry.Register(AIFunctionFactory.Create(() => 1, "fetch"), new ToolMetadata { Category = "web" });

        DuplicateToolException ex = Assert.Throws<DuplicateToolException>(() => registry.Register(AIFunctionFactory.Create(() => 2, "fetch")));

        Assert.Equal("fetch", ex.ToolName);
        Assert.Contains("'fetch' is already registered", ex.Message, StringComparison.Ordinal);
        Assert.Contains("web", ex.Message, StringComparison.Ordinal);
        Assert.Single(registry.Tools);
    }

    [Fact]
    public void Constructor_rejects_duplicates_too()
    {
        RegisteredTool a = new(AIFunctionFactory.Create(() => 1, "same"));
        RegisteredTool b = new(AIFunctionFactory.Create(() => 2, "same"));

        Assert.Throws<DuplicateToolException>(() => new ToolRegistry([a, b]));
    }

    [Fact]
    public void Approval_is_required_by_metadata_or_by_an_ApprovalRequiredAIFunction()
    {
        AIFunction plain = AIFunctionFactory.Create(() => 1, "plain");

        Assert.False(new RegisteredTool(plain).RequiresApproval);
        Assert.True(new RegisteredTool(plain, new ToolMetadata { NeedsApproval = true }).RequiresApproval);
        Assert.True(new RegisteredTool(new ApprovalRequiredAIFunction(plain)).RequiresApproval);
    }

    [Fact]
    public async Task Concurrent_registration_keeps_every_distinct_tool()
    {
        ToolRegistry registry = new();

        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() =>
            registry.Register(AIFunctionFactory.Create(() => i, $"tool_{i}")))));

        Assert.Equal(64, registry.Tools.Count);
        Assert.Equal(64, registry.Tools.Select(t => t.Name).Distinct().Count());
    }
}
