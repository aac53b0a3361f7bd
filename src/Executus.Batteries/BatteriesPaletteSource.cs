using Executus.Identity;
using Executus.Skills;
using Executus.Tooling;

namespace Executus.Batteries;

/// <summary>The palette source <c>AddBatteries</c> installs: the persona palette (or the host's) and, with the Skill battery off, no skill tools.</summary>
internal sealed class BatteriesPaletteSource : IPaletteSource
{
    private readonly IPaletteSource _inner;
    private readonly bool _skillsOff;

    public BatteriesPaletteSource(IPaletteSource inner, bool skillsOff)
    {
        _inner = inner;
        _skillsOff = skillsOff;
    }

    public ValueTask<PermissionDecision> CheckAsync(string agentName, RegisteredTool tool, CallerIdentity caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tool);
        if (_skillsOff && (tool.Name == SkillToolNames.LoadSkill || tool.Name == SkillToolNames.ReadSkillResource))
        {
            return ValueTask.FromResult(PermissionDecision.Deny(
                $"tool '{tool.Name}' belongs to the Skill battery, which is switched off ({BatteriesOptions.EnabledKey(BatteriesOptions.SkillName)}=false)"));
        }

        return _inner.CheckAsync(agentName, tool, caller, cancellationToken);
    }
}
