namespace Executus.Tokenizers;

/// <summary>The tiktoken encodings this package ships the data of.</summary>
public static class TokenizerEncodings
{
    /// <summary><c>o200k_base</c>: GPT-4o, GPT-4.1, GPT-5 and the o-series reasoning models.</summary>
    public const string O200kBase = "o200k_base";

    /// <summary><c>cl100k_base</c>: GPT-4, GPT-3.5 Turbo and the text-embedding-3 models.</summary>
    public const string Cl100kBase = "cl100k_base";

    /// <summary>
    /// Gets the built-in model families, longest prefix first wins: model id prefix (case-insensitive) → encoding.
    /// Configuration (<c>Executus:Tokenizers:Families:{prefix}</c>) adds to and overrides these.
    /// </summary>
    public static IReadOnlyDictionary<string, string> BuiltInFamilies { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["gpt-5"] = O200kBase,
        ["gpt-4.1"] = O200kBase,
        ["gpt-4.5"] = O200kBase,
        ["gpt-4o"] = O200kBase,
        ["chatgpt-4o"] = O200kBase,
        ["gpt-oss"] = O200kBase,
        ["o1"] = O200kBase,
        ["o3"] = O200kBase,
        ["o4"] = O200kBase,
        ["gpt-4"] = Cl100kBase,
        ["gpt-3.5"] = Cl100kBase,
        ["gpt-35"] = Cl100kBase,
        ["text-embedding-3"] = Cl100kBase,
        ["text-embedding-ada-002"] = Cl100kBase,
    };

    /// <summary>Whether this package can load <paramref name="encoding"/>.</summary>
    /// <param name="encoding">The encoding name.</param>
    /// <returns>True for <see cref="O200kBase"/> and <see cref="Cl100kBase"/>.</returns>
    public static bool IsSupported(string? encoding) =>
        string.Equals(encoding, O200kBase, StringComparison.OrdinalIgnoreCase) || string.Equals(encoding, Cl100kBase, StringComparison.OrdinalIgnoreCase);
}
