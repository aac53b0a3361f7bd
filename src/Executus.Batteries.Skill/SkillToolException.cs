namespace Executus.Skills;

/// <summary>
/// A skill tool (<c>load_skill</c>, <c>read_skill_resource</c>) could not answer; the message is written for the
/// model, which receives it as <c>Error: tool '…' failed: …</c>.
/// </summary>
public sealed class SkillToolException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public SkillToolException()
        : this("The skill tool failed.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message for the model.</param>
    public SkillToolException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and an inner exception.</summary>
    /// <param name="message">The message for the model.</param>
    /// <param name="innerException">The cause.</param>
    public SkillToolException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
