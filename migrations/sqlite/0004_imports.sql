-- Bulk imports and their per-row error reports (SQLite).
CREATE TABLE imports (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('leads', 'accounts')),
    status        TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    dry_run       INTEGER NOT NULL,
    file_name     TEXT NOT NULL,
    encoding      TEXT NOT NULL,
    total_rows    INTEGER NOT NULL DEFAULT 0,
    processed     INTEGER NOT NULL DEFAULT 0,
    created       INTEGER NOT NULL DEFAULT 0,
    updated       INTEGER NOT NULL DEFAULT 0,
    unchanged     INTEGER NOT NULL DEFAULT 0,
    failed        INTEGER NOT NULL DEFAULT 0,
    stage_changes INTEGER NOT NULL DEFAULT 0,
    bytes_total   INTEGER NOT NULL DEFAULT 0,
    bytes_done    INTEGER NOT NULL DEFAULT 0,
    moves         TEXT NOT NULL DEFAULT '[]',
    message       TEXT,
    created_by    INTEGER REFERENCES users (id),
    created_at    TEXT NOT NULL,
    finished_at   TEXT,
    heartbeat_at  TEXT NOT NULL
);

CREATE TABLE import_errors (
    id        INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES imports (id),
    row_no    INTEGER NOT NULL,
    column_name TEXT NOT NULL,
    value     TEXT NOT NULL,
    message   TEXT NOT NULL
);
CREATE INDEX import_errors_import ON import_errors (import_id, row_no, id);

-- Files uploaded through the import wizard, kept for its dry run and real run.
CREATE TABLE import_uploads (
    id         TEXT PRIMARY KEY,
    created_by INTEGER NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL CHECK (kind IN ('leads', 'accounts')),
    file_name  TEXT NOT NULL,
    encoding   TEXT NOT NULL,
    path       TEXT NOT NULL,
    bytes      INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
