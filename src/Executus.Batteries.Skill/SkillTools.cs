using System.ComponentModel;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Executus.Auditing;
using Executus.Identity;
using Executus.Runs;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Skills;

/// <summary>
/// The skill tools of progressive disclosure: <c>load_skill</c> returns a skill's instructions (the run's pinned
/// version, else the active one) and <c>read_skill_resource</c> one of its files. Both are ordinary registry tools
/// (normal permission stages); each load is audited (<see cref="AuditEventKind.SkillLoaded"/>) with the version.
/// </summary>
/// <remarks>The caller's tenant scopes every lookup (see <see cref="SkillDisclosure"/>). Scripts are never run.</remarks>
public sealed class SkillTools
{
    private static readonly Meter s_meter = new("Executus.Skills");
    private static readonly Counter<long> s_loads = s_meter.CreateCounter<long>("executus.skill.loads", "{load}", "Skill bodies and resources loaded by runs.");

    private readonly SkillDisclosure _disclosure;
    private readonly IAudit _audit;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes the tools.</summary>
    /// <param name="disclosure">Resolves skills for the caller.</param>
    /// <param name="audit">Where loads are audited; nowhere when null.</param>
    /// <param name="timeProvider">The clock for audit events; the system clock when null.</param>
    public SkillTools(SkillDisclosure disclosure, IAudit? audit = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(disclosure);
        _disclosure = disclosure;
        _audit = audit ?? NullAudit.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        ToolMetadata metadata = new() { Category = "skills", SideEffect = SideEffect.Read };
        LoadSkill = new RegisteredTool(
            AIFunctionFactory.Create(
                ([Description("The skill's name, as listed in the skills catalog.")] string name, CancellationToken cancellationToken) =>
                    LoadSkillAsync(name, cancellationToken),
                SkillToolNames.LoadSkill,
                "Loads a skill: returns its instructions and the names of its resource files."),
            metadata);
        ReadSkillResource = new RegisteredTool(
            AIFunctionFactory.Create(
                ([Description("The skill's name.")] string skill,
                 [Description("The resource's path inside the skill, e.g. references/guide.md.")] string resource,
                 CancellationToken cancellationToken) => ReadSkillResourceAsync(skill, resource, cancellationToken),
                SkillToolNames.ReadSkillResource,
                "Reads one resource file of a skill (text)."),
            metadata);
        Tools = [LoadSkill, ReadSkillResource];
    }

    /// <summary>Gets <c>load_skill</c>.</summary>
    public RegisteredTool LoadSkill { get; }

    /// <summary>Gets <c>read_skill_resource</c>.</summary>
    public RegisteredTool ReadSkillResource { get; }

    /// <summary>Gets both tools.</summary>
    public IReadOnlyList<RegisteredTool> Tools { get; }

    /// <summary>Loads skill <paramref name="name"/> for the current run's caller.</summary>
    /// <param name="name">The skill's name.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The skill's version, allowed tools, resource names and instructions.</returns>
    /// <exception cref="SkillToolException">No such active skill or version.</exception>
    public async Task<string> LoadSkillAsync(string name, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new SkillToolException("say which skill to load: pass its name from the skills catalog");
        }

        (RunContext? run, CallerIdentity caller, SkillVersion version) = await ResolveAsync(name.Trim(), cancellationToken).ConfigureAwait(false);
        await RecordAsync(run, caller, version, SkillToolNames.LoadSkill, null, cancellationToken).ConfigureAwait(false);
        Skill skill = version.Skill;
        StringBuilder builder = new();
        builder.Append(CultureInfo.InvariantCulture, $"Skill: {skill.Name} (version {version.Version})\n");
        if (skill.AllowedTools.Count > 0)
        {
            builder.Append("Allowed tools: ").Append(string.Join(' ', skill.AllowedTools)).Append('\n');
        }

