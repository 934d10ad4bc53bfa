"""Versioned schema migrations: ``MIGRATIONS`` for SQLite, ``POSTGRES_MIGRATIONS`` for PostgreSQL.

Each migration is a list of statements applied in one transaction; ``schema_version`` records the highest
applied version. Append new migrations; never edit a released one. The two engines share the SQL of the
tables both have (written once below, in SQL both accept); PostgreSQL additionally keeps an hourly
summary of finished companies that makes 30-day stats over millions of rows cheap. A database only ever
holds one engine's schema, so the two lists are numbered independently.

Timestamps are epoch seconds in DOUBLE PRECISION columns so durations are plain subtraction in both engines.
``extraction_mode`` and ``priority`` are copied onto company rows so that time-window stats over millions of
companies read one covering index instead of joining every row to its batch.
"""

from __future__ import annotations

from server.domain import FINAL_BATCH_STATUSES

FINAL_STATUSES_SQL = "(" + ", ".join(sorted(f"'{status.value}'" for status in FINAL_BATCH_STATUSES)) + ")"
"""``domain.FINAL_BATCH_STATUSES`` as an SQL list, for ``status IN``/``NOT IN`` in both engines."""

_BATCHES_AND_COMPANIES = (
    """
        CREATE TABLE batches (
            batch_id TEXT PRIMARY KEY,
            request_id TEXT UNIQUE,
            trace_id TEXT NOT NULL DEFAULT '',
            options TEXT NOT NULL,
            extraction_mode TEXT NOT NULL,
            priority TEXT NOT NULL,
            status TEXT NOT NULL,
            total_companies INTEGER NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            started_at DOUBLE PRECISION,
            completed_at DOUBLE PRECISION,
            last_update DOUBLE PRECISION NOT NULL
        )
        """,
    "CREATE INDEX ix_batches_created ON batches (created_at, batch_id)",
    "CREATE INDEX ix_batches_status ON batches (status)",
    """
        CREATE TABLE companies (
            batch_id TEXT NOT NULL REFERENCES batches (batch_id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            domain_hint TEXT,
            extraction_mode TEXT NOT NULL,
            priority TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            started_at DOUBLE PRECISION,
            finished_at DOUBLE PRECISION,
            profile TEXT,
            error_type TEXT,
            error_message TEXT,
            error_details TEXT,
            from_cache INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (batch_id, position)
        )
        """,
    # Covering index for stats_since and recent_durations: the window scan never touches the table.
    """
        CREATE INDEX ix_companies_finished ON companies
            (finished_at, state, extraction_mode, priority, error_type, from_cache, started_at)
        """,
    "CREATE INDEX ix_companies_running ON companies (state) WHERE state = 'running'",
)

# The extraction cache shared by every replica using the database, and the index retention purges by.
# ``domain_hint`` is '' rather than NULL because it is part of the key (NULLs never conflict).
_CACHE_AND_RETENTION = (
    """
    CREATE TABLE extraction_cache (
        name_key TEXT NOT NULL,
        extraction_mode TEXT NOT NULL,
        country TEXT NOT NULL,
        language TEXT NOT NULL,
        domain_hint TEXT NOT NULL,
        profile TEXT,
        error_type TEXT,
        error_message TEXT,
        error_details TEXT,
        stored_at DOUBLE PRECISION NOT NULL,
        expires_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (name_key, extraction_mode, country, language, domain_hint)
    )
    """,
    "CREATE INDEX ix_cache_expires ON extraction_cache (expires_at)",
    "CREATE INDEX ix_batches_completed ON batches (completed_at)",
)

HOUR_SECONDS = 3600
"""Width of one ``company_hourly`` bucket."""

HOURLY_SUMMARY_BACKFILL = f"""
    INSERT INTO company_hourly
    SELECT floor(finished_at / {HOUR_SECONDS}) * {HOUR_SECONDS}, extraction_mode, priority, state,
           coalesce(error_type, ''), count(*), sum(from_cache), coalesce(sum(finished_at - started_at), 0)
    FROM companies
    WHERE state IN ('success', 'failed') AND finished_at IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5
    """
"""Fills an empty ``company_hourly`` from ``companies`` (migration 3's backfill; the benchmark's too)."""

