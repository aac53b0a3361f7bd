namespace Executus.Personas;

/// <summary>A caller asked for a persona whose allowed callers (roles/scopes) do not include it.</summary>
public sealed class PersonaAccessDeniedException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public PersonaAccessDeniedException()
        : this("The caller may not use this persona.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public PersonaAccessDeniedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PersonaAccessDeniedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for a persona and a caller.</summary>
    /// <param name="personaName">The persona.</param>
    /// <param name="callerId">The caller's id.</param>
    public PersonaAccessDeniedException(string personaName, string callerId)
        : base($"Caller '{callerId}' may not use persona '{personaName}': it lacks the roles or scopes the persona's allowedCallers require.")
    {
        PersonaName = personaName;
        CallerId = callerId;
    }

    /// <summary>Gets the persona's name.</summary>
    public string? PersonaName { get; }

    /// <summary>Gets the caller's id.</summary>
    public string? CallerId { get; }
}
