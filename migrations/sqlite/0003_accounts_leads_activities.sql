-- Accounts, leads, activities, stage history and the handoff hook (SQLite).
CREATE TABLE accounts (
    id             INTEGER PRIMARY KEY,
    domain         TEXT NOT NULL,
    name           TEXT NOT NULL,
    employees      INTEGER,
    industry       TEXT,
    country        TEXT,
    annual_revenue REAL,
    is_target      INTEGER NOT NULL DEFAULT 0,
    tier           TEXT,
    stage          TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX accounts_domain_key ON accounts (domain);
CREATE INDEX accounts_target ON accounts (is_target, tier);

CREATE TABLE leads (
    id                  INTEGER PRIMARY KEY,
    email               TEXT NOT NULL,
    first_name          TEXT,
    last_name           TEXT,
    job_title           TEXT,
    persona             TEXT,
    consent             INTEGER NOT NULL DEFAULT 0,
    source              TEXT,
    country             TEXT,
    account_id          INTEGER REFERENCES accounts (id),
    owner_id            INTEGER REFERENCES users (id),
    score               INTEGER NOT NULL DEFAULT 0,
    stage               TEXT NOT NULL,
    stage_entered_at    TEXT NOT NULL,
    past_human_decision INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE UNIQUE INDEX leads_email_key ON leads (email);
CREATE INDEX leads_stage ON leads (stage);
CREATE INDEX leads_account ON leads (account_id);

CREATE TABLE activities (
    id          INTEGER PRIMARY KEY,
    lead_id     INTEGER NOT NULL REFERENCES leads (id),
    kind        TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX activities_lead ON activities (lead_id, occurred_at);

CREATE TABLE stage_transitions (
    id                 INTEGER PRIMARY KEY,
    lead_id            INTEGER NOT NULL REFERENCES leads (id),
    from_stage         TEXT,
    to_stage           TEXT NOT NULL,
    at                 TEXT NOT NULL,
    cause              TEXT NOT NULL CHECK (cause IN ('rule', 'handoff', 'import', 'manual', 'definition')),
    actor_id           INTEGER REFERENCES users (id),
    definition_version INTEGER NOT NULL,
    reason             TEXT
);
CREATE INDEX stage_transitions_lead ON stage_transitions (lead_id, id);
CREATE INDEX stage_transitions_to_at ON stage_transitions (to_stage, at);

-- Handoffs opened when a lead enters a stage whose gate opens one at once; the handoffs
-- feature decides them. At most one pending handoff per lead and stage.
CREATE TABLE handoffs (
    id           INTEGER PRIMARY KEY,
    lead_id      INTEGER NOT NULL REFERENCES leads (id),
    stage        TEXT NOT NULL,
    from_team    TEXT NOT NULL,
    to_team      TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected', 'recycled', 'expired')),
    requested_by INTEGER REFERENCES users (id),
    assignee_id  INTEGER REFERENCES users (id),
    requested_at TEXT NOT NULL,
    sla_due_at   TEXT NOT NULL,
    decided_by   INTEGER REFERENCES users (id),
    decided_at   TEXT,
    reason_code  TEXT,
    note         TEXT
);
CREATE UNIQUE INDEX handoffs_one_pending ON handoffs (lead_id, stage) WHERE status = 'pending';
CREATE INDEX handoffs_queue ON handoffs (to_team, status, sla_due_at);
