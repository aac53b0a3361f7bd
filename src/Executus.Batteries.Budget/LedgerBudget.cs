using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Executus.Models;
using Executus.Runs;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Executus.Batteries.Budget;

/// <summary>
/// The Budget battery's <see cref="IBudget"/>: before each model call it reserves an estimate against every account the
/// call is charged to (global, the caller's tenant, the caller, the agent) in one atomic step of the
/// <see cref="IBudgetStore"/>, refusing the call before any spend when a hard limit would be passed; the settle replaces
/// the reservation with what the call really spent, a failed call releases it, and an abandoned one expires. Concurrent
/// runs therefore overspend a cap by at most what calls spend beyond their estimates. Past a soft limit the call goes on
/// with a warning (once per run and account).
/// </summary>
public sealed partial class LedgerBudget : IBudget
{
    private static long s_localReservations;
    private readonly IBudgetStore _store;
    private readonly Func<BudgetOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    // Why: per-run state (the previous call's output for estimates, warnings already given) lives in the run's account
    // (RunAccount.GetBudgetState) when the call comes through the kernel; otherwise, exactly as long as the run's id
    // string (a map by value would keep every run's state until a sweep, under load a heap full of finished runs). The
    // account is preferred: each entry of this table is a dependent handle every garbage collection has to scan.
    private readonly ConditionalWeakTable<string, RunState> _runs = [];
    private readonly AccountsCache _accounts = new();
    private readonly ConditionalWeakTable<string, RunState>.CreateValueCallback _newRunState;
    private readonly Func<RunState> _createRunState;
    private readonly string _idPrefix = NewIdPrefix();
    private readonly bool _systemClock;
    private Reading? _lastReading;
    private SoftLines? _lastSoftLines;
    private long _checks;
    private long _reservations;

    /// <summary>Initializes a new budget.</summary>
    /// <param name="store">The ledger.</param>
    /// <param name="options">Gets the current options; called at every check so configuration changes apply at once.</param>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    /// <param name="logger">Logs refusals and warnings; none when null.</param>
    public LedgerBudget(IBudgetStore store, Func<BudgetOptions> options, TimeProvider? timeProvider = null, ILogger<LedgerBudget>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _systemClock = ReferenceEquals(_time, TimeProvider.System);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _newRunState = _ => new RunState(_accounts);
        _createRunState = () => new RunState(_accounts);
    }

    /// <summary>Initializes a new budget with fixed options.</summary>
    /// <param name="store">The ledger.</param>
    /// <param name="options">The options.</param>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    public LedgerBudget(IBudgetStore store, BudgetOptions options, TimeProvider? timeProvider = null)
        : this(store, Fixed(options), timeProvider)
    {
    }

