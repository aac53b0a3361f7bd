using System.Globalization;
using System.Text;
using Executus.Auditing;
using Executus.Batteries;
using Executus.Batteries.Audit;
using Executus.Batteries.Budget;
using Executus.Checkpoints;
using Executus.Identity;
using Executus.Lanes;
using Executus.Personas;
using Executus.Runs;
using Executus.Skills;

namespace BotHost;

/// <summary>The command words, the same in both channels (a chat line starting with <c>/</c>, or <c>POST /api/commands</c>).</summary>
internal sealed class CommandProcessor
{
    public const string Help = """
        /help                              this list
        /personas                          personas you may use; /persona NAME chooses one
        /skills                            active skills; /skill versions NAME
        /skill activate NAME VERSION       make VERSION the active one (admin)
        /skill rollback NAME VERSION       roll back to an older VERSION (admin)
        /schedules                         your schedules; /schedule add EVERY PERSONA TEXT (e.g. 30s, 5m); /schedule remove ID
        /spend                             your spend and what is left in the budget window
        /audit [kind=K] [tool=T] [run=R] [limit=N]   search your audit log
        /runs                              your runs in this process; /run ID shows one
        /interrupted                       your runs interrupted by a crash or shutdown; /resume ID resumes one
        anything else                      talk to the current persona
        """;

    private readonly ChatService _chat;
    private readonly IPersonaStore _personas;
    private readonly ISkillStore _skills;
    private readonly SkillLibrary _library;
    private readonly BudgetQueries _budget;
    private readonly IAuditStore _audit;
    private readonly IAudit _auditPort;
    private readonly CheckpointRecovery _recovery;
    private readonly LaneRegistry _lanes;
    private readonly RunTracker _tracker;
    private readonly ScheduleService _schedules;
    private readonly BatteriesOptions _batteries;

    public CommandProcessor(
        ChatService chat,
        IPersonaStore personas,
        ISkillStore skills,
        SkillLibrary library,
        BudgetQueries budget,
        IAuditStore audit,
        IAudit auditPort,
        CheckpointRecovery recovery,
        LaneRegistry lanes,
        RunTracker tracker,
        ScheduleService schedules,
        BatteriesOptions batteries)
    {
        _chat = chat;
        _personas = personas;
        _skills = skills;
        _library = library;
        _budget = budget;
        _audit = audit;
        _auditPort = auditPort;
        _recovery = recovery;
        _lanes = lanes;
        _tracker = tracker;
        _schedules = schedules;
        _batteries = batteries;
    }

    public static bool IsCommand(string line) => line.TrimStart().StartsWith('/');

