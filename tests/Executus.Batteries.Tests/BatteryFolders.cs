namespace Executus.Batteries.Tests;

/// <summary>The persona and skill folders the batteries' tests load.</summary>
internal static class BatteryFolders
{
    /// <summary>Writes <c>personas/helper.md</c>: a persona for callers with the <c>member</c> role.</summary>
    public static void WriteHelperPersona(string dir, string tools)
    {
        Directory.CreateDirectory(Path.Combine(dir, "personas"));
        File.WriteAllText(Path.Combine(dir, "personas", "helper.md"), $"""
            ---
            name: helper
            description: Helps.
            tools: [{tools}]
            allowedCallers:
              roles: [member]
            ---
            You help.
            """);
    }
}
