using Executus.Skills;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Contrib.Tests;

/// <summary>
/// One scenario for every durable store that seeds folder skills (linked into the SQLite and PostgreSQL test projects):
/// three host starts on the same database with the same folder skills, the third with new content for one.
/// </summary>
internal static class SkillSeedingRestartScenario
{
    /// <summary>Runs the scenario; <paramref name="useStore"/> points the host at the shared database.</summary>
    public static async Task RunAsync(Action<IExecutusBuilder> useStore)
    {
        for (int start = 0; start < 3; start++)
        {
            var services = new ServiceCollection();
            IExecutusBuilder builder = services.AddExecutus();
            builder.AddSkills()
                .Add(new Skill("summarize", "Summarizes text.") { Body = start < 2 ? "Summarize." : "Summarize in one line." })
                .Add(new Skill("translate", "Translates.") { Body = "T." }, tenant: "acme");
            useStore(builder);
            using ServiceProvider provider = services.BuildServiceProvider();
            ISkillStore skills = provider.GetRequiredService<ISkillStore>();
            SkillInfo summarize = (await skills.GetInfoAsync(null, "summarize"))!;
            SkillInfo translate = (await skills.GetInfoAsync("acme", "translate"))!;
            if (start == 0)
            {
                // An operator saves an edited version, rolls back to the folder's version 1, and retires another skill.
                await skills.SaveAsync(null, new Skill("summarize", "Summarizes text.") { Body = "Summarize, operator's edit." });
                await skills.SetActiveVersionAsync(null, "summarize", 2);
                await skills.SetActiveVersionAsync(null, "summarize", 1);
                await skills.SetStateAsync("acme", "translate", SkillState.Retired);
            }
            else if (start == 1)
            {
                // Before the fix, the import made the folder's content the latest active version again on every start.
                Assert.Equal((SkillState.Active, 1, 2), (summarize.State, summarize.ActiveVersion, summarize.LatestVersion));
                Assert.Equal((SkillState.Retired, 1, 1), (translate.State, translate.ActiveVersion, translate.LatestVersion));
            }
            else
            {
                Assert.Equal((SkillState.Active, 3, 3), (summarize.State, summarize.ActiveVersion, summarize.LatestVersion));
                Assert.Equal("Summarize in one line.", (await skills.GetAsync(null, "summarize"))!.Skill.Body);
                Assert.Equal(SkillState.Retired, translate.State);
            }
        }
    }
}
