-- Handoff decisions (qualification notes, meeting date, escalation) and opportunities (SQLite).
ALTER TABLE handoffs ADD COLUMN qualification_notes TEXT;
ALTER TABLE handoffs ADD COLUMN meeting_at TEXT;
ALTER TABLE handoffs ADD COLUMN escalated_at TEXT;
CREATE INDEX handoffs_lead ON handoffs (lead_id, id);
CREATE INDEX handoffs_assignee ON handoffs (assignee_id, status);

-- Amounts are integer minor units of the currency (yen, cents); probability a fraction 0..1.
CREATE TABLE opportunities (
    id           INTEGER PRIMARY KEY,
    lead_id      INTEGER NOT NULL REFERENCES leads (id),
    account_id   INTEGER REFERENCES accounts (id),
    owner_id     INTEGER NOT NULL REFERENCES users (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
    currency     TEXT NOT NULL,
    close_date   TEXT NOT NULL,
    stage        TEXT NOT NULL CHECK (stage IN ('discovery', 'solution', 'demo', 'proposal', 'closing', 'won', 'lost')),
    probability  REAL NOT NULL CHECK (probability >= 0 AND probability <= 1),
    lost_reason  TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    closed_at    TEXT
);
-- At most one open opportunity per lead.
CREATE UNIQUE INDEX opportunities_one_open ON opportunities (lead_id) WHERE stage NOT IN ('won', 'lost');
CREATE INDEX opportunities_stage ON opportunities (stage, close_date);
