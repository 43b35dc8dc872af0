-- Handoff decisions (qualification notes, meeting date, escalation) and opportunities (PostgreSQL).
ALTER TABLE handoffs ADD COLUMN qualification_notes TEXT;
ALTER TABLE handoffs ADD COLUMN meeting_at TIMESTAMPTZ;
ALTER TABLE handoffs ADD COLUMN escalated_at TIMESTAMPTZ;
CREATE INDEX handoffs_lead ON handoffs (lead_id, id);
CREATE INDEX handoffs_assignee ON handoffs (assignee_id, status);

-- Amounts are integer minor units of the currency (yen, cents); probability a fraction 0..1.
CREATE TABLE opportunities (
    id           BIGSERIAL PRIMARY KEY,
    lead_id      BIGINT NOT NULL REFERENCES leads (id),
    account_id   BIGINT REFERENCES accounts (id),
    owner_id     BIGINT NOT NULL REFERENCES users (id),
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    currency     TEXT NOT NULL,
    close_date   DATE NOT NULL,
    stage        TEXT NOT NULL CHECK (stage IN ('discovery', 'solution', 'demo', 'proposal', 'closing', 'won', 'lost')),
    probability  DOUBLE PRECISION NOT NULL CHECK (probability >= 0 AND probability <= 1),
    lost_reason  TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    closed_at    TIMESTAMPTZ
);
-- At most one open opportunity per lead.
CREATE UNIQUE INDEX opportunities_one_open ON opportunities (lead_id) WHERE stage NOT IN ('won', 'lost');
CREATE INDEX opportunities_stage ON opportunities (stage, close_date);
