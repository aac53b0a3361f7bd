namespace Executus.Batteries.Budget;

/// <summary>
/// The default <see cref="IBudgetStore"/>: a ledger in memory, one lock for the whole store (a reservation's check and
/// insert are one step). The ledger keeps each charge once, in time order, with the set of accounts it counts for; each
/// account keeps a running sum of its charges inside the window, moved by one cursor over the ledger, so a check against
/// a window that only moves forward costs amortised O(1) whatever the ledger's size.
/// </summary>
/// <remarks>
/// <para>Charges older than the retention (and older than the longest window ever asked about) are dropped.</para>
/// <para>Why one entry per charge (40 bytes) rather than a copy in each of its accounts (4 × 32 bytes for a global,
/// tenant, caller and agent charge): the window holds every charge of the last days, and its memory is most of this
/// store's. Queries of one account (<see cref="GetSpendAsync"/>) scan the period's charges of all accounts.</para>
/// </remarks>
public sealed class InMemoryBudgetStore : IBudgetStore
{
    /// <summary>The retention used when none is given: 31 days.</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(31);

    private readonly Lock _gate = new();
    private readonly Dictionary<BudgetScopeKey, Account> _accounts = [];
    private readonly ChargeLog _ledger = new();
    private readonly List<Account[]> _sets = [];
    private readonly Dictionary<IReadOnlyList<BudgetScopeKey>, int> _setIndex = new(ScopeListComparer.Instance);
    private readonly Dictionary<object, Account[]> _accountsByList = new(ReferenceEqualityComparer.Instance);
    private object? _lastScopes;
    private Account[]? _lastAccounts;
    private IReadOnlyList<BudgetScopeKey>? _lastSetSource;
    private int _lastSet = -1;

    // Why: the ledger's live part starts at _head (older charges were pruned; whole chunks are dropped in batches); the
    // accounts' sums count the charges from _cursor on, i.e. those at or after _cursorStart.
    private int _head;
    private int _cursor;
    private long _cursorStart = long.MinValue;
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

