namespace Executus.Personas;

/// <summary>Options of the persona battery.</summary>
public sealed class PersonaOptions
{
    /// <summary>The default cap on the personalization text added to a persona's instructions.</summary>
    public const int DefaultMaxPersonalizationChars = 1000;

    /// <summary>
    /// Gets or sets the cap, in characters, on the personalization block added to the instructions at run start;
    /// entries that do not fit are counted, not shown.
    /// </summary>
    public int MaxPersonalizationChars { get; set; } = DefaultMaxPersonalizationChars;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        if (MaxPersonalizationChars < 100)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPersonalizationChars), MaxPersonalizationChars, "MaxPersonalizationChars must be at least 100.");
        }
    }
}
