// The crash host: one agent run on a slow scripted model with the SQLite checkpoint and audit stores.
// Usage: dotnet Executus.CrashHost.dll <database file> <steps> <delay ms> [<kill point>]
// At start it lets InterruptedRunRecovery resume an interrupted run; when there is none it starts run "crash-run".
// Progress goes to stdout, one line each, so the test can kill the process at a known point:
//   MODEL <k>   a model call begins (k = tool results so far)      TOOL <k>   the tool call k begins
//   RESUMED | STARTED                                              RESULT <transcript JSON>   the run ended
// With a kill point (one of the MODEL/TOOL lines) the host prints that line only after the mode line, then blocks
// there until it is killed: the test's SIGKILL always lands at that exact point, however slow the machine is.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Executus;
using Executus.Checkpoints;
using Executus.Runs;
using Executus.Testing;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

string database = args[0];
int steps = int.Parse(args[1], CultureInfo.InvariantCulture);
var delay = TimeSpan.FromMilliseconds(int.Parse(args[2], CultureInfo.InvariantCulture));
string? killPoint = args.Length > 3 ? args[3] : null;
var modeSaid = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
Console.Out.Flush();
var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
void Say(string line)
{
    lock (stdout)
    {
        stdout.WriteLine(line);
    }
}

// Why: the kill must land at the marker, not wherever the host got to by the time the test reacted (a loaded machine
// can run past a model delay and a tool call before the kill arrives, and a resume then starts after the next marker).
// So at the kill point the host says the mode line first (a resumed run reaches its first marker concurrently with
// the main flow), says the marker, and never returns: only the SIGKILL ends it.
async Task ReachAsync(string line)
{
    if (line != killPoint)
    {
        Say(line);
        return;
    }

    await modeSaid.Task.ConfigureAwait(false);
    Say(line);
    await Task.Delay(Timeout.Infinite).ConfigureAwait(false);
}

// The model answers from the transcript, not from a queue position, so a restarted process continues the same
// conversation: while fewer than `steps` tool results exist it calls add(k, 1), then it answers with the sum.
using var scripted = new ScriptedChatClient().WhenExhausted(request =>
{
    int k = request.FunctionResults.Count;
    AIContent content = k < steps
        ? new FunctionCallContent($"call-{k}", "add", new Dictionary<string, object?> { ["a"] = k, ["b"] = 1 })
        : new TextContent($"done after {k} tool calls");
    return new ChatResponse(new ChatMessage(ChatRole.Assistant, [content]) { MessageId = $"step-{k}" }) { ModelId = "scripted-model" };
});
IChatClient model = new SlowModel(scripted, delay, ReachAsync);

var services = new ServiceCollection();
services.AddExecutus()
    .UseChatClient(model)
    .AddTool(
        AIFunctionFactory.Create(
            async (int a, int b, CancellationToken cancellationToken) =>
            {
                await ReachAsync($"TOOL {a}").ConfigureAwait(false);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                return a + b;
            },
            "add",
            "Adds two integers, slowly."),
        // Why Write + SafeToRepeat: the checkpointer saves before the call, so a kill during it leaves the call in
        // flight, and the resume re-runs it (the in-flight rule) — the transcript then equals an uninterrupted run's.
        new ToolMetadata { SideEffect = SideEffect.Write, SafeToRepeat = true })
    .AddAudit()
    .AddCheckpointing(o => o.MinInterval = TimeSpan.Zero)
    .AddInterruptedRunRecovery(o => o.MaxResumeAttempts = 100)
    .UseSqlite($"Data Source={database}");
await using ServiceProvider provider = services.BuildServiceProvider();

var agent = new RunnableAgent("crash-agent") { Tools = ["add"], MaxIterations = steps + 5, Timeout = TimeSpan.FromMinutes(5) };
var recovery = provider.GetRequiredService<InterruptedRunRecovery>();
await recovery.StartAsync(CancellationToken.None);
RunResult result;
if (recovery.LastReport?.Resumed.TryGetValue("crash-run", out Task<RunResult>? resumed) == true)
{
    Say("RESUMED");
    modeSaid.SetResult();
    result = await resumed;
}
else
{
    Say("STARTED");
    modeSaid.SetResult();
    result = await provider.GetRequiredService<Executor>().RunAsync(new RunRequest(agent, "Count up, one tool call at a time.") { RunId = "crash-run" });
}

await recovery.StopAsync(CancellationToken.None);
var transcript = new JsonArray();
foreach (ChatMessage message in result.Messages)
{
    var contents = new JsonArray();
    foreach (AIContent content in message.Contents)
    {
        contents.Add(content switch
        {
            TextContent text => new JsonObject { ["text"] = text.Text },
            FunctionCallContent call => new JsonObject { ["call"] = call.CallId, ["name"] = call.Name, ["args"] = JsonSerializer.Serialize(call.Arguments) },
            FunctionResultContent done => new JsonObject { ["result"] = done.CallId, ["value"] = done.Result?.ToString() },
            _ => new JsonObject { ["other"] = content.GetType().Name },
        });
    }

    transcript.Add(new JsonObject { ["role"] = message.Role.Value, ["contents"] = contents });
}

Say($"OUTCOME {result.Outcome} {result.Iterations}");
Say("RESULT " + transcript.ToJsonString());
return result.Outcome == RunOutcome.Completed ? 0 : 1;

/// <summary>Delays every model call and reports its start, so the test can kill the process inside it.</summary>
internal sealed class SlowModel(IChatClient inner, TimeSpan delay, Func<string, Task> reach) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        List<ChatMessage> list = [.. messages];
        await reach($"MODEL {list.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Count()}").ConfigureAwait(false);
        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        return await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
    }
}
