// QuickStart: the Executus foundation end to end, offline.
// A scripted model (Executus.Testing) asks for two real tools through M.E.AI's function invocation, a tool
// produces an attachment, and the answer goes out through Executus's delivery seam. The run kernel
// (Executor, budgets, timeouts) is not built yet; see README's status table.
using System.Globalization;
using System.Text;
using Executus;
using Executus.Attachments;
using Executus.Configuration;
using Executus.Deliver;
using Executus.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

using ServiceProvider services = new ServiceCollection()
    .AddExecutus()
    .UseDelivery(new StdoutDelivery())
    .Services.BuildServiceProvider();

IConfigSource config = services.GetRequiredService<IConfigSource>();
TimeProvider time = services.GetRequiredService<TimeProvider>();
var attachments = new PendingAttachments(services.GetRequiredService<IOptions<ExecutusOptions>>().Value.Attachments);
int maxIterations = config.GetInt("Executus:QuickStart:MaxIterations", 5, min: 1);

AIFunction clock = AIFunctionFactory.Create(
    (string zone) => TimeZoneInfo.ConvertTime(time.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById(zone)).ToString("u", CultureInfo.InvariantCulture),
    "clock",
    "The current time in an IANA time zone, e.g. UTC or Europe/Paris.");
AIFunction calculator = AIFunctionFactory.Create(
    (double a, double b, string op) =>
    {
        double result = op switch { "+" => a + b, "-" => a - b, "*" => a * b, "/" => a / b, _ => throw new ArgumentException($"Unknown operator '{op}'.", nameof(op)) };
        attachments.Add(new DataContent(Encoding.UTF8.GetBytes($"{a} {op} {b} = {result}\n"), "text/plain") { Name = "working.txt" });
        return result;
    },
    "calculator",
    "Applies + - * / to two numbers and files the working as an attachment.");

// Offline by default: a scripted model that plays a short, fixed conversation.
using var model = new ScriptedChatClient("scripted-quickstart")
    .ReplyToolCall("clock", new { zone = "UTC" })
    .ReplyToolCall("calculator", new { a = 6, b = 7, op = "*" });
// The last answer is composed from what the tools really returned (the scripted model reads its request).
model.Reply(request =>
{
    IReadOnlyList<FunctionResultContent> results = request.FunctionResults;
    return model.CreateResponse(
        [new TextContent($"The time in UTC is {results[0].Result}, and 6 × 7 = {results[1].Result}. The working is attached.")],
        new UsageDetails { InputTokenCount = 120, OutputTokenCount = 18, TotalTokenCount = 138 });
});

Console.WriteLine("Executus QuickStart — offline, on a SCRIPTED model (no network, no API key).");
using IChatClient client = model.AsBuilder()
    .UseFunctionInvocation(configure: f => f.MaximumIterationsPerRequest = maxIterations)
    .Build();

ChatResponse response = await client.GetResponseAsync(
    "What time is it in UTC, and what is 6 times 7?",
    new ChatOptions { Tools = [clock, calculator] });

foreach (FunctionCallContent call in response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>())
{
    Console.WriteLine($"tool call: {call.Name}({string.Join(", ", call.Arguments?.Select(a => $"{a.Key}={a.Value}") ?? [])})");
}

foreach (FunctionResultContent result in response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>())
{
    Console.WriteLine($"tool result: {result.Result}");
}

await services.GetRequiredService<IDelivery>().DeliverAsync(new Delivery(response.Text) { Attachments = attachments.Drain() });
Console.WriteLine($"model calls: {model.Requests.Count}, tokens: {response.Usage?.TotalTokenCount ?? 0}");
