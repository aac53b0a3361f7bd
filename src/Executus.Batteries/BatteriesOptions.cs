using Executus.Configuration;

namespace Executus.Batteries;

/// <summary>
/// Which batteries <c>AddBatteries</c> switches on. Each is read from <c>Executus:Batteries:{Name}:Enabled</c>
/// (<c>true</c>/<c>false</c>, default <c>true</c>) once, when the container first needs it; changing a switch takes a
/// restart.
/// </summary>
/// <remarks>
/// A battery switched off leaves its port on the kernel's null object (no budget, no audit, no checkpoints, no
/// recovery at start-up, no critic), the Persona battery off leaves the agents added with <c>AddAgent</c> as the catalog, and the
/// Skill battery off hides <c>load_skill</c>/<c>read_skill_resource</c> from every palette and adds no skills catalog, and
/// the Schedule battery off leaves its runner stopped (schedules can be saved but never fire).
/// </remarks>
public sealed class BatteriesOptions
{
    /// <summary>The configuration prefix.</summary>
    public const string ConfigPrefix = "Executus:Batteries:";

    /// <summary>The Budget battery's name in configuration keys.</summary>
    public const string BudgetName = "Budget";

    /// <summary>The Audit battery's name in configuration keys.</summary>
    public const string AuditName = "Audit";

    /// <summary>The Checkpoint battery's name in configuration keys (it also switches interrupted-run recovery).</summary>
    public const string CheckpointName = "Checkpoint";

    /// <summary>The Persona battery's name in configuration keys.</summary>
    public const string PersonaName = "Persona";

    /// <summary>The Skill battery's name in configuration keys.</summary>
    public const string SkillName = "Skill";

    /// <summary>The Schedule battery's name in configuration keys.</summary>
    public const string ScheduleName = "Schedule";

    /// <summary>The Critic battery's name in configuration keys.</summary>
    public const string CriticName = "Critic";

    /// <summary>Gets or sets whether the Budget battery is the <c>IBudget</c> port.</summary>
    public bool Budget { get; set; } = true;

    /// <summary>Gets or sets whether the Audit battery is the <c>IAudit</c> port.</summary>
    public bool Audit { get; set; } = true;

    /// <summary>Gets or sets whether the Checkpoint battery is the <c>ICheckpointer</c> port and recovers interrupted runs at start-up.</summary>
    public bool Checkpoint { get; set; } = true;

    /// <summary>Gets or sets whether personas are the agent catalog and narrow palettes.</summary>
    public bool Persona { get; set; } = true;

    /// <summary>Gets or sets whether skills are disclosed to runs and their tools may be called.</summary>
    public bool Skill { get; set; } = true;

    /// <summary>Gets or sets whether the schedule runner fires schedules (its store and runner are registered either way).</summary>
    public bool Schedule { get; set; } = true;

    /// <summary>Gets or sets whether the Critic battery is the <c>ICritic</c> port.</summary>
    public bool Critic { get; set; } = true;

    /// <summary>Gets the configuration key that switches the battery <paramref name="name"/>.</summary>
    /// <param name="name">A battery name such as <see cref="BudgetName"/>.</param>
    /// <returns>The key, e.g. <c>Executus:Batteries:Budget:Enabled</c>.</returns>
    public static string EnabledKey(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return ConfigPrefix + name + ":Enabled";
    }

    /// <summary>Reads the switches from <paramref name="config"/>.</summary>
    /// <param name="config">The source.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ConfigException">A switch is not a boolean; the exception names the key.</exception>
    public static BatteriesOptions FromConfig(IConfigSource config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new BatteriesOptions
        {
            Budget = config.GetBool(EnabledKey(BudgetName), true),
            Audit = config.GetBool(EnabledKey(AuditName), true),
            Checkpoint = config.GetBool(EnabledKey(CheckpointName), true),
            Persona = config.GetBool(EnabledKey(PersonaName), true),
            Skill = config.GetBool(EnabledKey(SkillName), true),
            Schedule = config.GetBool(EnabledKey(ScheduleName), true),
            Critic = config.GetBool(EnabledKey(CriticName), true),
        };
    }

    /// <summary>Gets whether the battery <paramref name="name"/> is on.</summary>
    /// <param name="name">A battery name such as <see cref="BudgetName"/>.</param>
    /// <returns><see langword="true"/> when it is on.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> names no battery.</exception>
    public bool IsEnabled(string name) => name switch
    {
        BudgetName => Budget,
        AuditName => Audit,
        CheckpointName => Checkpoint,
        PersonaName => Persona,
        SkillName => Skill,
        ScheduleName => Schedule,
        CriticName => Critic,
        _ => throw new ArgumentException($"'{name}' is not a battery; known: {BudgetName}, {AuditName}, {CheckpointName}, {PersonaName}, {SkillName}, {ScheduleName}, {CriticName}.", nameof(name)),
    };
}
