namespace Executus.Batteries.Budget;

/// <summary>
/// The default <see cref="IBudgetStore"/>: a ledger in memory, one lock for the whole store (a reservation's check and
/// insert are one step). Each account keeps its charges in time order with a running sum from a window cursor, so a
/// check against a window that only moves forward costs amortised O(1) whatever the ledger's size.
/// </summary>
/// <remarks>Charges older than the retention (and older than the longest window ever asked about) are dropped.</remarks>
public sealed class InMemoryBudgetStore : IBudgetStore
{
    /// <summary>The retention used when none is given: 31 days.</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(31);

    private readonly Lock _gate = new();
    private readonly Dictionary<BudgetScopeKey, Account> _accounts = [];
    private readonly Dictionary<string, Reservation> _reservations = new(StringComparer.Ordinal);

    // Why: reservations are values (no object per call) and the expiry queue holds (id, serial) pairs; a queued pair
    // whose reservation was settled or released no longer matches a live serial and is skipped.
    private readonly PriorityQueue<(string Id, long Serial), DateTimeOffset> _expiries = new();
    private readonly TimeSpan _retention;
    private TimeSpan _longestWindow;
    private int _deadInQueue;
    private long _serial;
    private long _latestTicks = long.MinValue;

    /// <summary>Initializes a new empty store.</summary>
    /// <param name="retention">How long charges are kept (at least the longest window asked about); default 31 days.</param>
    public InMemoryBudgetStore(TimeSpan? retention = null)
    {
        TimeSpan value = retention ?? DefaultRetention;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, nameof(retention));
        _retention = value;
    }

    /// <summary>Gets how many reservations are live (neither settled, released nor expired as of the last operation).</summary>
    public int LiveReservationCount
    {
        get
        {
            lock (_gate)
            {
                return _reservations.Count;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<BudgetReservationResult> TryReserveAsync(BudgetReservationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<BudgetScopeLimit> scopes = request.Scopes;
        var states = new SpendList(scopes);
        BudgetRefusal? refusal = TryReserve(
            request.ReservationId, scopes, request.Estimate, request.Now, request.Window, request.ExpiresAt, states.Spent, states.Reserved);
        return ValueTask.FromResult(new BudgetReservationResult { Scopes = states, Refusal = refusal });
    }

    /// <inheritdoc />
    public ValueTask<bool> SettleAsync(string reservationId, BudgetLedgerEntry charge, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reservationId);
        ArgumentNullException.ThrowIfNull(charge);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Settle(reservationId, charge.Timestamp, charge.Scopes, charge.Amount));
    }

    /// <summary>
    /// <see cref="TryReserveAsync"/> without its request and result objects (the budget's path to this store): each
    /// account's settled spend in the window and reservations before this one go into <paramref name="spent"/> and
    /// <paramref name="reserved"/> (one element per scope).
    /// </summary>
    internal BudgetRefusal? TryReserve(
        string reservationId,
        IReadOnlyList<BudgetScopeLimit> scopes,
        BudgetAmount estimate,
        DateTimeOffset now,
        TimeSpan window,
        DateTimeOffset expiresAt,
        Span<BudgetAmount> spent,
        Span<BudgetAmount> reserved)
    {
        long windowStart = (now - window).UtcTicks;
        lock (_gate)
        {
            if (window > _longestWindow)
            {
                _longestWindow = window;
            }

            ExpireLocked(now);
            if (_reservations.ContainsKey(reservationId))
            {
                throw new InvalidOperationException($"Reservation '{reservationId}' already exists.");
            }

            BudgetRefusal? refusal = null;
            for (int i = 0; i < scopes.Count; i++)
            {
                BudgetScopeLimit limit = scopes[i];
                Account account = GetAccountLocked(limit.Key);
                BudgetAmount accountSpent = account.WindowSum(windowStart);
                (spent[i], reserved[i]) = (accountSpent, account.Reserved);
                refusal ??= Check(limit, account, accountSpent, estimate, now, window);
            }

            if (refusal is null)
            {
                long serial = ++_serial;
                _reservations.Add(reservationId, new Reservation(scopes, estimate, expiresAt, serial));
                _expiries.Enqueue((reservationId, serial), expiresAt);
                for (int i = 0; i < scopes.Count; i++)
                {
                    _accounts[scopes[i].Key].Reserved += estimate;
                }
            }

            return refusal;
        }
    }

    /// <summary><see cref="SettleAsync"/> without a ledger entry object (the budget's path to this store).</summary>
    internal bool Settle(string reservationId, DateTimeOffset timestamp, IReadOnlyList<BudgetScopeKey> scopes, BudgetAmount amount)
    {
        lock (_gate)
        {
            bool settled = RemoveReservationLocked(reservationId);
            AddLocked(timestamp.UtcTicks, scopes, amount);
            return settled;
        }
    }

    /// <summary><see cref="RecordAsync"/> without a ledger entry object.</summary>
    internal void Record(DateTimeOffset timestamp, IReadOnlyList<BudgetScopeKey> scopes, BudgetAmount amount)
    {
        lock (_gate)
        {
            AddLocked(timestamp.UtcTicks, scopes, amount);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> ReleaseAsync(string reservationId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reservationId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(RemoveReservationLocked(reservationId));
        }
    }

    /// <inheritdoc />
    public ValueTask RecordAsync(BudgetLedgerEntry charge, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(charge);
        cancellationToken.ThrowIfCancellationRequested();
        Record(charge.Timestamp, charge.Scopes, charge.Amount);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<int> ReleaseExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(ExpireLocked(now));
        }
    }

    /// <inheritdoc />
    public ValueTask<BudgetAmount> GetSpendAsync(BudgetScopeKey key, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(_accounts.TryGetValue(key, out Account? account) ? account.RangeSum(since.UtcTicks, until.UtcTicks) : BudgetAmount.Zero);
        }
    }

    /// <inheritdoc />
    public ValueTask<BudgetAmount> GetReservedAsync(BudgetScopeKey key, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ExpireLocked(now);
            return ValueTask.FromResult(_accounts.TryGetValue(key, out Account? account) ? account.Reserved : BudgetAmount.Zero);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<BudgetSpendRow>> GetTopSpendersAsync(BudgetScope scope, DateTimeOffset since, DateTimeOffset until, int count, BudgetMetric orderBy, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        cancellationToken.ThrowIfCancellationRequested();
        var rows = new List<BudgetSpendRow>();
        lock (_gate)
        {
            foreach (KeyValuePair<BudgetScopeKey, Account> pair in _accounts)
            {
                if (pair.Key.Scope != scope)
                {
                    continue;
                }

                BudgetAmount spent = pair.Value.RangeSum(since.UtcTicks, until.UtcTicks);
                if (spent.Tokens > 0 || spent.Cost > 0)
                {
                    rows.Add(new BudgetSpendRow(pair.Key, spent));
                }
            }
        }

        rows.Sort((a, b) =>
        {
            int byMetric = orderBy == BudgetMetric.Cost ? b.Spent.Cost.CompareTo(a.Spent.Cost) : b.Spent.Tokens.CompareTo(a.Spent.Tokens);
            return byMetric != 0 ? byMetric : string.CompareOrdinal(a.Key.Key, b.Key.Key);
        });
        if (rows.Count > count)
        {
            rows.RemoveRange(count, rows.Count - count);
        }

        return ValueTask.FromResult<IReadOnlyList<BudgetSpendRow>>(rows);
    }

    private static BudgetRefusal? Check(BudgetScopeLimit limit, Account account, BudgetAmount spent, BudgetAmount estimate, DateTimeOffset now, TimeSpan window)
    {
        BudgetAmount committed = spent + account.Reserved;
        if (limit.MaxTokens is long maxTokens && committed.Tokens + estimate.Tokens > maxTokens)
        {
            return Refuse(limit.Key, BudgetMetric.Tokens, maxTokens, committed.Tokens, estimate.Tokens, account, now, window);
        }

        if (limit.MaxCost is decimal maxCost && committed.Cost + estimate.Cost > maxCost)
        {
            return Refuse(limit.Key, BudgetMetric.Cost, maxCost, committed.Cost, estimate.Cost, account, now, window);
        }

        return null;
    }

    private static BudgetRefusal Refuse(BudgetScopeKey key, BudgetMetric metric, decimal limit, decimal committed, decimal requested, Account account, DateTimeOffset now, TimeSpan window) =>
        new()
        {
            Scope = key,
            Metric = metric,
            Limit = limit,
            Spent = committed,
            Requested = requested,
            RetryAfter = requested > limit ? null : account.TimeUntilFreed(metric, committed + requested - limit, now, window),
        };

    private Account GetAccountLocked(BudgetScopeKey key)
    {
        if (!_accounts.TryGetValue(key, out Account? account))
        {
            account = new Account();
            _accounts.Add(key, account);
        }

        return account;
    }

    private void AddLocked(long ticks, IReadOnlyList<BudgetScopeKey> scopes, BudgetAmount amount)
    {
        var item = new Charge(ticks, amount.Tokens, amount.Cost);
        if (ticks > _latestTicks)
        {
            _latestTicks = ticks;
        }

        TimeSpan keep = _retention > _longestWindow ? _retention : _longestWindow;
        long pruneBefore = _latestTicks - keep.Ticks;
        for (int i = 0; i < scopes.Count; i++)
        {
            Account account = GetAccountLocked(scopes[i]);
            account.Insert(item);
            account.Prune(pruneBefore);
        }
    }

    private bool RemoveReservationLocked(string id)
    {
        if (!_reservations.Remove(id, out Reservation reservation))
        {
            return false;
        }

        Release(reservation);
        _deadInQueue++;

        // Why: a settled reservation's pair stays in the expiry queue until its time; under load that is every call of the
        // last ReservationTimeout. Dead pairs at the head (the usual case: calls settle in about the order they reserved)
        // go at once; the queue is rebuilt from the live ones if the dead still outnumber them.
        while (_expiries.TryPeek(out (string Id, long Serial) head, out _) && !IsLiveLocked(head))
        {
            _expiries.Dequeue();
            _deadInQueue--;
        }

        if (_deadInQueue > 256 && _deadInQueue > _reservations.Count)
        {
            _expiries.Clear();
            foreach (KeyValuePair<string, Reservation> live in _reservations)
            {
                _expiries.Enqueue((live.Key, live.Value.Serial), live.Value.ExpiresAt);
            }

            _deadInQueue = 0;
        }

        return true;
    }

    private bool IsLiveLocked((string Id, long Serial) queued) =>
        _reservations.TryGetValue(queued.Id, out Reservation live) && live.Serial == queued.Serial;

    private int ExpireLocked(DateTimeOffset now)
    {
        int released = 0;
        while (_expiries.TryPeek(out (string Id, long Serial) queued, out DateTimeOffset expiresAt) && expiresAt <= now)
        {
            _expiries.Dequeue();
            // Why: a settled or released reservation stays in the queue until its time; only a live one is released.
            if (IsLiveLocked(queued))
            {
                _reservations.Remove(queued.Id, out Reservation reservation);
                Release(reservation);
                released++;
            }
            else
            {
                _deadInQueue--;
            }
        }

        return released;
    }

    private readonly record struct Charge(long Ticks, long Tokens, decimal Cost);

    private void Release(Reservation reservation)
    {
        // Why: accounts are never removed, so the reservation keeps only its scopes (the run's shared list) and finds
        // its accounts again here instead of holding an array of its own.
        IReadOnlyList<BudgetScopeLimit> scopes = reservation.Scopes;
        for (int i = 0; i < scopes.Count; i++)
        {
            _accounts[scopes[i].Key].Reserved -= reservation.Amount;
        }
    }

    /// <summary>A live reservation: its accounts (the run's shared list), amount, expiry and the serial its queue entry carries.</summary>
    private readonly record struct Reservation(IReadOnlyList<BudgetScopeLimit> Scopes, BudgetAmount Amount, DateTimeOffset ExpiresAt, long Serial);

    /// <summary>
    /// The accounts' states of one decision: the amounts are kept in one array and a <see cref="BudgetScopeSpend"/> is
    /// built only when read (the budget reads them only to warn near a soft limit).
    /// </summary>
    /// <summary>
    /// The accounts' states of one decision: the amounts are kept in two arrays and a <see cref="BudgetScopeSpend"/> is
    /// built only when read.
    /// </summary>
    private sealed class SpendList(IReadOnlyList<BudgetScopeLimit> scopes) : IReadOnlyList<BudgetScopeSpend>
    {
        public BudgetAmount[] Spent { get; } = new BudgetAmount[scopes.Count];

        public BudgetAmount[] Reserved { get; } = new BudgetAmount[scopes.Count];

        public int Count => scopes.Count;

        public BudgetScopeSpend this[int index]
        {
            get
            {
                ArgumentOutOfRangeException.ThrowIfNegative(index);
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, scopes.Count);
                return new BudgetScopeSpend(scopes[index], Spent[index], Reserved[index]);
            }
        }

        public IEnumerator<BudgetScopeSpend> GetEnumerator()
        {
            for (int i = 0; i < scopes.Count; i++)
            {
                yield return this[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>
    /// An account's charges in time order, in fixed-size chunks: appending never copies the log (a long window of
    /// charges never becomes one large array), and dropping old charges drops whole chunks.
    /// </summary>
    private sealed class ChargeLog
    {
        public const int ChunkSize = 512;
        private const int ChunkShift = 9;
        private const int ChunkMask = ChunkSize - 1;
        private readonly List<Charge[]> _chunks = [];
        private Charge[]? _spare;
        private int _start;

        public int Count { get; private set; }

        public Charge this[int index]
        {
            get
            {
                int position = _start + index;
                return _chunks[position >> ChunkShift][position & ChunkMask];
            }

            private set
            {
                int position = _start + index;
                _chunks[position >> ChunkShift][position & ChunkMask] = value;
            }
        }

        public void Add(Charge charge)
        {
            int position = _start + Count;
            if ((position >> ChunkShift) == _chunks.Count)
            {
                _chunks.Add(_spare ?? new Charge[ChunkSize]);
                _spare = null;
            }

            _chunks[position >> ChunkShift][position & ChunkMask] = charge;
            Count++;
        }

        public void Insert(int index, Charge charge)
        {
            Add(charge);
            for (int i = Count - 1; i > index; i--)
            {
                this[i] = this[i - 1];
            }

            this[index] = charge;
        }

        /// <summary>Drops the first <paramref name="count"/> charges.</summary>
        public void RemoveFirst(int count)
        {
            _start += count;
            Count -= count;
            int whole = _start >> ChunkShift;
            if (whole > 0)
            {
                _spare = _chunks[whole - 1];
                _chunks.RemoveRange(0, whole);
                _start &= ChunkMask;
            }
        }
    }

    private sealed class Account
    {
        private readonly ChargeLog _entries = new();
        private int _head;
        private long _cursorStart = long.MinValue;
        private int _cursor;
        private long _sumTokens;
        private decimal _sumCost;

        public BudgetAmount Reserved { get; set; }

        public BudgetAmount WindowSum(long start)
        {
            if (start >= _cursorStart)
            {
                while (_cursor < _entries.Count && _entries[_cursor].Ticks < start)
                {
                    _sumTokens -= _entries[_cursor].Tokens;
                    _sumCost -= _entries[_cursor].Cost;
                    _cursor++;
                }
            }
            else
            {
                _cursor = LowerBound(start);
                _sumTokens = 0;
                _sumCost = 0;
                for (int i = _cursor; i < _entries.Count; i++)
                {
                    _sumTokens += _entries[i].Tokens;
                    _sumCost += _entries[i].Cost;
                }
            }

            _cursorStart = start;
            return new BudgetAmount(_sumTokens, _sumCost);
        }

        public BudgetAmount RangeSum(long from, long to)
        {
            long tokens = 0;
            decimal cost = 0;
            for (int i = LowerBound(from); i < _entries.Count && _entries[i].Ticks <= to; i++)
            {
                tokens += _entries[i].Tokens;
                cost += _entries[i].Cost;
            }

            return new BudgetAmount(tokens, cost);
        }

        public TimeSpan TimeUntilFreed(BudgetMetric metric, decimal needed, DateTimeOffset now, TimeSpan window)
        {
            // Why: the window sum was just computed for this request, so the cursor is the first charge in the window.
            decimal freed = 0;
            for (int i = _cursor; i < _entries.Count; i++)
            {
                freed += metric == BudgetMetric.Tokens ? _entries[i].Tokens : _entries[i].Cost;
                if (freed >= needed)
                {
                    // A charge at t counts while now - window <= t, so it leaves one tick after t + window.
                    long freeAt = _entries[i].Ticks + window.Ticks + 1;
                    long wait = freeAt - now.UtcTicks;
                    return TimeSpan.FromTicks(Math.Max(wait, 1));
                }
            }

            // Live reservations hold the rest; once settled they leave the window a full window from now.
            return window;
        }

        public void Insert(Charge charge)
        {
            int index = _entries.Count;
            while (index > _head && _entries[index - 1].Ticks > charge.Ticks)
            {
                index--;
            }

            _entries.Insert(index, charge);
            if (charge.Ticks >= _cursorStart)
            {
                _sumTokens += charge.Tokens;
                _sumCost += charge.Cost;
            }
            else
            {
                _cursor++;
            }
        }

        public void Prune(long before)
        {
            while (_head < _entries.Count && _entries[_head].Ticks < before)
            {
                if (_head >= _cursor)
                {
                    _sumTokens -= _entries[_head].Tokens;
                    _sumCost -= _entries[_head].Cost;
                    _cursor = _head + 1;
                    _cursorStart = _entries[_head].Ticks + 1;
                }

                _head++;
            }

            if (_head >= ChargeLog.ChunkSize)
            {
                _entries.RemoveFirst(_head);
                _cursor -= _head;
                _head = 0;
            }
        }

        private int LowerBound(long ticks)
        {
            int low = _head;
            int high = _entries.Count;
            while (low < high)
            {
                int mid = low + ((high - low) / 2);
                if (_entries[mid].Ticks < ticks)
                {
                    low = mid + 1;
                }
                else
                {
                    high = mid;
                }
            }

            return low;
        }
    }
}
