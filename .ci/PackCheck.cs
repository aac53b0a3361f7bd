// The package check of .ci/run (a .NET 10 file-based app: `dotnet run .ci/PackCheck.cs -- <feed-dir> <id>...`).
// For every package id named (the packable src projects), the feed must hold <id>.<version>.nupkg and .snupkg, and the
// .nupkg must have: a description that says more than its id, its own README (PackageReadmeFile) inside, and in every
// lib/ assembly at least one public type — no empty package ships. A package without lib/ assemblies must be a
// .NET tool or a meta-package (with dependencies). Exit code 1 on any problem, each named on its own line.
using System.IO.Compression;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: dotnet run .ci/PackCheck.cs -- <feed-dir> <package-id>...");
    return 2;
}

string feed = args[0];
var problems = new List<string>();
foreach (string id in args.Skip(1))
{
    string[] packages = [.. Directory.GetFiles(feed, id + ".*.nupkg").Where(p => IsVersionOf(Path.GetFileName(p), id, ".nupkg"))];
    if (packages.Length != 1)
    {
        problems.Add($"{id}: expected one package in {feed}, found {packages.Length}");
        continue;
    }

    if (!Directory.GetFiles(feed, id + ".*.snupkg").Any(p => IsVersionOf(Path.GetFileName(p), id, ".snupkg")))
    {
        problems.Add($"{id}: missing symbol package (.snupkg)");
    }

    using ZipArchive zip = ZipFile.OpenRead(packages[0]);
    ZipArchiveEntry nuspecEntry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase) && !e.FullName.Contains('/', StringComparison.Ordinal));
    XElement metadata;
    using (Stream stream = nuspecEntry.Open())
    {
        metadata = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    string Meta(string name) => metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value.Trim() ?? string.Empty;

    string description = Meta("description");
    if (description.Length < 40 || description.Equals(id, StringComparison.OrdinalIgnoreCase) || description.Equals("Package Description", StringComparison.Ordinal))
    {
        problems.Add($"{id}: the description does not say what the package is (\"{description}\")");
    }

    string readme = Meta("readme");
    if (readme.Length == 0 || zip.GetEntry(readme.Replace('\\', '/')) is null)
    {
        problems.Add($"{id}: no README inside the package (PackageReadmeFile)");
    }

    bool isTool = metadata.Descendants().Any(e => e.Name.LocalName == "packageType" && (string?)e.Attribute("name") == "DotnetTool");
    ZipArchiveEntry[] assemblies = [.. zip.Entries.Where(e => e.FullName.StartsWith("lib/", StringComparison.Ordinal) && e.FullName.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))];
    if (assemblies.Length == 0 && !isTool && !metadata.Descendants().Any(e => e.Name.LocalName == "dependency"))
    {
        problems.Add($"{id}: the package ships no assembly and no dependency (empty)");
    }

    foreach (ZipArchiveEntry assembly in assemblies)
    {
        int count = PublicTypes(assembly);
        if (count == 0)
        {
            problems.Add($"{id}: {assembly.FullName} has no public type (an empty package must not ship; keep IsPackable false until it has an API)");
        }
        else
        {
            Console.WriteLine($"pack check: {id} {assembly.FullName}: {count} public types");
        }
    }
}

foreach (string problem in problems)
{
    Console.WriteLine($"pack check FAILED: {problem}");
}

return problems.Count == 0 ? 0 : 1;

// "<id>.<version><ext>" where the version starts with a digit (so Executus.Batteries does not match Executus.Batteries.Audit).
static bool IsVersionOf(string file, string id, string ext) =>
    file.Length > id.Length + 1 + ext.Length && file.EndsWith(ext, StringComparison.OrdinalIgnoreCase) && char.IsAsciiDigit(file[id.Length + 1]);

static int PublicTypes(ZipArchiveEntry entry)
{
    using var buffer = new MemoryStream();
    using (Stream stream = entry.Open())
    {
        stream.CopyTo(buffer);
    }

    buffer.Position = 0;
    using var pe = new PEReader(buffer);
    MetadataReader reader = pe.GetMetadataReader();
    int count = 0;
    foreach (TypeDefinitionHandle handle in reader.TypeDefinitions)
    {
        TypeDefinition type = reader.GetTypeDefinition(handle);
        TypeAttributes visibility = type.Attributes & TypeAttributes.VisibilityMask;
        if (visibility == TypeAttributes.Public && type.GetDeclaringType().IsNil)
        {
            count++;
        }
    }

    return count;
}
