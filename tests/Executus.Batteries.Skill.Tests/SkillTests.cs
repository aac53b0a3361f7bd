using Executus.Runs;

namespace Executus.Skills.Tests;

public sealed class SkillTests
{
    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("PDF", "lowercase")]
    [InlineData("-lead", "lowercase")]
    [InlineData("trail-", "lowercase")]
    [InlineData("two--hyphens", "lowercase")]
    [InlineData("under_score", "lowercase")]
    public void Names_follow_the_agent_skills_rule(string name, string problem)
    {
        Assert.Contains(problem, Skill.NameProblem(name), StringComparison.Ordinal);
        ArgumentException ex = Assert.Throws<ArgumentException>(() => new Skill(name, "d"));
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_of_64_characters_and_a_description_of_1024_are_the_limits()
    {
        _ = new Skill(new string('a', 64), new string('d', 1024));
        Assert.Contains("the limit is 64", Skill.NameProblem(new string('a', 65)), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new Skill("a", new string('d', 1025)));
        Assert.Throws<ArgumentException>(() => new Skill("a", " "));
    }

    [Fact]
    public void A_skill_that_is_an_agent_becomes_a_runnable_agent()
    {
        Skill skill = new("triage", "Triage bugs.")
        {
            Body = "Label the issue.",
            AllowedTools = ["read_file", "label_issue"],
            Metadata = new Dictionary<string, string> { ["team"] = "core" },
        };

        RunnableAgent agent = skill.ToRunnable();
        Assert.Equal(("triage", "Triage bugs.", "Label the issue."), (agent.Name, agent.Description, agent.Instructions));
        Assert.Equal(["read_file", "label_issue"], agent.Tools);
        Assert.Null(agent.Version);
        Assert.Equal("core", agent.Metadata["team"]);

        RunnableAgent versioned = new SkillVersion("acme", 3, skill, DateTimeOffset.UnixEpoch).ToRunnable();
        Assert.Equal("3", versioned.Version);
        Assert.Equal("Label the issue.", versioned.Instructions);
        versioned.Validate();
    }

    [Fact]
    public void Resources_are_text_or_binary_and_stay_inside_the_skill()
    {
        Assert.Equal("# Hi", SkillResource.FromText("a.md", "# Hi").Text);
        Assert.Equal("bom", new SkillResource("b.txt", "\uFEFFbom"u8.ToArray()).Text);
        Assert.False(new SkillResource("c.bin", new byte[] { 1, 0, 2 }).IsText);
        Assert.False(new SkillResource("d.bin", new byte[] { 0xC3, 0x28 }).IsText);
        Assert.Equal("dir/e.md", new SkillResource("dir\\e.md", ReadOnlyMemory<byte>.Empty).Name);
        Assert.Throws<ArgumentException>(() => new SkillResource("../x", ReadOnlyMemory<byte>.Empty));
        Assert.Throws<ArgumentException>(() => new SkillResource("/etc/passwd", ReadOnlyMemory<byte>.Empty));
        Assert.Throws<ArgumentException>(() => new SkillResource("a//b", ReadOnlyMemory<byte>.Empty));

        Skill skill = new("s", "d") { Resources = [SkillResource.FromText("refs/a.md", "A")] };
        Assert.Equal("A", skill.FindResource("./refs/a.md")?.Text);
        Assert.Null(skill.FindResource("refs/b.md"));
    }

    [Fact]
    public void ContentEquals_compares_every_field_and_resource_bytes()
    {
        Skill a = new("s", "d") { Body = "b", Resources = [SkillResource.FromText("r", "1")], Metadata = new Dictionary<string, string> { ["k"] = "v" } };
        Skill same = new("s", "d") { Body = "b", Resources = [SkillResource.FromText("r", "1")], Metadata = new Dictionary<string, string> { ["k"] = "v" } };

        Assert.True(a.ContentEquals(same));
        Assert.False(a.ContentEquals(same with { Body = "c" }));
        Assert.False(a.ContentEquals(same with { Resources = [SkillResource.FromText("r", "2")] }));
        Assert.False(a.ContentEquals(same with { Metadata = new Dictionary<string, string> { ["k"] = "w" } }));
        Assert.False(a.ContentEquals(null));
    }

    [Fact]
    public void Pins_live_in_the_agent_metadata()
    {
        RunnableAgent agent = SkillPins.Pin(new RunnableAgent("a"), [new("pdf-forms", 2)]);

        Assert.Equal(2, SkillPins.Get(agent, "pdf-forms"));
        Assert.Null(SkillPins.Get(agent, "other"));
        Assert.Equal("2", agent.Metadata["executus.skill.pin.pdf-forms"]);
        Assert.Throws<ArgumentOutOfRangeException>(() => SkillPins.Pin(agent, [new("x", 0)]));
    }

    [Fact]
    public void The_lifecycle_never_returns_to_draft()
    {
        Assert.True(SkillLifecycle.IsAllowed(SkillState.Draft, SkillState.Active));
        Assert.True(SkillLifecycle.IsAllowed(SkillState.Draft, SkillState.Retired));
        Assert.True(SkillLifecycle.IsAllowed(SkillState.Active, SkillState.Retired));
        Assert.True(SkillLifecycle.IsAllowed(SkillState.Retired, SkillState.Active));
        Assert.True(SkillLifecycle.IsAllowed(SkillState.Draft, SkillState.Draft));
        Assert.False(SkillLifecycle.IsAllowed(SkillState.Active, SkillState.Draft));
        SkillLifecycleException ex = Assert.Throws<SkillLifecycleException>(() => SkillLifecycle.Check("s", SkillState.Retired, SkillState.Draft));
        Assert.Equal((SkillState.Retired, SkillState.Draft), (ex.From, ex.To));
    }
}
