using Executus.Auditing;
using Executus.Identity;
using Executus.Runs;
using Executus.Testing;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Skills.Tests;

public sealed class SkillRunTests : IDisposable
{
    private static readonly CallerIdentity Acme = new("alice", tenantKey: "acme");
    private static readonly CallerIdentity Globex = new("bob", tenantKey: "globex");
    private readonly string _root = Directory.CreateTempSubdirectory("skills-run-").FullName;
    private readonly RecordingAudit _audit = new();

    public SkillRunTests()
    {
        string dir = Path.Combine(_root, "pdf-forms");
        Directory.CreateDirectory(Path.Combine(dir, "references"));
        File.WriteAllText(Path.Combine(dir, "SKILL.md"), "---\nname: pdf-forms\ndescription: Fills PDF forms.\nallowed-tools: clock\n---\nVersion one body.");
        File.WriteAllText(Path.Combine(dir, "references", "fields.md"), "Fields: name, date.");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private ServiceProvider Build(ScriptedChatClient model)
    {
        ServiceCollection services = new();
        services.AddExecutus().UseChatClient(model).UseAudit(_audit).AddSkills().FromDirectory(_root);
        return services.BuildServiceProvider();
    }

    private static List<string> ToolResults(RunResult result) =>
        [.. result.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.Result?.ToString() ?? string.Empty)];

    [Fact]
    public async Task AddSkills_registers_the_tools_and_seeds_folder_skills_as_active_version_1()
    {
        using var model = new ScriptedChatClient();
        using ServiceProvider provider = Build(model);

        IToolRegistry registry = provider.GetRequiredService<IToolRegistry>();
        Assert.True(registry.TryGet(SkillToolNames.LoadSkill, out RegisteredTool? load));
        Assert.Equal("skills", load.Metadata.Category);
        Assert.True(registry.TryGet(SkillToolNames.ReadSkillResource, out _));
        SkillInfo? info = await provider.GetRequiredService<ISkillStore>().GetInfoAsync(null, "pdf-forms");
        Assert.Equal((SkillState.Active, 1, 1), (info?.State, info?.ActiveVersion, info?.LatestVersion));
        Assert.IsType<InMemorySkillStore>(provider.GetRequiredService<ISkillStore>());
    }

    [Fact]
    public void AddSkills_twice_and_one_folder_twice_are_refused()
    {
        IExecutusBuilder executus = new ServiceCollection().AddExecutus();
        SkillsBuilder skills = executus.AddSkills().FromDirectory(_root);

        Assert.Throws<InvalidOperationException>(() => executus.AddSkills());
        Assert.Throws<SkillValidationException>(() => skills.FromDirectory(_root));
        skills.FromDirectory(_root, tenant: "acme");
        Assert.Throws<ArgumentOutOfRangeException>(() => new ServiceCollection().AddExecutus().AddSkills(o => o.MaxCatalogChars = 10));
    }

    [Fact]
    public async Task A_scripted_run_loads_the_pinned_version_of_a_skill_and_its_resource_and_each_load_is_audited()
    {
        using var model = new ScriptedChatClient();
        model.ReplyToolCall(SkillToolNames.LoadSkill, new { name = "pdf-forms" })
            .ReplyToolCall(SkillToolNames.ReadSkillResource, new { skill = "pdf-forms", resource = "references/fields.md" })
            .ReplyText("filled");
        using ServiceProvider provider = Build(model);
        SkillLibrary library = provider.GetRequiredService<SkillLibrary>();
        SkillVersion v2 = await library.SaveAsync(null, new Skill("pdf-forms", "Fills PDF forms, better.") { Body = "Version two body." }, activate: true);
        Assert.Equal(2, v2.Version);
        _audit.Events.Clear();

        SkillDisclosure disclosure = provider.GetRequiredService<SkillDisclosure>();
        RunnableAgent agent = await disclosure.PrepareAsync(new RunnableAgent("bot") { Instructions = "Help." }, Acme, [new("pdf-forms", 1)]);
        RunResult result = await provider.GetRequiredService<Executor>().RunAsync(new RunRequest(agent, "fill my form") { Caller = Acme });

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        ScriptedRequest first = model.Requests[0];
        Assert.Contains("- pdf-forms: Fills PDF forms.", first.Options!.Instructions, StringComparison.Ordinal);
        Assert.Equal([SkillToolNames.LoadSkill, SkillToolNames.ReadSkillResource], first.Options.Tools!.Select(t => t.Name));
        List<string> results = ToolResults(result);
        Assert.Equal("Skill: pdf-forms (version 1)\nAllowed tools: clock\nResources (read with read_skill_resource): references/fields.md\n\nVersion one body.", results[0]);
        Assert.Equal("Fields: name, date.", results[1]);

        AuditEvent[] loads = [.. _audit.Events.Where(e => e.Kind == AuditEventKind.SkillLoaded)];
        Assert.Equal(2, loads.Length);
        Assert.All(loads, e => Assert.Equal(("pdf-forms", "1", result.RunId, "bot", Acme), (e.Data["skill"], e.Data["version"], e.RunId, e.AgentName, e.Caller)));
        Assert.Equal([SkillToolNames.LoadSkill, SkillToolNames.ReadSkillResource], loads.Select(e => e.ToolName));
        Assert.Equal("references/fields.md", loads[1].Data["resource"]);
    }

