using System.Reflection;

namespace Executus.Architecture.Tests;

/// <summary>The five rules of DESIGN.md, checked on the real build; each has a fixture proving it can fail.</summary>
public class DependencyRuleTests
{
    private static void AssertNone(IEnumerable<Violation> violations)
    {
        Violation[] all = [.. violations];
        Assert.True(all.Length == 0, string.Join(Environment.NewLine, all.Select(v => v.ToString())));
    }

    [Fact]
    public void Every_src_project_the_design_lists_exists()
    {
        string[] expected =
        [
            "Executus.Core", "Executus.Tools", "Executus.Testing", "Executus.Batteries", "Executus.Contrib.Sqlite", "Executus.Contrib.PostgreSql",
            "Executus.Batteries.Persona", "Executus.Batteries.Skill", "Executus.Batteries.Audit", "Executus.Batteries.Critic",
            "Executus.Batteries.Schedule", "Executus.Batteries.Checkpoint", "Executus.Batteries.Budget",
            "Executus.Providers.OpenAI", "Executus.Providers.Ollama", "Executus.Providers.Anthropic", "Executus.Providers.AzureOpenAI",
            "Executus.Tokenizers", "Executus.Testing.Conformance", "Executus.Mcp",
        ];
        Assert.Empty(expected.Except(Repository.SrcProjectNames));
        Assert.Equal(7, Repository.BatteryNames.Count);
    }

    // Rule 1
    [Fact]
    public void Rule1_core_project_references_no_outer_layer() =>
        AssertNone(DependencyRules.CoreReferencesNoOuterLayer(DependencyRules.ProjectReferences(Repository.SrcProject("Executus.Core"))));

    [Fact]
    public void Rule1_core_assembly_references_no_outer_layer() =>
        AssertNone(DependencyRules.CoreReferencesNoOuterLayer(Repository.AssemblyReferences("Executus.Core")));

    [Fact]
    public void Rule1_fails_on_a_core_project_that_references_a_battery()
    {
        string csproj = Path.Combine(Path.GetTempPath(), $"core-fixture-{Guid.NewGuid():N}.csproj");
        File.WriteAllText(csproj, """
            <Project Sdk="Microsoft.NET.Sdk">
              <ItemGroup>
                <ProjectReference Include="..\Executus.Batteries.Budget\Executus.Batteries.Budget.csproj" />
              </ItemGroup>
            </Project>
            """);
        try
        {
            Violation violation = Assert.Single(DependencyRules.CoreReferencesNoOuterLayer(DependencyRules.ProjectReferences(csproj)));
            Assert.Equal("Rule 1: Executus.Core must not depend on Executus.Batteries.Budget.", violation.ToString());
        }
        finally
        {
            File.Delete(csproj);
        }
    }

    [Theory]
    [InlineData("Executus.Contrib.Sqlite")]
    [InlineData("Executus.Contrib.PostgreSql")]
    [InlineData("Npgsql")]
    [InlineData("Executus.Providers.OpenAI")]
    [InlineData("Executus.Providers.Ollama")]
    [InlineData("Executus.Providers.Anthropic")]
    [InlineData("Executus.Providers.AzureOpenAI")]
    [InlineData("Executus.Tokenizers")]
    [InlineData("Executus.Testing.Conformance")]
    [InlineData("Executus.Tools")]
    [InlineData("Executus.Batteries")]
    [InlineData("Executus.Mcp")]
    [InlineData("ModelContextProtocol.Core")]
    public void Rule1_fails_on_each_outer_layer_assembly(string offender) =>
        Assert.Equal(offender, Assert.Single(DependencyRules.CoreReferencesNoOuterLayer(["System.Runtime", "Microsoft.Extensions.AI", offender])).Offender);

