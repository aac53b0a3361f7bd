using Executus.Compaction;
using Executus.Identity;
using Executus.Runs;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Executus.Models;

/// <summary>
/// The accounting scope of one run: the one channel through which every model call made on behalf of the run (its own
/// calls, <see cref="LlmMeta"/> summaries and classifications, a critic's calls) is checked against the run's
/// <see cref="IBudget"/>, settled or released, and summed into the run's usage. The run kernel creates one per run
/// and carries it in <see cref="ModelCallContext.Account"/>; the usage-recording decorator of every resolved client
/// (<see cref="UsageRecordingChatClient"/>) uses it, so each call is counted exactly once, with the run attributed.
/// </summary>
/// <remarks>
/// A settle or release that throws is logged and never fails the call. A refused check throws
/// <see cref="BudgetExceededException"/> before the call is made.
/// </remarks>
public sealed partial class RunAccount
{
    private readonly Lock _lock = new();
    private readonly UsageDetails _usage = new();
    private UsageDetails? _usageSnapshot;
    private readonly ITokenCounter _tokenCounter;
    private readonly ILogger _logger;
    private int _iteration;
    private CountedPrefix? _counted;
    private Tuple<ModelReference, string>? _modelText;
    private Tuple<string, long>? _instructions;
    private object? _budgetState;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="agentName">The agent.</param>
    /// <param name="caller">Who pays.</param>
    /// <param name="budget">The budget to check, settle and release with; <see cref="NullBudget"/> (skipped) when null.</param>
    /// <param name="tokenCounter">Estimates a request's input tokens for the check; <see cref="EstimatingTokenCounter"/> when null.</param>
    /// <param name="logger">Logs settle and release failures; none when null.</param>
    public RunAccount(string runId, string agentName, CallerIdentity caller, IBudget? budget = null, ITokenCounter? tokenCounter = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(agentName);
        ArgumentNullException.ThrowIfNull(caller);
        RunId = runId;
        AgentName = agentName;
        Caller = caller;
        Budget = budget ?? NullBudget.Instance;
        _tokenCounter = tokenCounter ?? EstimatingTokenCounter.Instance;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the run.</summary>
    public string RunId { get; }

    /// <summary>Gets the agent.</summary>
    public string AgentName { get; }

    /// <summary>Gets who pays.</summary>
    public CallerIdentity Caller { get; }

    /// <summary>Gets the budget calls are checked against.</summary>
    public IBudget Budget { get; }

    /// <summary>Gets or sets the run's current iteration (the 1-based model call being made), reported in checks.</summary>
    public int Iteration
    {
        get => Volatile.Read(ref _iteration);
        set => Volatile.Write(ref _iteration, value);
    }

    /// <summary>Gets a copy of the usage of every call counted so far (totals filled as input + output when missing).</summary>
    public UsageDetails Usage
    {
        get
        {
            var copy = new UsageDetails();
            lock (_lock)
            {
                copy.Add(_usage);
            }

            return copy;
        }
    }

    /// <summary>
    /// Gets the state <see cref="Budget"/> keeps for this run (such as the previous call's output for estimates, or the
    /// warnings already given), creating it with <paramref name="create"/> on first use; it lives exactly as long as the
    /// run's account.
    /// </summary>
    /// <typeparam name="T">The state's type (the budget's own).</typeparam>
    /// <param name="create">Creates the state.</param>
    /// <returns>The run's state, or null when state of another type is kept.</returns>
    public T? GetBudgetState<T>(Func<T> create)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(create);
        object? state = Volatile.Read(ref _budgetState);
        if (state is null)
        {
            T created = create();
            state = Interlocked.CompareExchange(ref _budgetState, created, null) ?? created;
        }

        return state as T;
    }

    /// <summary>Gets or sets a hook told about every budget decision (the kernel audits warnings and refusals).</summary>
    /// <summary>
    /// Gets a copy of <see cref="Usage"/> that is shared until the usage next changes (checkpoints take one per turn;
    /// the kernel never changes it, and nor may a checkpoint's reader).
    /// </summary>
    internal UsageDetails UsageSnapshot()
    {
        // Why: read without the lock on the common path (one call per turn); a snapshot read just before a concurrent
        // add is the usage of a moment earlier, as if read then.
        if (Volatile.Read(ref _usageSnapshot) is { } snapshot)
        {
            return snapshot;
        }

        lock (_lock)
        {
            if (_usageSnapshot is null)
            {
                var copy = new UsageDetails();
                copy.Add(_usage);
                Volatile.Write(ref _usageSnapshot, copy);
            }

            return _usageSnapshot;
        }
    }

    internal Func<BudgetCheck, BudgetDecision, CancellationToken, ValueTask>? DecisionObserver { get; set; }

    /// <summary>Adds usage recorded before this account existed (a resumed run's usage so far).</summary>
    /// <param name="usage">The usage.</param>
    internal void AddPrior(UsageDetails usage)
    {
        lock (_lock)
        {
            _usage.Add(usage);
            _usageSnapshot = null;
        }
    }

    /// <summary>Checks a call with the budget; throws <see cref="BudgetExceededException"/> when refused.</summary>
    internal ValueTask<BudgetReservation?> ReserveAsync(
        ModelReference model, IEnumerable<ChatMessage> messages, ChatOptions? options, string? purpose, CancellationToken cancellationToken) =>
        Budget is NullBudget ? default : ReserveCoreAsync(model, messages, options, purpose, cancellationToken);

