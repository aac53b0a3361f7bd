using Executus.Skills;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Executus.Testing.Conformance;

/// <summary>
/// The behaviour every <see cref="ISkillStore"/> must have: immutable versions with an active pointer, the lifecycle
/// rule, paged listing, deletion, and tenant isolation. Inherit it and return a fresh, empty store from
/// <see cref="CreateStore"/>.
/// </summary>
public abstract class SkillStoreConformanceTests
{
    /// <summary>The clock handed to the store; tests move it.</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));

    /// <summary>Creates a new, empty store for one test.</summary>
    /// <param name="timeProvider">The clock the store must use for its times.</param>
    /// <returns>The store.</returns>
    protected abstract ISkillStore CreateStore(TimeProvider timeProvider);

    /// <summary>A skill with a resource.</summary>
    /// <param name="name">Its name.</param>
    /// <param name="body">Its body.</param>
    /// <returns>The skill.</returns>
    protected static Skill Sample(string name = "pdf-forms", string body = "Fill the form.") => new(name, $"Use for {name}.")
    {
        Body = body,
        AllowedTools = ["read_file"],
        License = "MIT",
        Resources = [SkillResource.FromText("references/guide.md", "# Guide"), new SkillResource("assets/logo.bin", new byte[] { 0, 1, 2 })],
        Metadata = new Dictionary<string, string> { ["author"] = "ops" },
        Schedule = new SkillSchedule("0 9 * * 1-5", "UTC", "daily") { Agent = "reporter" },
    };

    /// <summary>The first save is version 1, a draft, active pointer on it; content round-trips.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task The_first_save_is_version_1_a_draft_with_it_active()
    {
        ISkillStore store = CreateStore(Time);
        SkillVersion saved = await store.SaveAsync(null, Sample());

        Assert.Equal(1, saved.Version);
        Assert.Equal(Time.GetUtcNow(), saved.CreatedAt);
        SkillInfo? info = await store.GetInfoAsync(null, "pdf-forms");
        Assert.Equal(new SkillInfo(null, "pdf-forms", SkillState.Draft, 1, 1, "Use for pdf-forms.", Time.GetUtcNow(), Time.GetUtcNow()), info);
        SkillVersion? read = await store.GetAsync(null, "pdf-forms");
        Assert.NotNull(read);
        Assert.True(Sample().ContentEquals(read.Skill));
        Assert.Equal([0, 1, 2], read.Skill.FindResource("assets/logo.bin")!.Content.ToArray());
        Assert.Equal(new SkillSchedule("0 9 * * 1-5", "UTC", "daily") { Agent = "reporter" }, read.Skill.Schedule);
    }

    /// <summary>Every save is a new immutable version; the active version does not move by itself.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Every_save_makes_a_new_version_and_the_active_one_stays()
    {
        ISkillStore store = CreateStore(Time);
        await store.SaveAsync(null, Sample(body: "v1"));
        Time.Advance(TimeSpan.FromMinutes(1));
        SkillVersion second = await store.SaveAsync(null, Sample(body: "v2"));

        Assert.Equal(2, second.Version);
        Assert.Equal("v1", (await store.GetAsync(null, "pdf-forms"))?.Skill.Body);
        Assert.Equal("v2", (await store.GetAsync(null, "pdf-forms", 2))?.Skill.Body);
        Assert.Equal("v1", (await store.GetAsync(null, "pdf-forms", 1))?.Skill.Body);
        Assert.Null(await store.GetAsync(null, "pdf-forms", 3));
        SkillInfo? info = await store.GetInfoAsync(null, "pdf-forms");
        Assert.Equal((1, 2), (info?.ActiveVersion, info?.LatestVersion));
        Assert.Equal(Time.GetUtcNow(), info?.UpdatedAt);
        Assert.Equal([1, 2], (await store.ListVersionsAsync(null, "pdf-forms")).Select(v => v.Version));
    }

    /// <summary>The active pointer moves forward and back (roll back); unknown skills and versions throw.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task The_active_version_moves_and_rolls_back()
    {
        ISkillStore store = CreateStore(Time);
        await store.SaveAsync(null, Sample(body: "v1"));
        await store.SaveAsync(null, new Skill("pdf-forms", "Second description.") { Body = "v2" });

        SkillInfo forward = await store.SetActiveVersionAsync(null, "pdf-forms", 2);
        Assert.Equal(2, forward.ActiveVersion);
        Assert.Equal("Second description.", forward.Description);
        Assert.Equal("v2", (await store.GetAsync(null, "pdf-forms"))?.Skill.Body);

        SkillInfo back = await store.SetActiveVersionAsync(null, "pdf-forms", 1);
        Assert.Equal(1, back.ActiveVersion);
        Assert.Equal("v1", (await store.GetAsync(null, "pdf-forms"))?.Skill.Body);

        SkillNotFoundException missingVersion = await Assert.ThrowsAsync<SkillNotFoundException>(async () => await store.SetActiveVersionAsync(null, "pdf-forms", 9));
        Assert.Equal(9, missingVersion.Version);
        await Assert.ThrowsAsync<SkillNotFoundException>(async () => await store.SetActiveVersionAsync(null, "nothing", 1));
    }

