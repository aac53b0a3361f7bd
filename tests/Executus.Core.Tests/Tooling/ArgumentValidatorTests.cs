using System.Text.Json;
using Executus.Net;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Core.Tests.Tooling;

public sealed class ArgumentValidatorTests : IDisposable
{
    private static readonly RegisteredTool Tool = new(AIFunctionFactory.Create((string path) => path, "t"));
    private static readonly ToolInvocationContext Context = new();
    private readonly DirectoryInfo _sandbox = Directory.CreateTempSubdirectory("executus-sandbox-");
    private readonly DirectoryInfo _outside = Directory.CreateTempSubdirectory("executus-outside-");

    public void Dispose()
    {
        _sandbox.Delete(recursive: true);
        _outside.Delete(recursive: true);
    }

    private static Dictionary<string, object?> Args(string name, object? value) => new() { [name] = value };

    [Theory]
    [InlineData("notes.txt")]
    [InlineData("sub/dir/file.txt")]
    [InlineData("./a.txt")]
    [InlineData("new-folder/not-yet.txt")]
    public void Sandbox_allows_paths_inside_the_root(string path)
    {
        SandboxPathValidator validator = new(_sandbox.FullName, "path");

        Assert.True(validator.Check(path).IsAllowed, validator.Check(path).Reason);
    }

    [Theory]
    [InlineData("../etc/passwd", "'..' segment")]
    [InlineData("sub/../../x", "'..' segment")]
    [InlineData("sub\\..\\..\\x", "'..' segment")]
    [InlineData("/etc/passwd", "outside the sandbox")]
    [InlineData("", "empty")]
    [InlineData("a\0b", "NUL")]
    public void Sandbox_refuses_escapes(string path, string fragment)
    {
        SandboxPathValidator validator = new(_sandbox.FullName, "path");

        PermissionDecision decision = validator.Check(path);

        Assert.False(decision.IsAllowed);
        Assert.Contains(fragment, decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Sandbox_allows_absolute_paths_inside_and_refuses_sibling_prefixes()
    {
        SandboxPathValidator validator = new(_sandbox.FullName, "path");

        Assert.True(validator.Check(Path.Combine(_sandbox.FullName, "inside.txt")).IsAllowed);
        Assert.False(validator.Check(_sandbox.FullName + "-evil/x.txt").IsAllowed);
    }

    [Fact]
    public void Sandbox_refuses_a_symbolic_link_that_leaves_the_root()
    {
        Directory.CreateSymbolicLink(Path.Combine(_sandbox.FullName, "escape"), _outside.FullName);
        Directory.CreateDirectory(Path.Combine(_sandbox.FullName, "real"));
        Directory.CreateSymbolicLink(Path.Combine(_sandbox.FullName, "inner"), Path.Combine(_sandbox.FullName, "real"));
        File.CreateSymbolicLink(Path.Combine(_sandbox.FullName, "dangling"), Path.Combine(_outside.FullName, "later.txt"));
        SandboxPathValidator validator = new(_sandbox.FullName, "path");

        Assert.Contains("symbolic link", validator.Check("escape/secret.txt").Reason, StringComparison.Ordinal);
        Assert.False(validator.Check("escape").IsAllowed);
        Assert.False(validator.Check("dangling").IsAllowed);
        Assert.True(validator.Check("inner/file.txt").IsAllowed);
    }

    [Fact]
    public async Task Sandbox_validates_arguments_including_arrays()
    {
        SandboxPathValidator validator = new(_sandbox.FullName, "path");

        PermissionDecision ok = await validator.ValidateAsync(Tool, Args("path", JsonSerializer.SerializeToElement(new[] { "a", "b/c" })), Context);
        PermissionDecision bad = await validator.ValidateAsync(Tool, Args("path", JsonSerializer.SerializeToElement(new[] { "a", "../b" })), Context);
        PermissionDecision notString = await validator.ValidateAsync(Tool, Args("path", 42), Context);
        PermissionDecision absent = await validator.ValidateAsync(Tool, Args("other", "../x"), Context);

        Assert.True(ok.IsAllowed);
        Assert.StartsWith("argument 'path': '../b' contains a '..' segment", bad.Reason, StringComparison.Ordinal);
        Assert.Equal("argument 'path' must be a path string", notString.Reason);
        Assert.True(absent.IsAllowed);
    }

    [Fact]
    public async Task Max_size_per_argument_and_in_total()
    {
        MaxSizeValidator perArgument = new(10, "text");
        MaxSizeValidator total = new(20);

        Assert.True((await perArgument.ValidateAsync(Tool, Args("text", "0123456789"), Context)).IsAllowed);
        Assert.Equal(
            "argument 'text' is 12 bytes; the limit is 10 bytes",
            (await perArgument.ValidateAsync(Tool, Args("text", "ééééééé"[..6]), Context)).Reason);
        Assert.False((await total.ValidateAsync(Tool, new Dictionary<string, object?> { ["a"] = new string('x', 10), ["b"] = new string('y', 10) }, Context)).IsAllowed);
        Assert.True((await total.ValidateAsync(Tool, Args("a", JsonSerializer.SerializeToElement(new { n = 1 })), Context)).IsAllowed);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MaxSizeValidator(0));
    }

    [Fact]
    public async Task Url_validator_with_a_resolver_checks_resolved_addresses()
    {
        Net.StubResolver resolver = new();
        resolver.Map("rebind.example", System.Net.IPAddress.Parse("10.0.0.7"));
        resolver.Map("fine.example", System.Net.IPAddress.Parse("93.184.216.34"));
        UrlArgumentValidator validator = new(SsrfGuard.Default, resolver, "url", "mirrors");

        PermissionDecision bad = await validator.ValidateAsync(Tool, Args("url", "http://rebind.example/"), Context);
        PermissionDecision good = await validator.ValidateAsync(Tool, new Dictionary<string, object?>
        {
            ["url"] = "http://fine.example/",
            ["mirrors"] = JsonSerializer.SerializeToElement(new[] { "https://fine.example/b" }),
        }, Context);
        PermissionDecision badInArray = await validator.ValidateAsync(Tool, Args("mirrors", JsonSerializer.SerializeToElement(new[] { "https://fine.example/", "http://[::1]/" })), Context);

        Assert.Contains("10.0.0.7", bad.Reason, StringComparison.Ordinal);
        Assert.True(good.IsAllowed);
        Assert.StartsWith("argument 'mirrors' is not an allowed URL", badInArray.Reason, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new UrlArgumentValidator(null));
    }
}
