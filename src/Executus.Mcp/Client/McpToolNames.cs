using System.Security.Cryptography;
using System.Text;

namespace Executus.Mcp;

/// <summary>Builds the registry names of MCP tools: <c>{prefix}{separator}{tool}</c>, in the characters model APIs accept.</summary>
internal static class McpToolNames
{
    /// <summary>OpenAI's limit on a function name's length.</summary>
    public const int MaxLength = 64;

    public static string Create(string prefix, string separator, string tool)
    {
        string name = Sanitize(prefix) + separator + Sanitize(tool);
        if (name.Length <= MaxLength)
        {
            return name;
        }

        // Why: a name over the limit is refused by the model API; keep the start readable and stay unique with a hash.
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8];
        return name[..(MaxLength - 9)] + "_" + hash;
    }

    /// <summary>Replaces every character outside <c>[a-zA-Z0-9_-]</c> with '_'.</summary>
    public static string Sanitize(string value)
    {
        StringBuilder builder = new(value.Length);
        foreach (char c in value)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }

        return builder.ToString();
    }
}