    // Rule 2
    [Fact]
    public void Rule2_core_package_closure_is_abstractions_only()
    {
        string assets = Repository.AssetsJson("Executus.Core");
        IReadOnlyList<string> closure = DependencyRules.ConsumerPackageClosure(assets);
        Assert.Contains("Microsoft.Extensions.AI", closure);
        Assert.Contains("Microsoft.Extensions.AI.Abstractions", closure); // transitive packages are walked
        AssertNone(DependencyRules.CorePackageClosureIsAbstractionsOnly(closure));
        AssertNone(DependencyRules.CorePackageClosureIsAbstractionsOnly(
            DependencyRules.ConsumerPackageReferences(System.Xml.Linq.XDocument.Load(Repository.SrcProject("Executus.Core")))));

        // Why: the public API analyzer is restored into Core's assets (PrivateAssets=all) but never reaches a consumer;
        // only analyzer-only packages may be left out, so everything else restored must still be in the closure.
        IReadOnlyList<string> restored = DependencyRules.PackageClosure(assets);
        Assert.Contains("Microsoft.CodeAnalysis.PublicApiAnalyzers", restored);
        Assert.Equal(["Microsoft.CodeAnalysis.PublicApiAnalyzers"], restored.Except(closure, StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public void Rule2_ignores_private_analyzer_packages_but_not_what_flows_to_consumers()
    {
        const string fixture = """
            {
              "targets": { "net10.0": {
                "Microsoft.Extensions.AI/10.11.0": { "type": "package", "dependencies": { "Microsoft.Extensions.AI.Abstractions": "10.11.0" } },
                "Microsoft.Extensions.AI.Abstractions/10.11.0": { "type": "package" },
                "Some.Analyzer/1.0.0": { "type": "package", "dependencies": { "Analyzer.Helper": "1.0.0", "Microsoft.Extensions.AI.Abstractions": "10.11.0" } },
                "Analyzer.Helper/1.0.0": { "type": "package" },
                "Half.Private/1.0.0": { "type": "package", "dependencies": { "StackExchange.Redis": "2.8.0" } },
                "StackExchange.Redis/2.8.0": { "type": "package" },
                "Executus.Testing/0.1.0": { "type": "project" }
              } },
              "project": { "frameworks": { "net10.0": { "dependencies": {
                "Microsoft.Extensions.AI": { "target": "Package", "version": "[10.11.0, )" },
                "Some.Analyzer": { "target": "Package", "version": "[1.0.0, )", "suppressParent": "All" },
                "Half.Private": { "target": "Package", "version": "[1.0.0, )", "suppressParent": "Build, Analyzers" }
              } } } }
            }
            """;

        IReadOnlyList<string> closure = DependencyRules.ConsumerPackageClosure(fixture);

        Assert.Equal(
            ["Half.Private", "Microsoft.Extensions.AI", "Microsoft.Extensions.AI.Abstractions", "StackExchange.Redis"],
            closure.Order(StringComparer.Ordinal));
        Assert.Equal(
            ["Half.Private", "StackExchange.Redis"],
            DependencyRules.CorePackageClosureIsAbstractionsOnly(closure).Select(v => v.Offender).Order(StringComparer.Ordinal));

        var csproj = System.Xml.Linq.XDocument.Parse("""
            <Project>
              <ItemGroup>
                <PackageReference Include="Microsoft.Extensions.AI" />
                <PackageReference Include="Some.Analyzer" PrivateAssets="all" />
                <PackageReference Include="Other.Generator"><PrivateAssets>All</PrivateAssets></PackageReference>
                <PackageReference Include="StackExchange.Redis" PrivateAssets="compile" />
              </ItemGroup>
            </Project>
            """);
        Assert.Equal(["Microsoft.Extensions.AI", "StackExchange.Redis"], DependencyRules.ConsumerPackageReferences(csproj));
    }

    [Fact]
    public void Rule2_fails_naming_each_offending_package()
    {
        const string fixture = """
            { "libraries": {
                "Microsoft.Extensions.AI/10.11.0": { "type": "package" },
                "Microsoft.Extensions.Logging.Abstractions/10.0.13": { "type": "package" },
                "System.Numerics.Tensors/10.0.13": { "type": "package" },
                "Microsoft.Data.Sqlite/11.0.0": { "type": "package" },
                "Microsoft.Extensions.Logging/10.0.13": { "type": "package" },
                "StackExchange.Redis/2.8.0": { "type": "package" },
                "ModelContextProtocol.Core/2.4.0": { "type": "package" },
                "Executus.Core/0.1.0": { "type": "project" }
            } }
            """;
        Violation[] violations = [.. DependencyRules.CorePackageClosureIsAbstractionsOnly(DependencyRules.PackageClosure(fixture))];
        Assert.Equal(["Microsoft.Data.Sqlite", "Microsoft.Extensions.Logging", "StackExchange.Redis", "ModelContextProtocol.Core"], violations.Select(v => v.Offender));
        Assert.Contains("Rule 2: Executus.Core must not depend on StackExchange.Redis.", violations.Select(v => v.ToString()));
    }

    // Rule 3
    [Fact]
    public void Rule3_batteries_reference_core_only()
    {
        foreach (string battery in Repository.BatteryNames)
        {
            AssertNone(DependencyRules.BatteryReferencesCoreOnly(battery, DependencyRules.ProjectReferences(Repository.SrcProject(battery))));
            AssertNone(DependencyRules.BatteryReferencesCoreOnly(battery, Repository.AssemblyReferences(battery)));
        }
    }

    [Fact]
    public void Rule3_fails_on_a_battery_that_references_another_battery_or_contrib()
    {
        Violation[] violations = [.. DependencyRules.BatteryReferencesCoreOnly(
            "Executus.Batteries.Critic",
            ["Executus.Core", "Microsoft.Extensions.AI", "Executus.Batteries.Audit", "Executus.Contrib.Sqlite"])];
        Assert.Equal(["Executus.Batteries.Audit", "Executus.Contrib.Sqlite"], violations.Select(v => v.Offender));
        Assert.All(violations, v => Assert.Equal("Executus.Batteries.Critic", v.Subject));
    }

    // Rule 4
    [Fact]
    public void Rule4_only_contrib_sqlite_uses_sqlite()
    {
        foreach (string project in Repository.SrcProjectNames)
        {
            AssertNone(DependencyRules.OnlyContribSqliteUsesSqlite(project, DependencyRules.PackageClosure(Repository.AssetsJson(project))));
        }
    }

    [Fact]
    public void Rule4_fails_on_a_battery_with_sqlite_in_its_closure_and_allows_contrib()
    {
        string[] closure = ["Microsoft.Extensions.AI", "Microsoft.Data.Sqlite.Core", "SQLitePCLRaw.core"];
        Assert.Equal(
            ["Microsoft.Data.Sqlite.Core", "SQLitePCLRaw.core"],
            DependencyRules.OnlyContribSqliteUsesSqlite("Executus.Batteries.Budget", closure).Select(v => v.Offender));
        Assert.Empty(DependencyRules.OnlyContribSqliteUsesSqlite("Executus.Contrib.Sqlite", closure));
    }

    // Rule 7
    // Rule 8
    [Fact]
    public void Rule8_only_contrib_postgresql_uses_npgsql()
    {
        foreach (string project in Repository.SrcProjectNames)
        {
            AssertNone(DependencyRules.OnlyContribPostgreSqlUsesNpgsql(project, DependencyRules.PackageClosure(Repository.AssetsJson(project))));
        }

        Assert.Contains("Npgsql", DependencyRules.PackageClosure(Repository.AssetsJson("Executus.Contrib.PostgreSql")));
    }

    [Fact]
    public void Rule8_fails_on_another_project_with_npgsql_in_its_closure_and_allows_contrib_postgresql()
    {
        string[] closure = ["Microsoft.Extensions.AI", "Npgsql"];
        Assert.Equal("Rule 8: Executus.Contrib.Sqlite must not depend on Npgsql.", Assert.Single(DependencyRules.OnlyContribPostgreSqlUsesNpgsql("Executus.Contrib.Sqlite", closure)).ToString());
        Assert.Empty(DependencyRules.OnlyContribPostgreSqlUsesNpgsql("Executus.Contrib.PostgreSql", closure));
    }

    [Theory]
    [InlineData("Executus.Contrib.Sqlite")]
    [InlineData("Executus.Contrib.PostgreSql")]
    public void Rule7_contrib_references_batteries_core_and_tools_only(string contrib)
    {
        IReadOnlyList<string> direct = DependencyRules.ProjectReferences(Repository.SrcProject(contrib));
        Assert.Contains("Executus.Core", direct);
        Assert.Contains("Executus.Batteries.Checkpoint", direct);
        AssertNone(DependencyRules.ContribReferencesBatteriesCoreAndToolsOnly(contrib, direct));
        AssertNone(DependencyRules.ContribReferencesBatteriesCoreAndToolsOnly(contrib, DependencyRules.ProjectClosure(Repository.AssetsJson(contrib))));
    }

    [Fact]
    public void Rule7_fails_on_a_contrib_that_references_a_provider_testing_or_another_contrib()
    {
        Violation[] violations = [.. DependencyRules.ContribReferencesBatteriesCoreAndToolsOnly(
            "Executus.Contrib.Sqlite",
            ["Executus.Core", "Executus.Tools", "Executus.Batteries.Audit", "Executus.Providers.OpenAI", "Executus.Testing", "Executus.Contrib.PostgreSql"])];
        Assert.Equal(["Executus.Providers.OpenAI", "Executus.Testing", "Executus.Contrib.PostgreSql"], violations.Select(v => v.Offender));
        Assert.Equal("Rule 7: Executus.Contrib.Sqlite must not depend on Executus.Testing.", violations[1].ToString());
    }

    // Rule 5
    [Fact]
    public void Rule5_no_core_type_mentions_a_battery_type() =>
        AssertNone(DependencyRules.KernelImportsNoBattery(SignatureReferences(Repository.LoadBuilt("Executus.Core"))));

    [Fact]
    public void Rule5_fails_on_a_kernel_type_that_mentions_a_battery_type()
    {
        (string, string)[] fixture =
        [
            ("Executus.Runs.Executor", "Microsoft.Extensions.AI.Abstractions"),
            ("Executus.Runs.Executor", "Executus.Batteries.Budget"),
        ];
        Violation violation = Assert.Single(DependencyRules.KernelImportsNoBattery(fixture));
        Assert.Equal("Rule 5: Executus.Runs.Executor must not depend on Executus.Batteries.Budget.", violation.ToString());
    }

    [Fact]
    public void Rule5_signature_scan_sees_member_types() =>
        Assert.Contains(
            (typeof(SignatureFixture).FullName!, typeof(Xunit.FactAttribute).Assembly.GetName().Name!),
            SignatureReferences(typeof(SignatureFixture).Assembly).ToList());

    /// <summary>Every (type, assembly) pair a type's signatures mention: base types, interfaces, fields, properties, methods.</summary>
    internal static IEnumerable<(string Type, string ReferencedAssembly)> SignatureReferences(Assembly assembly)
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (Type type in assembly.GetTypes())
        {
            IEnumerable<Type?> mentioned = new[] { type.BaseType }
                .Concat(type.GetInterfaces())
                .Concat(type.GetFields(All).Select(f => f.FieldType))
                .Concat(type.GetProperties(All).Select(p => p.PropertyType))
                .Concat(type.GetMethods(All).SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType)))
                .Concat(type.GetConstructors(All).SelectMany(c => c.GetParameters().Select(p => p.ParameterType)));
            foreach (Type t in mentioned.OfType<Type>().SelectMany(Expand).Distinct())
            {
                yield return (type.FullName ?? type.Name, t.Assembly.GetName().Name!);
            }
        }

        static IEnumerable<Type> Expand(Type t)
        {
            Type root = t.HasElementType ? t.GetElementType()! : t;
            yield return root;
            if (root.IsGenericType)
            {
                foreach (Type arg in root.GetGenericArguments().SelectMany(Expand))
                {
                    yield return arg;
                }
            }
        }
    }
}

/// <summary>A type whose signature mentions xunit, to prove the signature scan sees field types.</summary>
public sealed class SignatureFixture
{
    public Xunit.FactAttribute? Attribute { get; set; }
}