    /// <inheritdoc />
    /// <exception cref="Configuration.ConfigException">The model has no price and there is no fallback, or a setting is malformed.</exception>
    public ValueTask<BudgetDecision> CheckAsync(BudgetCheck check, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(check);
        if (_store is InMemoryBudgetStore memory)
        {
            // Why: the default store answers synchronously; calling it directly saves the request, result and per-scope
            // objects of the seam on every model call (the store expires reservations itself, so no sweep either).
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(CheckInMemory(memory, check));
        }

        return CheckWithStoreAsync(check, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask SettleAsync(BudgetCharge charge, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(charge);
        BudgetCheck check = charge.Reservation.Check;
        BudgetOptions options = _options();
        UsageDetails usage = charge.Usage;
        long input = usage.InputTokenCount ?? 0;
        long output = usage.OutputTokenCount ?? 0;
        long total = usage.TotalTokenCount ?? (input + output);
        ModelPrice price = options.Prices.GetPrice(check.Model);
        decimal cost = usage.InputTokenCount is null && usage.OutputTokenCount is null
            ? price.Cost(0, total) // Why: without a split, price every token at the output rate rather than undercount.
            : price.Cost(input, output);
        RunState? run = AccountOf(check) is { } account ? account.GetBudgetState(_createRunState) : null;
        if (run is not null || _runs.TryGetValue(check.RunId, out run))
        {
            run.PreviousOutput = output > 0 ? output : total;
        }

        DateTimeOffset now = Now();
        BudgetScopeKey[] keys = run?.KeysFor(check) ?? BudgetScopes.KeysFor(check.Caller, check.AgentName);
        var amount = new BudgetAmount(Math.Max(total, 0), cost);
        string? reservationId = charge.Reservation.ReservationId;
        if (_store is InMemoryBudgetStore memory)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (reservationId is null)
            {
                memory.Record(now, keys, amount);
            }
            else
            {
                memory.Settle(reservationId, now, keys, amount);
            }

            return ValueTask.CompletedTask;
        }

        var entry = new BudgetLedgerEntry(reservationId ?? NewReservationId(check), now, keys, amount)
        {
            RunId = check.RunId,
            Model = check.Model,
        };
        return reservationId is null
            ? _store.RecordAsync(entry, cancellationToken)
            : Discard(_store.SettleAsync(reservationId, entry, cancellationToken));
    }

    /// <inheritdoc />
    public async ValueTask ReleaseAsync(BudgetReservation reservation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        if (reservation.ReservationId is { } reservationId)
        {
            await _store.ReleaseAsync(reservationId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Releases expired reservations (a run's own state is forgotten with the run).</summary>
    /// <param name="cancellationToken">A token to cancel the sweep.</param>
    /// <returns>How many reservations were released.</returns>
    public ValueTask<int> ReleaseExpiredAsync(CancellationToken cancellationToken = default) =>
        SweepAsync(_time.GetUtcNow(), cancellationToken);

    /// <summary>
    /// The time of a check or charge. Why: on the system clock, a reading is reused while the coarse millisecond counter
    /// has not moved (a check and its settle are often within one tick; a clock read costs more than the rest of a check
    /// on some virtual machines); a charge then carries a time up to a few milliseconds early, nothing next to a window
    /// of days. Any other clock (a test's) is read every time.
    /// </summary>
    private DateTimeOffset Now()
    {
        if (!_systemClock)
        {
            return _time.GetUtcNow();
        }

        long tick = Environment.TickCount64;
        if (Volatile.Read(ref _lastReading) is { } last && last.Tick == tick)
        {
            return last.Time;
        }

        DateTimeOffset now = _time.GetUtcNow();
        Volatile.Write(ref _lastReading, new Reading(tick, now));
        return now;
    }

    private RunState RunStateFor(BudgetCheck check) =>
        (AccountOf(check) is { } account ? account.GetBudgetState(_createRunState) : null) ?? _runs.GetValue(check.RunId, _newRunState);

    /// <summary>The ambient run account when it is this check's run and this budget's (the kernel's calls).</summary>
    private RunAccount? AccountOf(BudgetCheck check) =>
        ModelCallContext.Current?.Account is { } account && ReferenceEquals(account.Budget, this) && string.Equals(account.RunId, check.RunId, StringComparison.Ordinal)
            ? account
            : null;

    private static async ValueTask Discard(ValueTask<bool> settle) => await settle.ConfigureAwait(false);

    private BudgetDecision CheckInMemory(InMemoryBudgetStore memory, BudgetCheck check)
    {
        BudgetOptions options = _options();
        options.Validate();
        DateTimeOffset now = Now();
        RunState run = RunStateFor(check);
        ModelPrice price = options.Prices.GetPrice(check.Model);
        BudgetAmount estimate = Estimate(check, options, run, price);
        (BudgetScopeLimit[] scopes, BudgetLimit?[] limits) = run.ScopesFor(check, options.Limits);
        string reservationId = NewLocalReservationId();
        Span<BudgetAmount> amounts = scopes.Length <= 8 ? stackalloc BudgetAmount[16] : new BudgetAmount[2 * scopes.Length];
        Span<BudgetAmount> spent = amounts[..scopes.Length];
        Span<BudgetAmount> reserved = amounts.Slice(scopes.Length, scopes.Length);
        BudgetRefusal? refusal = memory.TryReserve(reservationId, scopes, estimate, now, options.Window, now + options.ReservationTimeout, spent, reserved);
        return Decide(check, reservationId, refusal, scopes, limits, spent, reserved, estimate, options, run);
    }

    private async ValueTask<BudgetDecision> CheckWithStoreAsync(BudgetCheck check, CancellationToken cancellationToken)
    {
        BudgetOptions options = _options();
        options.Validate();
        DateTimeOffset now = Now();
        RunState run = RunStateFor(check);
        if ((Interlocked.Increment(ref _checks) & 255) == 0)
        {
            await SweepAsync(now, cancellationToken).ConfigureAwait(false);
        }

        ModelPrice price = options.Prices.GetPrice(check.Model);
        BudgetAmount estimate = Estimate(check, options, run, price);
        (BudgetScopeLimit[] scopes, BudgetLimit?[] limits) = run.ScopesFor(check, options.Limits);
        string reservationId = NewReservationId(check);
        var request = new BudgetReservationRequest(reservationId, scopes, estimate, now, options.Window, now + options.ReservationTimeout) { RunId = check.RunId };
        BudgetReservationResult result = await _store.TryReserveAsync(request, cancellationToken).ConfigureAwait(false);
        var spent = new BudgetAmount[scopes.Length];
        var reserved = new BudgetAmount[scopes.Length];
        for (int i = 0; i < scopes.Length && i < result.Scopes.Count; i++)
        {
            BudgetScopeSpend state = result.Scopes[i];
            (spent[i], reserved[i]) = (state.Spent, state.Reserved);
        }

        return Decide(check, reservationId, result.Refusal, scopes, limits, spent, reserved, estimate, options, run);
    }

    private BudgetDecision Decide(
        BudgetCheck check,
        string reservationId,
        BudgetRefusal? refusal,
        BudgetScopeLimit[] scopes,
        BudgetLimit?[] limits,
        ReadOnlySpan<BudgetAmount> spent,
        ReadOnlySpan<BudgetAmount> reserved,
        BudgetAmount estimate,
        BudgetOptions options,
        RunState run)
    {
        if (refusal is not null)
        {
            BudgetLimitExceeded exceeded = Describe(refusal, options.Window);
            LogRefused(_logger, check.RunId, exceeded.Message);
            return BudgetDecision.Deny(exceeded.Message) with { Exceeded = exceeded };
        }

        (string Warning, string Notice)? soft = SoftWarning(scopes, limits, spent, reserved, estimate, options, run);
        if (soft is null)
        {
            return BudgetDecision.Grant(reservationId);
        }

        LogWarning(_logger, check.RunId, soft.Value.Warning);
        return BudgetDecision.Grant(reservationId, soft.Value.Warning) with { ModelNotice = options.ShowRemainingToModel ? soft.Value.Notice : null };
    }

    private static Func<BudgetOptions> Fixed(BudgetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return () => options;
    }

    private static BudgetAmount Estimate(BudgetCheck check, BudgetOptions options, RunState run, ModelPrice price)
    {
        long input = Math.Max(check.EstimatedInputTokens, 0);
        long output;
        switch (options.Estimate)
        {
            case BudgetEstimateMode.Fixed:
                long tokens = options.FixedEstimateTokens;
                return new BudgetAmount(tokens, price.CostAtHigherRate(tokens));
            case BudgetEstimateMode.MaxOutputTokens:
                output = check.MaxOutputTokens ?? options.FixedEstimateTokens;
                break;
            default:
                output = run.PreviousOutput ?? check.MaxOutputTokens ?? options.FixedEstimateTokens;
                break;
        }

        return new BudgetAmount(input + output, price.Cost(input, output));
    }

    private static BudgetLimitExceeded Describe(BudgetRefusal refusal, TimeSpan window)
    {
        string unit = refusal.Metric == BudgetMetric.Cost ? "money" : "token";
        string limit = Format(refusal.Metric, refusal.Limit);
        string spent = Format(refusal.Metric, refusal.Spent);
        string needed = Format(refusal.Metric, refusal.Requested);
        string retry = refusal.RetryAfter is { } after ? $"; enough frees up in {FormatDuration(after)}" : "; the call alone is over the limit";
        return new BudgetLimitExceeded
        {
            Scope = refusal.Scope.ToString(),
            Metric = refusal.Metric == BudgetMetric.Cost ? "money" : "tokens",
            Limit = refusal.Limit,
            Spent = refusal.Spent,
            Requested = refusal.Requested,
            Window = window,
            RetryAfter = refusal.RetryAfter,
            Message = $"Budget exceeded: {refusal.Scope} has used {spent} of its {unit} limit of {limit} per {FormatDuration(window)} and the next call needs about {needed}{retry}.",
        };
    }

    private (string Warning, string Notice)? SoftWarning(
        BudgetScopeLimit[] scopes, BudgetLimit?[] limits, ReadOnlySpan<BudgetAmount> spent, ReadOnlySpan<BudgetAmount> reserved, BudgetAmount estimate, BudgetOptions options, RunState run)
    {
        SoftLines lines = SoftLinesFor(limits, options.SoftLimitPercent);
        for (int i = 0; i < scopes.Length; i++)
        {
            if (limits[i] is not { } limit || !lines.Any[i])
            {
                continue;
            }

            (BudgetMetric Metric, decimal Used, decimal Max)? passed = null;
            if (limit.MaxCost is decimal maxCost && spent[i].Cost + reserved[i].Cost + estimate.Cost is var cost && cost >= lines.Cost[i])
            {
                passed = (BudgetMetric.Cost, cost, maxCost);
            }
            else if (limit.MaxTokens is long maxTokens && spent[i].Tokens + reserved[i].Tokens + estimate.Tokens is var tokens && tokens >= lines.Tokens[i])
            {
                passed = (BudgetMetric.Tokens, tokens, maxTokens);
            }

            if (passed is { } p && run.TryWarn(scopes[i].Key))
            {
                BudgetScopeKey key = scopes[i].Key;
                string remaining = Format(p.Metric, Math.Max(0, p.Max - p.Used));
                string max = Format(p.Metric, p.Max);
                string window = FormatDuration(options.Window);
                int used = p.Max == 0 ? 100 : (int)Math.Min(100, Math.Round(p.Used * 100 / p.Max));
                string unit = p.Metric == BudgetMetric.Cost ? "money" : "token";
                return (
                    $"Budget warning: {key} has used {used}% of its {unit} limit of {max} per {window}; {remaining} remains.",
                    $"Budget notice: about {remaining} of the {max} {unit} budget per {window} remains; finish the task soon and avoid unnecessary calls.");
            }
        }

        return null;
    }

    /// <summary>
    /// The soft lines of <paramref name="limits"/> at the options' default percentage. Why: the line of a money limit is
    /// decimal arithmetic (a conversion from the double percentage, a multiplication and a division); the limits arrays
    /// are shared by every run of the same accounts, so the last one's lines are kept and reused while it recurs.
    /// </summary>
    private SoftLines SoftLinesFor(BudgetLimit?[] limits, double? defaultPercent)
    {
        if (Volatile.Read(ref _lastSoftLines) is { } last && ReferenceEquals(last.Limits, limits) && last.DefaultPercent == defaultPercent)
        {
            return last;
        }

        var lines = new SoftLines(limits, defaultPercent);
        Volatile.Write(ref _lastSoftLines, lines);
        return lines;
    }

    private static string Format(BudgetMetric metric, decimal value) =>
        metric == BudgetMetric.Cost
            ? value.ToString("0.00##", CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{value:0} tokens");

    private static string FormatDuration(TimeSpan span) =>
        span.TotalDays >= 1 && span.Ticks % TimeSpan.TicksPerDay == 0 ? $"{span.TotalDays:0}d"
        : span.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.#}h")
        : span.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0.#}m")
        : string.Create(CultureInfo.InvariantCulture, $"{Math.Max(1, span.TotalSeconds):0}s");

    private ValueTask<int> SweepAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        _store.ReleaseExpiredAsync(now, cancellationToken);

    // Why: unique across processes sharing a store (a random prefix per budget) without asking the OS for randomness per
    // call, which costs microseconds on some virtual machines.
    private string NewReservationId(BudgetCheck check) =>
        string.Create(CultureInfo.InvariantCulture, $"{check.RunId}/{check.Iteration}/{_idPrefix}{Interlocked.Increment(ref _reservations):x}");

    // Why: the in-memory store lives in one process, where one counter shared by every budget makes ids unique; a short
    // id is cheap to build and to hash (the store looks it up at the settle).
    private static string NewLocalReservationId()
    {
        ulong serial = (ulong)Interlocked.Increment(ref s_localReservations);
        int digits = Math.Max(1, (67 - (int)ulong.LeadingZeroCount(serial)) / 4);
        return string.Create(4 + digits, serial, static (chars, value) =>
        {
            "mem-".CopyTo(chars);
            for (int i = chars.Length - 1; i >= 4; i--, value >>= 4)
            {
                chars[i] = "0123456789abcdef"[(int)(value & 0xF)];
            }
        });
    }

    private static string NewIdPrefix()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToHexStringLower(bytes) + "-";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string runId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: {Warning}")]
    private static partial void LogWarning(ILogger logger, string runId, string warning);

    /// <summary>The soft lines of one limits array: where each limit's warning starts, in money and in tokens.</summary>
    private sealed class SoftLines
    {
        public SoftLines(BudgetLimit?[] limits, double? defaultPercent)
        {
            Limits = limits;
            DefaultPercent = defaultPercent;
            Any = new bool[limits.Length];
            Cost = new decimal[limits.Length];
            Tokens = new double[limits.Length];
            for (int i = 0; i < limits.Length; i++)
            {
                BudgetLimit? limit = limits[i];
                double percent = limit?.SoftLimitPercent ?? defaultPercent ?? 0;
                if (limit is null || percent <= 0)
                {
                    continue;
                }

                Any[i] = true;
                Cost[i] = limit.MaxCost is decimal maxCost ? maxCost * (decimal)percent / 100m : 0m;
                Tokens[i] = limit.MaxTokens is long maxTokens ? maxTokens * percent / 100d : 0d;
            }
        }

        public BudgetLimit?[] Limits { get; }

        public double? DefaultPercent { get; }

        /// <summary>Gets whether each limit warns at all.</summary>
        public bool[] Any { get; }

        public decimal[] Cost { get; }

        public double[] Tokens { get; }
    }

    /// <summary>A clock reading and the coarse millisecond tick it was taken in.</summary>
    private sealed record Reading(long Tick, DateTimeOffset Time);

    private sealed class RunState(AccountsCache cache)
    {
        private readonly Lock _gate = new();
        private HashSet<BudgetScopeKey>? _warned;
        private Accounts? _accounts;

        public long? PreviousOutput { get; set; }

        /// <summary>
        /// The accounts of <paramref name="check"/> with their limits: shared by runs of the same tenant, caller and agent
        /// while every account's limit is the same (limits are looked up again on every call, so a changed option applies
        /// at once; only the arrays are not rebuilt).
        /// </summary>
        public (BudgetScopeLimit[] Scopes, BudgetLimit?[] Limits) ScopesFor(BudgetCheck check, IList<BudgetLimit> options)
        {
            Accounts accounts = AccountsFor(check);
            if (accounts.Scopes is { } scopes && accounts.Limits is { } limits)
            {
                bool same = true;
                for (int i = 0; i < limits.Length && same; i++)
                {
                    same = ReferenceEquals(BudgetScopes.LimitFor(options, accounts.Keys[i]), limits[i]);
                }

                if (same)
                {
                    return (scopes, limits);
                }
            }

            BudgetScopeKey[] keys = accounts.Keys;
            scopes = new BudgetScopeLimit[keys.Length];
            limits = new BudgetLimit?[keys.Length];
            for (int i = 0; i < keys.Length; i++)
            {
                limits[i] = BudgetScopes.LimitFor(options, keys[i]);
                scopes[i] = BudgetScopes.ToScopeLimit(keys[i], limits[i]);
            }

            accounts = accounts with { Scopes = scopes, Limits = limits };
            Volatile.Write(ref _accounts, accounts);

            cache.Update(accounts);
            return (scopes, limits);
        }

        /// <summary>The accounts charged for <paramref name="check"/>: the run's cached keys while its caller and agent are the same.</summary>
        public BudgetScopeKey[] KeysFor(BudgetCheck check) => AccountsFor(check).Keys;

        private Accounts AccountsFor(BudgetCheck check)
        {
            // Why: an immutable record published whole, so the two reads per model call take no lock.
            if (Volatile.Read(ref _accounts) is { } accounts && accounts.Matches(check))
            {
                return accounts;
            }

            accounts = cache.Get(check);
            Volatile.Write(ref _accounts, accounts);
            return accounts;
        }

        public bool TryWarn(BudgetScopeKey key)
        {
            lock (_gate)
            {
                return (_warned ??= []).Add(key);
            }
        }
    }

    /// <summary>
    /// The accounts (and, once looked up, limits) of each tenant, caller and agent, shared by their runs so a run does not
    /// build its own; bounded (emptied when full).
    /// </summary>
    private sealed class AccountsCache
    {
        private const int MaxEntries = 4096;
        private readonly Lock _gate = new();
        private readonly Dictionary<(string? Tenant, string Caller, string Agent), Accounts> _accounts = [];

        public Accounts Get(BudgetCheck check)
        {
            (string? Tenant, string Caller, string Agent) key = (Accounts.TenantOf(check.Caller), check.Caller.Id, check.AgentName);
            lock (_gate)
            {
                if (_accounts.TryGetValue(key, out Accounts? cached))
                {
                    return cached;
                }
            }

            var accounts = new Accounts(key.Tenant, key.Caller, key.Agent, BudgetScopes.KeysFor(check.Caller, check.AgentName));
            Update(accounts);
            return accounts;
        }

        public void Update(Accounts accounts)
        {
            lock (_gate)
            {
                if (_accounts.Count >= MaxEntries)
                {
                    _accounts.Clear();
                }

                _accounts[(accounts.Tenant, accounts.CallerId, accounts.AgentName)] = accounts;
            }
        }
    }

    /// <summary>The accounts of a tenant, caller and agent and, once looked up, their limits.</summary>
    private sealed record Accounts(string? Tenant, string CallerId, string AgentName, BudgetScopeKey[] Keys)
    {
        public BudgetScopeLimit[]? Scopes { get; init; }

        public BudgetLimit?[]? Limits { get; init; }

        public static string? TenantOf(Identity.CallerIdentity caller) => caller.TenantKey is { Length: > 0 } tenant ? tenant : null;

        public bool Matches(BudgetCheck check) =>
            string.Equals(CallerId, check.Caller.Id, StringComparison.Ordinal)
            && string.Equals(AgentName, check.AgentName, StringComparison.Ordinal)
            && string.Equals(Tenant, TenantOf(check.Caller), StringComparison.Ordinal);
    }
}
