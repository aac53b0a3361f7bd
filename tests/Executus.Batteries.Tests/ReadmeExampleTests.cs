namespace Executus.Batteries.Tests;

/// <summary>Runs the package README's example (<see cref="ReadmeSnippet"/>, the same code CI runs against the packed packages).</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task The_readme_snippet_prints_what_it_expects()
    {
        using var output = new StringWriter();
        await ReadmeSnippet.RunAsync(output);
        string text = output.ToString();
        Assert.Contains("Completed: Hello from the skill!", text, StringComparison.Ordinal);
        Assert.Contains("audit: RunStarted, ModelCall, SkillLoaded", text, StringComparison.Ordinal);
    }
}
