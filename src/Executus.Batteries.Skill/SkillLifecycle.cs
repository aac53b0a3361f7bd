namespace Executus.Skills;

/// <summary>
/// The lifecycle rule every <see cref="ISkillStore"/> enforces: draft → active, draft → retired, active → retired,
/// retired → active. Nothing goes back to draft. Setting the state a skill already has changes nothing.
/// </summary>
public static class SkillLifecycle
{
    /// <summary>Returns whether a skill may move from <paramref name="from"/> to <paramref name="to"/>.</summary>
    /// <param name="from">The current state.</param>
    /// <param name="to">The wanted state.</param>
    /// <returns><see langword="true"/> when allowed (or unchanged).</returns>
    public static bool IsAllowed(SkillState from, SkillState to) => from == to || to != SkillState.Draft;

    /// <summary>Throws when the move is not allowed.</summary>
    /// <param name="name">The skill's name (for the message).</param>
    /// <param name="from">The current state.</param>
    /// <param name="to">The wanted state.</param>
    /// <exception cref="SkillLifecycleException">The move is not allowed.</exception>
    public static void Check(string name, SkillState from, SkillState to)
    {
        if (!IsAllowed(from, to))
        {
            throw new SkillLifecycleException(name, from, to);
        }
    }
}
