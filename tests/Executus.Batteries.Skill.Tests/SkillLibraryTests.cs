using Executus.Auditing;
using Microsoft.Extensions.Time.Testing;

namespace Executus.Skills.Tests;

public sealed class SkillLibraryTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly RecordingAudit _audit = new();

    private SkillLibrary Library() => new(new InMemorySkillStore(_time), _audit, _time);

    private static Skill Version(string body) => new("pdf-forms", $"Forms ({body}).") { Body = body };

    [Fact]
    public async Task Versions_save_activate_roll_back_and_roll_forward()
    {
        SkillLibrary library = Library();
        SkillVersion v1 = await library.SaveAsync("acme", Version("v1"), activate: true);
        SkillVersion v2 = await library.SaveAsync("acme", Version("v2"));
        SkillVersion v3 = await library.SaveAsync("acme", Version("v3"), activate: true);

        Assert.Equal((1, 2, 3), (v1.Version, v2.Version, v3.Version));
        Assert.Equal("v3", (await library.Store.GetAsync("acme", "pdf-forms"))?.Skill.Body);

        SkillInfo rolledBack = await library.RollBackAsync("acme", "pdf-forms", 1);
        Assert.Equal(1, rolledBack.ActiveVersion);
        Assert.Equal("Forms (v1).", rolledBack.Description);
        Assert.Equal("v1", (await library.Store.GetAsync("acme", "pdf-forms"))?.Skill.Body);
        Assert.Equal("v2", (await library.Store.GetAsync("acme", "pdf-forms", 2))?.Skill.Body);

        await library.SetActiveVersionAsync("acme", "pdf-forms", 2);
        Assert.Equal("v2", (await library.Store.GetAsync("acme", "pdf-forms"))?.Skill.Body);
        await Assert.ThrowsAsync<SkillNotFoundException>(async () => await library.RollBackAsync("acme", "pdf-forms", 7));
    }

    [Fact]
    public async Task Each_lifecycle_transition_is_audited_once_and_a_refused_one_not_at_all()
    {
        SkillLibrary library = Library();
        await library.SaveAsync(null, Version("v1"));
        _audit.Events.Clear();

        await library.ActivateAsync(null, "pdf-forms");
        await library.ActivateAsync(null, "pdf-forms");
        _time.Advance(TimeSpan.FromHours(1));
        await library.RetireAsync(null, "pdf-forms");
        await Assert.ThrowsAsync<SkillLifecycleException>(async () => await library.SetStateAsync(null, "pdf-forms", SkillState.Draft));
        await library.ActivateAsync(null, "pdf-forms");

        AuditEvent[] events = [.. _audit.Events];
        Assert.All(events, e => Assert.Equal(AuditEventKind.SkillChanged, e.Kind));
        Assert.Equal(["draft -> active", "active -> retired", "retired -> active"], events.Select(e => e.Data["from"] + " -> " + e.Data["to"]));
        Assert.All(events, e => Assert.Equal(("pdf-forms", "state", "1"), (e.Data["skill"], e.Data["change"], e.Data["version"])));
        Assert.Equal("skill 'pdf-forms': active -> retired", events[1].Detail);
        Assert.Equal(_time.GetUtcNow(), events[1].Timestamp);
    }

    [Fact]
    public async Task Saves_version_moves_and_deletes_are_audited_with_tenant_and_version()
    {
        SkillLibrary library = Library();
        await library.SaveAsync("acme", Version("v1"), activate: true);
        await library.SaveAsync("acme", Version("v2"));
        await library.RollBackAsync("acme", "pdf-forms", 2);
        await library.RollBackAsync("acme", "pdf-forms", 2);
        Assert.True(await library.DeleteAsync("acme", "pdf-forms"));
        Assert.False(await library.DeleteAsync("acme", "pdf-forms"));

        Assert.Equal(
            ["saved:1", "state:1", "saved:2", "active-version:2", "deleted:"],
            _audit.Events.Select(e => e.Data["change"] + ":" + e.Data.GetValueOrDefault("version")));
        Assert.All(_audit.Events, e => Assert.Equal("acme", e.Data["tenant"]));
        AuditEvent move = _audit.Events.Single(e => e.Data["change"] == "active-version");
        Assert.Equal(("1", "2"), (move.Data["from"], move.Data["to"]));
    }

    [Fact]
    public async Task A_change_to_a_missing_skill_is_a_typed_error()
    {
        SkillLibrary library = Library();
        SkillNotFoundException ex = await Assert.ThrowsAsync<SkillNotFoundException>(async () => await library.RetireAsync("acme", "nope"));
        Assert.Equal(("acme", "nope"), (ex.Tenant, ex.SkillName));
        Assert.Contains("tenant 'acme'", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_audit.Events);
    }
}
