"""Versioned schema migrations, in SQL that SQLite and PostgreSQL both accept.

Each migration is a list of statements applied in one transaction; ``schema_version`` records the highest
applied version. Append new migrations; never edit a released one.

Timestamps are epoch seconds in DOUBLE PRECISION columns so durations are plain subtraction in both engines.
``extraction_mode`` and ``priority`` are copied onto company rows so that time-window stats over millions of
companies read one covering index instead of joining every row to its batch.
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: batches and their companies.
    (
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
    ),
)

LATEST_VERSION = len(MIGRATIONS)
