using System.Reflection;

namespace Executus.Architecture.Tests;

/// <summary>Finds the repository's projects and the built assemblies copied next to these tests.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string SrcProject(string name) => Path.Combine(Root, "src", name, name + ".csproj");

    public static IReadOnlyList<string> SrcProjectNames =>
        [.. Directory.GetDirectories(Path.Combine(Root, "src")).Select(Path.GetFileName).Where(n => File.Exists(SrcProject(n!)))!];

    public static IReadOnlyList<string> BatteryNames =>
        [.. SrcProjectNames.Where(n => n.StartsWith("Executus.Batteries.", StringComparison.Ordinal))];

    public static string AssetsJson(string project)
    {
        string path = Path.Combine(Root, "src", project, "obj", "project.assets.json");
        Assert.True(File.Exists(path), $"{path} is missing: restore the solution first.");
        return File.ReadAllText(path);
    }

    public static Assembly LoadBuilt(string name) => Assembly.LoadFrom(Path.Combine(AppContext.BaseDirectory, name + ".dll"));

    public static IReadOnlyList<string> AssemblyReferences(string name) =>
        [.. LoadBuilt(name).GetReferencedAssemblies().Select(a => a.Name!)];

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Executus.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Executus.sln not found above {AppContext.BaseDirectory}.");
    }
}
