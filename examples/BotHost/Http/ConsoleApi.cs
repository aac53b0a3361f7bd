using System.Globalization;
using System.Text.Json;
using Executus.Auditing;
using Executus.Batteries.Audit;
using Executus.Batteries.Budget;
using Executus.Checkpoints;
using Executus.Configuration;
using Executus.Identity;
using Executus.Lanes;
using Executus.Personas;
using Executus.Runs;
using Executus.Schedules;
using Executus.Skills;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BotHost.Http;

/// <summary>
/// The JSON routes of the operator console (<c>/api/console/…</c>, behind the same API-key filter as the rest of the
/// API). A caller with the <see cref="OperatorRole"/> role sees every caller's runs, spend, audit rows and schedules and
/// may change skills; any other caller sees only its own runs, spend, audit rows and schedules — enforced here, not by
/// the page. Every change made through these routes is audited (<see cref="AuditEventKind.OperatorAction"/>) with the
/// identity of the caller who made it.
/// </summary>
internal sealed class ConsoleApi
{
    /// <summary>The role that makes an API caller an operator (<c>BotHost:Callers:{id}:Roles</c>).</summary>
    public const string OperatorRole = "operator";

    private const int DaysShown = 31;
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);
    private static readonly JsonSerializerOptions SseJson = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private readonly RunTracker _tracker;
    private readonly CheckpointRecovery _recovery;
    private readonly LaneRegistry _lanes;
    private readonly IAuditStore _auditStore;
    private readonly IAudit _audit;
    private readonly IBudgetStore _budgetStore;
    private readonly IConfigSource _config;
    private readonly ISkillStore _skills;
    private readonly SkillLibrary _library;
    private readonly IPersonaStore _personas;
    private readonly IScheduleStore _schedules;
    private readonly ScheduleRunner _runner;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<string> _tenants;
    private readonly CancellationToken _stopping;

    private ConsoleApi(IServiceProvider bot, ApiKeyAuthenticator authenticator)
    {
        _tracker = bot.GetRequiredService<RunTracker>();
        _recovery = bot.GetRequiredService<CheckpointRecovery>();
        _lanes = bot.GetRequiredService<LaneRegistry>();
        _auditStore = bot.GetRequiredService<IAuditStore>();
        _audit = bot.GetRequiredService<IAudit>();
        _budgetStore = bot.GetRequiredService<IBudgetStore>();
        _config = bot.GetRequiredService<IConfigSource>();
        _skills = bot.GetRequiredService<ISkillStore>();
        _library = bot.GetRequiredService<SkillLibrary>();
        _personas = bot.GetRequiredService<IPersonaStore>();
        _schedules = bot.GetRequiredService<IScheduleStore>();
        _runner = bot.GetRequiredService<ScheduleRunner>();
        _time = bot.GetService<TimeProvider>() ?? TimeProvider.System;
        _tenants = authenticator.Tenants;
        _stopping = bot.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
    }

    public static bool IsOperator(CallerIdentity caller) => caller.HasRole(OperatorRole);

    /// <summary>Maps the console's routes on the authenticated <c>/api</c> group.</summary>
    public static void Map(RouteGroupBuilder api, IServiceProvider bot, ApiKeyAuthenticator authenticator)
    {
        var console = new ConsoleApi(bot, authenticator);
        RouteGroupBuilder group = api.MapGroup("/console");
        group.MapGet("/me", (HttpContext http) =>
        {
            CallerIdentity caller = HttpApi.Caller(http);
            return Results.Ok(new { caller = caller.Id, displayName = caller.DisplayName, tenant = caller.TenantKey, roles = caller.Roles.Order(StringComparer.Ordinal), @operator = IsOperator(caller) });
        });
        group.MapGet("/runs", (Func<HttpContext, Task<IResult>>)console.RunsAsync);
        group.MapGet("/runs/{id}", console.RunAsync);
        group.MapGet("/runs/{id}/events", console.RunEventsAsync);
        group.MapPost("/runs/{id}/resume", console.ResumeAsync);
        group.MapGet("/spend", console.SpendAsync);
        group.MapGet("/audit", console.AuditAsync);
        group.MapGet("/skills", (Func<HttpContext, Task<IResult>>)console.SkillsAsync);
        group.MapPost("/skills/active", console.SetActiveVersionAsync);
        group.MapPost("/skills/state", console.SetSkillStateAsync);
        group.MapGet("/schedules", (Func<HttpContext, Task<IResult>>)console.SchedulesAsync);
        group.MapPost("/schedules/{id}/enabled", console.SetScheduleEnabledAsync);
        group.MapPost("/schedules/{id}/run", console.RunScheduleNowAsync);
    }

    private static IResult Forbidden(string message) => Results.Json(new { error = message }, statusCode: StatusCodes.Status403Forbidden);

    private static IResult BadRequest(string message) => Results.Json(new { error = message }, statusCode: StatusCodes.Status400BadRequest);

    private static IResult NotFound(string message) => Results.Json(new { error = message }, statusCode: StatusCodes.Status404NotFound);

    private async Task<IResult> RunsAsync(HttpContext http)
    {
        CallerIdentity caller = HttpApi.Caller(http);
        bool all = IsOperator(caller);
        IReadOnlyList<RunTracker.TrackedRun> runs = all ? _tracker.ListAll() : _tracker.List(caller);
        CheckpointPage interrupted = await _recovery.ListInterruptedAsync(200, null, http.RequestAborted);
        var waiting = interrupted.Items
            .Where(s => all || s.CallerId == caller.Id)
            .Where(s => _tracker.Get(s.RunId, caller, anyCaller: true) is not { IsRunning: true })
            .Select(s => new { runId = s.RunId, agent = s.AgentName, caller = s.CallerId, iteration = s.Iteration, savedAt = s.SavedAt, resumeAttempts = s.ResumeAttempts, paused = s.PausedReason })
            .ToArray();
        return Results.Ok(new { runs = runs.Reverse().Select(r => r.ToSummary()), interrupted = waiting, all });
    }

    private async Task<IResult> RunAsync(HttpContext http, string id)
    {
        CallerIdentity caller = HttpApi.Caller(http);
        bool all = IsOperator(caller);
        if (_tracker.Get(id, caller, all) is { } tracked)
        {
            return Results.Ok(new { run = tracked.ToSummary(), live = true, text = tracked.Text });
        }

        // Why: a run from before a restart is known from the durable audit log, read for this caller only unless an operator asks.
        AuditPage page = await CommandProcessor.ReadAuditAsync(_audit, _auditStore, new AuditQuery { RunId = id, CallerId = all ? null : caller.Id, Limit = 500 }, http.RequestAborted);
        if (page.Records.Count == 0)
        {
            return NotFound($"no run '{id}' that you may see");
        }

        AuditRecord? finished = page.Records.FirstOrDefault(r => r.Kind == AuditEventKind.RunFinished);
        AuditRecord first = page.Records[^1];
        return Results.Ok(new
        {
            run = new { runId = id, agent = first.AgentName, caller = first.CallerId, tenant = first.TenantKey, status = finished?.Outcome ?? "unfinished", startedAt = first.ObservedAt, finishedAt = finished?.ObservedAt },
            live = false,
            text = (string?)null,
            audit = page.Records.Reverse().Select(AuditRow),
        });
    }

    /// <summary>
    /// Streams a run's events as Server-Sent Events: those seen so far, then each new one as it happens, then
    /// <c>event: end</c> when the run has finished. The page reads it with <c>fetch</c> (so the API key travels in a
    /// header, which <c>EventSource</c> cannot send).
    /// </summary>
    private async Task RunEventsAsync(HttpContext http, string id)
    {
        CallerIdentity caller = HttpApi.Caller(http);
        if (_tracker.Get(id, caller, IsOperator(caller)) is not { } run)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            await http.Response.WriteAsJsonAsync(new { error = $"no live run '{id}' that you may see (finished runs from before a restart are in /api/console/runs/{id})" }, http.RequestAborted);
            return;
        }

        CancellationToken cancellationToken = http.RequestAborted;
        http.Response.Headers.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        await http.Response.Body.FlushAsync(cancellationToken);
        int sent = 0;
        try
        {
            while (true)
            {
                bool running = run.IsRunning;
                (RunEventView[] events, Task changed) = run.Read(sent);
                foreach (RunEventView view in events)
                {
                    await WriteEventAsync(http.Response, view.Type, view, cancellationToken);
                }

                sent += events.Length;
                if (!running && events.Length == 0)
                {
                    await WriteEventAsync(http.Response, "end", run.ToSummary(), cancellationToken);
                    return;
                }

                if (events.Length == 0 && await Task.WhenAny(changed, Task.Delay(Heartbeat, _time, cancellationToken)) != changed)
                {
                    await http.Response.WriteAsync(": keep-alive\n\n", cancellationToken);
                    await http.Response.Body.FlushAsync(cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The page went away.
        }
    }

    private async Task<IResult> ResumeAsync(HttpContext http, string id)
    {
        CallerIdentity caller = HttpApi.Caller(http);
        CheckpointPage page = await _recovery.ListInterruptedAsync(1000, null, http.RequestAborted);
        if (page.Items.FirstOrDefault(s => s.RunId == id) is not { } summary || (summary.CallerId != caller.Id && !IsOperator(caller)))
        {
            return NotFound($"no interrupted run '{id}' that you may resume");
        }

        if (_tracker.Get(id, caller, anyCaller: true) is { IsRunning: true })
        {
            return Results.Json(new { error = $"run '{id}' is already running" }, statusCode: StatusCodes.Status409Conflict);
        }

        await AuditChangeAsync(caller, "run.resume", id, $"resumed interrupted run '{id}' (owner {summary.CallerId})", id, http.RequestAborted);
        Task started = _tracker.WhenStarted(id);
        // Why: the resumed run belongs to the bot, not to this request; it ends with the host (and keeps its checkpoint then).
        Task<RunResult> resumed = Task.Run(() => _recovery.ResumeAsync(id, _lanes.Get("recovery"), _stopping), CancellationToken.None);
        // Why: the run's own failure is audited by the kernel; this only keeps a failed resume from going unobserved.
        _ = resumed.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        try
        {
            await Task.WhenAny(started, resumed).WaitAsync(TimeSpan.FromSeconds(30), _time, http.RequestAborted);
        }
        catch (TimeoutException)
        {
            // The recovery lane is busy: the run starts when its turn comes.
            return Results.Accepted($"/api/console/runs/{id}", new { runId = id, resumed = false, queued = true });
        }

        if (resumed.IsFaulted)
        {
            return BadRequest($"run '{id}' could not be resumed: {resumed.Exception!.GetBaseException().Message}");
        }

        return Results.Accepted($"/api/console/runs/{id}", new { runId = id, resumed = true });
    }

    private async Task<IResult> SpendAsync(HttpContext http, string? scope, string? key, int? days)
    {
        CallerIdentity caller = HttpApi.Caller(http);
        bool all = IsOperator(caller);
        BudgetScope budgetScope = BudgetScope.Caller;
        if (!string.IsNullOrWhiteSpace(scope) && !BudgetScopeKey.TryParseScope(scope, out budgetScope))
        {
            return BadRequest($"'{scope}' is not a budget scope (global, tenant, caller, agent)");
        }

        if (!all && (budgetScope != BudgetScope.Caller || (key is { Length: > 0 } && key != caller.Id)))
        {
            return Forbidden("only an operator sees other callers', tenants', agents' or the global spend");
        }

        BudgetOptions options = BudgetOptions.FromConfig(_config);
        DateTimeOffset now = _time.GetUtcNow();
        DateTimeOffset since = now - options.Window;
        IReadOnlyList<BudgetSpendRow> top = all
            ? await _budgetStore.GetTopSpendersAsync(budgetScope, since, now, 10, BudgetMetric.Tokens, http.RequestAborted)
            : [new BudgetSpendRow(BudgetScopeKey.Caller(caller.Id), await _budgetStore.GetSpendAsync(BudgetScopeKey.Caller(caller.Id), since, now, http.RequestAborted))];
        string? chosen = budgetScope == BudgetScope.Global ? string.Empty
            : key is { Length: > 0 } ? key
            : all ? (top.Count > 0 ? top[0].Key.Key : null)
            : caller.Id;

        object? chart = null;
        if (chosen is not null)
        {
            BudgetScopeKey account = budgetScope == BudgetScope.Global ? BudgetScopeKey.Global : new BudgetScopeKey(budgetScope, chosen);
            // Why: the window rarely starts at midnight, so it touches one UTC day more than it lasts.
            int windowDays = (now.UtcDateTime.Date - since.UtcDateTime.Date).Days + 1;
            chart = await ChartAsync(account, options, now, Math.Clamp(days ?? windowDays, 1, DaysShown), http.RequestAborted);
        }

        return Results.Ok(new
        {
            scope = BudgetScopeKey.ScopeName(budgetScope),
            window = options.Window.Ticks % TimeSpan.TicksPerDay == 0 ? $"{options.Window.Days} days" : options.Window.ToString(),
            windowStart = since,
            now,
            softLimitPercent = options.SoftLimitPercent,
            chart,
            top = top.Select(r => new { key = r.Key.ToString(), name = r.Key.Key, tokens = r.Spent.Tokens, cost = r.Spent.Cost, limitTokens = LimitFor(options.Limits, r.Key)?.MaxTokens, limitCost = LimitFor(options.Limits, r.Key)?.MaxCost }),
            all,
        });
    }

    private async Task<object> ChartAsync(BudgetScopeKey account, BudgetOptions options, DateTimeOffset now, int dayCount, CancellationToken cancellationToken)
    {
        // Days are UTC days; the first one starts where the rolling window does (or dayCount days back), the last is today so far.
        DateTimeOffset windowStart = now - options.Window;
        DateTimeOffset today = new(now.UtcDateTime.Date, TimeSpan.Zero);
        var days = new List<object>(dayCount);
        for (int i = dayCount - 1; i >= 0; i--)
        {
            DateTimeOffset start = today.AddDays(-i);
            DateTimeOffset from = start < windowStart ? windowStart : start;
            DateTimeOffset until = i == 0 ? now : start.AddDays(1).AddTicks(-1);
            BudgetAmount spent = from > until ? default : await _budgetStore.GetSpendAsync(account, from, until, cancellationToken);
            days.Add(new { day = start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), tokens = spent.Tokens, cost = spent.Cost, inWindow = until >= windowStart });
        }

        BudgetAmount total = await _budgetStore.GetSpendAsync(account, windowStart, now, cancellationToken);
        BudgetLimit? limit = LimitFor(options.Limits, account);
        return new { key = account.ToString(), name = account.Key, days, spentTokens = total.Tokens, spentCost = total.Cost, limitTokens = limit?.MaxTokens, limitCost = limit?.MaxCost };
    }

    private async Task<IResult> AuditAsync(HttpContext http, string? run, string? caller, string? agent, string? tool, string? kind, string? outcome, string? since, string? until, int? limit, string? cursor)
    {
        CallerIdentity me = HttpApi.Caller(http);
        bool all = IsOperator(me);
        if (!all && caller is { Length: > 0 } && caller != me.Id)
        {
            return Forbidden("only an operator reads other callers' audit rows");
        }

        AuditQuery query = new()
        {
            RunId = Blank(run),
            CallerId = all ? Blank(caller) : me.Id,
            AgentName = Blank(agent),
            ToolName = Blank(tool),
            Outcome = Blank(outcome),
            Limit = limit ?? 25,
            Cursor = Blank(cursor),
        };
        if (Blank(kind) is { } kindText)
        {
            if (!Enum.TryParse(kindText, ignoreCase: true, out AuditEventKind parsed) || !Enum.IsDefined(parsed))
            {
                return BadRequest($"'{kindText}' is not an audit kind ({string.Join(", ", Enum.GetNames<AuditEventKind>())})");
            }

            query = query with { Kind = parsed };
        }

        foreach ((string name, string? text) in (ReadOnlySpan<(string, string?)>)[("since", since), ("until", until)])
        {
            if (Blank(text) is not { } value)
            {
                continue;
            }

            if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at))
            {
                return BadRequest($"{name} '{value}' is not a date and time (e.g. 2026-12-01T08:00:00Z)");
            }

            query = name == "since" ? query with { Since = at } : query with { Until = at };
        }

        try
        {
            query.Validate();
        }
        catch (ArgumentException ex)
        {
            return BadRequest(ex.Message);
        }

        AuditPage page = await CommandProcessor.ReadAuditAsync(_audit, _auditStore, query, http.RequestAborted);
        return Results.Ok(new { rows = page.Records.Select(AuditRow), nextCursor = page.NextCursor, all, kinds = Enum.GetNames<AuditEventKind>() });
    }

    private async Task<IResult> SkillsAsync(HttpContext http)
    {
        CallerIdentity caller = HttpApi.Caller(http);
        bool all = IsOperator(caller);
        IEnumerable<string?> scopes = all ? [null, .. _tenants] : caller.TenantKey is { } own ? [null, own] : [null];
        var skills = new List<object>();
        foreach (string? tenant in scopes.Distinct())
        {
            string? cursor = null;
            do
            {
                SkillPage page = await _skills.ListAsync(tenant, null, cursor, 100, http.RequestAborted);
                foreach (SkillInfo info in page.Items)
                {
                    IReadOnlyList<SkillVersion> versions = await _skills.ListVersionsAsync(tenant, info.Name, http.RequestAborted);
                    skills.Add(new
                    {
                        tenant,
                        name = info.Name,
                        state = info.State.ToString(),
                        activeVersion = info.ActiveVersion,
                        latestVersion = info.LatestVersion,
                        description = info.Description,
                        updatedAt = info.UpdatedAt,
                        versions = versions.OrderByDescending(v => v.Version).Select(v => new { version = v.Version, createdAt = v.CreatedAt, description = v.Skill.Description, active = v.Version == info.ActiveVersion }),
                    });
                }

                cursor = page.NextCursor;
            }
            while (cursor is not null);
        }

        IReadOnlyList<Persona> personas = await _personas.ListAsync(http.RequestAborted);
        var visible = personas.Where(p => all || p.Allows(caller)).OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => new
        {
            name = p.Name,
            version = p.Version,
            description = p.Description,
            tier = p.Tier ?? p.Model,
            tools = p.Tools,
            allowedRoles = p.AllowedRoles,
        });
        return Results.Ok(new { skills, personas = visible, canChange = all });
    }

    private async Task<IResult> SetActiveVersionAsync(HttpContext http, SkillVersionChange body)
    {
        CallerIdentity caller = HttpApi.Caller(http);
        if (!IsOperator(caller))
        {
            return Forbidden("only an operator may change a skill's active version");
        }

        if (string.IsNullOrWhiteSpace(body.Name) || body.Version is not > 0)
        {
            return BadRequest("name and a version (a whole number from 1) are required");
        }

        try
        {
            SkillInfo before = await _skills.GetInfoAsync(Blank(body.Tenant), body.Name, http.RequestAborted) ?? throw new SkillNotFoundException(Blank(body.Tenant), body.Name);
            SkillInfo after = await _library.SetActiveVersionAsync(Blank(body.Tenant), body.Name, body.Version.Value, http.RequestAborted);
            string verb = after.ActiveVersion < before.ActiveVersion ? "rolled back" : "activated";
            await AuditChangeAsync(caller, "skill.active-version", SkillTarget(body.Tenant, body.Name), $"skill '{body.Name}': {verb} version {before.ActiveVersion} -> {after.ActiveVersion}", null, http.RequestAborted);
            return Results.Ok(new { name = after.Name, tenant = after.Tenant, activeVersion = after.ActiveVersion, state = after.State.ToString() });
        }
        catch (SkillNotFoundException ex)
        {
            return NotFound(ex.Message);
        }
    }

    private async Task<IResult> SetSkillStateAsync(HttpContext http, SkillStateChange body)
    {
        CallerIdentity caller = HttpApi.Caller(http);
        if (!IsOperator(caller))
        {
            return Forbidden("only an operator may change a skill's lifecycle state");
        }

        if (string.IsNullOrWhiteSpace(body.Name) || !Enum.TryParse(body.State, ignoreCase: true, out SkillState state) || !Enum.IsDefined(state))
        {
            return BadRequest($"name and a state ({string.Join(", ", Enum.GetNames<SkillState>())}) are required");
        }

        try
        {
            SkillInfo before = await _skills.GetInfoAsync(Blank(body.Tenant), body.Name, http.RequestAborted) ?? throw new SkillNotFoundException(Blank(body.Tenant), body.Name);
            SkillInfo after = await _library.SetStateAsync(Blank(body.Tenant), body.Name, state, http.RequestAborted);
            await AuditChangeAsync(caller, "skill.state", SkillTarget(body.Tenant, body.Name), $"skill '{body.Name}': {before.State} -> {after.State}", null, http.RequestAborted);
            return Results.Ok(new { name = after.Name, tenant = after.Tenant, activeVersion = after.ActiveVersion, state = after.State.ToString() });
        }
        catch (SkillNotFoundException ex)
        {
            return NotFound(ex.Message);
        }
        catch (SkillLifecycleException ex)
        {
            return BadRequest(ex.Message);
        }
    }

    private async Task<IResult> SchedulesAsync(HttpContext http)
    {
        CallerIdentity caller = HttpApi.Caller(http);
        bool all = IsOperator(caller);
        DateTimeOffset now = _time.GetUtcNow();
        var list = new List<object>();
        foreach (Schedule s in (await _schedules.ListAsync(http.RequestAborted)).Where(s => all || s.Target.Caller.Id == caller.Id).OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            string[] next = [];
            string? error = null;
            try
            {
                TimeZoneInfo zone = TimeZoneInfo.FindSystemTimeZoneById(s.TimeZone);
                DateTimeOffset from = s.Enabled && s.NextFireAt is { } planned ? planned.AddTicks(-1) : now;
                next = s.Enabled
                    ? [.. Occurrences(s, from, 3).Select(o => TimeZoneInfo.ConvertTime(o, zone).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture))]
                    : [];
            }
            catch (Exception ex) when (ex is ScheduleValidationException or TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                error = ex.Message;
            }

            list.Add(new
            {
                id = s.Id,
                owner = s.Target.Caller.Id,
                cron = s.Cron,
                timeZone = s.TimeZone,
                enabled = s.Enabled,
                target = s.Target.Kind == ScheduleTargetKind.Skill ? $"skill {s.Target.Name} (agent {s.Target.Agent})" : $"agent {s.Target.Name}",
                input = s.Target.Input,
                nextFireAt = s.NextFireAt,
                nextFires = next,
                lastFireAt = s.LastFireAt,
                lastOutcome = s.LastOutcome?.ToString(),
                lastRunId = s.LastRunId,
                error,
            });
        }

        return Results.Ok(new { schedules = list, all });
    }

    private static IEnumerable<DateTimeOffset> Occurrences(Schedule schedule, DateTimeOffset after, int count)
    {
        DateTimeOffset cursor = after;
        for (int i = 0; i < count && schedule.GetNextOccurrence(cursor) is { } next; i++)
        {
            yield return next;
            cursor = next;
        }
    }

    private async Task<IResult> SetScheduleEnabledAsync(HttpContext http, string id, ScheduleEnabledChange body)
    {
        CallerIdentity caller = HttpApi.Caller(http);
        if (body.Enabled is not { } enabled)
        {
            return BadRequest("enabled (true or false) is required");
        }

        if (await VisibleScheduleAsync(caller, id, http.RequestAborted) is not { } schedule)
        {
            return NotFound($"no schedule '{id}' that you may change");
        }

        try
        {
            Schedule saved = await _runner.SaveAsync(schedule with { Enabled = enabled }, http.RequestAborted);
            await AuditChangeAsync(caller, enabled ? "schedule.enable" : "schedule.disable", id, $"schedule '{id}' {(enabled ? "enabled" : "disabled")} (owner {schedule.Target.Caller.Id})", null, http.RequestAborted);
            return Results.Ok(new { id = saved.Id, enabled = saved.Enabled, nextFireAt = saved.NextFireAt });
        }
        catch (ScheduleValidationException ex)
        {
            return BadRequest(ex.Message);
        }
    }

    private async Task<IResult> RunScheduleNowAsync(HttpContext http, string id)
    {
        CallerIdentity caller = HttpApi.Caller(http);
        if (await VisibleScheduleAsync(caller, id, http.RequestAborted) is not { } schedule)
        {
            return NotFound($"no schedule '{id}' that you may run");
        }

        await AuditChangeAsync(caller, "schedule.run-now", id, $"schedule '{id}' run now (owner {schedule.Target.Caller.Id})", null, http.RequestAborted);
        try
        {
            RunResult result = await _runner.RunNowAsync(id, _stopping);
            return Results.Ok(new { id, runId = result.RunId, outcome = result.Outcome.ToString() });
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or PersonaAccessDeniedException)
        {
            return BadRequest(ex.Message);
        }
    }

    private async Task<Schedule?> VisibleScheduleAsync(CallerIdentity caller, string id, CancellationToken cancellationToken) =>
        await _schedules.GetAsync(id, cancellationToken) is { } schedule && (IsOperator(caller) || schedule.Target.Caller.Id == caller.Id) ? schedule : null;

    private async Task AuditChangeAsync(CallerIdentity caller, string action, string target, string detail, string? runId, CancellationToken cancellationToken)
    {
        await _audit.RecordAsync(
            new AuditEvent(AuditEventKind.OperatorAction, _time.GetUtcNow())
            {
                Caller = caller,
                RunId = runId,
                Detail = detail,
                Data = new Dictionary<string, string>(StringComparer.Ordinal) { ["action"] = action, ["target"] = target, ["via"] = "console" },
            },
            cancellationToken);
    }

    /// <summary>The limit that applies to <paramref name="key"/>: a <c>scope:key</c> entry replaces the scope-wide one (as the budget decides).</summary>
    private static BudgetLimit? LimitFor(IEnumerable<BudgetLimit> limits, BudgetScopeKey key) =>
        limits.LastOrDefault(l => l.Scope == key.Scope && string.Equals(l.Key, key.Key, StringComparison.Ordinal))
        ?? limits.LastOrDefault(l => l.Scope == key.Scope && l.Key is null);

    private static string SkillTarget(string? tenant, string name) => Blank(tenant) is { } t ? $"{t}/{name}" : name;

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static object AuditRow(AuditRecord r) => new
    {
        id = r.Id,
        at = r.ObservedAt,
        kind = r.Kind.ToString(),
        runId = r.RunId,
        caller = r.CallerId,
        tenant = r.TenantKey,
        agent = r.AgentName,
        tool = r.ToolName,
        outcome = r.Outcome,
        detail = r.Event.Detail,
        model = r.Event.Model,
        tokens = r.Event.Usage?.TotalTokenCount,
        arguments = r.Event.Arguments is { } json ? json.GetRawText() : null,
        data = r.Event.Data.Count == 0 ? null : r.Event.Data,
    };

    private static async Task WriteEventAsync(HttpResponse response, string type, object data, CancellationToken cancellationToken)
    {
        string json = JsonSerializer.Serialize(data, data.GetType(), SseJson);
        await response.WriteAsync($"event: {type}\ndata: {json}\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    internal sealed record SkillVersionChange(string? Tenant, string? Name, int? Version);

    internal sealed record SkillStateChange(string? Tenant, string? Name, string? State);

    internal sealed record ScheduleEnabledChange(bool? Enabled);
}
