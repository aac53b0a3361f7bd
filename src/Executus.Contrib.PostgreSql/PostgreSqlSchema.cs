namespace Executus.Contrib.PostgreSql;

/// <summary>
/// The versioned schema: migration N brings a database from version N-1 to N (stored in <c>executus_schema_version</c>).
/// Migrations are only ever appended; a shipped one is never edited.
/// </summary>
internal static class PostgreSqlSchema
{
    /// <summary>The migrations in order; index 0 takes version 0 to 1.</summary>
    public static readonly string[] Migrations =
    [
        // Version 1: every store seam. Times are UTC ticks (bigint: exact to the tick, as the stores compare them); payloads
        // are JSON text (not jsonb, which would reorder keys); keys compare and sort byte-wise (COLLATE "C", ordinal).
        // Memory values are UTF-8 bytea: text cannot hold U+0000. The audit outcome (free text for some events) has a
        // hash index: a btree entry is limited to ~2.7 KB.
        """
        CREATE TABLE budget_accounts (
            scope integer NOT NULL,
            scope_key text COLLATE "C" NOT NULL,
            PRIMARY KEY (scope, scope_key));
        CREATE TABLE budget_ledger (
            entry_id text NOT NULL,
            scope integer NOT NULL,
            scope_key text COLLATE "C" NOT NULL,
            ts bigint NOT NULL,
            tokens bigint NOT NULL,
            cost_nano bigint NOT NULL,
            run_id text,
            model text);
        CREATE INDEX ix_budget_ledger_account ON budget_ledger (scope, scope_key, ts);
        CREATE INDEX ix_budget_ledger_ts ON budget_ledger (ts);
        CREATE TABLE budget_reservations (
            reservation_id text COLLATE "C" NOT NULL PRIMARY KEY,
            expires_at bigint NOT NULL,
            tokens bigint NOT NULL,
            cost_nano bigint NOT NULL,
            run_id text);
        CREATE INDEX ix_budget_reservations_expiry ON budget_reservations (expires_at);
        CREATE TABLE budget_reservation_accounts (
            reservation_id text COLLATE "C" NOT NULL,
            scope integer NOT NULL,
            scope_key text COLLATE "C" NOT NULL,
            PRIMARY KEY (reservation_id, scope, scope_key));
        CREATE INDEX ix_budget_reservation_accounts_account ON budget_reservation_accounts (scope, scope_key);

        CREATE TABLE audit_events (
            id text COLLATE "C" NOT NULL,
            observed_at bigint NOT NULL,
            written_at bigint NOT NULL,
            kind integer NOT NULL,
            run_id text COLLATE "C",
            caller_id text COLLATE "C",
            tenant_key text COLLATE "C",
            agent_name text COLLATE "C",
            tool_name text COLLATE "C",
            outcome text COLLATE "C",
            payload text NOT NULL,
            PRIMARY KEY (id));
        CREATE UNIQUE INDEX ix_audit_events_order ON audit_events (observed_at, id);
        CREATE INDEX ix_audit_events_run ON audit_events (run_id, observed_at) WHERE run_id IS NOT NULL;
        CREATE INDEX ix_audit_events_caller ON audit_events (caller_id, observed_at) WHERE caller_id IS NOT NULL;
        CREATE INDEX ix_audit_events_tenant ON audit_events (tenant_key, observed_at) WHERE tenant_key IS NOT NULL;
        CREATE INDEX ix_audit_events_agent ON audit_events (agent_name, observed_at) WHERE agent_name IS NOT NULL;
        CREATE INDEX ix_audit_events_tool ON audit_events (tool_name, observed_at) WHERE tool_name IS NOT NULL;
        CREATE INDEX ix_audit_events_kind ON audit_events (kind, observed_at);
        CREATE INDEX ix_audit_events_outcome ON audit_events USING hash (lower(outcome)) WHERE outcome IS NOT NULL;

        CREATE TABLE checkpoint_runs (
            run_id text COLLATE "C" NOT NULL PRIMARY KEY,
            agent_name text NOT NULL,
            agent_version text,
            caller_id text NOT NULL,
            fairness_key text NOT NULL,
            iteration integer NOT NULL,
            message_count integer NOT NULL,
            saved_at bigint NOT NULL,
            resume_attempts integer NOT NULL DEFAULT 0,
            paused_reason text,
            head text NOT NULL);
        CREATE INDEX ix_checkpoint_runs_saved ON checkpoint_runs (saved_at);
        CREATE TABLE checkpoint_messages (
            run_id text COLLATE "C" NOT NULL,
            seq integer NOT NULL,
            message text NOT NULL,
            PRIMARY KEY (run_id, seq));

        CREATE TABLE personas (
            name_key text COLLATE "C" NOT NULL PRIMARY KEY,
            version bigint NOT NULL,
            payload text NOT NULL);
        CREATE TABLE persona_revisions (
            name_key text COLLATE "C" NOT NULL PRIMARY KEY,
            revision bigint NOT NULL);
        CREATE TABLE personalization (
            tenant text COLLATE "C" NOT NULL,
            caller_id text COLLATE "C" NOT NULL,
            persona text COLLATE "C" NOT NULL,
            entry_key text COLLATE "C" NOT NULL,
            entry_value text NOT NULL,
            PRIMARY KEY (tenant, caller_id, persona, entry_key));

        CREATE TABLE skills (
            tenant text COLLATE "C" NOT NULL,
            name text COLLATE "C" NOT NULL,
            state integer NOT NULL,
            active_version integer NOT NULL,
            latest_version integer NOT NULL,
            description text NOT NULL,
            created_at bigint NOT NULL,
            updated_at bigint NOT NULL,
            PRIMARY KEY (tenant, name));
        CREATE INDEX ix_skills_state ON skills (tenant, state, name);
        CREATE TABLE skill_versions (
            tenant text COLLATE "C" NOT NULL,
            name text COLLATE "C" NOT NULL,
            version integer NOT NULL,
            created_at bigint NOT NULL,
            payload text NOT NULL,
            PRIMARY KEY (tenant, name, version));

        CREATE TABLE kv_entries (
            scope text COLLATE "C" NOT NULL,
            entry_key text COLLATE "C" NOT NULL,
            entry_value bytea NOT NULL,
            PRIMARY KEY (scope, entry_key));

        CREATE TABLE settings (
            key_norm text COLLATE "C" NOT NULL PRIMARY KEY,
            key text NOT NULL,
            value text NOT NULL,
            updated_at bigint NOT NULL);

        CREATE TABLE schedules (
            id text COLLATE "C" NOT NULL PRIMARY KEY,
            enabled boolean NOT NULL,
            next_fire_at bigint,
            last_fire_at bigint,
            last_outcome integer,
            last_run_id text,
            payload text NOT NULL);
        CREATE INDEX ix_schedules_due ON schedules (enabled, next_fire_at);
        CREATE TABLE schedule_leases (
            schedule_id text COLLATE "C" NOT NULL PRIMARY KEY,
            owner text,
            expires_at bigint NOT NULL,
            token bigint NOT NULL);
        """,

        // Version 2: run leases (hosts sharing the database divide interrupted runs). A released lease keeps its row
        // (owner NULL) so the fencing token only grows; the row goes with the run's checkpoint.
        """
        CREATE TABLE run_leases (
            run_id text COLLATE "C" NOT NULL PRIMARY KEY,
            owner text,
            expires_at bigint NOT NULL,
            token bigint NOT NULL);
        CREATE INDEX ix_run_leases_owner ON run_leases (owner) WHERE owner IS NOT NULL;
        """,
    ];

    /// <summary>Gets the newest schema version this code knows.</summary>
    public static int LatestVersion => Migrations.Length;
}
