using Executus.Identity;
using Executus.Runs;

namespace Executus.Skills.Tests;

public sealed class SkillDisclosureTests
{
    private static readonly CallerIdentity Acme = new("alice", tenantKey: "acme");
    private static readonly CallerIdentity Globex = new("bob", tenantKey: "globex");

    private static async Task<InMemorySkillStore> StoreAsync()
    {
        InMemorySkillStore store = new();
        SkillLibrary library = new(store);
        await library.SaveAsync(null, new Skill("shared-guide", "Shared guide for everyone."), activate: true);
        await library.SaveAsync(null, new Skill("billing", "Shared billing."), activate: true);
        await library.SaveAsync("acme", new Skill("billing", "Acme billing rules."), activate: true);
        await library.SaveAsync("acme", new Skill("drafty", "Not ready."));
        await library.SaveAsync("acme", new Skill("old-way", "Retired."), activate: true);
        await library.RetireAsync("acme", "old-way");
        await library.SaveAsync("globex", new Skill("secret-plan", "Globex only."), activate: true);
        return store;
    }

    [Fact]
    public async Task The_catalog_lists_one_line_per_active_skill_of_the_tenant_and_the_shared_scope()
    {
        SkillDisclosure disclosure = new(await StoreAsync());

        string catalog = (await disclosure.BuildCatalogAsync(Acme))!;

        Assert.StartsWith("## Skills\n", catalog, StringComparison.Ordinal);
        string[] lines = [.. catalog.Split('\n').Where(l => l.StartsWith("- ", StringComparison.Ordinal))];
        Assert.Equal(["- billing: Acme billing rules.", "- shared-guide: Shared guide for everyone."], lines);
        Assert.DoesNotContain("secret-plan", catalog, StringComparison.Ordinal);
        Assert.DoesNotContain("drafty", catalog, StringComparison.Ordinal);
        Assert.DoesNotContain("old-way", catalog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tenants_never_see_each_others_skills_and_shared_skills_can_be_switched_off()
    {
        InMemorySkillStore store = await StoreAsync();

        string globex = (await new SkillDisclosure(store).BuildCatalogAsync(Globex))!;
        Assert.Contains("- billing: Shared billing.", globex, StringComparison.Ordinal);
        Assert.Contains("- secret-plan: Globex only.", globex, StringComparison.Ordinal);

        string isolated = (await new SkillDisclosure(store, new SkillOptions { IncludeSharedSkills = false }).BuildCatalogAsync(Globex))!;
        Assert.Equal(["- secret-plan: Globex only."], isolated.Split('\n').Where(l => l.StartsWith("- ", StringComparison.Ordinal)));

        string anonymous = (await new SkillDisclosure(store).BuildCatalogAsync(CallerIdentity.Anonymous))!;
        Assert.DoesNotContain("Acme", anonymous, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-plan", anonymous, StringComparison.Ordinal);

        Assert.Null(await new SkillDisclosure(new InMemorySkillStore()).BuildCatalogAsync(Acme));
    }

    [Fact]
    public async Task The_catalog_is_bounded_and_says_how_many_skills_it_left_out()
    {
        InMemorySkillStore store = new();
        SkillLibrary library = new(store);
        for (int i = 0; i < 150; i++)
        {
            await library.SaveAsync(null, new Skill($"skill-{i:D3}", "A skill with a long description. " + new string('x', 400)), activate: true);
        }

        SkillDisclosure disclosure = new(store, new SkillOptions { MaxCatalogChars = 1000, MaxCatalogDescriptionChars = 60 });
        string catalog = (await disclosure.BuildCatalogAsync(CallerIdentity.Anonymous))!;

        Assert.True(catalog.Length <= 1000, $"catalog of {catalog.Length} characters");
        string[] lines = [.. catalog.Split('\n').Where(l => l.StartsWith("- ", StringComparison.Ordinal))];
        Assert.All(lines, l => Assert.EndsWith("…", l, StringComparison.Ordinal));
        Assert.EndsWith($"({150 - lines.Length} more skills not listed)", catalog, StringComparison.Ordinal);
        Assert.StartsWith("- skill-000: ", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrepareAsync_adds_the_catalog_the_tools_and_the_pins()
    {
        InMemorySkillStore store = await StoreAsync();
        await new SkillLibrary(store).SaveAsync("acme", new Skill("billing", "Acme billing, second edition."));
        SkillDisclosure disclosure = new(store);
        RunnableAgent agent = new("bot") { Instructions = "Be nice.", Tools = ["clock"] };

        RunnableAgent prepared = await disclosure.PrepareAsync(agent, Acme, [new("billing", 2)]);

        Assert.StartsWith("Be nice.\n\n## Skills\n", prepared.Instructions, StringComparison.Ordinal);
        Assert.Contains("- billing: Acme billing, second edition.", prepared.Instructions, StringComparison.Ordinal);
        Assert.Equal(["clock", SkillToolNames.LoadSkill, SkillToolNames.ReadSkillResource], prepared.Tools);
        Assert.Equal(2, SkillPins.Get(prepared, "billing"));

        RunnableAgent again = await disclosure.PrepareAsync(prepared with { Instructions = null }, Acme);
        Assert.Equal(3, again.Tools.Count);
        Assert.StartsWith("## Skills", again.Instructions, StringComparison.Ordinal);

        RunnableAgent none = await new SkillDisclosure(new InMemorySkillStore()).PrepareAsync(agent, Acme);
        Assert.Same(agent, none);
    }
}
