using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Executus.Contrib.PostgreSql;

/// <summary>
/// The JSON settings of every payload column: M.E.AI's own (so messages and usage round-trip as they do in memory),
/// but compact — M.E.AI's defaults indent.
/// </summary>
internal static class PostgreSqlJson
{
    public static readonly JsonSerializerOptions Options = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(AIJsonUtilities.DefaultOptions) { WriteIndented = false };
        options.MakeReadOnly();
        return options;
    }
}
