using Executus.Batteries.Budget;
using Microsoft.Data.Sqlite;

namespace Executus.Contrib.Sqlite;

/// <summary>
/// An <see cref="IBudgetStore"/> on SQLite: the ledger is one row per charge and account, summed over the rolling window
/// by an index on (scope, key, time). A reservation's check and insert are one <c>BEGIN IMMEDIATE</c> transaction, so
/// concurrent hosts on one file cannot overspend a cap beyond what calls spend past their estimate.
/// </summary>
/// <remarks>Costs are kept as whole nano-units (10⁻⁹ of the price table's currency) so sums are exact integers.</remarks>
public sealed class SqliteBudgetStore : IBudgetStore
{
    private const decimal NanoPerUnit = 1_000_000_000m;
    private readonly SqliteDatabase _database;
    private readonly TimeSpan _retention;
    private long _longestWindowTicks;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="database">The database.</param>
    /// <param name="retention">How long charges are kept (at least the longest window asked about); default 31 days.</param>
    public SqliteBudgetStore(SqliteDatabase database, TimeSpan? retention = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        TimeSpan value = retention ?? InMemoryBudgetStore.DefaultRetention;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, nameof(retention));
        _database = database;
        _retention = value;
    }

    /// <inheritdoc />
    public ValueTask<BudgetReservationResult> TryReserveAsync(BudgetReservationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        NoteWindow(request.Window);
        long windowStart = request.WindowStart.UtcTicks;
        long now = request.Now.UtcTicks;
        return ValueTask.FromResult(_database.Write((connection, transaction) =>
        {
            ExpireLocked(connection, now);
            using (SqliteCommand exists = connection.CreateCommand())
            {
                exists.CommandText = "SELECT 1 FROM budget_reservations WHERE reservation_id = $id;";
                exists.Parameters.AddWithValue("$id", request.ReservationId);
                if (exists.ExecuteScalar() is not null)
                {
                    throw new InvalidOperationException($"Reservation '{request.ReservationId}' already exists.");
                }
            }

            var states = new BudgetScopeSpend[request.Scopes.Count];
            BudgetRefusal? refusal = null;
            using SqliteCommand spend = connection.CreateCommand();
            spend.CommandText = """
                SELECT (SELECT COALESCE(SUM(tokens), 0) FROM budget_ledger WHERE scope = $scope AND scope_key = $key AND ts >= $start),
                       (SELECT COALESCE(SUM(cost_nano), 0) FROM budget_ledger WHERE scope = $scope AND scope_key = $key AND ts >= $start),
                       (SELECT COALESCE(SUM(r.tokens), 0) FROM budget_reservation_accounts a JOIN budget_reservations r ON r.reservation_id = a.reservation_id WHERE a.scope = $scope AND a.scope_key = $key),
                       (SELECT COALESCE(SUM(r.cost_nano), 0) FROM budget_reservation_accounts a JOIN budget_reservations r ON r.reservation_id = a.reservation_id WHERE a.scope = $scope AND a.scope_key = $key);
                """;
            SqliteParameter scopeParameter = spend.Parameters.Add("$scope", SqliteType.Integer);
            SqliteParameter keyParameter = spend.Parameters.Add("$key", SqliteType.Text);
            spend.Parameters.AddWithValue("$start", windowStart);
            for (int i = 0; i < request.Scopes.Count; i++)
            {
                BudgetScopeLimit limit = request.Scopes[i];
                scopeParameter.Value = (int)limit.Key.Scope;
                keyParameter.Value = limit.Key.Key;
                BudgetAmount spent;
                BudgetAmount reserved;
                using (SqliteDataReader reader = spend.ExecuteReader())
                {
                    reader.Read();
                    spent = new BudgetAmount(reader.GetInt64(0), FromNano(reader.GetInt64(1)));
                    reserved = new BudgetAmount(reader.GetInt64(2), FromNano(reader.GetInt64(3)));
                }

                states[i] = new BudgetScopeSpend(limit, spent, reserved);
                refusal ??= Check(connection, limit, spent + reserved, request, windowStart);
            }

            if (refusal is null)
            {
                using SqliteCommand insert = connection.CreateCommand();
                insert.CommandText = "INSERT INTO budget_reservations (reservation_id, expires_at, tokens, cost_nano, run_id) VALUES ($id, $expires, $tokens, $cost, $run);";
                insert.Parameters.AddWithValue("$id", request.ReservationId);
                insert.Parameters.AddWithValue("$expires", request.ExpiresAt.UtcTicks);
                insert.Parameters.AddWithValue("$tokens", request.Estimate.Tokens);
                insert.Parameters.AddWithValue("$cost", ToNano(request.Estimate.Cost));
                insert.Parameters.AddWithValue("$run", (object?)request.RunId ?? DBNull.Value);
                insert.ExecuteNonQuery();
                using SqliteCommand account = connection.CreateCommand();
                account.CommandText = "INSERT OR IGNORE INTO budget_reservation_accounts (reservation_id, scope, scope_key) VALUES ($id, $scope, $key);";
                account.Parameters.AddWithValue("$id", request.ReservationId);
                SqliteParameter accountScope = account.Parameters.Add("$scope", SqliteType.Integer);
                SqliteParameter accountKey = account.Parameters.Add("$key", SqliteType.Text);
                foreach (BudgetScopeLimit limit in request.Scopes)
                {
                    accountScope.Value = (int)limit.Key.Scope;
                    accountKey.Value = limit.Key.Key;
                    account.ExecuteNonQuery();
                }
            }

            return new BudgetReservationResult { Scopes = states, Refusal = refusal };
        }));
    }

    /// <inheritdoc />
    public ValueTask<bool> SettleAsync(string reservationId, BudgetLedgerEntry charge, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reservationId);
        ArgumentNullException.ThrowIfNull(charge);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Write((connection, _) =>
        {
            bool settled = RemoveReservation(connection, reservationId);
            AddCharge(connection, charge);
            return settled;
        }));
    }

    /// <inheritdoc />
    public ValueTask<bool> ReleaseAsync(string reservationId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reservationId);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Write((connection, _) => RemoveReservation(connection, reservationId)));
    }

    /// <inheritdoc />
    public ValueTask RecordAsync(BudgetLedgerEntry charge, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(charge);
        cancellationToken.ThrowIfCancellationRequested();
        _database.Write((connection, _) =>
        {
            AddCharge(connection, charge);
            return 0;
        });
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<int> ReleaseExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Write((connection, _) => ExpireLocked(connection, now.UtcTicks)));
    }

    /// <inheritdoc />
    public ValueTask<BudgetAmount> GetSpendAsync(BudgetScopeKey key, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Read(connection =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "SELECT COALESCE(SUM(tokens), 0), COALESCE(SUM(cost_nano), 0) FROM budget_ledger WHERE scope = $scope AND scope_key = $key AND ts >= $since AND ts <= $until;";
            command.Parameters.AddWithValue("$scope", (int)key.Scope);
            command.Parameters.AddWithValue("$key", key.Key);
            command.Parameters.AddWithValue("$since", since.UtcTicks);
            command.Parameters.AddWithValue("$until", until.UtcTicks);
            using SqliteDataReader reader = command.ExecuteReader();
            reader.Read();
            return new BudgetAmount(reader.GetInt64(0), FromNano(reader.GetInt64(1)));
        }));
    }

    /// <inheritdoc />
    public ValueTask<BudgetAmount> GetReservedAsync(BudgetScopeKey key, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Write((connection, _) =>
        {
            ExpireLocked(connection, now.UtcTicks);
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "SELECT COALESCE(SUM(r.tokens), 0), COALESCE(SUM(r.cost_nano), 0) FROM budget_reservation_accounts a JOIN budget_reservations r ON r.reservation_id = a.reservation_id WHERE a.scope = $scope AND a.scope_key = $key;";
            command.Parameters.AddWithValue("$scope", (int)key.Scope);
            command.Parameters.AddWithValue("$key", key.Key);
            using SqliteDataReader reader = command.ExecuteReader();
            reader.Read();
            return new BudgetAmount(reader.GetInt64(0), FromNano(reader.GetInt64(1)));
        }));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<BudgetSpendRow>> GetTopSpendersAsync(BudgetScope scope, DateTimeOffset since, DateTimeOffset until, int count, BudgetMetric orderBy, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        cancellationToken.ThrowIfCancellationRequested();
        string order = orderBy == BudgetMetric.Cost ? "cost_sum" : "token_sum";
        return ValueTask.FromResult(_database.Read<IReadOnlyList<BudgetSpendRow>>(connection =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = $"""
                SELECT scope_key, SUM(tokens) AS token_sum, SUM(cost_nano) AS cost_sum FROM budget_ledger
                WHERE scope = $scope AND ts >= $since AND ts <= $until
                GROUP BY scope_key HAVING token_sum > 0 OR cost_sum > 0
                ORDER BY {order} DESC, scope_key ASC LIMIT $count;
                """;
            command.Parameters.AddWithValue("$scope", (int)scope);
            command.Parameters.AddWithValue("$since", since.UtcTicks);
            command.Parameters.AddWithValue("$until", until.UtcTicks);
            command.Parameters.AddWithValue("$count", count);
            var rows = new List<BudgetSpendRow>();
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows.Add(new BudgetSpendRow(new BudgetScopeKey(scope, reader.GetString(0)), new BudgetAmount(reader.GetInt64(1), FromNano(reader.GetInt64(2)))));
            }

            return rows;
        }));
    }

    private static long ToNano(decimal cost) => (long)decimal.Round(cost * NanoPerUnit, MidpointRounding.AwayFromZero);

    private static decimal FromNano(long nano) => nano / NanoPerUnit;

    private static BudgetRefusal? Check(SqliteConnection connection, BudgetScopeLimit limit, BudgetAmount committed, BudgetReservationRequest request, long windowStart)
    {
        if (limit.MaxTokens is long maxTokens && committed.Tokens + request.Estimate.Tokens > maxTokens)
        {
            return Refuse(connection, limit.Key, BudgetMetric.Tokens, maxTokens, committed.Tokens, request.Estimate.Tokens, request, windowStart);
        }

        if (limit.MaxCost is decimal maxCost && committed.Cost + request.Estimate.Cost > maxCost)
        {
            return Refuse(connection, limit.Key, BudgetMetric.Cost, maxCost, committed.Cost, request.Estimate.Cost, request, windowStart);
        }

        return null;
    }

    private static BudgetRefusal Refuse(SqliteConnection connection, BudgetScopeKey key, BudgetMetric metric, decimal limit, decimal committed, decimal requested, BudgetReservationRequest request, long windowStart) =>
        new()
        {
            Scope = key,
            Metric = metric,
            Limit = limit,
            Spent = committed,
            Requested = requested,
            RetryAfter = requested > limit ? null : TimeUntilFreed(connection, key, metric, committed + requested - limit, request, windowStart),
        };

    private static TimeSpan TimeUntilFreed(SqliteConnection connection, BudgetScopeKey key, BudgetMetric metric, decimal needed, BudgetReservationRequest request, long windowStart)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT ts, tokens, cost_nano FROM budget_ledger WHERE scope = $scope AND scope_key = $key AND ts >= $start ORDER BY ts;";
        command.Parameters.AddWithValue("$scope", (int)key.Scope);
        command.Parameters.AddWithValue("$key", key.Key);
        command.Parameters.AddWithValue("$start", windowStart);
        using SqliteDataReader reader = command.ExecuteReader();
        decimal freed = 0;
        while (reader.Read())
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

    private static bool RemoveReservation(SqliteConnection connection, string reservationId)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = """
            DELETE FROM budget_reservation_accounts WHERE reservation_id = $id;
            DELETE FROM budget_reservations WHERE reservation_id = $id;
            """;
        command.Parameters.AddWithValue("$id", reservationId);
        command.ExecuteNonQuery();
        using SqliteCommand changes = connection.CreateCommand();
        changes.CommandText = "SELECT changes();";
        return (long)changes.ExecuteScalar()! > 0;
    }

    private static int ExpireLocked(SqliteConnection connection, long now)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = """
            DELETE FROM budget_reservation_accounts WHERE reservation_id IN (SELECT reservation_id FROM budget_reservations WHERE expires_at <= $now);
            DELETE FROM budget_reservations WHERE expires_at <= $now;
            SELECT changes();
            """;
        command.Parameters.AddWithValue("$now", now);
        return (int)(long)command.ExecuteScalar()!;
    }

    private void AddCharge(SqliteConnection connection, BudgetLedgerEntry charge)
    {
        using SqliteCommand insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO budget_ledger (entry_id, scope, scope_key, ts, tokens, cost_nano, run_id, model) VALUES ($id, $scope, $key, $ts, $tokens, $cost, $run, $model);";
        insert.Parameters.AddWithValue("$id", charge.Id);
        SqliteParameter scope = insert.Parameters.Add("$scope", SqliteType.Integer);
        SqliteParameter key = insert.Parameters.Add("$key", SqliteType.Text);
        insert.Parameters.AddWithValue("$ts", charge.Timestamp.UtcTicks);
        insert.Parameters.AddWithValue("$tokens", charge.Amount.Tokens);
        insert.Parameters.AddWithValue("$cost", ToNano(charge.Amount.Cost));
        insert.Parameters.AddWithValue("$run", (object?)charge.RunId ?? DBNull.Value);
        insert.Parameters.AddWithValue("$model", (object?)charge.Model ?? DBNull.Value);
        foreach (BudgetScopeKey account in charge.Scopes.Distinct())
        {
            scope.Value = (int)account.Scope;
            key.Value = account.Key;
            insert.ExecuteNonQuery();
        }

        long keep = Math.Max(_retention.Ticks, Interlocked.Read(ref _longestWindowTicks));
        using SqliteCommand prune = connection.CreateCommand();
        // Why: relative to the newest charge, as the in-memory ledger prunes, so a clock that jumps back loses nothing.
        prune.CommandText = "DELETE FROM budget_ledger WHERE ts < (SELECT MAX(ts) FROM budget_ledger) - $keep;";
        prune.Parameters.AddWithValue("$keep", keep);
        prune.ExecuteNonQuery();
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