    public async Task<CommandResult> ExecuteAsync(CallerIdentity caller, string line, CancellationToken cancellationToken)
    {
        string[] words = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string verb = words.Length == 0 ? "/help" : words[0].ToLowerInvariant();
        string Arg(int i, string what) => words.Length > i ? words[i] : throw new BotCommandException($"{verb} needs {what} (see /help)");
        int IntArg(int i, string what) => int.TryParse(Arg(i, what), NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : throw new BotCommandException($"{what} must be a whole number, not '{words[i]}'");

        switch (verb)
        {
            case "/help":
                return new(Help, null);
            case "/personas":
            {
                IReadOnlyList<Persona> all = await _personas.ListAsync(cancellationToken);
                var mine = all.Where(p => p.Allows(caller)).Select(p => new { name = p.Name, description = p.Description }).ToArray();
                string current = _chat.GetSession(caller).Persona;
                return new(string.Join('\n', mine.Select(p => $"{(p.name == current ? "*" : " ")} {p.name}: {p.description}")), mine);
            }

            case "/persona":
            {
                string name = Arg(1, "a persona name");
                Persona persona = await _personas.GetAsync(name, cancellationToken) ?? throw new BotCommandException($"there is no persona named '{name}' (see /personas)");
                if (!persona.Allows(caller))
                {
                    throw new BotCommandException($"you may not use persona '{name}'");
                }

                _chat.GetSession(caller).Persona = persona.Name;
                return new($"now talking to {persona.Name}", new { persona = persona.Name });
            }

            case "/skills":
            {
                List<SkillInfo> skills = [.. (await _skills.ListAsync(null, SkillState.Active, cancellationToken: cancellationToken)).Items];
                if (caller.TenantKey is { } tenant)
                {
                    skills.AddRange((await _skills.ListAsync(tenant, SkillState.Active, cancellationToken: cancellationToken)).Items);
                }

                var view = skills.Select(s => new { name = s.Name, tenant = s.Tenant, activeVersion = s.ActiveVersion, latestVersion = s.LatestVersion, description = s.Description }).ToArray();
                string off = _batteries.Skill ? "" : " (the Skill battery is switched off: runs see none)";
                return new(string.Join('\n', view.Select(s => $"{s.name} v{s.activeVersion}/{s.latestVersion}: {s.description}")) + off, view);
            }

            case "/skill":
                return await SkillAsync(caller, Arg(1, "versions, activate or rollback").ToLowerInvariant(), Arg(2, "a skill name"), words, IntArg, cancellationToken);
            case "/schedules":
            {
                IReadOnlyList<object> list = await _schedules.ListAsync(caller, cancellationToken);
                return new(list.Count == 0 ? "no schedules" : string.Join('\n', list.Select(s => System.Text.Json.JsonSerializer.Serialize(s))), list);
            }

            case "/schedule":
            {
                string action = Arg(1, "add or remove").ToLowerInvariant();
                if (action == "add")
                {
                    Executus.Schedules.Schedule saved = await _schedules.AddAsync(caller, Arg(2, "an interval such as 30s"), Arg(3, "a persona"), string.Join(' ', words.Skip(4)), cancellationToken);
                    return new($"schedule {saved.Id} added ({saved.Cron}, next at {saved.NextFireAt:u})", new { id = saved.Id, cron = saved.Cron, nextFireAt = saved.NextFireAt });
                }

                if (action == "remove")
                {
                    string id = Arg(2, "a schedule id");
                    return await _schedules.RemoveAsync(caller, id, cancellationToken) ? new($"schedule {id} removed", new { removed = id }) : throw new BotCommandException($"you have no schedule '{id}'");
                }

                throw new BotCommandException("/schedule add EVERY PERSONA TEXT, or /schedule remove ID");
            }

            case "/spend":
            {
                BudgetAmount spent = await _budget.GetSpendAsync(BudgetScopeKey.Caller(caller.Id), cancellationToken: cancellationToken);
                BudgetRemaining remaining = await _budget.GetRemainingAsync(BudgetScopeKey.Caller(caller.Id), cancellationToken);
                var view = new { caller = caller.Id, tokens = spent.Tokens, cost = spent.Cost, remainingTokens = remaining.RemainingTokens, remainingCost = remaining.RemainingCost, limitTokens = remaining.Limit?.MaxTokens };
                string text = string.Create(CultureInfo.InvariantCulture, $"spent {spent.Tokens} tokens ({spent.Cost:0.######}) in the window; ")
                    + (remaining.RemainingTokens is { } left ? string.Create(CultureInfo.InvariantCulture, $"{left} tokens left of {remaining.Limit?.MaxTokens}") : "no token limit");
                return new(text, view);
            }

            case "/audit":
            {
                AuditQuery query = ParseAuditQuery(caller, words.Skip(1));
                AuditPage page = await ReadAuditAsync(query, cancellationToken);
                var rows = page.Records.Select(AuditView).ToArray();
                return new(rows.Length == 0 ? "no audit rows" : string.Join('\n', rows.Select(r => $"{r.at:HH:mm:ss} {r.kind} run={r.runId} {r.tool} {r.outcome} {r.detail}")), rows);
            }

            case "/runs":
            {
                var runs = _tracker.List(caller).Select(r => new { runId = r.RunId, agent = r.Agent, status = r.Status }).ToArray();
                return new(runs.Length == 0 ? "no runs yet" : string.Join('\n', runs.Select(r => $"{r.runId} {r.agent} {r.status}")), runs);
            }

            case "/run":
            {
                string id = Arg(1, "a run id");
                object view = await RunViewAsync(caller, id, cancellationToken) ?? throw new BotCommandException($"you have no run '{id}'");
                return new(System.Text.Json.JsonSerializer.Serialize(view), view);
            }

            case "/interrupted":
            {
                CheckpointPage page = await _recovery.ListInterruptedAsync(100, null, cancellationToken);
                var mine = page.Items.Where(s => s.CallerId == caller.Id).Select(s => new { runId = s.RunId, agent = s.AgentName, iteration = s.Iteration, savedAt = s.SavedAt }).ToArray();
                return new(mine.Length == 0 ? "no interrupted runs" : string.Join('\n', mine.Select(s => $"{s.runId} {s.agent} at step {s.iteration}, saved {s.savedAt:u}")), mine);
            }

            case "/resume":
            {
                string id = Arg(1, "a run id");
                CheckpointPage page = await _recovery.ListInterruptedAsync(1000, null, cancellationToken);
                if (!page.Items.Any(s => s.RunId == id && s.CallerId == caller.Id))
                {
                    throw new BotCommandException($"you have no interrupted run '{id}'");
                }

                RunResult result;
                try
                {
                    result = await _recovery.ResumeAsync(id, _lanes.Get("recovery"), cancellationToken);
                }
                catch (InvalidOperationException ex)
                {
                    // Why: the run is live here or leased by another bot process sharing the database.
                    throw new BotCommandException(ex.Message, ex);
                }

                return new($"bot: {result.Text}\n[run {result.RunId}: {result.Outcome}]", new { runId = result.RunId, outcome = result.Outcome.ToString(), text = result.Text });
            }

            default:
                throw new BotCommandException($"unknown command '{verb}' (see /help)");
        }
    }

    /// <summary>Reads the audit log after this host's queued events are stored, so a caller sees the run that just answered.</summary>
    internal static async Task<AuditPage> ReadAuditAsync(IAudit port, IAuditStore store, AuditQuery query, CancellationToken cancellationToken)
    {
        // Why: the audit writer stores in the background (batched, with a linger), so without this a /audit right after a
        // chat could miss that chat's last events. Other hosts' queues are theirs to drain.
        if (port is AuditWriter writer)
        {
            await writer.FlushAsync(cancellationToken);
        }

        return await store.QueryAsync(query, cancellationToken);
    }

    private Task<AuditPage> ReadAuditAsync(AuditQuery query, CancellationToken cancellationToken) =>
        ReadAuditAsync(_auditPort, _audit, query, cancellationToken);

    public async Task<object?> RunViewAsync(CallerIdentity caller, string runId, CancellationToken cancellationToken)
    {
        if (_tracker.Get(runId, caller) is { } tracked)
        {
            return tracked.ToView();
        }

        // Why: a run from before a restart is known from the durable audit log, read for this caller only.
        AuditPage page = await ReadAuditAsync(new AuditQuery { RunId = runId, CallerId = caller.Id, Limit = 500 }, cancellationToken);
        if (page.Records.Count == 0)
        {
            return null;
        }

        AuditRecord? finished = page.Records.FirstOrDefault(r => r.Kind == AuditEventKind.RunFinished);
        return new
        {
            runId,
            agent = page.Records[^1].AgentName,
            caller = caller.Id,
            status = finished is null ? "unfinished" : finished.Outcome ?? "finished",
            text = finished?.Event.Detail,
            audit = page.Records.Reverse().Select(AuditView).ToArray(),
        };
    }

    public static AuditQuery ParseAuditQuery(CallerIdentity caller, IEnumerable<string> filters)
    {
        // Why: the caller is always the one asking; nobody reads another caller's rows.
        AuditQuery query = new() { CallerId = caller.Id, Limit = 50 };
        foreach (string filter in filters)
        {
            string[] pair = filter.Split('=', 2);
            string value = pair.Length == 2 ? pair[1] : throw new BotCommandException($"audit filters are key=value, not '{filter}'");
            query = pair[0].ToLowerInvariant() switch
            {
                "kind" => query with { Kind = Enum.TryParse(value, ignoreCase: true, out AuditEventKind kind) ? kind : throw new BotCommandException($"'{value}' is not an audit kind ({string.Join(", ", Enum.GetNames<AuditEventKind>())})") },
                "tool" => query with { ToolName = value },
                "run" => query with { RunId = value },
                "outcome" => query with { Outcome = value },
                "limit" => query with { Limit = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int limit) && limit is > 0 and <= 500 ? limit : throw new BotCommandException("limit is 1–500") },
                _ => throw new BotCommandException($"unknown audit filter '{pair[0]}' (kind, tool, run, outcome, limit)"),
            };
        }

        return query;
    }

