using System.Net;
using System.Text.Json;

namespace Executus.BotHost.Tests;

/// <summary>BotHost as a real process, through both channels. One class: the processes run one at a time.</summary>
public sealed class BotHostProcessTests : IDisposable
{
    private const string AliceKey = "alice-key-0123456789";
    private const string BobKey = "bob-key-9876543210";
    private const string OperatorKey = "olga-key-5555555555";
    private readonly string _state = Directory.CreateTempSubdirectory("bothost-test-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private static Dictionary<string, string> TwoCallers(params (string Key, string Value)[] more)
    {
        Dictionary<string, string> settings = BotProcess.Callers(("alice", AliceKey, "member"), ("bob", BobKey, "member"));
        foreach ((string key, string value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Fact]
    public async Task The_console_channel_chats_runs_commands_and_stops_at_end_of_input()
    {
        await using BotProcess bot = await BotProcess.StartAsync(_state, new Dictionary<string, string>(), http: false);
        await bot.WaitForLineAsync(l => l.Contains("offline, on a SCRIPTED model", StringComparison.Ordinal));
        await bot.WriteLineAsync("what time is it?");
        await bot.WaitForLineAsync(l => l.StartsWith("[run ", StringComparison.Ordinal) && l.Contains(": Completed", StringComparison.Ordinal));
        await bot.WriteLineAsync("please write the release notes");
        await bot.WaitForLineAsync(l => l.Contains("→ load_skill", StringComparison.Ordinal));
        await bot.WriteLineAsync("/audit kind=SkillLoaded");
        await bot.WaitForLineAsync(l => l.Contains("SkillLoaded", StringComparison.Ordinal) && l.Contains("load_skill", StringComparison.Ordinal));
        await bot.WriteLineAsync("/spend");
        await bot.WaitForLineAsync(l => l.StartsWith("spent ", StringComparison.Ordinal) && l.Contains("tokens left of 20000", StringComparison.Ordinal));
        await bot.WriteLineAsync("/persona nobody");
        await bot.WaitForLineAsync(l => l.Contains("error: there is no persona named 'nobody'", StringComparison.Ordinal));
        bot.CloseInput();
        Assert.Equal(0, await bot.WaitForExitAsync(BotProcess.Patience));
        Assert.Contains(bot.Lines, l => l.Contains("→ current_time", StringComparison.Ordinal));
        Assert.Contains(bot.Lines, l => l.StartsWith("bot: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Http_chat_streams_the_run_as_server_sent_events_and_the_run_can_be_read_back()
    {
        await using BotProcess bot = await BotProcess.StartAsync(_state, TwoCallers());
        List<SseEvent> events = await bot.ChatAsync("what time is it?", AliceKey);

        Assert.Equal("run_started", events[0].Type);
        string runId = events[0].Get("runId")!;
        Assert.Contains(events, e => e.Type == "tool_call" && e.Get("tool") == "current_time");
        Assert.Contains(events, e => e.Type == "tool_result" && e.Get("tool") == "current_time");
        Assert.Contains(events, e => e.Type == "text_delta");
        SseEvent finished = events[^1];
        Assert.Equal("run_finished", finished.Type);
        Assert.Equal("Completed", finished.Get("outcome"));
        Assert.All(events, e => Assert.Equal(runId, e.Get("runId")));

        JsonElement run = await bot.GetJsonAsync($"/api/runs/{runId}", AliceKey);
        Assert.Equal("Completed", run.GetProperty("status").GetString());
        JsonElement audit = await bot.GetJsonAsync($"/api/audit?run={runId}", AliceKey);
        Assert.Contains(audit.GetProperty("data").EnumerateArray(), r => r.GetProperty("kind").GetString() == "ToolCall");

        // The same command words as the console.
        JsonElement personas = await bot.CommandAsync("/personas", AliceKey);
        Assert.Contains(personas.GetProperty("data").EnumerateArray(), p => p.GetProperty("name").GetString() == "assistant");
        Assert.DoesNotContain(personas.GetProperty("data").EnumerateArray(), p => p.GetProperty("name").GetString() == "moderator");
        JsonElement skills = await bot.GetJsonAsync("/api/skills", AliceKey);
        Assert.Contains(skills.GetProperty("data").EnumerateArray(), s => s.GetProperty("name").GetString() == "release-notes");
        JsonElement versions = await bot.GetJsonAsync("/api/skills/release-notes/versions", AliceKey);
        Assert.Equal(1, versions.GetProperty("data")[0].GetProperty("version").GetInt32());
        using HttpResponseMessage rollback = await bot.Http.SendAsync(bot.Request(HttpMethod.Post, "/api/commands", AliceKey, new { command = "/skill activate release-notes 1" }));
        Assert.Equal(HttpStatusCode.BadRequest, rollback.StatusCode); // only admins move a shared skill
    }

    [Fact]
    public async Task The_audit_log_holds_a_run_as_soon_as_its_chat_has_answered_even_while_the_writer_lingers()
    {
        // The longest linger the writer accepts: events that arrive after its first write wait up to a second.
        await using BotProcess bot = await BotProcess.StartAsync(_state, TwoCallers(("Executus:Audit:Linger", "1s")));
        List<SseEvent> events = await bot.ChatAsync("what time is it?", AliceKey);
        string runId = events[0].Get("runId")!;

        JsonElement audit = await bot.GetJsonAsync($"/api/audit?run={runId}", AliceKey);
        string[] kinds = [.. audit.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("kind").GetString()!)];
        Assert.Contains("ToolCall", kinds);
        Assert.Contains("RunFinished", kinds);
    }

    [Fact]
    public async Task The_daily_digest_skill_is_scheduled_from_its_skill_file_and_runs_now_through_the_assistant()
    {
        Dictionary<string, string> settings = BotProcess.Callers(("olga", OperatorKey, "operator"));
        await using BotProcess bot = await BotProcess.StartAsync(_state, settings);
        JsonElement schedules = (await bot.GetJsonAsync("/api/console/schedules", OperatorKey)).GetProperty("schedules");
        JsonElement digest = Assert.Single(schedules.EnumerateArray(), s => s.GetProperty("id").GetString() == "skill:daily-digest");
        Assert.Equal("0 8 * * 1-5", digest.GetProperty("cron").GetString());
        Assert.Equal("skill daily-digest (agent assistant)", digest.GetProperty("target").GetString());
        Assert.Equal("skill-scheduler", digest.GetProperty("owner").GetString());
        Assert.Equal(3, digest.GetProperty("nextFires").GetArrayLength());

        using HttpResponseMessage run = await bot.Http.SendAsync(bot.Request(HttpMethod.Post, "/api/console/schedules/skill:daily-digest/run", OperatorKey));
        string body = await run.Content.ReadAsStringAsync();
        Assert.True(run.IsSuccessStatusCode, body);
        Assert.Contains("Completed", body, StringComparison.Ordinal);
        Assert.Contains("Skill schedule skill:daily-digest saved", bot.Stderr, StringComparison.Ordinal);

        // The next start reads the same schedule back from SQLite and finds nothing to change (nor a last firing to lose).
        bot.Terminate();
        Assert.Equal(0, await bot.WaitForExitAsync(BotProcess.Patience));
        await using BotProcess again = await BotProcess.StartAsync(_state, settings);
        JsonElement kept = Assert.Single((await again.GetJsonAsync("/api/console/schedules", OperatorKey)).GetProperty("schedules").EnumerateArray(), s => s.GetProperty("id").GetString() == "skill:daily-digest");
        Assert.Equal("Completed", kept.GetProperty("lastOutcome").GetString());
        Assert.DoesNotContain("Skill schedule skill:daily-digest saved", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_secret_in_a_tool_result_is_masked_in_the_kept_run_view_as_in_its_arguments()
    {
        await using BotProcess bot = await BotProcess.StartAsync(_state, TwoCallers());
        await bot.ChatAsync("remember the db password: hunter2, api_key=sk-live-42 and colour: blue", AliceKey);
        List<SseEvent> recall = await bot.ChatAsync("recall what you remember", AliceKey);
        string runId = recall[0].Get("runId")!;

        JsonElement run = await bot.GetJsonAsync($"/api/runs/{runId}", AliceKey);
        JsonElement result = Assert.Single(run.GetProperty("events").EnumerateArray(), e => e.GetProperty("type").GetString() == "tool_result");
        Assert.Equal("memory_get", result.GetProperty("tool").GetString());
        string view = result.GetProperty("result").GetString()!;
        Assert.DoesNotContain("hunter2", view, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-live-42", view, StringComparison.Ordinal);
        Assert.Contains("password: ***", view, StringComparison.Ordinal);
        Assert.Contains("api_key=***", view, StringComparison.Ordinal);
        Assert.Contains("colour: blue", view, StringComparison.Ordinal); // only secret-named values are masked
    }

    [Fact]
    public async Task A_run_past_the_critics_soft_deadline_without_progress_is_escalated_and_the_escalation_reaches_the_inbox_and_the_log()
    {
        await using BotProcess bot = await BotProcess.StartAsync(_state, TwoCallers(
            ("Executus:Critic:SoftDeadline", "1s"),
            ("Executus:Critic:Rules:SilentIterations", "1"),
            ("BotHost:Demo:SlowDelay", "2s")));
        List<SseEvent> events = await bot.ChatAsync("dawdle, then tell me the time", AliceKey);
        string runId = events[0].Get("runId")!;

        // Why Single with the verdict: on a loaded machine the first boundary may already be past the soft deadline,
        // where the reviewer sees progress and extends (also a verdict); the escalation is still one.
        SseEvent verdict = Assert.Single(events, e => e.Type == "critic_verdict" && e.Get("verdict") == "Escalate");
        Assert.Contains("No progress", verdict.Get("warning"), StringComparison.Ordinal);
        Assert.Equal("Escalated", events[^1].Get("outcome"));

        // The run streamed live, yet the escalation is kept for the people behind it: inbox, log and audit.
        JsonElement item = Assert.Single((await bot.GetJsonAsync("/api/inbox", AliceKey)).EnumerateArray(), i => i.GetProperty("runId").GetString() == runId);
        Assert.StartsWith($"Run {runId} escalated: No progress", item.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains($"Delivered to alice (run {runId}", bot.Stderr, StringComparison.Ordinal);
        JsonElement audit = await bot.GetJsonAsync($"/api/audit?run={runId}&kind=CriticVerdict", AliceKey);
        Assert.NotEmpty(audit.GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task A_body_that_is_not_json_or_a_mistyped_query_value_gets_a_json_error_naming_it_and_without_a_key_still_401()
    {
        await using BotProcess bot = await BotProcess.StartAsync(_state, TwoCallers());
        foreach ((HttpMethod method, string path, string? body, string named) in ((HttpMethod, string, string?, string)[])[
            (HttpMethod.Post, "/api/chat", "not json", "ChatRequest body"),
            (HttpMethod.Post, "/api/chat", """{"message": 123}""", "ChatRequest body"),
            (HttpMethod.Get, "/api/audit?limit=many", null, "limit")])
        {
            foreach (string? key in (string?[])[AliceKey, null])
            {
                using HttpRequestMessage request = bot.Request(method, path, key);
                if (body is not null)
                {
                    request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
                }

                using HttpResponseMessage response = await bot.Http.SendAsync(request);
                JsonElement error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                if (key is null)
                {
                    Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
                    Assert.Contains("API key", error.GetProperty("error").GetString(), StringComparison.Ordinal);
                }
                else
                {
                    Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                    Assert.Contains(named, error.GetProperty("error").GetString(), StringComparison.Ordinal);
                }
            }
        }

        Assert.Empty((await bot.GetJsonAsync("/api/runs", AliceKey)).GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task A_request_without_a_valid_key_gets_401_and_costs_nothing()
    {
        await using BotProcess bot = await BotProcess.StartAsync(_state, TwoCallers());
        foreach (string? key in (string?[])[null, "wrong-key", AliceKey + "x"])
        {
            using HttpResponseMessage chat = await bot.Http.SendAsync(bot.Request(HttpMethod.Post, "/api/chat", key, new { message = "write an essay" }));
            Assert.Equal(HttpStatusCode.Unauthorized, chat.StatusCode);
            using HttpResponseMessage budget = await bot.Http.SendAsync(bot.Request(HttpMethod.Get, "/api/budget", key));
            Assert.Equal(HttpStatusCode.Unauthorized, budget.StatusCode);
        }

        JsonElement spend = await bot.GetJsonAsync("/api/budget", AliceKey);
        Assert.Equal(0, spend.GetProperty("data").GetProperty("tokens").GetInt64());
        JsonElement audit = await bot.GetJsonAsync("/api/audit", AliceKey);
        Assert.Empty(audit.GetProperty("data").EnumerateArray());
        Assert.Empty((await bot.GetJsonAsync("/api/runs", AliceKey)).GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task One_caller_never_reads_another_callers_runs_audit_rows_or_memory()
    {
        await using BotProcess bot = await BotProcess.StartAsync(_state, TwoCallers());
        List<SseEvent> alice = await bot.ChatAsync("remember the vault code is 4711", AliceKey);
        string aliceRun = alice[0].Get("runId")!;
        Assert.Contains(alice, e => e.Type == "tool_call" && e.Get("tool") == "memory_set");

        using HttpResponseMessage peek = await bot.Http.SendAsync(bot.Request(HttpMethod.Get, $"/api/runs/{aliceRun}", BobKey));
        Assert.Equal(HttpStatusCode.NotFound, peek.StatusCode);
        JsonElement bobAudit = await bot.GetJsonAsync($"/api/audit?run={aliceRun}", BobKey);
        Assert.Empty(bobAudit.GetProperty("data").EnumerateArray());
        JsonElement bobAll = await bot.GetJsonAsync("/api/audit?limit=500", BobKey);
        Assert.Empty(bobAll.GetProperty("data").EnumerateArray());

        List<SseEvent> bob = await bot.ChatAsync("recall what you remember", BobKey);
        SseEvent recalled = bob.Single(e => e.Type == "tool_result" && e.Get("tool") == "memory_get");
        Assert.DoesNotContain("4711", recalled.Get("result"), StringComparison.Ordinal);
        List<SseEvent> aliceAgain = await bot.ChatAsync("recall what you remember", AliceKey);
        Assert.Contains("4711", aliceAgain.Single(e => e.Type == "tool_result").Get("result"), StringComparison.Ordinal);

        // Roles map to tool permissions: a member is never offered the moderators' tool.
        List<SseEvent> announce = await bot.ChatAsync("announce free cake", BobKey);
        Assert.DoesNotContain(announce, e => e.Type == "tool_call");
        Assert.Contains("not available to you", announce[^1].Get("text"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_schedule_fires_through_its_lane_and_reaches_the_callers_inbox()
    {
        await using BotProcess bot = await BotProcess.StartAsync(_state, TwoCallers());
        JsonElement added = await bot.CommandAsync("/schedule add 2s assistant what time is it", AliceKey);
        string id = added.GetProperty("data").GetProperty("id").GetString()!;
        JsonElement inbox = default;
        for (int i = 0; i < 100 && (inbox.ValueKind != JsonValueKind.Array || inbox.GetArrayLength() == 0); i++)
        {
            await Task.Delay(200);
            inbox = await bot.GetJsonAsync("/api/inbox", AliceKey);
        }

        JsonElement item = inbox[0];
        Assert.Equal(id, item.GetProperty("schedule").GetString());
        Assert.Equal("Completed", item.GetProperty("outcome").GetString());
        Assert.Contains("tool said", item.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Empty((await bot.GetJsonAsync("/api/inbox", BobKey)).EnumerateArray());
        Assert.Empty((await bot.GetJsonAsync("/api/schedules", BobKey)).GetProperty("data").EnumerateArray());
        JsonElement removed = await bot.CommandAsync($"/schedule remove {id}", AliceKey);
        Assert.Equal(id, removed.GetProperty("data").GetProperty("removed").GetString());
    }

    [Fact]
    public async Task The_budget_warns_past_its_soft_limit_and_refuses_at_the_cap()
    {
        await using BotProcess bot = await BotProcess.StartAsync(_state, TwoCallers(("Executus:Budget:Limits:caller:Tokens", "10000")));
        List<SseEvent> first = await bot.ChatAsync("write an essay", AliceKey);
        Assert.Equal("Completed", first[^1].Get("outcome"));
        Assert.DoesNotContain(first, e => e.Type == "budget_warning");

        List<SseEvent> second = await bot.ChatAsync("write an essay", AliceKey);
        Assert.Contains(second, e => e.Type == "budget_warning");
        Assert.Equal("Completed", second[^1].Get("outcome"));

        List<SseEvent> third = await bot.ChatAsync("write an essay", AliceKey);
        Assert.Equal("BudgetExceeded", third[^1].Get("outcome"));
        Assert.DoesNotContain(third, e => e.Type == "model_call");
        JsonElement refused = await bot.GetJsonAsync("/api/audit?kind=BudgetRefused", AliceKey);
        Assert.Single(refused.GetProperty("data").EnumerateArray());

        // Bob's budget is his own.
        List<SseEvent> bob = await bot.ChatAsync("write an essay", BobKey);
        Assert.Equal("Completed", bob[^1].Get("outcome"));
    }

    [Fact]
    public async Task Killed_with_sigkill_mid_run_the_run_resumes_at_the_next_start_and_completes_with_nothing_lost()
    {
        Dictionary<string, string> settings = TwoCallers(("BotHost:Demo:SlowDelay", "4s"));
        string runId;
        string[] rowsBeforeKill;
        await using (BotProcess first = await BotProcess.StartAsync(_state, settings))
        {
            List<SseEvent> started = await first.ChatAsync("a slow one please", AliceKey, until: e => e.Type == "tool_result");
            runId = started[0].Get("runId")!;

            // The tool turn is checkpointed (MinInterval 0) and its audit rows flushed before the kill.
            JsonElement rows = default;
            for (int i = 0; i < 50; i++)
            {
                rows = await first.GetJsonAsync($"/api/audit?run={runId}", AliceKey);
                if (rows.GetProperty("data").EnumerateArray().Any(r => r.GetProperty("kind").GetString() == "ToolCall"))
                {
                    break;
                }

                await Task.Delay(100);
            }

            rowsBeforeKill = [.. rows.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("id").GetString()!)];
            Assert.NotEmpty(rowsBeforeKill);
            first.Kill();
            await first.WaitForExitAsync(BotProcess.Patience);
        }

        await using BotProcess second = await BotProcess.StartAsync(_state, settings);
        JsonElement run = default;
        for (int i = 0; i < 300; i++)
        {
            run = await second.GetJsonAsync($"/api/runs/{runId}", AliceKey);
            if (run.GetProperty("status").GetString() is "Completed")
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal("Completed", run.GetProperty("status").GetString());
        JsonElement inbox = await second.GetJsonAsync("/api/inbox", AliceKey);
        JsonElement delivered = inbox.EnumerateArray().Single(i => i.GetProperty("runId").GetString() == runId);
        Assert.Contains("tool said", delivered.GetProperty("text").GetString(), StringComparison.Ordinal);

        JsonElement after = await second.GetJsonAsync($"/api/audit?run={runId}&limit=500", AliceKey);
        string[] rowsAfter = [.. after.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("id").GetString()!)];
        Assert.Subset(rowsAfter.ToHashSet(), rowsBeforeKill.ToHashSet());
        Assert.Contains(after.GetProperty("data").EnumerateArray(), r => r.GetProperty("kind").GetString() == "RunResumed");
        Assert.Single(after.GetProperty("data").EnumerateArray(), r => r.GetProperty("kind").GetString() == "ToolCall"); // not repeated
        Assert.Empty((await second.CommandAsync("/interrupted", AliceKey)).GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task Sigterm_checkpoints_the_running_run_and_the_next_start_resumes_it()
    {
        Dictionary<string, string> settings = TwoCallers(("BotHost:Demo:SlowDelay", "60s"), ("BotHost:DrainTimeout", "1s"));
        string runId;
        await using (BotProcess first = await BotProcess.StartAsync(_state, settings))
        {
            Task<List<SseEvent>> chat = first.ChatAsync("a slow one please", AliceKey);
            JsonElement runs = default;
            for (int i = 0; i < 100; i++)
            {
                runs = await first.GetJsonAsync("/api/runs", AliceKey);
                if (runs.GetProperty("data").EnumerateArray().Any())
                {
                    break;
                }

                await Task.Delay(100);
            }

            runId = runs.GetProperty("data")[0].GetProperty("runId").GetString()!;
            first.Terminate();
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("Interrupting 1 run(s)", first.Stderr, StringComparison.Ordinal);
            List<SseEvent> events = await chat;
            Assert.Equal("Cancelled", events[^1].Get("outcome"));
        }

        settings["BotHost:Demo:SlowDelay"] = "0s";
        await using BotProcess second = await BotProcess.StartAsync(_state, settings);
        JsonElement run = default;
        for (int i = 0; i < 300; i++)
        {
            run = await second.GetJsonAsync($"/api/runs/{runId}", AliceKey);
            if (run.GetProperty("status").GetString() is "Completed")
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal("Completed", run.GetProperty("status").GetString());
    }
}
