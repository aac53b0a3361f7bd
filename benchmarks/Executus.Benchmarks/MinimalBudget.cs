using Executus.Runs;

namespace Executus.Benchmarks;

/// <summary>
/// The floor of issue 12's budget work, not a battery: the least a rolling-window budget with reservations must do per
/// model call. The check, under one lock, drops charges older than the window, compares spend + reserved + the estimate
/// with one limit and reserves; the settle releases the estimate and appends the charge (tokens and a decimal cost).
/// </summary>
/// <remarks>
/// What it leaves out, which the Budget battery does: scopes (global, tenant, caller, agent, each with its limit), the
/// price table, reservation ids and their expiry, soft limits and warnings, retry-after, the estimate modes, per-run
/// state, operator queries and durable stores. So the battery's cost cannot be below this one's.
/// </remarks>
internal sealed class MinimalBudget : IBudget
{
    private const long LimitTokens = long.MaxValue / 4;
    private const int LedgerSize = 1 << 16;
    private static readonly BudgetDecision Granted = BudgetDecision.Grant("r");
    private static readonly BudgetDecision Refused = BudgetDecision.Deny("The limit is reached.");
    private static readonly decimal InputRate = 1m / 1_000_000m;
    private static readonly decimal OutputRate = 2m / 1_000_000m;
    private static readonly long Window = TimeSpan.FromDays(7).Ticks;
    private readonly Lock _gate = new();
    private readonly Charge[] _ledger = new Charge[LedgerSize];
    private int _head;
    private int _tail;
    private long _tokens;
    private long _reserved;
    private decimal _cost;

    public ValueTask<BudgetDecision> CheckAsync(BudgetCheck check, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(check);
        long output = check.MaxOutputTokens ?? 1_000;
        long estimate = check.EstimatedInputTokens + output;
        decimal cost = (check.EstimatedInputTokens * InputRate) + (output * OutputRate);
        long windowStart = Now() - Window;
        lock (_gate)
        {
            while (_head != _tail && _ledger[_head].Ticks < windowStart)
            {
                _tokens -= _ledger[_head].Tokens;
                _cost -= _ledger[_head].Cost;
                _head = (_head + 1) & (LedgerSize - 1);
            }

            if (_tokens + _reserved + estimate > LimitTokens || _cost + cost < 0)
            {
                return ValueTask.FromResult(Refused);
            }

            _reserved += estimate;
        }

        return ValueTask.FromResult(Granted);
    }

    public ValueTask SettleAsync(BudgetCharge charge, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(charge);
        BudgetCheck check = charge.Reservation.Check;
        long estimate = check.EstimatedInputTokens + (check.MaxOutputTokens ?? 1_000);
        long tokens = charge.Usage.TotalTokenCount ?? 0;
        decimal cost = ((charge.Usage.InputTokenCount ?? 0) * InputRate) + ((charge.Usage.OutputTokenCount ?? 0) * OutputRate);
        long now = Now();
        lock (_gate)
        {
            _reserved -= estimate;
            int last = (_tail - 1) & (LedgerSize - 1);
            if (_head != _tail && _ledger[last].Ticks == now)
            {
                _ledger[last].Tokens += tokens;
                _ledger[last].Cost += cost;
            }
            else
            {
                _ledger[_tail] = new Charge { Ticks = now, Tokens = tokens, Cost = cost };
                _tail = (_tail + 1) & (LedgerSize - 1);
                if (_tail == _head)
                {
                    _head = (_head + 1) & (LedgerSize - 1);
                }
            }

            _tokens += tokens;
            _cost += cost;
        }

        return default;
    }

    public ValueTask ReleaseAsync(BudgetReservation reservation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        long estimate = reservation.Check.EstimatedInputTokens + (reservation.Check.MaxOutputTokens ?? 1_000);
        lock (_gate)
        {
            _reserved -= estimate;
        }

        return default;
    }

    // Why: the coarse millisecond tick (no clock read), as cheap as a time source gets.
    private static long Now() => Environment.TickCount64 * TimeSpan.TicksPerMillisecond;

    private struct Charge
    {
        public long Ticks;
        public long Tokens;
        public decimal Cost;
    }
}