# Finished companies (success/failed) counted per hour x mode x priority x state x error type, kept in
# the same transaction as each company's final write. ``error_type`` is '' for none (part of the key).
# Backfilled from existing rows so a database upgraded with history reports the same figures.
_POSTGRES_HOURLY_SUMMARY = (
    """
    CREATE TABLE company_hourly (
        hour DOUBLE PRECISION NOT NULL,
        extraction_mode TEXT NOT NULL,
        priority TEXT NOT NULL,
        state TEXT NOT NULL,
        error_type TEXT NOT NULL,
        companies BIGINT NOT NULL,
        from_cache BIGINT NOT NULL,
        seconds DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (hour, extraction_mode, priority, state, error_type)
    )
    """,
    HOURLY_SUMMARY_BACKFILL,
)

# Work claiming shared by replicas (``server.storage.leases``): who holds a running company and until
# when, and on the batch row what claiming orders and limits by without parsing the options JSON:
# ``max_concurrent`` and ``waiting_since`` (submit time, reset on resume, the start of aging).
_LEASE_COLUMNS = (
    "ALTER TABLE companies ADD COLUMN lease_owner TEXT",
    "ALTER TABLE companies ADD COLUMN lease_expires DOUBLE PRECISION",
    "ALTER TABLE batches ADD COLUMN max_concurrent INTEGER NOT NULL DEFAULT 1",
    "ALTER TABLE batches ADD COLUMN waiting_since DOUBLE PRECISION",
    "UPDATE batches SET waiting_since = created_at",
    "CREATE INDEX ix_companies_pending ON companies (batch_id, position) WHERE state = 'pending'",
    "CREATE INDEX ix_companies_leases ON companies (lease_expires) WHERE state = 'running'",
)
_SQLITE_LEASES = (
    *_LEASE_COLUMNS,
    "UPDATE batches SET max_concurrent = coalesce(json_extract(options, '$.max_concurrent'), 1)",
)
_POSTGRES_LEASES = (
    *_LEASE_COLUMNS,
    "UPDATE batches SET max_concurrent = coalesce((options::json ->> 'max_concurrent')::integer, 1)",
)

HOURLY_SHARDS = 8
"""Rows per ``company_hourly`` group: a company adds to shard ``position % HOURLY_SHARDS``.

With one row per group every finish of every replica updated the same row and held its lock until its
commit was flushed, which capped finishes at one per commit latency; stats sum over the shards."""

# company_hourly sharded (see HOURLY_SHARDS); existing rows become shard 0.
_POSTGRES_HOURLY_SHARDS = (
    "ALTER TABLE company_hourly ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0",
    "ALTER TABLE company_hourly DROP CONSTRAINT company_hourly_pkey",
    "ALTER TABLE company_hourly ADD PRIMARY KEY (hour, extraction_mode, priority, state, error_type, shard)",
)

# A claim counts each live batch's running companies (``server.storage.leases``): read from this index,
# not by intersecting the state index with the primary key. It also serves every other "running"
# query, so the older index on state alone goes (one index fewer to update per claimed company).
_RUNNING_PER_BATCH = (
    "CREATE INDEX ix_companies_running_batch ON companies (batch_id) WHERE state = 'running'",
    "DROP INDEX ix_companies_running",
)

