using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Executus.BotHost.Tests;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Executus.Console.Tests;

/// <summary>
/// The operator console in a real browser (Debian Chromium through Playwright) against BotHost as a real process. One
/// class: the bot processes run one at a time. Screenshots of every page go to <c>TestResults/console-screenshots</c>.
/// </summary>
public sealed partial class ConsoleTests : IClassFixture<ChromiumFixture>, IAsyncLifetime
{
    private const string OperatorKey = "ops-key-0123456789";
    private const string AliceKey = "alice-key-0123456789";
    private const string BobKey = "bob-key-9876543210";

    private readonly ChromiumFixture _chromium;
    private readonly ITestOutputHelper _output;
    private readonly string _state = Directory.CreateTempSubdirectory("console-test-").FullName;
    private readonly List<IBrowserContext> _contexts = [];
    private readonly List<string> _pageErrors = [];

    static ConsoleTests() => SetDefaultExpectTimeout(60_000);

    public ConsoleTests(ChromiumFixture chromium, ITestOutputHelper output)
    {
        _chromium = chromium;
        _output = output;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (IBrowserContext context in _contexts)
        {
            await context.CloseAsync();
        }

        Directory.Delete(_state, recursive: true);
    }

    private static Dictionary<string, string> Settings(params (string Key, string Value)[] more)
    {
        Dictionary<string, string> settings = BotProcess.Callers(("ops", OperatorKey, "operator"), ("alice", AliceKey, "member"), ("bob", BobKey, "member"));
        foreach ((string key, string value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Fact]
    public async Task Every_page_shows_an_operator_its_data_is_keyboard_usable_and_readable_at_1280x800_and_400px()
    {
        await using BotProcess bot = await BotProcess.StartAsync(_state, Settings());
        string aliceRun = (await bot.ChatAsync("what time is it?", AliceKey))[0].Get("runId")!;
        string bobRun = (await bot.ChatAsync("please write the release notes", BobKey))[0].Get("runId")!;
        JsonElement added = await bot.CommandAsync("/schedule add 1h assistant what time is it", AliceKey);
        string scheduleId = added.GetProperty("data").GetProperty("id").GetString()!;
        await WaitForAuditAsync(bot, $"run={bobRun}&kind=RunFinished");

        // Runs: every caller's runs for an operator.
        IPage page = await OpenAsync(bot, "runs.html", OperatorKey);
        await Expect(page.Locator("#who-caller")).ToHaveTextAsync("ops");
        await Expect(page.Locator("#who")).ToContainTextAsync("operator");
        await Expect(page.Locator($"#runs-table tr[data-run='{aliceRun}']")).ToContainTextAsync("alice");
        await Expect(page.Locator($"#runs-table tr[data-run='{bobRun}']")).ToContainTextAsync("Completed");
        await ShotAsync(page, "runs");

        // Keyboard: on a fresh load (the key stays in the tab's sessionStorage) the first Tab reaches the skip link, which
        // shows a visible focus outline; the nav items are real links.
        await page.ReloadAsync();
        await Expect(page.Locator("#content")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        Assert.Equal("solid", await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle"));
        await page.Keyboard.PressAsync("Tab"); // brand
        await page.Keyboard.PressAsync("Tab"); // Runs
        await page.Keyboard.PressAsync("Tab"); // Spend
        Assert.Equal("Spend", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/spend.html");

        // Spend: the chart for the top spender with the caller limit drawn, and the top spenders.
        await Expect(page.Locator("#spend-chart")).ToBeVisibleAsync();
        await Expect(page.Locator("#spend-chart line.limit")).ToHaveAttributeAsync("data-limit", "20000");
        await Expect(page.Locator("#spend-chart rect.bar")).ToHaveCountAsync(8); // 7 days touch 8 UTC days
        await Expect(page.Locator("#top-table")).ToContainTextAsync("caller:alice");
        await Expect(page.Locator("#top-table")).ToContainTextAsync("caller:bob");
        await ShotAsync(page, "spend");
        await Field(page, "Account type").SelectOptionAsync("agent");
        await Expect(page.Locator("#top-table")).ToContainTextAsync("agent:assistant");

        await Nav(page, "Audit").ClickAsync();
        await Expect(page.Locator("#audit-table tbody tr[data-kind='RunFinished']").First).ToBeVisibleAsync();
        await ShotAsync(page, "audit");

        await Nav(page, "Skills & personas").ClickAsync();
        await Expect(page.Locator("[data-skill='release-notes']")).ToContainTextAsync("active v1 of 1");
        await Expect(page.Locator("#personas-table")).ToContainTextAsync("moderator");
        await ShotAsync(page, "skills");

        // Schedules: next fires in the schedule's zone (UTC here: 1h schedules fire on the hour), disable, run now.
        await Nav(page, "Schedules").ClickAsync();
        ILocator row = page.Locator($"#schedules-table tr[data-schedule='{scheduleId}']");
        await Expect(row.Locator("li")).ToHaveCountAsync(3);
        Assert.Matches(HourlyFire(), await row.Locator("li").First.TextContentAsync());
        await ShotAsync(page, "schedules");
        await row.GetByRole(AriaRole.Button, new() { Name = $"Disable {scheduleId}" }).ClickAsync();
        await Expect(row).ToContainTextAsync("disabled");
        await row.GetByRole(AriaRole.Button, new() { Name = $"Run {scheduleId} now" }).ClickAsync();
        await Expect(page.Locator("#status")).ToContainTextAsync($"{scheduleId} ran: Completed");
        await Expect(row).ToContainTextAsync("Completed");
        JsonElement schedules = await bot.GetJsonAsync("/api/schedules", AliceKey);
        Assert.Equal("Completed", schedules.GetProperty("data")[0].GetProperty("lastOutcome").GetString());

        // The operator's changes are audited with the operator's identity.
        JsonElement actions = await WaitForAuditAsync(bot, "kind=OperatorAction", rows => rows.GetArrayLength() >= 2);
        Assert.All(actions.EnumerateArray(), r => Assert.Equal("ops", r.GetProperty("caller").GetString()));
        Assert.Contains(actions.EnumerateArray(), r => r.GetProperty("detail").GetString()!.Contains($"schedule '{scheduleId}' disabled", StringComparison.Ordinal));
        Assert.Contains(actions.EnumerateArray(), r => r.GetProperty("detail").GetString()!.Contains($"schedule '{scheduleId}' run now", StringComparison.Ordinal));

        await Nav(page, "Runs").ClickAsync();
        await page.Locator($"#runs-table tr[data-run='{bobRun}'] a").ClickAsync();
        await Expect(page.Locator("#run-outcome")).ToHaveTextAsync("Completed");
        await Expect(page.Locator("#events li[data-type='tool_call']").First).ToContainTextAsync("load_skill");
        await ShotAsync(page, "run");

        // A narrow window (~400 px): no sideways scrolling, tables become one card per row.
        foreach (string narrow in (string[])["runs.html", "audit.html", "spend.html", "skills.html", "schedules.html", $"run.html?id={bobRun}"])
        {
            IPage small = await OpenAsync(bot, narrow, OperatorKey, width: 400, height: 800);
            await Expect(small.Locator("#content h1")).ToBeVisibleAsync();
            await small.WaitForLoadStateAsync(LoadState.NetworkIdle);
            int overflow = await small.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            Assert.True(overflow <= 0, $"{narrow} scrolls sideways by {overflow}px at 400px");
            await ShotAsync(small, "narrow-" + narrow.Split('.')[0]);
        }

        Assert.Empty(_pageErrors);
    }

    [Fact]
    public async Task A_chat_started_on_the_runs_page_shows_its_events_live_on_the_run_page()
    {
        await using BotProcess bot = await BotProcess.StartAsync(_state, Settings(("BotHost:Demo:SlowDelay", "8s")));
        IPage page = await OpenAsync(bot, "runs.html", AliceKey);
        await Field(page, "Message").FillAsync("a slow one please");
        await Field(page, "Message").PressAsync("Enter");
        await page.WaitForURLAsync("**/run.html?id=*");
        await page.EvaluateAsync("() => { window.sameDocument = true; }");

        // The tool call is there while the model still thinks (SlowDelay): the run is running, no outcome yet.
        await Expect(page.Locator("#events li[data-type='tool_call']")).ToContainTextAsync("current_time");
        await Expect(page.Locator("#events li[data-type='tool_result']")).ToContainTextAsync("UTC");
        await Expect(page.Locator("#events li[data-type='model_call']").First).ToContainTextAsync("tokens");
        await Expect(page.Locator("#run-status")).ToHaveTextAsync("running");
        await Expect(page.Locator("#live-badge")).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("#events li[data-type='run_finished']").CountAsync());
        await ShotAsync(page, "run-live", settle: false); // Why: a live run keeps its event stream open, so the network never idles.

        // Then the outcome arrives on the same page, without a reload.
        await Expect(page.Locator("#run-outcome")).ToHaveTextAsync("Completed");
        await Expect(page.Locator("#run-status")).ToHaveTextAsync("Completed");
        await Expect(page.Locator("#events li[data-type='model_call']")).ToHaveCountAsync(2);
        await Expect(page.Locator("#run-answer")).ToContainTextAsync("tool said");
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"));

        // A denied tool call is shown as a denial (the SSRF guard refuses the metadata address before any request).
        await Nav(page, "Runs").ClickAsync();
        await Field(page, "Message").FillAsync("fetch http://169.254.169.254/latest/meta-data");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await page.WaitForURLAsync("**/run.html?id=*");
        await Expect(page.Locator("#run-outcome")).ToHaveTextAsync("Completed");
        ILocator denied = page.Locator("#events li[data-type='tool_result'].denied");
        await Expect(denied).ToContainTextAsync("web_fetch");
        await Expect(denied.Locator(".badge")).ToHaveTextAsync("denied");
        await Expect(page.Locator("#events li[data-type='tool_call']")).ToContainTextAsync("169.254.169.254");
        await ShotAsync(page, "run-denied");
        Assert.Empty(_pageErrors);
    }

    [Fact]
    public async Task The_audit_page_filters_by_kind_tool_run_caller_and_time_and_pages_through_the_rows()
    {
        await using BotProcess bot = await BotProcess.StartAsync(_state, Settings());
        string first = (await bot.ChatAsync("what time is it?", AliceKey))[0].Get("runId")!;
        await bot.ChatAsync("remember the code is 42", AliceKey);
        await bot.ChatAsync("what time is it now?", AliceKey);
        string bobRun = (await bot.ChatAsync("what time is it?", BobKey))[0].Get("runId")!;
        await WaitForAuditAsync(bot, $"run={bobRun}&kind=RunFinished");

        IPage page = await OpenAsync(bot, "audit.html", OperatorKey);
        ILocator rows = page.Locator("#audit-table tbody tr");
        await Expect(rows.First).ToHaveAttributeAsync("data-kind", new Regex("."));

        // Overlapping searches: the first answer is held until the second has been shown; it must not replace it.
        var held = new TaskCompletionSource();
        static bool ToolCalls(string url) => url.Contains("/api/console/audit", StringComparison.Ordinal) && url.Contains("kind=ToolCall", StringComparison.Ordinal);
        await page.RouteAsync(ToolCalls, async route =>
        {
            await held.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await route.ContinueAsync();
        });
        await Field(page, "Kind").SelectOptionAsync("ToolCall");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Field(page, "Kind").SelectOptionAsync("RunStarted");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.Locator("#audit-table tbody tr[data-kind='RunStarted']")).ToHaveCountAsync(4);
        Task<IResponse> lateAnswer = page.WaitForResponseAsync(r => ToolCalls(r.Url));
        held.SetResult();
        await lateAnswer;
        await page.UnrouteAsync(ToolCalls);
        await page.WaitForTimeoutAsync(500); // the page has read the late answer by now
        Assert.Equal(4, await page.Locator("#audit-table tbody tr[data-kind='RunStarted']").CountAsync());
        Assert.Equal(0, await page.Locator("#audit-table tbody tr[data-kind='ToolCall']").CountAsync());

        // kind + tool
        await Field(page, "Kind").SelectOptionAsync("ToolCall");
        await Field(page, "Tool").FillAsync("memory_set");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToContainTextAsync("memory_set");
        await Expect(rows.First).ToHaveAttributeAsync("data-kind", "ToolCall");
        Assert.Contains("kind=ToolCall", page.Url, StringComparison.Ordinal);
        await ShotAsync(page, "audit-filtered");

        // run
        await page.GetByRole(AriaRole.Button, new() { Name = "Clear" }).ClickAsync();
        await Field(page, "Run").FillAsync(first);
        await Field(page, "Run").PressAsync("Enter");
        await Expect(page.Locator("#audit-table tbody tr[data-kind='RunFinished']")).ToHaveCountAsync(1);
        foreach (string runCell in await page.Locator("#audit-table tbody td[data-label='Run']").AllTextContentsAsync())
        {
            Assert.Equal(first, runCell);
        }

        // caller
        await Field(page, "Run").FillAsync("");
        await Field(page, "Caller").FillAsync("bob");
        await Field(page, "Caller").PressAsync("Enter");

        // Why first: the run filter's table (alice's first run) also holds one RunStarted row; wait until no row of
        // another caller is left, so the count below is read from bob's answer.
        await Expect(page.Locator("#audit-table tbody td[data-label='Caller']").Filter(new() { HasNotText = "bob" })).ToHaveCountAsync(0);
        await Expect(page.Locator("#audit-table tbody tr[data-kind='RunStarted']")).ToHaveCountAsync(1);
        Assert.All(await page.Locator("#audit-table tbody td[data-label='Caller']").AllTextContentsAsync(), c => Assert.Equal("bob", c));

        // agent + outcome
        await Field(page, "Caller").FillAsync("");
        await Field(page, "Agent").FillAsync("assistant");
        await Field(page, "Outcome").FillAsync("Completed");
        await Field(page, "Outcome").PressAsync("Enter");
        await Expect(page.Locator("#audit-table tbody tr[data-kind='RunFinished']")).ToHaveCountAsync(4);
        await Expect(rows).ToHaveCountAsync(4);
        await Field(page, "Agent").FillAsync("nobody");
        await Field(page, "Agent").PressAsync("Enter");
        await Expect(rows.First).ToContainTextAsync("No audit rows match.");
        await Field(page, "Agent").FillAsync("");
        await Field(page, "Outcome").FillAsync("");
        await Field(page, "Caller").FillAsync("bob");

        // time range: nothing before 2001, everything since 2001
        await Field(page, "Until").FillAsync("2001-01-01T00:00");
        await Field(page, "Until").PressAsync("Enter");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToContainTextAsync("No audit rows match.");
        await Field(page, "Until").FillAsync("");
        await Field(page, "From").FillAsync("2001-01-01T00:00");
        await Field(page, "From").PressAsync("Enter");
        await Expect(page.Locator("#audit-table tbody tr[data-kind='RunStarted']")).ToHaveCountAsync(1);

        // paging: 10 rows a page, older and newer
        await page.GetByRole(AriaRole.Button, new() { Name = "Clear" }).ClickAsync();
        await Field(page, "Rows per page").SelectOptionAsync("10");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(10);
        string newest = (await rows.First.TextContentAsync())!;
        await page.GetByRole(AriaRole.Button, new() { Name = "Older →" }).ClickAsync();
        await Expect(page.Locator("#page-number")).ToHaveTextAsync("Page 2");
        Assert.NotEqual(newest, await rows.First.TextContentAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "← Newer" }).ClickAsync();
        await Expect(page.Locator("#page-number")).ToHaveTextAsync("Page 1");
        Assert.Equal(newest, await rows.First.TextContentAsync());

        // A bad filter is refused with a message naming it.
        using HttpResponseMessage bad = await bot.Http.SendAsync(bot.Request(HttpMethod.Get, "/api/console/audit?kind=Nope", OperatorKey));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("'Nope' is not an audit kind", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(_pageErrors);
    }

    [Fact]
    public async Task Rolling_back_a_skill_on_the_page_takes_effect_on_the_next_run_and_is_audited_with_the_operator()
    {
        string data = CopyData();
        Dictionary<string, string> settings = Settings(("BotHost:DataDir", data));
        await using (BotProcess seeding = await BotProcess.StartAsync(_state, settings))
        {
            // Version 1 of release-notes is now in the bot's database.
        }

        // A changed SKILL.md becomes version 2 (active) at the next start.
        string skillFile = Path.Combine(data, "skills", "release-notes", "SKILL.md");
        await File.WriteAllTextAsync(skillFile, (await File.ReadAllTextAsync(skillFile)).Replace("# Release notes", "# Release notes (house style 2)", StringComparison.Ordinal));
        await using BotProcess bot = await BotProcess.StartAsync(_state, settings);

        IPage page = await OpenAsync(bot, "skills.html", OperatorKey);
        ILocator skill = page.Locator("[data-skill='release-notes']");
        await Expect(skill).ToContainTextAsync("active v2 of 2");
        Assert.Equal(2, await RunReleaseNotesAsync(page));

        await Nav(page, "Skills & personas").ClickAsync();
        await skill.GetByRole(AriaRole.Button, new() { Name = "Roll back to v1" }).ClickAsync();
        await Expect(page.Locator("#status")).ToHaveTextAsync("release-notes: version 1 is active");
        await Expect(skill).ToContainTextAsync("active v1 of 2");
        await Expect(skill.Locator("tr[data-version='1']")).ToContainTextAsync("active");
        await ShotAsync(page, "skills-rolled-back");

        // The next run loads version 1.
        Assert.Equal(1, await RunReleaseNotesAsync(page));

        // Audited: the store's SkillChanged row and the console's OperatorAction row naming the operator.
        await Nav(page, "Audit").ClickAsync();
        await Field(page, "Kind").SelectOptionAsync("OperatorAction");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        ILocator action = page.Locator("#audit-table tbody tr[data-kind='OperatorAction']");
        await Expect(action).ToHaveCountAsync(1);
        await Expect(action).ToContainTextAsync("rolled back version 2 -> 1");
        await Expect(action.Locator("td[data-label='Caller']")).ToHaveTextAsync("ops");
        JsonElement changed = await WaitForAuditAsync(bot, "kind=SkillChanged");
        Assert.Contains(changed.EnumerateArray(), r => r.GetProperty("detail").GetString() == "skill 'release-notes': active version 2 -> 1");

        // The lifecycle: retire (no longer offered to runs), then activate again.
        await Nav(page, "Skills & personas").ClickAsync();
        await skill.GetByRole(AriaRole.Button, new() { Name = "Retire release-notes" }).ClickAsync();
        await Expect(skill.Locator("[data-state]")).ToHaveTextAsync("Retired");
        await skill.GetByRole(AriaRole.Button, new() { Name = "Activate release-notes" }).ClickAsync();
        await Expect(skill.Locator("[data-state]")).ToHaveTextAsync("Active");
        JsonElement lifecycle = await WaitForAuditAsync(bot, "kind=OperatorAction", rows => rows.GetArrayLength() >= 3);
        Assert.Contains(lifecycle.EnumerateArray(), r => r.GetProperty("detail").GetString() == "skill 'release-notes': Active -> Retired");

        // Only an operator moves a skill.
        using HttpResponseMessage refused = await bot.Http.SendAsync(bot.Request(HttpMethod.Post, "/api/console/skills/active", AliceKey, new { name = "release-notes", version = 2 }));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Empty(_pageErrors);

        // A roll back outlives a restart: the unchanged SKILL.md is already a stored version, so the next start leaves
        // the operator's choice alone (before, every start made the folder's content the active version again).
        using (HttpResponseMessage back = await bot.Http.SendAsync(bot.Request(HttpMethod.Post, "/api/console/skills/active", OperatorKey, new { name = "release-notes", version = 1 })))
        {
            Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        }

        await bot.DisposeAsync();
        await using BotProcess restarted = await BotProcess.StartAsync(_state, settings);
        JsonElement skills = await restarted.GetJsonAsync("/api/console/skills", OperatorKey);
        JsonElement notes = skills.GetProperty("skills").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "release-notes");
        Assert.Equal((1, 2, "Active"), (notes.GetProperty("activeVersion").GetInt32(), notes.GetProperty("latestVersion").GetInt32(), notes.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task A_member_sees_only_its_own_runs_spend_audit_and_schedules_on_the_page_and_through_the_api()
    {
        await using BotProcess bot = await BotProcess.StartAsync(_state, Settings());
        string aliceRun = (await bot.ChatAsync("what time is it?", AliceKey))[0].Get("runId")!;
        string bobRun = (await bot.ChatAsync("what time is it?", BobKey))[0].Get("runId")!;
        string aliceSchedule = (await bot.CommandAsync("/schedule add 1h assistant what time is it", AliceKey)).GetProperty("data").GetProperty("id").GetString()!;
        string bobSchedule = (await bot.CommandAsync("/schedule add 1h assistant what time is it", BobKey)).GetProperty("data").GetProperty("id").GetString()!;
        await WaitForAuditAsync(bot, $"run={bobRun}&kind=RunFinished");

        // The page.
        IPage page = await OpenAsync(bot, "runs.html", BobKey);
        await Expect(page.Locator("#who")).ToContainTextAsync("own data only");
        await Expect(page.Locator($"#runs-table tr[data-run='{bobRun}']")).ToHaveCountAsync(1);
        Assert.Equal(0, await page.Locator($"#runs-table tr[data-run='{aliceRun}']").CountAsync());
        await page.GotoAsync(new Uri(bot.Url!, $"/console/run.html?id={aliceRun}").ToString());
        await Expect(page.Locator("#status")).ToContainTextAsync($"no run '{aliceRun}' that you may see");
        Assert.Equal(0, await page.Locator("#events li").CountAsync());
        await ShotAsync(page, "member-refused");
        await Nav(page, "Audit").ClickAsync();
        await Expect(Field(page, "Caller")).ToHaveValueAsync("bob");
        await Expect(page.Locator("#audit-table tbody tr[data-kind='RunStarted']")).ToHaveCountAsync(1);
        Assert.All(await page.Locator("#audit-table tbody td[data-label='Caller']").AllTextContentsAsync(), c => Assert.Equal("bob", c));
        await Nav(page, "Spend").ClickAsync();
        await Expect(page.Locator("#top-table tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#top-table")).ToContainTextAsync("caller:bob");
        await Expect(Field(page, "Account type")).ToBeDisabledAsync();
        await Nav(page, "Schedules").ClickAsync();
        await Expect(page.Locator($"#schedules-table tr[data-schedule='{bobSchedule}']")).ToHaveCountAsync(1);
        Assert.Equal(0, await page.Locator($"#schedules-table tr[data-schedule='{aliceSchedule}']").CountAsync());

        // The API, whatever the page does.
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(bot, HttpMethod.Get, $"/api/console/runs/{aliceRun}", BobKey));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(bot, HttpMethod.Get, $"/api/console/runs/{aliceRun}/events", BobKey));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(bot, HttpMethod.Post, $"/api/console/runs/{aliceRun}/resume", BobKey));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(bot, HttpMethod.Get, "/api/console/audit?caller=alice", BobKey));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(bot, HttpMethod.Get, "/api/console/spend?key=alice", BobKey));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(bot, HttpMethod.Get, "/api/console/spend?scope=global", BobKey));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(bot, HttpMethod.Post, $"/api/console/schedules/{aliceSchedule}/run", BobKey));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(bot, HttpMethod.Post, $"/api/console/schedules/{aliceSchedule}/enabled", BobKey, new { enabled = false }));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(bot, HttpMethod.Get, "/api/console/runs", "not-a-key"));
        JsonElement runs = await bot.GetJsonAsync("/api/console/runs", BobKey);
        Assert.DoesNotContain(runs.GetProperty("runs").EnumerateArray(), r => r.GetProperty("runId").GetString() == aliceRun);
        JsonElement audit = await bot.GetJsonAsync($"/api/console/audit?run={aliceRun}", BobKey);
        Assert.Empty(audit.GetProperty("rows").EnumerateArray());
        JsonElement schedules = await bot.GetJsonAsync("/api/console/schedules", BobKey);
        Assert.DoesNotContain(schedules.GetProperty("schedules").EnumerateArray(), s => s.GetProperty("id").GetString() == aliceSchedule);

        // An operator sees alice's run.
        JsonElement seen = await bot.GetJsonAsync($"/api/console/runs/{aliceRun}", OperatorKey);
        Assert.Equal("alice", seen.GetProperty("run").GetProperty("caller").GetString());
        Assert.Empty(_pageErrors);
    }

    [Fact]
    public async Task An_interrupted_run_is_resumed_from_the_runs_page_and_finishes_live()
    {
        string runId;
        await using (BotProcess first = await BotProcess.StartAsync(_state, Settings(("BotHost:Demo:SlowDelay", "120s"))))
        {
            runId = (await first.ChatAsync("a slow one please", AliceKey, until: e => e.Type == "tool_result"))[0].Get("runId")!;
            await WaitForAuditAsync(first, $"run={runId}&kind=ToolCall", key: AliceKey);
            first.Kill();
            await first.WaitForExitAsync(BotProcess.Patience);
        }

        // Notify: the restarted bot leaves the run for a person to resume.
        await using BotProcess bot = await BotProcess.StartAsync(_state, Settings(("BotHost:Demo:SlowDelay", "1s"), ("Executus:Checkpoint:Recovery:Policy", "Notify")));
        for (int i = 0; i < 100 && !(await bot.GetJsonAsync("/api/console/runs", OperatorKey)).GetProperty("interrupted").EnumerateArray().Any(); i++)
        {
            await Task.Delay(200);
        }

        IPage page = await OpenAsync(bot, "runs.html", OperatorKey);
        ILocator row = page.Locator($"#interrupted-table tr[data-run='{runId}']");
        await Expect(row).ToContainTextAsync("alice");
        await ShotAsync(page, "runs-interrupted");
        await row.GetByRole(AriaRole.Button, new() { Name = $"Resume run {runId}" }).ClickAsync();
        await page.WaitForURLAsync($"**/run.html?id={runId}");
        await Expect(page.Locator("#run-outcome")).ToHaveTextAsync("Completed");
        await Expect(page.Locator("#run-answer")).ToContainTextAsync("tool said");
        JsonElement resumed = await WaitForAuditAsync(bot, $"run={runId}&kind=OperatorAction");
        Assert.Equal("ops", resumed[0].GetProperty("caller").GetString());
        Assert.Empty((await bot.GetJsonAsync("/api/console/runs", OperatorKey)).GetProperty("interrupted").EnumerateArray());
        Assert.Empty(_pageErrors);
    }

    /// <summary>Chats "release notes" from the Runs page and returns the skill version load_skill reported on the run page.</summary>
    private static async Task<int> RunReleaseNotesAsync(IPage page)
    {
        await Nav(page, "Runs").ClickAsync();
        await Field(page, "Message").FillAsync("please write the release notes");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await page.WaitForURLAsync("**/run.html?id=*");
        await Expect(page.Locator("#run-outcome")).ToHaveTextAsync("Completed");
        string result = (await page.Locator("#events li[data-type='tool_result']").Filter(new() { HasText = "load_skill" }).TextContentAsync())!;
        return int.Parse(SkillVersion().Match(result).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<IPage> OpenAsync(BotProcess bot, string path, string key, int width = 1280, int height = 800)
    {
        IBrowserContext context = await _chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        _contexts.Add(context);
        context.SetDefaultTimeout(60_000);
        IPage page = await context.NewPageAsync();
        page.PageError += (_, error) =>
        {
            lock (_pageErrors)
            {
                _pageErrors.Add($"{page.Url}: {error}");
            }
        };
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.Contains("status of 40", StringComparison.Ordinal))
            {
                _output.WriteLine($"console error on {page.Url}: {message.Text}");
                if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
                {
                    lock (_pageErrors)
                    {
                        _pageErrors.Add($"{page.Url}: {message.Text}");
                    }
                }
            }
        };

        await page.GotoAsync(new Uri(bot.Url!, "/console/" + path).ToString());
        // Signing in: the key field has the focus; type the key and press Enter.
        await Expect(Field(page, "API key")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(key);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#content")).ToBeVisibleAsync();
        return page;
    }

    private static ILocator Nav(IPage page, string name) => page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true });

    private static ILocator Field(IPage page, string label) => page.GetByLabel(label, new() { Exact = true });

    private async Task ShotAsync(IPage page, string name, bool settle = true)
    {
        if (settle)
        {
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        }

        string path = Path.Combine(_chromium.ScreenshotDir, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        _output.WriteLine($"screenshot: {path}");
    }

    private static async Task<HttpStatusCode> StatusAsync(BotProcess bot, HttpMethod method, string path, string key, object? body = null)
    {
        using HttpResponseMessage response = await bot.Http.SendAsync(bot.Request(method, path, key, body ?? (method == HttpMethod.Post ? new { } : null)));
        return response.StatusCode;
    }

    /// <summary>Polls the console's audit route until it has rows (the audit writer batches), and returns them.</summary>
    private static async Task<JsonElement> WaitForAuditAsync(BotProcess bot, string query, Func<JsonElement, bool>? enough = null, string key = OperatorKey)
    {
        JsonElement rows = default;
        for (int i = 0; i < 150; i++)
        {
            rows = (await bot.GetJsonAsync($"/api/console/audit?{query}&limit=100", key)).GetProperty("rows");
            if (enough?.Invoke(rows) ?? rows.GetArrayLength() > 0)
            {
                return rows;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"no audit rows for {query}: {rows}");
    }

    private string CopyData()
    {
        string source = FindRepoFile(Path.Combine("examples", "BotHost", "data"));
        string target = Path.Combine(_state, "data");
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string to = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }

        return target;
    }

    private static string FindRepoFile(string relative)
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, relative);
            if (Directory.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "Executus.sln")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"{relative} not found above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:00:00 \+00:00$")]
    private static partial Regex HourlyFire();

    [GeneratedRegex(@"\(version (\d+)\)")]
    private static partial Regex SkillVersion();
}
