using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Executus.Architecture.Tests;

/// <summary>
/// DESIGN.md's five dependency rules as pure functions over names, so each can be fed a violating fixture.
/// </summary>
public static partial class DependencyRules
{
    public const string Core = "Executus.Core";

    /// <summary>Rule 1: Core references no battery, no contrib, no provider (and not the Tools package).</summary>
    public static IEnumerable<Violation> CoreReferencesNoOuterLayer(IEnumerable<string> coreReferences) =>
        coreReferences.Where(IsOuterLayer).Select(r => new Violation(1, Core, r));

    /// <summary>Rule 2: Core's NuGet closure holds only M.E.AI*, M.E.*.Abstractions, Options, Primitives and System.*.</summary>
    public static IEnumerable<Violation> CorePackageClosureIsAbstractionsOnly(IEnumerable<string> packageIds) =>
        packageIds.Where(p => !AllowedCorePackage().IsMatch(p)).Select(p => new Violation(2, Core, p));

    /// <summary>Rule 3: a battery references Core only among Executus projects: no other battery, no contrib, no provider, no tools.</summary>
    public static IEnumerable<Violation> BatteryReferencesCoreOnly(string battery, IEnumerable<string> references) =>
        references.Where(r => r.StartsWith("Executus.", StringComparison.Ordinal) && r != Core && r != battery)
            .Select(r => new Violation(3, battery, r));

    /// <summary>Rule 4: only Executus.Contrib.Sqlite references Microsoft.Data.Sqlite (directly or through its closure).</summary>
    public static IEnumerable<Violation> OnlyContribSqliteUsesSqlite(string project, IEnumerable<string> packageIds) =>
        project == "Executus.Contrib.Sqlite"
            ? []
            : packageIds.Where(p => p.StartsWith("Microsoft.Data.Sqlite", StringComparison.OrdinalIgnoreCase) ||
                                    p.StartsWith("SQLitePCLRaw", StringComparison.OrdinalIgnoreCase))
                .Select(p => new Violation(4, project, p));

    /// <summary>Rule 8: only Executus.Contrib.PostgreSql references Npgsql (directly or through its closure).</summary>
    public static IEnumerable<Violation> OnlyContribPostgreSqlUsesNpgsql(string project, IEnumerable<string> packageIds) =>
        project == "Executus.Contrib.PostgreSql"
            ? []
            : packageIds.Where(p => p.StartsWith("Npgsql", StringComparison.OrdinalIgnoreCase)).Select(p => new Violation(8, project, p));

    /// <summary>
    /// Rule 7: Executus.Contrib.* (a store package) references only Core, the batteries whose seams it implements and
    /// Executus.Tools (the memory tools' key-value store): no provider, tokenizer, testing or other contrib package.
    /// </summary>
    public static IEnumerable<Violation> ContribReferencesBatteriesCoreAndToolsOnly(string contrib, IEnumerable<string> references) =>
        references.Where(r => r.StartsWith("Executus.", StringComparison.Ordinal) && r != Core && r != "Executus.Tools" && r != contrib &&
                              !r.StartsWith("Executus.Batteries.", StringComparison.Ordinal))
            .Select(r => new Violation(7, contrib, r));

    /// <summary>Rule 5: no Core type (the run kernel included) mentions a battery, contrib, provider or tools type in its signatures.</summary>
    public static IEnumerable<Violation> KernelImportsNoBattery(IEnumerable<(string Type, string ReferencedAssembly)> typeReferences) =>
        typeReferences.Where(t => IsOuterLayer(t.ReferencedAssembly)).Select(t => new Violation(5, t.Type, t.ReferencedAssembly));

    /// <summary>Rule 6: the Gadfly example (the light host) references no battery and no contrib, directly or transitively.</summary>
    public static IEnumerable<Violation> GadflyReferencesNoBattery(IEnumerable<string> references) =>
        references.Where(r => r.StartsWith("Executus.Batteries", StringComparison.Ordinal) || r.StartsWith("Executus.Contrib", StringComparison.Ordinal))
            .Select(r => new Violation(6, "Gadfly", r));

    /// <summary>The project names (direct and transitive) in a project.assets.json.</summary>
    public static IReadOnlyList<string> ProjectClosure(string assetsJson)
    {
        using JsonDocument document = JsonDocument.Parse(assetsJson);
        return [.. document.RootElement.GetProperty("libraries").EnumerateObject()
            .Where(l => l.Value.TryGetProperty("type", out JsonElement type) && type.GetString() == "project")
            .Select(l => l.Name.Split('/')[0])];
    }

    /// <summary>Whether a project/assembly name is a battery, contrib, provider, the Tools, Tokenizers, conformance or MCP
    /// package (or the MCP SDK: Core stays MCP-free).</summary>
    public static bool IsOuterLayer(string name) =>
        name.StartsWith("Executus.Batteries", StringComparison.Ordinal) ||
        name == "Executus.Tokenizers" || name == "Executus.Testing.Conformance" ||
        name.StartsWith("Executus.Contrib", StringComparison.Ordinal) ||
        name.StartsWith("Executus.Providers", StringComparison.Ordinal) ||
        name == "Executus.Tools" || name.StartsWith("Executus.Tools.", StringComparison.Ordinal) ||
        name == "Executus.Mcp" || name.StartsWith("ModelContextProtocol", StringComparison.Ordinal) ||
        name.StartsWith("Npgsql", StringComparison.Ordinal);