# Tenancy (``server.auth``): each batch belongs to the tenant of the key that submitted it ('' when auth
# is off), a submit's ``request_id`` is unique per tenant rather than globally, and API keys are kept
# as SHA-256 hashes (never the key itself) with their tenant, admin flag and revocation time.
_API_KEYS = (
    """
    CREATE TABLE api_keys (
        key_id TEXT PRIMARY KEY,
        key_hash TEXT NOT NULL UNIQUE,
        tenant TEXT NOT NULL,
        admin INTEGER NOT NULL DEFAULT 0,
        created_at DOUBLE PRECISION NOT NULL,
        revoked_at DOUBLE PRECISION
    )
    """,
    "CREATE INDEX ix_batches_tenant_created ON batches (tenant, created_at, batch_id)",
)
# SQLite cannot drop the column-level UNIQUE on request_id, so the table is rebuilt (the documented
# create-copy-drop-rename; ``migrate`` runs with foreign keys off so the drop does not cascade).
_SQLITE_TENANCY = (
    """
    CREATE TABLE batches_tenancy (
        batch_id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL DEFAULT '',
        request_id TEXT,
        trace_id TEXT NOT NULL DEFAULT '',
        options TEXT NOT NULL,
        extraction_mode TEXT NOT NULL,
        priority TEXT NOT NULL,
        status TEXT NOT NULL,
        total_companies INTEGER NOT NULL,
        created_at DOUBLE PRECISION NOT NULL,
        started_at DOUBLE PRECISION,
        completed_at DOUBLE PRECISION,
        last_update DOUBLE PRECISION NOT NULL,
        max_concurrent INTEGER NOT NULL DEFAULT 1,
        waiting_since DOUBLE PRECISION,
        UNIQUE (tenant, request_id)
    )
    """,
    """
    INSERT INTO batches_tenancy (batch_id, request_id, trace_id, options, extraction_mode, priority,
        status, total_companies, created_at, started_at, completed_at, last_update, max_concurrent,
        waiting_since)
    SELECT batch_id, request_id, trace_id, options, extraction_mode, priority, status, total_companies,
        created_at, started_at, completed_at, last_update, max_concurrent, waiting_since
    FROM batches
    """,
    "DROP TABLE batches",
    "ALTER TABLE batches_tenancy RENAME TO batches",
    "CREATE INDEX ix_batches_created ON batches (created_at, batch_id)",
    "CREATE INDEX ix_batches_status ON batches (status)",
    "CREATE INDEX ix_batches_completed ON batches (completed_at)",
    *_API_KEYS,
)
_POSTGRES_TENANCY = (
    "ALTER TABLE batches ADD COLUMN tenant TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE batches DROP CONSTRAINT batches_request_id_key",
    "ALTER TABLE batches ADD CONSTRAINT batches_tenant_request_id_key UNIQUE (tenant, request_id)",
    *_API_KEYS,
)

# Per-source outcomes of a failure (``ExtractionFailure.sources``, JSON), on results and cached answers.
_ERROR_SOURCES = (
    "ALTER TABLE companies ADD COLUMN error_sources TEXT",
    "ALTER TABLE extraction_cache ADD COLUMN error_sources TEXT",
)

# RetryBatch (``server.storage.retry_sql``): each retry's request_id per batch, for idempotent replays.
_BATCH_RETRIES = (
    """
    CREATE TABLE batch_retries (
        batch_id TEXT NOT NULL REFERENCES batches (batch_id) ON DELETE CASCADE,
        request_id TEXT NOT NULL,
        retried INTEGER NOT NULL,
        created_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (batch_id, request_id)
    )
    """,
)

# Webhooks (``server.webhooks``, ``server.storage.webhooks_sql``): the outbox of deliveries and every
# attempt at one, filled from the state itself (a batch whose final status, a company whose finished
# attempt, was not yet announced: ``webhook_settled_at`` and ``webhook_attempt`` say what was), so a
# crash between a change and its announcement loses nothing; and the per-tenant signing secrets.
_WEBHOOKS = (
    "ALTER TABLE batches ADD COLUMN webhook_url TEXT",
    "ALTER TABLE batches ADD COLUMN webhook_settled_at DOUBLE PRECISION",
    "ALTER TABLE companies ADD COLUMN webhook_attempt INTEGER NOT NULL DEFAULT 0",
    "CREATE INDEX ix_batches_webhook ON batches (batch_id) WHERE webhook_url IS NOT NULL",
    """
    CREATE TABLE webhook_deliveries (
        delivery_id TEXT PRIMARY KEY,
        batch_id TEXT NOT NULL REFERENCES batches (batch_id) ON DELETE CASCADE,
        tenant TEXT NOT NULL,
        event_type TEXT NOT NULL,
        url TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at DOUBLE PRECISION NOT NULL,
        next_attempt_at DOUBLE PRECISION NOT NULL,
        lease_expires DOUBLE PRECISION,
        last_attempt_at DOUBLE PRECISION,
        last_status_code INTEGER,
        last_error TEXT,
        delivered_at DOUBLE PRECISION
    )
    """,
    "CREATE INDEX ix_webhook_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending'",
    "CREATE INDEX ix_webhook_batch ON webhook_deliveries (batch_id, created_at)",
    """
    CREATE TABLE webhook_attempts (
        delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (delivery_id) ON DELETE CASCADE,
        attempt INTEGER NOT NULL,
        attempted_at DOUBLE PRECISION NOT NULL,
        status_code INTEGER,
        error TEXT,
        seconds DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (delivery_id, attempt)
    )
    """,
    """
    CREATE TABLE webhook_secrets (
        tenant TEXT PRIMARY KEY,
        secret TEXT NOT NULL,
        created_at DOUBLE PRECISION NOT NULL
    )
    """,
)

