-- Versioned funnel definitions, two-party proposals and the hash-chained audit trail (SQLite).
CREATE TABLE proposals (
    id                INTEGER PRIMARY KEY,
    status            TEXT NOT NULL CHECK (status IN ('open', 'rejected', 'published', 'withdrawn')),
    base_version      INTEGER NOT NULL,
    revision          INTEGER NOT NULL,
    title             TEXT NOT NULL,
    rationale         TEXT NOT NULL,
    definition        TEXT NOT NULL,
    requalify         INTEGER NOT NULL DEFAULT 0,
    author_id         INTEGER NOT NULL REFERENCES users (id),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    decided_by        INTEGER REFERENCES users (id),
    decided_at        TEXT,
    decision_reason   TEXT,
    published_version INTEGER
);
CREATE INDEX proposals_status ON proposals (status, id);

CREATE TABLE proposal_revisions (
    proposal_id  INTEGER NOT NULL REFERENCES proposals (id),
    revision     INTEGER NOT NULL,
    base_version INTEGER NOT NULL,
    title        TEXT NOT NULL,
    rationale    TEXT NOT NULL,
    definition   TEXT NOT NULL,
    author_id    INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL,
    PRIMARY KEY (proposal_id, revision)
);

CREATE TABLE proposal_approvals (
    proposal_id INTEGER NOT NULL REFERENCES proposals (id),
    revision    INTEGER NOT NULL,
    team        TEXT NOT NULL CHECK (team IN ('marketing', 'sdr', 'sales')),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    approved_at TEXT NOT NULL,
    PRIMARY KEY (proposal_id, revision, team)
);

CREATE TABLE proposal_comments (
    id          INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals (id),
    author_id   INTEGER NOT NULL REFERENCES users (id),
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX proposal_comments_proposal ON proposal_comments (proposal_id, id);

CREATE TABLE definition_versions (
    version      INTEGER PRIMARY KEY,
    definition   TEXT NOT NULL,
    title        TEXT NOT NULL,
    rationale    TEXT NOT NULL,
    published_at TEXT NOT NULL,
    published_by INTEGER REFERENCES users (id),
    proposal_id  INTEGER REFERENCES proposals (id),
    is_current   INTEGER NOT NULL DEFAULT 0
);
-- At most one current version; publishing swaps it inside one transaction.
CREATE UNIQUE INDEX definition_versions_one_current ON definition_versions (is_current) WHERE is_current = 1;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor_id   INTEGER REFERENCES users (id),
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    detail     TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
