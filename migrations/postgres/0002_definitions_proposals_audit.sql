-- Versioned funnel definitions, two-party proposals and the hash-chained audit trail (PostgreSQL).
CREATE TABLE proposals (
    id                BIGSERIAL PRIMARY KEY,
    status            TEXT NOT NULL CHECK (status IN ('open', 'rejected', 'published', 'withdrawn')),
    base_version      BIGINT NOT NULL,
    revision          BIGINT NOT NULL,
    title             TEXT NOT NULL,
    rationale         TEXT NOT NULL,
    definition        TEXT NOT NULL,
    requalify         BOOLEAN NOT NULL DEFAULT FALSE,
    author_id         BIGINT NOT NULL REFERENCES users (id),
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    decided_by        BIGINT REFERENCES users (id),
    decided_at        TIMESTAMPTZ,
    decision_reason   TEXT,
    published_version BIGINT
);
CREATE INDEX proposals_status ON proposals (status, id);

CREATE TABLE proposal_revisions (
    proposal_id  BIGINT NOT NULL REFERENCES proposals (id),
    revision     BIGINT NOT NULL,
    base_version BIGINT NOT NULL,
    title        TEXT NOT NULL,
    rationale    TEXT NOT NULL,
    definition   TEXT NOT NULL,
    author_id    BIGINT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (proposal_id, revision)
);

CREATE TABLE proposal_approvals (
    proposal_id BIGINT NOT NULL REFERENCES proposals (id),
    revision    BIGINT NOT NULL,
    team        TEXT NOT NULL CHECK (team IN ('marketing', 'sdr', 'sales')),
    user_id     BIGINT NOT NULL REFERENCES users (id),
    approved_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (proposal_id, revision, team)
);

CREATE TABLE proposal_comments (
    id          BIGSERIAL PRIMARY KEY,
    proposal_id BIGINT NOT NULL REFERENCES proposals (id),
    author_id   BIGINT NOT NULL REFERENCES users (id),
    body        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX proposal_comments_proposal ON proposal_comments (proposal_id, id);

CREATE TABLE definition_versions (
    version      BIGINT PRIMARY KEY,
    definition   TEXT NOT NULL,
    title        TEXT NOT NULL,
    rationale    TEXT NOT NULL,
    published_at TIMESTAMPTZ NOT NULL,
    published_by BIGINT REFERENCES users (id),
    proposal_id  BIGINT REFERENCES proposals (id),
    is_current   BOOLEAN NOT NULL DEFAULT FALSE
);
-- At most one current version; publishing swaps it inside one transaction.
CREATE UNIQUE INDEX definition_versions_one_current ON definition_versions (is_current) WHERE is_current;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE audit_log (
    seq        BIGINT PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL,
    actor_id   BIGINT REFERENCES users (id),
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    detail     TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, seq);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
