namespace Executus.Contrib.Sqlite;

/// <summary>
/// The versioned schema: migration N brings a database from version N-1 to N (stored in <c>PRAGMA user_version</c>).
/// Migrations are only ever appended; a shipped one is never edited.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>The migrations in order; index 0 takes version 0 to 1.</summary>
    public static readonly string[] Migrations =
    [
        // Version 1: every store seam. Times are UTC ticks (INTEGER); payloads are JSON text; each query filter has an index.
        """
        CREATE TABLE budget_ledger (
            entry_id TEXT NOT NULL,
            scope INTEGER NOT NULL,
            scope_key TEXT NOT NULL,
            ts INTEGER NOT NULL,
            tokens INTEGER NOT NULL,
            cost_nano INTEGER NOT NULL,
            run_id TEXT,
            model TEXT);
        CREATE INDEX ix_budget_ledger_account ON budget_ledger(scope, scope_key, ts);
        CREATE INDEX ix_budget_ledger_ts ON budget_ledger(ts);
        CREATE TABLE budget_reservations (
            reservation_id TEXT NOT NULL PRIMARY KEY,
            expires_at INTEGER NOT NULL,
            tokens INTEGER NOT NULL,
            cost_nano INTEGER NOT NULL,
            run_id TEXT);
        CREATE INDEX ix_budget_reservations_expiry ON budget_reservations(expires_at);
        CREATE TABLE budget_reservation_accounts (
            reservation_id TEXT NOT NULL,
            scope INTEGER NOT NULL,
            scope_key TEXT NOT NULL,
            PRIMARY KEY (reservation_id, scope, scope_key)) WITHOUT ROWID;
        CREATE INDEX ix_budget_reservation_accounts_account ON budget_reservation_accounts(scope, scope_key);

        CREATE TABLE audit_events (
            id TEXT NOT NULL,
            observed_at INTEGER NOT NULL,
            written_at INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            run_id TEXT,
            caller_id TEXT,
            tenant_key TEXT,
            agent_name TEXT,
            tool_name TEXT,
            outcome TEXT COLLATE NOCASE,
            payload TEXT NOT NULL);
        CREATE UNIQUE INDEX ix_audit_events_order ON audit_events(observed_at, id);
        CREATE INDEX ix_audit_events_run ON audit_events(run_id, observed_at) WHERE run_id IS NOT NULL;
        CREATE INDEX ix_audit_events_caller ON audit_events(caller_id, observed_at) WHERE caller_id IS NOT NULL;
        CREATE INDEX ix_audit_events_tenant ON audit_events(tenant_key, observed_at) WHERE tenant_key IS NOT NULL;
        CREATE INDEX ix_audit_events_agent ON audit_events(agent_name, observed_at) WHERE agent_name IS NOT NULL;
        CREATE INDEX ix_audit_events_tool ON audit_events(tool_name, observed_at) WHERE tool_name IS NOT NULL;
        CREATE INDEX ix_audit_events_kind ON audit_events(kind, observed_at);
        CREATE INDEX ix_audit_events_outcome ON audit_events(outcome, observed_at) WHERE outcome IS NOT NULL;

        CREATE TABLE checkpoint_runs (
            run_id TEXT NOT NULL PRIMARY KEY,
            agent_name TEXT NOT NULL,
            agent_version TEXT,
            caller_id TEXT NOT NULL,
            fairness_key TEXT NOT NULL,
            iteration INTEGER NOT NULL,
            message_count INTEGER NOT NULL,
            saved_at INTEGER NOT NULL,
            resume_attempts INTEGER NOT NULL DEFAULT 0,
            head TEXT NOT NULL);
        CREATE INDEX ix_checkpoint_runs_saved ON checkpoint_runs(saved_at);
        CREATE TABLE checkpoint_messages (
            run_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            message TEXT NOT NULL,
            PRIMARY KEY (run_id, seq)) WITHOUT ROWID;

        CREATE TABLE personas (
            name TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
            version INTEGER NOT NULL,
            payload TEXT NOT NULL);
        CREATE TABLE persona_revisions (
            name TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
            revision INTEGER NOT NULL);
        CREATE TABLE personalization (
            tenant TEXT NOT NULL,
            caller_id TEXT NOT NULL,
            persona TEXT NOT NULL,
            entry_key TEXT NOT NULL,
            entry_value TEXT NOT NULL,
            PRIMARY KEY (tenant, caller_id, persona, entry_key)) WITHOUT ROWID;

        CREATE TABLE skills (
            tenant TEXT NOT NULL,
            name TEXT NOT NULL,
            state INTEGER NOT NULL,
            active_version INTEGER NOT NULL,
            latest_version INTEGER NOT NULL,
            description TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (tenant, name)) WITHOUT ROWID;
        CREATE INDEX ix_skills_state ON skills(tenant, state, name);
        CREATE TABLE skill_versions (
            tenant TEXT NOT NULL,
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            payload TEXT NOT NULL,
            PRIMARY KEY (tenant, name, version)) WITHOUT ROWID;

        CREATE TABLE kv_entries (
            scope TEXT NOT NULL,
            entry_key TEXT NOT NULL,
            entry_value TEXT NOT NULL,
            PRIMARY KEY (scope, entry_key)) WITHOUT ROWID;

        CREATE TABLE settings (
            key TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
            value TEXT NOT NULL,
            updated_at INTEGER NOT NULL);
        """,

        // Version 2: the schedule store and its leases (the lease row stays after a release, so fencing tokens only grow).
        """
        CREATE TABLE schedules (
            id TEXT NOT NULL PRIMARY KEY,
            enabled INTEGER NOT NULL,
            next_fire_at INTEGER,
            last_fire_at INTEGER,
            last_outcome INTEGER,
            last_run_id TEXT,
            payload TEXT NOT NULL);
        CREATE INDEX ix_schedules_due ON schedules(enabled, next_fire_at);
        CREATE TABLE schedule_leases (
            schedule_id TEXT NOT NULL PRIMARY KEY,
            owner TEXT,
            expires_at INTEGER NOT NULL,
            token INTEGER NOT NULL);
        """,

        // Version 3: run leases (hosts sharing the file divide interrupted runs). A released lease keeps its row (owner
        // NULL) so the fencing token only grows; the row goes with the run's checkpoint.
        """
        CREATE TABLE run_leases (
            run_id TEXT NOT NULL PRIMARY KEY,
            owner TEXT,
            expires_at INTEGER NOT NULL,
            token INTEGER NOT NULL);
        CREATE INDEX ix_run_leases_owner ON run_leases(owner) WHERE owner IS NOT NULL;
        """,
    ];

    /// <summary>Gets the newest schema version this code knows.</summary>
    public static int LatestVersion => Migrations.Length;
}
