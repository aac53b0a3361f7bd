using System.Text;

namespace Executus.Skills;

/// <summary>A named item of a skill (a file of its folder: a reference document, a template, an asset).</summary>
public sealed record SkillResource
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Initializes a resource.</summary>
    /// <param name="name">The name: a relative path with '/' separators (e.g. <c>references/forms.md</c>).</param>
    /// <param name="content">The bytes.</param>
    /// <exception cref="ArgumentException">The name is blank, absolute, or climbs out of the skill (<c>..</c>).</exception>
    public SkillResource(string name, ReadOnlyMemory<byte> content)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        string normalized = name.Replace('\\', '/');
        if (normalized.StartsWith('/') || normalized.Split('/').Any(p => p is ".." or "." or ""))
        {
            throw new ArgumentException($"Resource name '{name}' must be a relative path inside the skill (no '..', '.', empty or leading '/').", nameof(name));
        }

        Name = normalized;
        Content = content;
        Text = TryDecode(content.Span);
    }

    /// <summary>Gets the resource's name (a '/'-separated relative path).</summary>
    public string Name { get; }

    /// <summary>Gets the bytes.</summary>
    public ReadOnlyMemory<byte> Content { get; }

    /// <summary>Gets the content as text when it is valid UTF-8 without NUL characters; otherwise null (binary).</summary>
    public string? Text { get; }

    /// <summary>Gets whether the resource is text.</summary>
    public bool IsText => Text is not null;

    /// <summary>Creates a text resource.</summary>
    /// <param name="name">The name.</param>
    /// <param name="text">The text.</param>
    /// <returns>The resource.</returns>
    public static SkillResource FromText(string name, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new SkillResource(name, Encoding.UTF8.GetBytes(text));
    }

    private static string? TryDecode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Contains((byte)0))
        {
            return null;
        }

        try
        {
            return s_strictUtf8.GetString(bytes.StartsWith("\uFEFF"u8) ? bytes[3..] : bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