    private async ValueTask<BudgetReservation?> ReserveCoreAsync(
        ModelReference model, IEnumerable<ChatMessage> messages, ChatOptions? options, string? purpose, CancellationToken cancellationToken)
    {
        long input = CountInput(messages);

        if (options?.Instructions is { Length: > 0 } instructions)
        {
            input += CountInstructions(instructions);
        }

        var check = new BudgetCheck
        {
            RunId = RunId,
            AgentName = AgentName,
            Caller = Caller,
            Model = ModelText(model),
            Iteration = Iteration,
            Purpose = purpose,
            EstimatedInputTokens = input,
            MaxOutputTokens = options?.MaxOutputTokens,
        };
        BudgetDecision decision = await Budget.CheckAsync(check, cancellationToken).ConfigureAwait(false);
        if (DecisionObserver is { } observer && (!decision.Allowed || decision.Warning is not null || decision.ModelNotice is not null))
        {
            await observer(check, decision, cancellationToken).ConfigureAwait(false);
        }

        if (!decision.Allowed)
        {
            throw new BudgetExceededException(check, decision.Reason ?? "The budget refused the model call.") { Exceeded = decision.Exceeded };
        }

        return new BudgetReservation(check, decision.ReservationId) { ModelNotice = decision.ModelNotice };
    }

    // Why: a run calls the same model with the same instructions every turn; format and count them once, not per call.
    // Each cache is an immutable pair published whole, so a hit takes no lock (a race only formats or counts twice).
    private string ModelText(ModelReference model)
    {
        if (Volatile.Read(ref _modelText) is { } cached && ReferenceEquals(cached.Item1, model))
        {
            return cached.Item2;
        }

        string formatted = model.ToString();
        Volatile.Write(ref _modelText, Tuple.Create(model, formatted));
        return formatted;
    }

    private long CountInstructions(string instructions)
    {
        if (Volatile.Read(ref _instructions) is { } cached && ReferenceEquals(cached.Item1, instructions))
        {
            return cached.Item2;
        }

        long tokens = _tokenCounter.CountTokens(new ChatMessage(ChatRole.System, instructions));
        Volatile.Write(ref _instructions, Tuple.Create(instructions, tokens));
        return tokens;
    }

    /// <summary>
    /// The estimate of a request's messages. The kernel sends the same transcript list every call, only longer, so the
    /// count of the part seen before is kept and only new messages are counted (the same total as counting them all).
    /// </summary>
    private long CountInput(IEnumerable<ChatMessage> messages)
    {
        if (messages is not IReadOnlyList<ChatMessage> list)
        {
            long total = 0;
            foreach (ChatMessage message in messages)
            {
                total += _tokenCounter.CountTokens(message);
            }

            return total;
        }

        int start = 0;
        long input = 0;

        // Why: an immutable record of the counted prefix, published whole, so a call takes no lock (two racing calls on
        // one account only count some messages twice, each getting the right total).
        if (Volatile.Read(ref _counted) is { } counted
            && ReferenceEquals(list, counted.List)
            && list.Count >= counted.Count
            && (counted.Count == 0 || ReferenceEquals(list[counted.Count - 1], counted.Tail)))
        {
            (start, input) = (counted.Count, counted.Tokens);
        }

        if (start == list.Count && start > 0)
        {
            return input;
        }

        for (int i = start; i < list.Count; i++)
        {
            input += _tokenCounter.CountTokens(list[i]);
        }

        Volatile.Write(ref _counted, new CountedPrefix(list, list.Count, input, list.Count > 0 ? list[^1] : null));
        return input;
    }

    private sealed class CountedPrefix(IReadOnlyList<ChatMessage> list, int count, long tokens, ChatMessage? tail)
    {
        public IReadOnlyList<ChatMessage> List { get; } = list;

        public int Count { get; } = count;

        public long Tokens { get; } = tokens;

        public ChatMessage? Tail { get; } = tail;
    }

    /// <summary>Counts a completed call's usage and settles its reservation.</summary>
    internal ValueTask SettleAsync(BudgetReservation? reservation, UsageDetails? usage, string? responseModelId)
    {
        UsageDetails? counted = UsageTotals.WithTotal(usage);
        if (counted is not null)
        {
            lock (_lock)
            {
                _usage.Add(counted);
                _usageSnapshot = null;
            }
        }

        return reservation is null ? default : SettleCoreAsync(reservation, counted ?? new UsageDetails(), responseModelId);
    }

    private async ValueTask SettleCoreAsync(BudgetReservation reservation, UsageDetails counted, string? responseModelId)
    {
        try
        {
            // Why: the call's token may be cancelled by now; the spend happened and must be recorded.
            await Budget.SettleAsync(new BudgetCharge(reservation, counted) { ResponseModelId = responseModelId }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogAccountingFailure(_logger, ex, "settle", RunId);
        }
    }

    /// <summary>Releases the reservation of a call that did not complete.</summary>
    internal ValueTask ReleaseAsync(BudgetReservation? reservation) => reservation is null ? default : ReleaseCoreAsync(reservation);

    private async ValueTask ReleaseCoreAsync(BudgetReservation reservation)
    {
        try
        {
            await Budget.ReleaseAsync(reservation, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogAccountingFailure(_logger, ex, "release", RunId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: the budget {Operation} failed; the call's result stands.")]
    private static partial void LogAccountingFailure(ILogger logger, Exception exception, string operation, string runId);
}