    /// <summary>Gets how many ledger entries are held (charges at the same tick for the same accounts share one).</summary>
    internal int LedgerEntryCount
    {
        get
        {
            lock (_gate)
            {
                return _ledger.Count - _head;
            }
        }
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
            request.ReservationId, scopes, request.Estimate, request.Now, request.Window, request.ExpiresAt, states.Spent, states.Reserved, stableScopes: false);
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
        Span<BudgetAmount> reserved,
        bool stableScopes = true)
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

            MoveWindowLocked(windowStart);
            Account[] accounts = AccountsOfLocked(scopes, stableScopes);
            BudgetRefusal? refusal = null;
            for (int i = 0; i < scopes.Count; i++)
            {
                Account account = accounts[i];
                BudgetAmount accountSpent = account.Sum;
                (spent[i], reserved[i]) = (accountSpent, account.Reserved);
                refusal ??= Check(scopes[i], account, accountSpent, estimate, now, window, this);
            }

            if (refusal is null)
            {
                long serial = ++_serial;
                _reservations.Add(reservationId, new Reservation(accounts, estimate, expiresAt, serial));
                _expiries.Enqueue((reservationId, serial), expiresAt);
                foreach (Account account in accounts)
                {
                    account.Reserved += estimate;
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
            return ValueTask.FromResult(_accounts.TryGetValue(key, out Account? account) ? RangeSumLocked(account, since.UtcTicks, until.UtcTicks) : BudgetAmount.Zero);
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
            // Why: one pass over the period's charges sums every account of the scope at once.
            var sums = new Dictionary<Account, BudgetAmount>(ReferenceEqualityComparer.Instance);
            for (int i = LowerBoundLocked(since.UtcTicks); i < _ledger.Count && _ledger[i].Ticks <= until.UtcTicks; i++)
            {
                Charge charge = _ledger[i];
                foreach (Account account in _sets[charge.Set])
                {
                    if (account.Key.Scope == scope)
                    {
                        sums[account] = sums.GetValueOrDefault(account) + new BudgetAmount(charge.Tokens, charge.Cost);
                    }
                }
            }

            foreach (KeyValuePair<Account, BudgetAmount> pair in sums)
            {
                if (pair.Value.Tokens > 0 || pair.Value.Cost > 0)
                {
                    rows.Add(new BudgetSpendRow(pair.Key.Key, pair.Value));
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

    private static BudgetRefusal? Check(BudgetScopeLimit limit, Account account, BudgetAmount spent, BudgetAmount estimate, DateTimeOffset now, TimeSpan window, InMemoryBudgetStore store)
    {
        BudgetAmount committed = spent + account.Reserved;
        if (limit.MaxTokens is long maxTokens && committed.Tokens + estimate.Tokens > maxTokens)
        {
            return Refuse(limit.Key, BudgetMetric.Tokens, maxTokens, committed.Tokens, estimate.Tokens, account, now, window, store);
        }

        if (limit.MaxCost is decimal maxCost && committed.Cost + estimate.Cost > maxCost)
        {
            return Refuse(limit.Key, BudgetMetric.Cost, maxCost, committed.Cost, estimate.Cost, account, now, window, store);
        }

        return null;
    }

    private static BudgetRefusal Refuse(BudgetScopeKey key, BudgetMetric metric, decimal limit, decimal committed, decimal requested, Account account, DateTimeOffset now, TimeSpan window, InMemoryBudgetStore store) =>
        new()
        {
            Scope = key,
            Metric = metric,
            Limit = limit,
            Spent = committed,
            Requested = requested,
            RetryAfter = requested > limit ? null : store.TimeUntilFreedLocked(account, metric, committed + requested - limit, now, window),
        };

    /// <summary>
    /// The accounts of <paramref name="scopes"/>, one per scope in order. Why: the budget hands the same immutable list
    /// for every call of a tenant, caller and agent (<paramref name="stable"/>), so its accounts are found once per list
    /// rather than hashed per scope on every reservation; a caller's own list is looked up every time.
    /// </summary>
    private Account[] AccountsOfLocked(IReadOnlyList<BudgetScopeLimit> scopes, bool stable)
    {
        if (stable)
        {
            if (ReferenceEquals(scopes, _lastScopes))
            {
                return _lastAccounts!;
            }

            if (_accountsByList.TryGetValue(scopes, out Account[]? cached))
            {
                (_lastScopes, _lastAccounts) = (scopes, cached);
                return cached;
            }
        }

        var accounts = new Account[scopes.Count];
        for (int i = 0; i < accounts.Length; i++)
        {
            accounts[i] = GetAccountLocked(scopes[i].Key);
        }

        if (stable)
        {
            if (_accountsByList.Count >= 4096)
            {
                _accountsByList.Clear();
            }

            _accountsByList[scopes] = accounts;
            (_lastScopes, _lastAccounts) = (scopes, accounts);
        }

        return accounts;
    }

    private Account GetAccountLocked(BudgetScopeKey key)
    {
        if (!_accounts.TryGetValue(key, out Account? account))
        {
            account = new Account(key);
            _accounts.Add(key, account);
        }

        return account;
    }

    /// <summary>Moves the accounts' sums to the window starting at <paramref name="start"/> (either way, one charge at a time).</summary>
    private void MoveWindowLocked(long start)
    {
        if (start >= _cursorStart)
        {
            while (_cursor < _ledger.Count && _ledger[_cursor].Ticks < start)
            {
                Count(_ledger[_cursor], -1);
                _cursor++;
            }
        }
        else
        {
            // Why: a check whose clock read came a little before another's moves the window back a few charges, not
            // the whole ledger.
            while (_cursor > _head && _ledger[_cursor - 1].Ticks >= start)
            {
                _cursor--;
                Count(_ledger[_cursor], 1);
            }
        }

        _cursorStart = start;
    }

    private void Count(Charge charge, int sign)
    {
        var amount = new BudgetAmount(charge.Tokens, charge.Cost);
        foreach (Account account in _sets[charge.Set])
        {
            account.Sum = sign > 0 ? account.Sum + amount : account.Sum - amount;
        }
    }

    private void AddLocked(long ticks, IReadOnlyList<BudgetScopeKey> scopes, BudgetAmount amount)
    {
        var charge = new Charge(ticks, amount.Tokens, amount.Cost, SetOfLocked(scopes));
        int last = _ledger.Count - 1;
        Charge tail = last >= _head ? _ledger[last] : default;
        if (last >= _head && tail.Ticks == ticks && tail.Set == charge.Set)
        {
            // Why: a charge at the same tick for the same accounts as the newest one is added to it. Every sum over any
            // period is the same (both leave the window at the same instant), and under load, when many calls settle
            // within one clock reading, the ledger grows by one entry per tick instead of one per call.
            _ledger.ReplaceLast(tail with { Tokens = tail.Tokens + charge.Tokens, Cost = tail.Cost + charge.Cost });
            if (ticks >= _cursorStart)
            {
                Count(charge, 1);
            }

            return;
        }

        if (ticks > _latestTicks)
        {
            _latestTicks = ticks;
        }

        int index = _ledger.Count;
        while (index > _head && _ledger[index - 1].Ticks > ticks)
        {
            index--;
        }

        _ledger.Insert(index, charge);
        if (ticks >= _cursorStart)
        {
            Count(charge, 1);
        }
        else
        {
            _cursor++;
        }

        TimeSpan keep = _retention > _longestWindow ? _retention : _longestWindow;
        PruneLocked(_latestTicks - keep.Ticks);
    }

    private void PruneLocked(long before)
    {
        while (_head < _ledger.Count && _ledger[_head].Ticks < before)
        {
            if (_head >= _cursor)
            {
                Count(_ledger[_head], -1);
                _cursor = _head + 1;
                _cursorStart = _ledger[_head].Ticks + 1;
            }

            _head++;
        }

        if (_head >= ChargeLog.ChunkSize)
        {
            _ledger.RemoveFirst(_head);
            _cursor -= _head;
            _head = 0;
        }
    }

    /// <summary>The index of the set of accounts <paramref name="scopes"/> names (each account once), added when new.</summary>
    private int SetOfLocked(IReadOnlyList<BudgetScopeKey> scopes)
    {
        // Why: a run charges the same accounts every call, usually through the same list; compare it, do not hash it.
        if (_lastSet >= 0 && ScopeListComparer.Instance.Equals(scopes, _lastSetSource))
        {
            return _lastSet;
        }

        if (!_setIndex.TryGetValue(scopes, out int set))
        {
            BudgetScopeKey[] keys = [.. scopes];
            var accounts = new List<Account>(keys.Length);
            foreach (BudgetScopeKey key in keys)
            {
                Account account = GetAccountLocked(key);
                if (!accounts.Contains(account))
                {
                    accounts.Add(account);
                }
            }

            set = _sets.Count;
            _sets.Add([.. accounts]);
            _setIndex.Add(keys, set);
        }

        // Why: a copy, so a caller that reuses and changes its list cannot change what the cache compares against.
        (_lastSetSource, _lastSet) = ([.. scopes], set);
        return set;
    }

    private int LowerBoundLocked(long ticks)
    {
        int low = _head;
        int high = _ledger.Count;
        while (low < high)
        {
            int mid = low + ((high - low) / 2);
            if (_ledger[mid].Ticks < ticks)
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

    private BudgetAmount RangeSumLocked(Account account, long from, long to)
    {
        long tokens = 0;
        decimal cost = 0;
        for (int i = LowerBoundLocked(from); i < _ledger.Count && _ledger[i].Ticks <= to; i++)
        {
            Charge charge = _ledger[i];
            if (Array.IndexOf(_sets[charge.Set], account) >= 0)
            {
                tokens += charge.Tokens;
                cost += charge.Cost;
            }
        }

        return new BudgetAmount(tokens, cost);
    }

    private TimeSpan TimeUntilFreedLocked(Account account, BudgetMetric metric, decimal needed, DateTimeOffset now, TimeSpan window)
    {
        // Why: the window was just moved for this request, so the cursor is the first charge in the window.
        decimal freed = 0;
        for (int i = _cursor; i < _ledger.Count; i++)
        {
            Charge charge = _ledger[i];
            if (Array.IndexOf(_sets[charge.Set], account) < 0)
            {
                continue;
            }

            freed += metric == BudgetMetric.Tokens ? charge.Tokens : charge.Cost;
            if (freed >= needed)
            {
                // A charge at t counts while now - window <= t, so it leaves one tick after t + window.
                long freeAt = charge.Ticks + window.Ticks + 1;
                long wait = freeAt - now.UtcTicks;
                return TimeSpan.FromTicks(Math.Max(wait, 1));
            }
        }

        // Live reservations hold the rest; once settled they leave the window a full window from now.
        return window;
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

    /// <summary>One charge of the ledger: when, how much, and the index of the set of accounts it counts for.</summary>
    private readonly record struct Charge(long Ticks, long Tokens, decimal Cost, int Set);

    private static void Release(Reservation reservation)
    {
        foreach (Account account in reservation.Accounts)
        {
            account.Reserved -= reservation.Amount;
        }
    }

    /// <summary>
    /// A live reservation: its accounts (an array shared by every reservation of the same scope list), amount, expiry and
    /// the serial its queue entry carries.
    /// </summary>
    private readonly record struct Reservation(Account[] Accounts, BudgetAmount Amount, DateTimeOffset ExpiresAt, long Serial);

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
                // Why: a chunk lives as long as the window (days) and holds no references: allocated on the pinned
                // object heap it is never copied from generation to generation on its way to the oldest one.
                _chunks.Add(_spare ?? GC.AllocateArray<Charge>(ChunkSize, pinned: true));
                _spare = null;
            }

            _chunks[position >> ChunkShift][position & ChunkMask] = charge;
            Count++;
        }

        /// <summary>Replaces the newest charge.</summary>
        public void ReplaceLast(Charge charge) => this[Count - 1] = charge;

        /// <summary>Inserts <paramref name="charge"/> at <paramref name="index"/>.</summary>
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

    /// <summary>An account: its reservations and the sum of its charges inside the window the ledger's cursor is at.</summary>
    private sealed class Account(BudgetScopeKey key)
    {
        public BudgetScopeKey Key { get; } = key;

        public BudgetAmount Reserved { get; set; }

        public BudgetAmount Sum { get; set; }
    }

    /// <summary>Compares lists of scope keys by their keys, in order.</summary>
    private sealed class ScopeListComparer : IEqualityComparer<IReadOnlyList<BudgetScopeKey>>
    {
        public static readonly ScopeListComparer Instance = new();

        public bool Equals(IReadOnlyList<BudgetScopeKey>? x, IReadOnlyList<BudgetScopeKey>? y)
        {
            if (ReferenceEquals(x, y))
            {
                return true;
            }

            if (x is null || y is null || x.Count != y.Count)
            {
                return false;
            }

            for (int i = 0; i < x.Count; i++)
            {
                if (!x[i].Equals(y[i]))
                {
                    return false;
                }
            }

            return true;
        }

        public int GetHashCode(IReadOnlyList<BudgetScopeKey> obj)
        {
            var hash = default(HashCode);
            for (int i = 0; i < obj.Count; i++)
            {
                hash.Add(obj[i]);
            }

            return hash.ToHashCode();
        }
    }
}
