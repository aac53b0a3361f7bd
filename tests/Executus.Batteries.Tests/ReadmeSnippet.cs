using Executus.Batteries;
using Executus.Batteries.Audit;
using Executus.Configuration;
using Executus.Identity;
using Executus.Runs;
using Executus.Skills;
using Executus.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Batteries.Tests;

/// <summary>The package README's example, line for line, writing to a writer instead of the console.</summary>
internal static class ReadmeSnippet
{
    public static async Task RunAsync(TextWriter output)
    {

        string skills = Path.Combine(Path.GetTempPath(), "skills-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(skills, "greeting"));
        File.WriteAllText(Path.Combine(skills, "greeting", "SKILL.md"), "---\nname: greeting\ndescription: Greets warmly.\n---\nSay hello from the skill.");

        using var model = new ScriptedChatClient()
            .ReplyToolCall("load_skill", new { name = "greeting" })
            .ReplyText("Hello from the skill!");
        var config = new InMemoryConfigSource();
        config.Set("Executus:Budget:Prices:Fallback:Input", "0");   // the budget refuses unpriced models
        config.Set("Executus:Budget:Prices:Fallback:Output", "0");

        var services = new ServiceCollection();
        services.AddExecutus()
            .UseConfigSource(config)
            .UseChatClient(model)
            .AddAgent(new RunnableAgent("helper") { Instructions = "You help." })
            .AddBatteries()
            .AddSkillsFrom(skills);
        await using var provider = services.BuildServiceProvider();
        provider.ValidateBatteries();

        var caller = new CallerIdentity("ann");
        RunnableAgent agent = (await provider.GetRequiredService<BatteryAgentFactory>().CreateAsync("helper", caller))!;
        RunResult result = await provider.GetRequiredService<Executor>().RunAsync(new RunRequest(agent, "Greet me") { Caller = caller });
        output.WriteLine($"{result.Outcome}: {result.Text}");

        await provider.GetRequiredService<AuditWriter>().FlushAsync();
        AuditPage page = await provider.GetRequiredService<IAuditStore>().QueryAsync(new AuditQuery { RunId = result.RunId });
        output.WriteLine("audit: " + string.Join(", ", page.Records.Reverse().Select(r => r.Kind).Distinct().Take(3)));
    }
}