    /// <summary>The project names a .csproj references through ProjectReference items.</summary>
    public static IReadOnlyList<string> ProjectReferences(string csprojPath) =>
        [.. XDocument.Load(csprojPath).Descendants("ProjectReference")
            .Select(e => (string?)e.Attribute("Include") ?? string.Empty)
            .Select(p => Path.GetFileNameWithoutExtension(p.Replace('\\', '/')))];

    /// <summary>The package ids a .csproj references directly through PackageReference items.</summary>
    public static IReadOnlyList<string> PackageReferences(string csprojPath) =>
        [.. XDocument.Load(csprojPath).Descendants("PackageReference")
            .Select(e => (string?)e.Attribute("Include") ?? string.Empty)];

    /// <summary>The resolved package closure (every package, transitive ones included) from a project.assets.json.</summary>
    public static IReadOnlyList<string> PackageClosure(string assetsJson)
    {
        using JsonDocument document = JsonDocument.Parse(assetsJson);
        return [.. document.RootElement.GetProperty("libraries").EnumerateObject()
            .Where(l => l.Value.TryGetProperty("type", out JsonElement type) && type.GetString() == "package")
            .Select(l => l.Name.Split('/')[0])];
    }

    /// <summary>
    /// The packages a consumer of the project receives, from a project.assets.json: the closure of the direct
    /// dependencies that flow to consumers, walking each target's package dependencies. A direct dependency with
    /// <c>PrivateAssets="all"</c> (<c>suppressParent: All</c>: analyzers, source generators, development-only
    /// packages) does not flow, and neither do its own dependencies unless a flowing package needs them too.
    /// </summary>
    public static IReadOnlyList<string> ConsumerPackageClosure(string assetsJson)
    {
        using JsonDocument document = JsonDocument.Parse(assetsJson);
        JsonElement root = document.RootElement;
        var roots = new List<string>();
        foreach (JsonProperty framework in root.GetProperty("project").GetProperty("frameworks").EnumerateObject())
        {
            if (!framework.Value.TryGetProperty("dependencies", out JsonElement dependencies))
            {
                continue;
            }

            foreach (JsonProperty dependency in dependencies.EnumerateObject())
            {
                bool isPrivate = dependency.Value.TryGetProperty("suppressParent", out JsonElement suppress) &&
                    string.Equals(suppress.GetString(), "All", StringComparison.OrdinalIgnoreCase);
                if (!isPrivate)
                {
                    roots.Add(dependency.Name);
                }
            }
        }

        var edges = new Dictionary<string, HashSet<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (JsonProperty target in root.GetProperty("targets").EnumerateObject())
        {
            foreach (JsonProperty library in target.Value.EnumerateObject())
            {
                if (!library.Value.TryGetProperty("type", out JsonElement type) || type.GetString() != "package")
                {
                    continue;
                }

                string id = library.Name.Split('/')[0];
                HashSet<string> next = edges.TryGetValue(id, out HashSet<string>? known) ? known : edges[id] = new(StringComparer.OrdinalIgnoreCase);
                if (library.Value.TryGetProperty("dependencies", out JsonElement dependencies))
                {
                    foreach (JsonProperty dependency in dependencies.EnumerateObject())
                    {
                        next.Add(dependency.Name);
                    }
                }
            }
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var closure = new List<string>();
        var pending = new Queue<string>(roots.Where(edges.ContainsKey));
        while (pending.TryDequeue(out string? id))
        {
            if (!seen.Add(id))
            {
                continue;
            }

            closure.Add(id);
            foreach (string dependency in edges.GetValueOrDefault(id) ?? [])
            {
                if (edges.ContainsKey(dependency))
                {
                    pending.Enqueue(dependency);
                }
            }
        }

        return closure;
    }

    /// <summary>The package ids a .csproj references directly and passes on to consumers (not <c>PrivateAssets="all"</c>).</summary>
    public static IReadOnlyList<string> ConsumerPackageReferences(XDocument csproj) =>
        [.. csproj.Descendants("PackageReference")
            .Where(e => !string.Equals(
                ((string?)e.Attribute("PrivateAssets") ?? (string?)e.Element("PrivateAssets"))?.Trim(), "all", StringComparison.OrdinalIgnoreCase))
            .Select(e => (string?)e.Attribute("Include") ?? string.Empty)];

    [GeneratedRegex(@"^(Microsoft\.Extensions\.AI(\..+)?|Microsoft\.Extensions\.[A-Za-z0-9.]+\.Abstractions|Microsoft\.Extensions\.Options|Microsoft\.Extensions\.Primitives|System\..+)$")]
    private static partial Regex AllowedCorePackage();
}
