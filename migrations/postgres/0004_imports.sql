-- Bulk imports and their per-row error reports (PostgreSQL).
CREATE TABLE imports (
    id            BIGSERIAL PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('leads', 'accounts')),
    status        TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    dry_run       BOOLEAN NOT NULL,
    file_name     TEXT NOT NULL,
    encoding      TEXT NOT NULL,
    total_rows    BIGINT NOT NULL DEFAULT 0,
    processed     BIGINT NOT NULL DEFAULT 0,
    created       BIGINT NOT NULL DEFAULT 0,
    updated       BIGINT NOT NULL DEFAULT 0,
    unchanged     BIGINT NOT NULL DEFAULT 0,
    failed        BIGINT NOT NULL DEFAULT 0,
    stage_changes BIGINT NOT NULL DEFAULT 0,
    bytes_total   BIGINT NOT NULL DEFAULT 0,
    bytes_done    BIGINT NOT NULL DEFAULT 0,
    moves         TEXT NOT NULL DEFAULT '[]',
    message       TEXT,
    created_by    BIGINT REFERENCES users (id),
    created_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ,
    heartbeat_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE import_errors (
    id        BIGSERIAL PRIMARY KEY,
    import_id BIGINT NOT NULL REFERENCES imports (id),
    row_no    BIGINT NOT NULL,
    column_name TEXT NOT NULL,
    value     TEXT NOT NULL,
    message   TEXT NOT NULL
);
CREATE INDEX import_errors_import ON import_errors (import_id, row_no, id);

-- Files uploaded through the import wizard, kept for its dry run and real run.
CREATE TABLE import_uploads (
    id         TEXT PRIMARY KEY,
    created_by BIGINT NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL CHECK (kind IN ('leads', 'accounts')),
    file_name  TEXT NOT NULL,
    encoding   TEXT NOT NULL,
    path       TEXT NOT NULL,
    bytes      BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
