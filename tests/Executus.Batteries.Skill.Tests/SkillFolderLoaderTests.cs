namespace Executus.Skills.Tests;

public sealed class SkillFolderLoaderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("skills-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Write(string folder, string skillMd)
    {
        string dir = Path.Combine(_root, folder);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "SKILL.md"), skillMd);
        return dir;
    }

    [Fact]
    public void A_SKILL_md_folder_with_resources_loads_unchanged()
    {
        string dir = Write("pdf-forms", """
            ---
            name: pdf-forms
            description: Fills PDF forms. Use when the user gives a form to fill.
            license: Apache-2.0
            compatibility: Needs python3 and pypdf.
            allowed-tools: Bash(python3:*) Read  Write
            metadata:
              author: example-org
              version: "1.0"
            ---

            # PDF forms

            Read `references/fields.md` first.
            """);
        Directory.CreateDirectory(Path.Combine(dir, "references"));
        Directory.CreateDirectory(Path.Combine(dir, "scripts"));
        Directory.CreateDirectory(Path.Combine(dir, "assets"));
        File.WriteAllText(Path.Combine(dir, "references", "fields.md"), "# Fields\nname, date");
        File.WriteAllText(Path.Combine(dir, "scripts", "fill.py"), "print('never run')");
        File.WriteAllBytes(Path.Combine(dir, "assets", "logo.png"), [0x89, 0x50, 0x4E, 0x47, 0x00, 0x01]);

        Skill skill = SkillFolderLoader.LoadSkill(dir);

        Assert.Equal("pdf-forms", skill.Name);
        Assert.Equal("Fills PDF forms. Use when the user gives a form to fill.", skill.Description);
        Assert.Equal("# PDF forms\n\nRead `references/fields.md` first.", skill.Body);
        Assert.Equal("Apache-2.0", skill.License);
        Assert.Equal("Needs python3 and pypdf.", skill.Compatibility);
        Assert.Equal(["Bash(python3:*)", "Read", "Write"], skill.AllowedTools);
        Assert.Equal("example-org", skill.Metadata["author"]);
        Assert.Equal("1.0", skill.Metadata["version"]);
        Assert.Null(skill.Schedule);
        Assert.Equal(["assets/logo.png", "references/fields.md", "scripts/fill.py"], skill.Resources.Select(r => r.Name));
        Assert.Equal("# Fields\nname, date", skill.FindResource("references/fields.md")?.Text);
        Assert.False(skill.FindResource("assets/logo.png")!.IsText);
        Assert.Equal(6, skill.FindResource("assets/logo.png")!.Content.Length);
    }

    [Fact]
    public void A_folder_of_skills_loads_in_order_skipping_dot_folders_and_reading_schedules()
    {
        Write("b-skill", "---\nname: b-skill\ndescription: B.\nmetadata:\n  executus.schedule: \"0 9 * * 1-5\"\n  executus.schedule.timezone: UTC\n  executus.schedule.input: go\n---\nBody B");
        Write("a-skill", "---\nname: a-skill\ndescription: A.\nallowed-tools: [x, y]\n---\n");
        Directory.CreateDirectory(Path.Combine(_root, ".git"));

        IReadOnlyList<Skill> skills = SkillFolderLoader.LoadDirectory(_root);

        Assert.Equal(["a-skill", "b-skill"], skills.Select(s => s.Name));
        Assert.Equal(["x", "y"], skills[0].AllowedTools);
        Assert.Equal(string.Empty, skills[0].Body);
        Assert.Equal(new SkillSchedule("0 9 * * 1-5", "UTC", "go"), skills[1].Schedule);
    }

    [Theory]
    [InlineData("name: x\n", SkillRule.FrontMatter, 1, "must start with YAML front matter")]
    [InlineData("---\nname: x\n", SkillRule.FrontMatter, 1, "not closed")]
    [InlineData("---\nname: x\ndescription: 'unterminated\n---\n", SkillRule.FrontMatter, -1, "not valid YAML")]
    [InlineData("---\n- a\n---\n", SkillRule.FrontMatter, 2, "one mapping")]
    [InlineData("---\nname: the-skill\ndescription: d\nversion: 2\n---\n", SkillRule.UnknownField, 4, "unknown field 'version'")]
    [InlineData("---\ndescription: d\n---\n", SkillRule.NameRequired, 2, "'name' is required")]
    [InlineData("---\nname: The-Skill\ndescription: d\n---\n", SkillRule.NameFormat, 2, "lowercase")]
    [InlineData("---\nname: the--skill\ndescription: d\n---\n", SkillRule.NameFormat, 2, "single hyphens")]
    [InlineData("---\nname: -the-skill\ndescription: d\n---\n", SkillRule.NameFormat, 2, "not starting or ending")]
    [InlineData("---\nname: other-skill\ndescription: d\n---\n", SkillRule.NameMatchesFolder, 2, "but the skill's folder is 'the-skill'")]
    [InlineData("---\nname: the-skill\n---\n", SkillRule.DescriptionRequired, 2, "'description' is required")]
    [InlineData("---\nname: the-skill\ndescription: '  '\n---\n", SkillRule.DescriptionRequired, 3, "'description' is required")]
    [InlineData("---\nname: the-skill\ndescription: [a]\n---\n", SkillRule.FieldType, 3, "'description' must be text")]
    [InlineData("---\nname: the-skill\ndescription: d\nlicense: {a: b}\n---\n", SkillRule.FieldType, 4, "'license' must be text")]
    [InlineData("---\nname: the-skill\ndescription: d\nallowed-tools: {a: b}\n---\n", SkillRule.FieldType, 4, "'allowed-tools'")]
    [InlineData("---\nname: the-skill\ndescription: d\nmetadata: [a]\n---\n", SkillRule.MetadataFormat, 4, "mapping of text keys")]
    [InlineData("---\nname: the-skill\ndescription: d\nmetadata:\n  a:\n    b: c\n---\n", SkillRule.MetadataFormat, 6, "mapping of text keys")]
    [InlineData("---\nname: the-skill\ndescription: d\nmetadata:\n  executus.schedule: every day\n---\n", SkillRule.Schedule, null, "not a cron expression")]
    [InlineData("---\nname: the-skill\ndescription: d\nmetadata:\n  executus.schedule: 0 9 * * *\n  executus.schedule.timezone: Mars/Olympus\n---\n", SkillRule.Schedule, null, "not a known time zone")]
    [InlineData("---\nname: the-skill\ndescription: d\nmetadata:\n  executus.schedule.input: go\n---\n", SkillRule.Schedule, null, "need 'executus.schedule'")]
    public void Every_broken_rule_names_the_file_and_the_rule(string skillMd, SkillRule rule, int? line, string problem)
    {
        string dir = Write("the-skill", skillMd);

        SkillValidationException ex = Assert.Throws<SkillValidationException>(() => SkillFolderLoader.LoadSkill(dir));

        Assert.Equal(Path.Combine(dir, "SKILL.md"), ex.FilePath);
        Assert.Equal(rule, ex.Rule);
        if (line == -1)
        {
            Assert.NotNull(ex.Line);
        }
        else
        {
            Assert.Equal(line, ex.Line);
        }

        Assert.Contains(problem, ex.Problem, StringComparison.Ordinal);
        Assert.Contains($"rule {rule}", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith(Path.Combine(dir, "SKILL.md"), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Length_limits_name_their_rule()
    {
        string longName = new('a', 65);
        SkillValidationException name = Assert.Throws<SkillValidationException>(() => SkillFolderLoader.LoadSkill(Write(longName, $"---\nname: {longName}\ndescription: d\n---\n")));
        Assert.Equal(SkillRule.NameFormat, name.Rule);
        Assert.Contains("the limit is 64", name.Problem, StringComparison.Ordinal);

        SkillValidationException description = Assert.Throws<SkillValidationException>(() => SkillFolderLoader.LoadSkill(Write("d1", $"---\nname: d1\ndescription: {new string('x', 1025)}\n---\n")));
        Assert.Equal(SkillRule.DescriptionLength, description.Rule);

        SkillValidationException compatibility = Assert.Throws<SkillValidationException>(() => SkillFolderLoader.LoadSkill(Write("c1", $"---\nname: c1\ndescription: d\ncompatibility: {new string('x', 501)}\n---\n")));
        Assert.Equal(SkillRule.CompatibilityLength, compatibility.Rule);
    }

    [Fact]
    public void A_folder_without_SKILL_md_and_a_too_large_resource_are_refused()
    {
        string empty = Path.Combine(_root, "empty");
        Directory.CreateDirectory(empty);
        SkillValidationException missing = Assert.Throws<SkillValidationException>(() => SkillFolderLoader.LoadDirectory(_root));
        Assert.Equal((SkillRule.SkillFileRequired, empty), (missing.Rule!.Value, missing.FilePath));
        Directory.Delete(empty);

        string dir = Write("big", "---\nname: big\ndescription: d\n---\n");
        File.WriteAllBytes(Path.Combine(dir, "blob.bin"), new byte[11]);
        SkillValidationException tooLarge = Assert.Throws<SkillValidationException>(() => SkillFolderLoader.LoadDirectory(_root, maxResourceBytes: 10));
        Assert.Equal((SkillRule.ResourceTooLarge, Path.Combine(dir, "blob.bin")), (tooLarge.Rule!.Value, tooLarge.FilePath));

        Assert.Throws<SkillValidationException>(() => SkillFolderLoader.LoadDirectory(Path.Combine(_root, "nope")));
    }

    [Fact]
    public void The_shipped_example_skills_load()
    {
        DirectoryInfo? dir = new(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Executus.sln")))
        {
            dir = dir.Parent;
        }

        IReadOnlyList<Skill> skills = SkillFolderLoader.LoadDirectory(Path.Combine(dir!.FullName, "examples", "BotHost", "data", "skills"));

        Assert.Equal(["daily-digest", "release-notes"], skills.Select(s => s.Name));
        Assert.NotNull(skills[0].Schedule);
        Assert.Equal(["references/style.md"], skills[1].Resources.Select(r => r.Name));
    }
}