    /// <summary>Draft → active → retired → active; nothing returns to draft; retired versions stay readable.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Lifecycle_moves_follow_the_rule()
    {
        ISkillStore store = CreateStore(Time);
        await store.SaveAsync(null, Sample());

        Assert.Equal(SkillState.Active, (await store.SetStateAsync(null, "pdf-forms", SkillState.Active)).State);
        await Assert.ThrowsAsync<SkillLifecycleException>(async () => await store.SetStateAsync(null, "pdf-forms", SkillState.Draft));
        Assert.Equal(SkillState.Retired, (await store.SetStateAsync(null, "pdf-forms", SkillState.Retired)).State);
        Assert.NotNull(await store.GetAsync(null, "pdf-forms", 1));
        Assert.Equal(SkillState.Retired, (await store.SetStateAsync(null, "pdf-forms", SkillState.Retired)).State);
        Assert.Equal(SkillState.Active, (await store.SetStateAsync(null, "pdf-forms", SkillState.Active)).State);
        await Assert.ThrowsAsync<SkillNotFoundException>(async () => await store.SetStateAsync(null, "nothing", SkillState.Active));

        await store.SaveAsync(null, Sample("drafty"));
        Assert.Equal(SkillState.Retired, (await store.SetStateAsync(null, "drafty", SkillState.Retired)).State);
    }

    /// <summary>Listing filters by state and pages by name with a cursor.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task List_filters_by_state_and_pages_by_name()
    {
        ISkillStore store = CreateStore(Time);
        foreach (string name in new[] { "delta", "alpha", "echo", "charlie", "bravo" })
        {
            await store.SaveAsync(null, Sample(name));
        }

        await store.SetStateAsync(null, "bravo", SkillState.Active);
        await store.SetStateAsync(null, "delta", SkillState.Active);

        SkillPage first = await store.ListAsync(null, limit: 2);
        Assert.Equal(["alpha", "bravo"], first.Items.Select(i => i.Name));
        Assert.NotNull(first.NextCursor);
        SkillPage second = await store.ListAsync(null, cursor: first.NextCursor, limit: 2);
        Assert.Equal(["charlie", "delta"], second.Items.Select(i => i.Name));
        SkillPage last = await store.ListAsync(null, cursor: second.NextCursor, limit: 2);
        Assert.Equal(["echo"], last.Items.Select(i => i.Name));
        Assert.Null(last.NextCursor);

        Assert.Equal(["bravo", "delta"], (await store.ListAsync(null, SkillState.Active)).Items.Select(i => i.Name));
        Assert.Equal(["alpha", "charlie", "echo"], (await store.ListAsync(null, SkillState.Draft)).Items.Select(i => i.Name));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.ListAsync(null, limit: 0));
    }

    /// <summary>Delete removes the skill with every version.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Delete_removes_every_version()
    {
        ISkillStore store = CreateStore(Time);
        await store.SaveAsync(null, Sample());
        await store.SaveAsync(null, Sample(body: "v2"));

        Assert.True(await store.DeleteAsync(null, "pdf-forms"));
        Assert.False(await store.DeleteAsync(null, "pdf-forms"));
        Assert.Null(await store.GetInfoAsync(null, "pdf-forms"));
        Assert.Null(await store.GetAsync(null, "pdf-forms", 1));
        Assert.Empty(await store.ListVersionsAsync(null, "pdf-forms"));
        Assert.Empty((await store.ListAsync(null)).Items);
    }

    /// <summary>One tenant never sees another's skills, nor the shared scope's, and cannot change them.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Tenants_never_see_each_others_skills()
    {
        ISkillStore store = CreateStore(Time);
        await store.SaveAsync("acme", Sample("billing", "acme's"));
        await store.SaveAsync("globex", Sample("billing", "globex's"));
        await store.SaveAsync("globex", Sample("secret-plan"));
        await store.SaveAsync(null, Sample("shared-one"));

        Assert.Equal("acme's", (await store.GetAsync("acme", "billing"))?.Skill.Body);
        Assert.Equal("globex's", (await store.GetAsync("globex", "billing"))?.Skill.Body);
        Assert.Equal("acme", (await store.GetAsync("acme", "billing"))?.Tenant);
        Assert.Null(await store.GetAsync("acme", "secret-plan"));
        Assert.Null(await store.GetInfoAsync("acme", "secret-plan"));
        Assert.Empty(await store.ListVersionsAsync("acme", "secret-plan"));
        Assert.Null(await store.GetAsync("acme", "shared-one"));
        Assert.Null(await store.GetAsync(null, "billing"));
        Assert.Equal(["billing"], (await store.ListAsync("acme")).Items.Select(i => i.Name));
        Assert.Equal(["billing", "secret-plan"], (await store.ListAsync("globex")).Items.Select(i => i.Name));
        Assert.Equal(["shared-one"], (await store.ListAsync(null)).Items.Select(i => i.Name));

        await Assert.ThrowsAsync<SkillNotFoundException>(async () => await store.SetStateAsync("acme", "secret-plan", SkillState.Retired));
        await Assert.ThrowsAsync<SkillNotFoundException>(async () => await store.SetActiveVersionAsync("acme", "secret-plan", 1));
        Assert.False(await store.DeleteAsync("acme", "secret-plan"));
        Assert.NotNull(await store.GetAsync("globex", "secret-plan"));
    }

    /// <summary>A blank tenant is refused (null is the shared scope).</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task A_blank_tenant_is_refused()
    {
        ISkillStore store = CreateStore(Time);

        await Assert.ThrowsAsync<ArgumentException>(async () => await store.SaveAsync(" ", Sample()));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.ListAsync(string.Empty));
    }
}