        if (skill.Resources.Count > 0)
        {
            builder.Append("Resources (read with ").Append(SkillToolNames.ReadSkillResource).Append("): ")
                .Append(string.Join(", ", skill.Resources.Select(r => r.Name))).Append('\n');
        }

        builder.Append('\n').Append(skill.Body.Length > 0 ? skill.Body : "(this skill has no instructions)");
        return builder.ToString();
    }

    /// <summary>Reads resource <paramref name="resource"/> of skill <paramref name="skill"/> for the current run's caller.</summary>
    /// <param name="skill">The skill's name.</param>
    /// <param name="resource">The resource's path inside the skill.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The resource's text, cut visibly at <see cref="SkillOptions.MaxResourceChars"/>.</returns>
    /// <exception cref="SkillToolException">No such skill, version or resource, or the resource is binary.</exception>
    public async Task<string> ReadSkillResourceAsync(string skill, string resource, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(skill) || string.IsNullOrWhiteSpace(resource))
        {
            throw new SkillToolException("pass both the skill's name and the resource's path");
        }

        (RunContext? run, CallerIdentity caller, SkillVersion version) = await ResolveAsync(skill.Trim(), cancellationToken).ConfigureAwait(false);
        SkillResource? found = version.Skill.FindResource(resource.Trim());
        if (found is null)
        {
            string known = version.Skill.Resources.Count == 0 ? "none" : string.Join(", ", version.Skill.Resources.Select(r => r.Name));
            throw new SkillToolException($"skill '{version.Name}' has no resource '{resource}'. Its resources: {known}");
        }

        if (found.Text is not { } text)
        {
            throw new SkillToolException(string.Create(CultureInfo.InvariantCulture, $"resource '{found.Name}' of skill '{version.Name}' is binary ({found.Content.Length} bytes) and cannot be read as text"));
        }

        await RecordAsync(run, caller, version, SkillToolNames.ReadSkillResource, found.Name, cancellationToken).ConfigureAwait(false);
        int max = _disclosure.Options.MaxResourceChars;
        return text.Length <= max
            ? text
            : string.Concat(text.AsSpan(0, max), string.Create(CultureInfo.InvariantCulture, $"\n[truncated: the resource has {text.Length} characters; {max} shown]"));
    }

    private async ValueTask<(RunContext? Run, CallerIdentity Caller, SkillVersion Version)> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        RunContext? run = RunContext.Current;
        CallerIdentity caller = run?.Caller ?? CallerIdentity.Anonymous;
        int? pin = run is null ? null : SkillPins.Get(run.Agent, name);
        SkillVersion version = await _disclosure.ResolveAsync(caller, name, pin, cancellationToken).ConfigureAwait(false);
        return (run, caller, version);
    }

    private async ValueTask RecordAsync(RunContext? run, CallerIdentity caller, SkillVersion version, string tool, string? resource, CancellationToken cancellationToken)
    {
        s_loads.Add(1, new KeyValuePair<string, object?>("executus.tool.name", tool));
        Dictionary<string, string> data = new(StringComparer.Ordinal)
        {
            ["skill"] = version.Name,
            ["version"] = version.Version.ToString(CultureInfo.InvariantCulture),
        };
        if (version.Tenant is not null)
        {
            data["tenant"] = version.Tenant;
        }

        if (resource is not null)
        {
            data["resource"] = resource;
        }

        string what = resource is null ? "loaded" : $"read resource '{resource}' of";
        await _audit.RecordAsync(
            new AuditEvent(AuditEventKind.SkillLoaded, _timeProvider.GetUtcNow())
            {
                RunId = run?.RunId,
                AgentName = run?.Agent.Name,
                Caller = caller,
                ToolName = tool,
                Detail = string.Create(CultureInfo.InvariantCulture, $"{what} skill '{version.Name}' version {version.Version}"),
                Data = data,
            },
            cancellationToken).ConfigureAwait(false);
    }
}
