using Executus.Batteries.Budget;
using Npgsql;

namespace Executus.Contrib.PostgreSql;

/// <summary>
/// An <see cref="IBudgetStore"/> on PostgreSQL that N hosts can share without overspending a cap: a reservation's
/// check and insert, and a settle's release and charge, each run in ONE transaction that first locks the row of every
/// account it touches (<c>budget_accounts</c>, <c>SELECT … FOR UPDATE</c> in key order). So hosts serialize per account
/// and a cap is overspent only by what calls spend beyond their estimate, as on one host.
/// </summary>
/// <remarks>Costs are kept as whole nano-units (10⁻⁹ of the price table's currency) so sums are exact integers; the
/// ledger is one row per charge and account, summed over the rolling window by an index on (scope, key, time).</remarks>
public sealed class PostgreSqlBudgetStore : IBudgetStore
{
    private const decimal NanoPerUnit = 1_000_000_000m;
    private readonly PostgreSqlDatabase _database;
    private readonly TimeSpan _retention;
    private long _longestWindowTicks;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="database">The database.</param>
    /// <param name="retention">How long charges are kept (at least the longest window asked about); default 31 days.</param>
    public PostgreSqlBudgetStore(PostgreSqlDatabase database, TimeSpan? retention = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        TimeSpan value = retention ?? InMemoryBudgetStore.DefaultRetention;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, nameof(retention));
        _database = database;
        _retention = value;
    }

    /// <inheritdoc />
    public async ValueTask<BudgetReservationResult> TryReserveAsync(BudgetReservationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        NoteWindow(request.Window);
        long windowStart = request.WindowStart.UtcTicks;
        long now = request.Now.UtcTicks;
        var scopes = new int[request.Scopes.Count];
        var keys = new string[request.Scopes.Count];
        for (int i = 0; i < scopes.Length; i++)
        {
            scopes[i] = (int)request.Scopes[i].Key.Scope;
            keys[i] = request.Scopes[i].Key.Key;
        }

        return await _database.WriteAsync(async (connection, transaction) =>
        {
            await LockAccountsAsync(connection, transaction, request.Scopes.Select(s => s.Key), cancellationToken).ConfigureAwait(false);
            await ExpireAsync(connection, transaction, now, cancellationToken).ConfigureAwait(false);
            using (NpgsqlCommand exists = connection.Command("SELECT 1 FROM budget_reservations WHERE reservation_id = @id;", transaction).Text("id", request.ReservationId))
            {
                if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null)
                {
                    throw new InvalidOperationException($"Reservation '{request.ReservationId}' already exists.");
                }
            }

            var states = new BudgetScopeSpend[request.Scopes.Count];
            using (NpgsqlCommand spend = connection.Command(
                """
                SELECT a.ord,
                       (SELECT COALESCE(SUM(l.tokens), 0)::bigint FROM budget_ledger l WHERE l.scope = a.scope AND l.scope_key = a.key AND l.ts >= @start),
                       (SELECT COALESCE(SUM(l.cost_nano), 0)::bigint FROM budget_ledger l WHERE l.scope = a.scope AND l.scope_key = a.key AND l.ts >= @start),
                       (SELECT COALESCE(SUM(r.tokens), 0)::bigint FROM budget_reservation_accounts ra JOIN budget_reservations r ON r.reservation_id = ra.reservation_id WHERE ra.scope = a.scope AND ra.scope_key = a.key),
                       (SELECT COALESCE(SUM(r.cost_nano), 0)::bigint FROM budget_reservation_accounts ra JOIN budget_reservations r ON r.reservation_id = ra.reservation_id WHERE ra.scope = a.scope AND ra.scope_key = a.key)
                FROM unnest(@scopes, @keys) WITH ORDINALITY AS a(scope, key, ord) ORDER BY a.ord;
                """,
                transaction).Ints("scopes", scopes).Texts("keys", keys).Long("start", windowStart))
            {
                using NpgsqlDataReader reader = await spend.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    int i = (int)reader.GetInt64(0) - 1;
                    states[i] = new BudgetScopeSpend(
                        request.Scopes[i],
                        new BudgetAmount(reader.GetInt64(1), FromNano(reader.GetInt64(2))),
                        new BudgetAmount(reader.GetInt64(3), FromNano(reader.GetInt64(4))));
                }
            }

            BudgetRefusal? refusal = null;
            foreach (BudgetScopeSpend state in states)
            {
                refusal = await CheckAsync(connection, transaction, state.Limit, state.Spent + state.Reserved, request, windowStart, cancellationToken).ConfigureAwait(false);
                if (refusal is not null)
                {
                    break;
                }
            }

            if (refusal is null)
            {
                using NpgsqlCommand insert = connection.Command(
                    """
                    INSERT INTO budget_reservations (reservation_id, expires_at, tokens, cost_nano, run_id) VALUES (@id, @expires, @tokens, @cost, @run);
                    INSERT INTO budget_reservation_accounts (reservation_id, scope, scope_key)
                        SELECT @id, s, k FROM unnest(@scopes, @keys) AS a(s, k) ON CONFLICT DO NOTHING;
                    """,
                    transaction)
                    .Text("id", request.ReservationId).Long("expires", request.ExpiresAt.UtcTicks).Long("tokens", request.Estimate.Tokens)
                    .Long("cost", ToNano(request.Estimate.Cost)).Text("run", request.RunId).Ints("scopes", scopes).Texts("keys", keys);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return new BudgetReservationResult { Scopes = states, Refusal = refusal };
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> SettleAsync(string reservationId, BudgetLedgerEntry charge, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reservationId);
        ArgumentNullException.ThrowIfNull(charge);
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.WriteAsync(async (connection, transaction) =>
        {
            // Why: the reservation leaves and the charge arrives under the same account locks, so a concurrent
            // reservation on another host sees one or the other, never neither.
            var accounts = new List<BudgetScopeKey>(charge.Scopes);
            using (NpgsqlCommand held = connection.Command("SELECT scope, scope_key FROM budget_reservation_accounts WHERE reservation_id = @id;", transaction).Text("id", reservationId))
            {
                using NpgsqlDataReader reader = await held.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    accounts.Add(new BudgetScopeKey((BudgetScope)reader.GetInt32(0), reader.GetString(1)));
                }
            }

            await LockAccountsAsync(connection, transaction, accounts, cancellationToken).ConfigureAwait(false);
            bool settled = await RemoveReservationAsync(connection, transaction, reservationId, cancellationToken).ConfigureAwait(false);
            await AddChargeAsync(connection, transaction, charge, cancellationToken).ConfigureAwait(false);
            return settled;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> ReleaseAsync(string reservationId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reservationId);
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.WriteAsync((connection, transaction) => RemoveReservationAsync(connection, transaction, reservationId, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask RecordAsync(BudgetLedgerEntry charge, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(charge);
        cancellationToken.ThrowIfCancellationRequested();
        await _database.WriteAsync(async (connection, transaction) =>
        {
            await LockAccountsAsync(connection, transaction, charge.Scopes, cancellationToken).ConfigureAwait(false);
            await AddChargeAsync(connection, transaction, charge, cancellationToken).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<int> ReleaseExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.WriteAsync((connection, transaction) => ExpireAsync(connection, transaction, now.UtcTicks, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<BudgetAmount> GetSpendAsync(BudgetScopeKey key, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.ReadAsync(async connection =>
        {
            using NpgsqlCommand command = connection.Command(
                "SELECT COALESCE(SUM(tokens), 0)::bigint, COALESCE(SUM(cost_nano), 0)::bigint FROM budget_ledger WHERE scope = @scope AND scope_key = @key AND ts >= @since AND ts <= @until;")
                .Int("scope", (int)key.Scope).Text("key", key.Key).Long("since", since.UtcTicks).Long("until", until.UtcTicks);
            return await ReadAmountAsync(command, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<BudgetAmount> GetReservedAsync(BudgetScopeKey key, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.WriteAsync(async (connection, transaction) =>
        {
            await ExpireAsync(connection, transaction, now.UtcTicks, cancellationToken).ConfigureAwait(false);
            using NpgsqlCommand command = connection.Command(
                "SELECT COALESCE(SUM(r.tokens), 0)::bigint, COALESCE(SUM(r.cost_nano), 0)::bigint FROM budget_reservation_accounts a JOIN budget_reservations r ON r.reservation_id = a.reservation_id WHERE a.scope = @scope AND a.scope_key = @key;",
                transaction).Int("scope", (int)key.Scope).Text("key", key.Key);
            return await ReadAmountAsync(command, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<BudgetSpendRow>> GetTopSpendersAsync(BudgetScope scope, DateTimeOffset since, DateTimeOffset until, int count, BudgetMetric orderBy, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        cancellationToken.ThrowIfCancellationRequested();
        string order = orderBy == BudgetMetric.Cost ? "cost_sum" : "token_sum";
        return await _database.ReadAsync<IReadOnlyList<BudgetSpendRow>>(async connection =>
        {
            using NpgsqlCommand command = connection.Command(
                $"""
                SELECT scope_key, token_sum, cost_sum FROM (
                    SELECT scope_key, SUM(tokens)::bigint AS token_sum, SUM(cost_nano)::bigint AS cost_sum FROM budget_ledger
                    WHERE scope = @scope AND ts >= @since AND ts <= @until GROUP BY scope_key) t
                WHERE token_sum > 0 OR cost_sum > 0
                ORDER BY {order} DESC, scope_key ASC LIMIT @count;
                """)
                .Int("scope", (int)scope).Long("since", since.UtcTicks).Long("until", until.UtcTicks).Int("count", count);
            var rows = new List<BudgetSpendRow>();
            using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(new BudgetSpendRow(new BudgetScopeKey(scope, reader.GetString(0)), new BudgetAmount(reader.GetInt64(1), FromNano(reader.GetInt64(2)))));
            }

            return rows;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static long ToNano(decimal cost) => (long)decimal.Round(cost * NanoPerUnit, MidpointRounding.AwayFromZero);

    private static decimal FromNano(long nano) => nano / NanoPerUnit;

    private static async Task<BudgetAmount> ReadAmountAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new BudgetAmount(reader.GetInt64(0), FromNano(reader.GetInt64(1)));
    }

    /// <summary>Creates the account rows that are missing and locks every one, in key order (so two hosts cannot deadlock on them).</summary>
    private static async Task LockAccountsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IEnumerable<BudgetScopeKey> accounts, CancellationToken cancellationToken)
    {
        BudgetScopeKey[] sorted = accounts.Distinct().OrderBy(a => (int)a.Scope).ThenBy(a => a.Key, StringComparer.Ordinal).ToArray();
        if (sorted.Length == 0)
        {
            return;
        }

        int[] scopes = sorted.Select(a => (int)a.Scope).ToArray();
        string[] keys = sorted.Select(a => a.Key).ToArray();
        using NpgsqlCommand command = connection.Command(
            """
            INSERT INTO budget_accounts (scope, scope_key) SELECT s, k FROM unnest(@scopes, @keys) AS a(s, k) ON CONFLICT DO NOTHING;
            SELECT 1 FROM budget_accounts b JOIN unnest(@scopes, @keys) AS a(s, k) ON b.scope = a.s AND b.scope_key = a.k
            ORDER BY b.scope, b.scope_key FOR UPDATE OF b;
            """,
            transaction).Ints("scopes", scopes).Texts("keys", keys);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<BudgetRefusal?> CheckAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, BudgetScopeLimit limit, BudgetAmount committed, BudgetReservationRequest request, long windowStart, CancellationToken cancellationToken)
    {
        if (limit.MaxTokens is long maxTokens && committed.Tokens + request.Estimate.Tokens > maxTokens)
        {
            return await RefuseAsync(connection, transaction, limit.Key, BudgetMetric.Tokens, maxTokens, committed.Tokens, request.Estimate.Tokens, request, windowStart, cancellationToken).ConfigureAwait(false);
        }

        if (limit.MaxCost is decimal maxCost && committed.Cost + request.Estimate.Cost > maxCost)
        {
            return await RefuseAsync(connection, transaction, limit.Key, BudgetMetric.Cost, maxCost, committed.Cost, request.Estimate.Cost, request, windowStart, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    private static async Task<BudgetRefusal> RefuseAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, BudgetScopeKey key, BudgetMetric metric, decimal limit, decimal committed, decimal requested, BudgetReservationRequest request, long windowStart, CancellationToken cancellationToken) =>
        new()
        {
            Scope = key,
            Metric = metric,
            Limit = limit,
            Spent = committed,
            Requested = requested,
            RetryAfter = requested > limit ? null : await TimeUntilFreedAsync(connection, transaction, key, metric, committed + requested - limit, request, windowStart, cancellationToken).ConfigureAwait(false),
        };

    private static async Task<TimeSpan> TimeUntilFreedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, BudgetScopeKey key, BudgetMetric metric, decimal needed, BudgetReservationRequest request, long windowStart, CancellationToken cancellationToken)
    {
        using NpgsqlCommand command = connection.Command(
            "SELECT ts, tokens, cost_nano FROM budget_ledger WHERE scope = @scope AND scope_key = @key AND ts >= @start ORDER BY ts;",
            transaction).Int("scope", (int)key.Scope).Text("key", key.Key).Long("start", windowStart);
        using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        decimal freed = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            freed += metric == BudgetMetric.Tokens ? reader.GetInt64(1) : FromNano(reader.GetInt64(2));
            if (freed >= needed)
            {
                // A charge at t counts while now - window <= t, so it leaves one tick after t + window.
                long freeAt = reader.GetInt64(0) + request.Window.Ticks + 1;
                return TimeSpan.FromTicks(Math.Max(freeAt - request.Now.UtcTicks, 1));
            }
        }

        // Live reservations hold the rest; once settled they leave the window a full window from now.
        return request.Window;
    }

    private static async Task<bool> RemoveReservationAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string reservationId, CancellationToken cancellationToken)
    {
        using NpgsqlCommand command = connection.Command(
            """
            WITH gone AS (DELETE FROM budget_reservations WHERE reservation_id = @id RETURNING reservation_id),
                 accounts AS (DELETE FROM budget_reservation_accounts WHERE reservation_id = @id)
            SELECT count(*) FROM gone;
            """,
            transaction).Text("id", reservationId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! > 0;
    }

    private static async Task<int> ExpireAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long now, CancellationToken cancellationToken)
    {
        using NpgsqlCommand command = connection.Command(
            """
            WITH gone AS (DELETE FROM budget_reservations WHERE expires_at <= @now RETURNING reservation_id),
                 accounts AS (DELETE FROM budget_reservation_accounts WHERE reservation_id IN (SELECT reservation_id FROM gone))
            SELECT count(*) FROM gone;
            """,
            transaction).Long("now", now);
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private async Task AddChargeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, BudgetLedgerEntry charge, CancellationToken cancellationToken)
    {
        BudgetScopeKey[] accounts = charge.Scopes.Distinct().ToArray();
        long keep = Math.Max(_retention.Ticks, Interlocked.Read(ref _longestWindowTicks));
        // Why: the prune is relative to the newest charge, as the in-memory ledger prunes, so a clock that jumps back loses nothing.
        using NpgsqlCommand insert = connection.Command(
            """
            INSERT INTO budget_ledger (entry_id, scope, scope_key, ts, tokens, cost_nano, run_id, model)
                SELECT @id, s, k, @ts, @tokens, @cost, @run, @model FROM unnest(@scopes, @keys) AS a(s, k);
            DELETE FROM budget_ledger WHERE ts < (SELECT MAX(ts) FROM budget_ledger) - @keep;
            """,
            transaction)
            .Text("id", charge.Id).Long("ts", charge.Timestamp.UtcTicks).Long("tokens", charge.Amount.Tokens).Long("cost", ToNano(charge.Amount.Cost))
            .Text("run", charge.RunId).Text("model", charge.Model)
            .Ints("scopes", accounts.Select(a => (int)a.Scope).ToArray()).Texts("keys", accounts.Select(a => a.Key).ToArray()).Long("keep", keep);
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private void NoteWindow(TimeSpan window)
    {
        long ticks = window.Ticks;
        long seen = Interlocked.Read(ref _longestWindowTicks);
        while (ticks > seen)
        {
            long previous = Interlocked.CompareExchange(ref _longestWindowTicks, ticks, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
