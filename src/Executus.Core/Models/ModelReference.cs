using System.Diagnostics.CodeAnalysis;

namespace Executus.Models;

/// <summary>
/// A reference to one model of one provider, written <c>provider:model</c> (e.g. <c>openai:gpt-4.1</c>,
/// <c>ollama:qwen3:8b</c>). The provider is everything before the first colon; the model id is the rest and may
/// itself contain colons.
/// </summary>
public sealed record ModelReference
{
    /// <summary>Initializes a new reference.</summary>
    /// <param name="provider">The provider name: letters, digits, <c>-</c>, <c>_</c> or <c>.</c>.</param>
    /// <param name="model">The provider-specific model id.</param>
    public ModelReference(string provider, string model)
    {
        ValidateProviderName(provider);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        Provider = provider;
        Model = model;
    }

    /// <summary>Gets the provider name.</summary>
    public string Provider { get; }

    /// <summary>Gets the model id.</summary>
    public string Model { get; }

    /// <summary>Parses <c>provider:model</c>.</summary>
    /// <param name="text">The reference text; surrounding white space is ignored.</param>
    /// <returns>The reference.</returns>
    /// <exception cref="FormatException">The text is not a well-formed reference; the message says why.</exception>
    public static ModelReference Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out ModelReference? reference, out string? error) ? reference : throw new FormatException(error);
    }

    /// <summary>Tries to parse <c>provider:model</c>.</summary>
    /// <param name="text">The reference text.</param>
    /// <param name="reference">The reference when well formed.</param>
    /// <param name="error">Why the text is malformed, otherwise null.</param>
    /// <returns><see langword="true"/> when the text is well formed.</returns>
    public static bool TryParse(
        string? text, [NotNullWhen(true)] out ModelReference? reference, [NotNullWhen(false)] out string? error)
    {
        reference = null;
        string trimmed = text?.Trim() ?? string.Empty;
        int colon = trimmed.IndexOf(':', StringComparison.Ordinal);
        if (trimmed.Length == 0)
        {
            error = "A model reference must not be empty; write 'provider:model', e.g. 'openai:gpt-4.1'.";
            return false;
        }

        if (colon < 0)
        {
            error = $"The model reference '{trimmed}' has no provider; write 'provider:model', e.g. 'openai:{trimmed}'.";
            return false;
        }

        string provider = trimmed[..colon].Trim();
        string model = trimmed[(colon + 1)..].Trim();
        if (!IsValidProviderName(provider))
        {
            error = $"The model reference '{trimmed}' has an invalid provider name '{provider}'; use letters, digits, '-', '_' or '.'.";
            return false;
        }

        if (model.Length == 0)
        {
            error = $"The model reference '{trimmed}' has no model id after '{provider}:'.";
            return false;
        }

        reference = new ModelReference(provider, model);
        error = null;
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Provider}:{Model}";

    internal static void ValidateProviderName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!IsValidProviderName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid provider name; use letters, digits, '-', '_' or '.'.", nameof(name));
        }
    }

    private static bool IsValidProviderName(string name) =>
        name.Length > 0 && name.All(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