    private static AuditRowView AuditView(AuditRecord r) => new(r.Id, r.ObservedAt, r.Kind.ToString(), r.RunId, r.AgentName, r.ToolName, r.Outcome, r.Event.Detail);

    private async Task<CommandResult> SkillAsync(CallerIdentity caller, string action, string name, string[] words, Func<int, string, int> intArg, CancellationToken cancellationToken)
    {
        string? scope = caller.TenantKey is { } tenant && await _skills.GetInfoAsync(tenant, name, cancellationToken) is not null ? tenant : null;
        if (await _skills.GetInfoAsync(scope, name, cancellationToken) is null)
        {
            throw new BotCommandException($"there is no skill named '{name}'");
        }

        switch (action)
        {
            case "versions":
            {
                IReadOnlyList<SkillVersion> versions = await _skills.ListVersionsAsync(scope, name, cancellationToken);
                SkillInfo info = (await _skills.GetInfoAsync(scope, name, cancellationToken))!;
                var view = versions.Select(v => new { version = v.Version, active = v.Version == info.ActiveVersion, createdAt = v.CreatedAt, description = v.Skill.Description }).ToArray();
                var text = new StringBuilder();
                foreach (var v in view)
                {
                    text.Append(v.active ? "* " : "  ").Append(CultureInfo.InvariantCulture, $"v{v.version} {v.createdAt:u} {v.description}").Append('\n');
                }

                return new(text.ToString().TrimEnd(), view);
            }

            case "activate":
            case "rollback":
            {
                // Why: a shared skill changes for everyone, so only admins move its pointer.
                if (!caller.HasRole("admin"))
                {
                    throw new BotCommandException("only an admin may change a skill's active version");
                }

                int version = intArg(3, "a version number");
                SkillInfo info = action == "activate"
                    ? await _library.SetActiveVersionAsync(scope, name, version, cancellationToken)
                    : await _library.RollBackAsync(scope, name, version, cancellationToken);
                return new($"{info.Name}: version {info.ActiveVersion} is active", new { name = info.Name, activeVersion = info.ActiveVersion });
            }

            default:
                throw new BotCommandException("/skill versions NAME, /skill activate NAME VERSION or /skill rollback NAME VERSION");
        }
    }

    internal sealed record AuditRowView(string id, DateTimeOffset at, string kind, string? runId, string? agent, string? tool, string? outcome, string? detail);
}

/// <summary>What a command answered: a line for the console and an object for the HTTP API.</summary>
internal sealed record CommandResult(string Text, object? Data);