# Knowledge-service answers shared by every replica on the database (``server.extraction.response_cache``):
# the body as received, its validators, until when it is fresh and until when it is kept (a stale
# entry with a validator is revalidated with a conditional request).
_KNOWLEDGE_RESPONSES = (
    """
    CREATE TABLE knowledge_responses (
        cache_key TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        content_type TEXT NOT NULL,
        body TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        stored_at DOUBLE PRECISION NOT NULL,
        fresh_until DOUBLE PRECISION NOT NULL,
        expires_at DOUBLE PRECISION NOT NULL
    )
    """,
    "CREATE INDEX ix_knowledge_responses_expires ON knowledge_responses (expires_at)",
)

# Politeness shared by replicas (``server.extraction.politeness.postgres``): who holds a request slot
# of a host (lease until ``expires``), and per host the token buckets' state and the back-off.
_POSTGRES_POLITENESS = (
    """
    CREATE TABLE politeness_slots (
        key TEXT NOT NULL,
        holder TEXT NOT NULL,
        expires DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (key, holder)
    )
    """,
    """
    CREATE TABLE politeness_hosts (
        key TEXT PRIMARY KEY,
        tats BIGINT[] NOT NULL DEFAULT '{}',
        blocked_until DOUBLE PRECISION NOT NULL DEFAULT 0
    )
    """,
    # Counting the held slots and adding one must not interleave with another replica's: a
    # transaction-scoped advisory lock per host serialises just that.
    """
    CREATE FUNCTION company_batch_take_slot_v1(
        p_key TEXT, p_holder TEXT, p_limit INTEGER, p_now DOUBLE PRECISION, p_expires DOUBLE PRECISION
    ) RETURNS BOOLEAN LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended('company_batch.politeness:' || p_key, 0));
        DELETE FROM politeness_slots WHERE key = p_key AND expires < p_now;
        IF (SELECT count(*) FROM politeness_slots WHERE key = p_key) >= p_limit THEN
            RETURN FALSE;
        END IF;
        INSERT INTO politeness_slots (key, holder, expires) VALUES (p_key, p_holder, p_expires);
        RETURN TRUE;
    END
    $$
    """,
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    _BATCHES_AND_COMPANIES,  # 1
    _CACHE_AND_RETENTION,  # 2
    _SQLITE_LEASES,  # 3
    _RUNNING_PER_BATCH,  # 4
    _SQLITE_TENANCY,  # 5
    _ERROR_SOURCES,  # 6
    _BATCH_RETRIES,  # 7
    _WEBHOOKS,  # 8
    _KNOWLEDGE_RESPONSES,  # 9
)

POSTGRES_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    _BATCHES_AND_COMPANIES,  # 1
    _CACHE_AND_RETENTION,  # 2
    _POSTGRES_HOURLY_SUMMARY,  # 3
    _POSTGRES_LEASES,  # 4
    _POSTGRES_HOURLY_SHARDS,  # 5
    _RUNNING_PER_BATCH,  # 6
    _POSTGRES_TENANCY,  # 7
    _ERROR_SOURCES,  # 8
    _BATCH_RETRIES,  # 9
    _WEBHOOKS,  # 10
    (*_KNOWLEDGE_RESPONSES, *_POSTGRES_POLITENESS),  # 11
)

LATEST_VERSION = len(MIGRATIONS)
POSTGRES_LATEST_VERSION = len(POSTGRES_MIGRATIONS)