    [Fact]
    public async Task Without_a_pin_a_run_loads_the_active_version_and_a_roll_back_is_seen_by_the_next_run()
    {
        using var model = new ScriptedChatClient();
        model.ReplyToolCall(SkillToolNames.LoadSkill, new { name = "pdf-forms" }).ReplyText("ok")
            .ReplyToolCall(SkillToolNames.LoadSkill, new { name = "pdf-forms" }).ReplyText("ok");
        using ServiceProvider provider = Build(model);
        SkillLibrary library = provider.GetRequiredService<SkillLibrary>();
        await library.SaveAsync(null, new Skill("pdf-forms", "Fills PDF forms.") { Body = "Version two body." }, activate: true);
        SkillDisclosure disclosure = provider.GetRequiredService<SkillDisclosure>();
        Executor executor = provider.GetRequiredService<Executor>();

        RunResult before = await executor.RunAsync(new RunRequest(await disclosure.PrepareAsync(new RunnableAgent("bot"), Acme), "go") { Caller = Acme });
        await library.RollBackAsync(null, "pdf-forms", 1);
        RunResult after = await executor.RunAsync(new RunRequest(await disclosure.PrepareAsync(new RunnableAgent("bot"), Acme), "go") { Caller = Acme });

        Assert.EndsWith("Version two body.", ToolResults(before)[0], StringComparison.Ordinal);
        Assert.EndsWith("Version one body.", ToolResults(after)[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_a_run_one_tenant_cannot_load_another_tenants_skill_nor_a_retired_one()
    {
        using var model = new ScriptedChatClient();
        model.ReplyToolCalls([
                new FunctionCallContent("c1", SkillToolNames.LoadSkill, new Dictionary<string, object?> { ["name"] = "acme-secret" }),
                new FunctionCallContent("c2", SkillToolNames.ReadSkillResource, new Dictionary<string, object?> { ["skill"] = "acme-secret", ["resource"] = "notes.md" }),
                new FunctionCallContent("c3", SkillToolNames.LoadSkill, new Dictionary<string, object?> { ["name"] = "old-way" }),
            ])
            .ReplyText("nothing");
        using ServiceProvider provider = Build(model);
        SkillLibrary library = provider.GetRequiredService<SkillLibrary>();
        await library.SaveAsync("acme", new Skill("acme-secret", "Acme only.") { Resources = [SkillResource.FromText("notes.md", "secret")] }, activate: true);
        await library.SaveAsync("globex", new Skill("old-way", "Retired."), activate: true);
        await library.RetireAsync("globex", "old-way");
        _audit.Events.Clear();

        RunnableAgent agent = await provider.GetRequiredService<SkillDisclosure>().PrepareAsync(new RunnableAgent("bot"), Globex);
        RunResult result = await provider.GetRequiredService<Executor>().RunAsync(new RunRequest(agent, "go") { Caller = Globex });

        Assert.DoesNotContain("acme-secret", model.Requests[0].Options!.Instructions, StringComparison.Ordinal);
        List<string> results = ToolResults(result);
        Assert.StartsWith("Error: tool 'load_skill' failed: there is no skill named 'acme-secret'. Available skills: pdf-forms", results[0], StringComparison.Ordinal);
        Assert.StartsWith("Error: tool 'read_skill_resource' failed: there is no skill named 'acme-secret'", results[1], StringComparison.Ordinal);
        Assert.Equal("Error: tool 'load_skill' failed: skill 'old-way' is retired and not available", results[2]);
        Assert.DoesNotContain(_audit.Events, e => e.Kind == AuditEventKind.SkillLoaded);
    }

    [Fact]
    public async Task Resource_errors_are_readable_and_long_text_is_cut_visibly()
    {
        InMemorySkillStore store = new();
        await new SkillLibrary(store).SaveAsync(null, new Skill("docs", "Docs.")
        {
            Resources = [SkillResource.FromText("long.md", new string('a', 500)), new SkillResource("logo.bin", new byte[] { 0, 1 })],
        }, activate: true);
        SkillTools tools = new(new SkillDisclosure(store, new SkillOptions { MaxResourceChars = 100 }));

        string text = await tools.ReadSkillResourceAsync("docs", "long.md");
        Assert.Equal(new string('a', 100) + "\n[truncated: the resource has 500 characters; 100 shown]", text);
        SkillToolException binary = await Assert.ThrowsAsync<SkillToolException>(() => tools.ReadSkillResourceAsync("docs", "logo.bin"));
        Assert.Contains("binary (2 bytes)", binary.Message, StringComparison.Ordinal);
        SkillToolException missing = await Assert.ThrowsAsync<SkillToolException>(() => tools.ReadSkillResourceAsync("docs", "nope.md"));
        Assert.Contains("Its resources: long.md, logo.bin", missing.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<SkillToolException>(() => tools.LoadSkillAsync(" "));
        Assert.Equal("Skill: docs (version 1)\nResources (read with read_skill_resource): long.md, logo.bin\n\n(this skill has no instructions)", await tools.LoadSkillAsync("docs"));
    }

    [Fact]
    public async Task A_skill_that_is_an_agent_runs_with_its_body_as_instructions()
    {
        using var model = new ScriptedChatClient();
        model.ReplyText("triaged");
        using ServiceProvider provider = Build(model);
        SkillVersion version = (await provider.GetRequiredService<ISkillStore>().GetAsync(null, "pdf-forms"))!;

        RunResult result = await provider.GetRequiredService<Executor>().RunAsync(new RunRequest(version.ToRunnable(), "go"));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal("pdf-forms", result.AgentName);
        Assert.Equal("Version one body.", model.Requests[0].Options!.Instructions);
    }
}
