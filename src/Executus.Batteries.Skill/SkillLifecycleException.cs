namespace Executus.Skills;

/// <summary>A lifecycle move the rule forbids (see <see cref="SkillLifecycle"/>).</summary>
public sealed class SkillLifecycleException : InvalidOperationException
{
    /// <summary>Initializes a new instance.</summary>
    public SkillLifecycleException()
        : this("The skill cannot make this lifecycle move.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public SkillLifecycleException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public SkillLifecycleException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for a refused move.</summary>
    /// <param name="skillName">The skill.</param>
    /// <param name="from">Its state.</param>
    /// <param name="to">The refused state.</param>
    public SkillLifecycleException(string skillName, SkillState from, SkillState to)
        : base($"Skill '{skillName}' cannot move from {from} to {to}: the lifecycle is draft -> active -> retired (and retired -> active); nothing returns to draft.")
    {
        SkillName = skillName;
        From = from;
        To = to;
    }

    /// <summary>Gets the skill's name.</summary>
    public string? SkillName { get; }

    /// <summary>Gets the state the skill was in.</summary>
    public SkillState? From { get; }

    /// <summary>Gets the refused state.</summary>
    public SkillState? To { get; }
}
