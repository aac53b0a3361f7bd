namespace Executus.Architecture.Tests;

/// <summary>Rule 6: Gadfly, the light host, proves Core stands alone: no battery, no contrib in its references.</summary>
public class GadflyRuleTests
{
    private static string GadflyProject => Path.Combine(Repository.Root, "examples", "Gadfly", "Gadfly.csproj");

    [Fact]
    public void Rule6_gadfly_project_references_core_and_no_battery_or_contrib()
    {
        IReadOnlyList<string> references = DependencyRules.ProjectReferences(GadflyProject);
        Assert.Contains("Executus.Core", references);
        Violation[] violations = [.. DependencyRules.GadflyReferencesNoBattery(references)];
        Assert.True(violations.Length == 0, string.Join(Environment.NewLine, violations.Select(v => v.ToString())));
    }

    [Fact]
    public void Rule6_gadfly_project_closure_holds_no_battery_or_contrib()
    {
        string assets = Path.Combine(Repository.Root, "examples", "Gadfly", "obj", "project.assets.json");
        Assert.True(File.Exists(assets), $"{assets} is missing: restore the solution first.");
        IReadOnlyList<string> closure = DependencyRules.ProjectClosure(File.ReadAllText(assets));
        Assert.Contains("Executus.Core", closure);
        Violation[] violations = [.. DependencyRules.GadflyReferencesNoBattery(closure)];
        Assert.True(violations.Length == 0, string.Join(Environment.NewLine, violations.Select(v => v.ToString())));
    }

    [Fact]
    public void Rule6_fails_naming_each_battery_or_contrib_a_gadfly_fixture_references()
    {
        string csproj = Path.Combine(Path.GetTempPath(), $"gadfly-fixture-{Guid.NewGuid():N}.csproj");
        File.WriteAllText(csproj, """
            <Project Sdk="Microsoft.NET.Sdk">
              <ItemGroup>
                <ProjectReference Include="../../src/Executus.Core/Executus.Core.csproj" />
                <ProjectReference Include="../../src/Executus.Providers.OpenAI/Executus.Providers.OpenAI.csproj" />
                <ProjectReference Include="..\..\src\Executus.Batteries.Critic\Executus.Batteries.Critic.csproj" />
                <ProjectReference Include="../../src/Executus.Contrib.Sqlite/Executus.Contrib.Sqlite.csproj" />
              </ItemGroup>
            </Project>
            """);
        try
        {
            Violation[] violations = [.. DependencyRules.GadflyReferencesNoBattery(DependencyRules.ProjectReferences(csproj))];
            Assert.Equal(
                ["Rule 6: Gadfly must not depend on Executus.Batteries.Critic.", "Rule 6: Gadfly must not depend on Executus.Contrib.Sqlite."],
                violations.Select(v => v.ToString()));
        }
        finally
        {
            File.Delete(csproj);
        }
    }

    [Fact]
    public void Rule6_closure_reader_sees_a_transitive_battery()
    {
        const string fixture = """
            { "libraries": {
                "Executus.Core/0.1.0": { "type": "project" },
                "Executus.Batteries/0.1.0": { "type": "project" },
                "Microsoft.Extensions.AI/10.11.0": { "type": "package" }
            } }
            """;
        Violation violation = Assert.Single(DependencyRules.GadflyReferencesNoBattery(DependencyRules.ProjectClosure(fixture)));
        Assert.Equal("Executus.Batteries", violation.Offender);
    }
}
