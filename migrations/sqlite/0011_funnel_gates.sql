-- Pending handoffs per gate, kept by triggers (issue 6). The funnel shows at every gate how
-- many handoffs are open and how many are past their SLA, under the page's lead filters;
-- counting them meant reading every pending handoff, with its lead and account when a filter
-- was set (0.3 s at a million leads). funnel_gates keeps the pending handoffs per gate and
-- the lead's current source and country and its account's industry, target flag and tier
-- (current values, as funnel_current: pending handoffs are part of the funnel now). The
-- open count is read from it; past SLA = open minus those not yet due, which the index below
-- finds among the few handoffs due from now on.

CREATE TABLE funnel_gates (
    stage     TEXT NOT NULL,
    source    TEXT NOT NULL,
    country   TEXT NOT NULL,
    industry  TEXT NOT NULL,
    is_target INTEGER NOT NULL,
    tier      TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (stage, source, country, industry, is_target, tier)
) WITHOUT ROWID;

CREATE INDEX handoffs_pending_due ON handoffs (sla_due_at, stage) WHERE status = 'pending';

CREATE TRIGGER funnel_gates_insert AFTER INSERT ON handoffs WHEN NEW.status = 'pending'
BEGIN
    INSERT INTO funnel_gates (stage, source, country, industry, is_target, tier, n)
    SELECT NEW.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(a.industry, ''),
           COALESCE(a.is_target, 0), COALESCE(a.tier, ''), 1
    FROM leads l LEFT JOIN accounts a ON a.id = l.account_id WHERE l.id = NEW.lead_id
    ON CONFLICT (stage, source, country, industry, is_target, tier) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER funnel_gates_update_old AFTER UPDATE OF status, stage ON handoffs
WHEN OLD.status = 'pending'
BEGIN
    INSERT INTO funnel_gates (stage, source, country, industry, is_target, tier, n)
    SELECT OLD.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(a.industry, ''),
           COALESCE(a.is_target, 0), COALESCE(a.tier, ''), -1
    FROM leads l LEFT JOIN accounts a ON a.id = l.account_id WHERE l.id = OLD.lead_id
    ON CONFLICT (stage, source, country, industry, is_target, tier) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER funnel_gates_update_new AFTER UPDATE OF status, stage ON handoffs
WHEN NEW.status = 'pending'
BEGIN
    INSERT INTO funnel_gates (stage, source, country, industry, is_target, tier, n)
    SELECT NEW.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(a.industry, ''),
           COALESCE(a.is_target, 0), COALESCE(a.tier, ''), 1
    FROM leads l LEFT JOIN accounts a ON a.id = l.account_id WHERE l.id = NEW.lead_id
    ON CONFLICT (stage, source, country, industry, is_target, tier) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER funnel_gates_delete AFTER DELETE ON handoffs WHEN OLD.status = 'pending'
BEGIN
    INSERT INTO funnel_gates (stage, source, country, industry, is_target, tier, n)
    SELECT OLD.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(a.industry, ''),
           COALESCE(a.is_target, 0), COALESCE(a.tier, ''), -1
    FROM leads l LEFT JOIN accounts a ON a.id = l.account_id WHERE l.id = OLD.lead_id
    ON CONFLICT (stage, source, country, industry, is_target, tier) DO UPDATE SET n = n + excluded.n;
END;

-- A lead's pending handoffs move with its source, country and account.
CREATE TRIGGER funnel_gates_lead_update AFTER UPDATE OF source, country, account_id ON leads
WHEN OLD.source IS NOT NEW.source OR OLD.country IS NOT NEW.country OR OLD.account_id IS NOT NEW.account_id
BEGIN
    INSERT INTO funnel_gates (stage, source, country, industry, is_target, tier, n)
    SELECT h.stage, COALESCE(OLD.source, ''), COALESCE(OLD.country, ''), COALESCE(a.industry, ''),
           COALESCE(a.is_target, 0), COALESCE(a.tier, ''), -COUNT(*)
    FROM handoffs h LEFT JOIN accounts a ON a.id = OLD.account_id
    WHERE h.lead_id = OLD.id AND h.status = 'pending' GROUP BY h.stage
    ON CONFLICT (stage, source, country, industry, is_target, tier) DO UPDATE SET n = n + excluded.n;
    INSERT INTO funnel_gates (stage, source, country, industry, is_target, tier, n)
    SELECT h.stage, COALESCE(NEW.source, ''), COALESCE(NEW.country, ''), COALESCE(a.industry, ''),
           COALESCE(a.is_target, 0), COALESCE(a.tier, ''), COUNT(*)
    FROM handoffs h LEFT JOIN accounts a ON a.id = NEW.account_id
    WHERE h.lead_id = NEW.id AND h.status = 'pending' GROUP BY h.stage
    ON CONFLICT (stage, source, country, industry, is_target, tier) DO UPDATE SET n = n + excluded.n;
END;

-- And with their account's industry, target flag and tier.
CREATE TRIGGER funnel_gates_account_update AFTER UPDATE OF is_target, tier, industry ON accounts
WHEN OLD.is_target IS NOT NEW.is_target OR OLD.tier IS NOT NEW.tier OR OLD.industry IS NOT NEW.industry
BEGIN
    INSERT INTO funnel_gates (stage, source, country, industry, is_target, tier, n)
    SELECT h.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(OLD.industry, ''),
           OLD.is_target, COALESCE(OLD.tier, ''), -COUNT(*)
    FROM leads l JOIN handoffs h ON h.lead_id = l.id AND h.status = 'pending'
    WHERE l.account_id = OLD.id
    GROUP BY h.stage, COALESCE(l.source, ''), COALESCE(l.country, '')
    ON CONFLICT (stage, source, country, industry, is_target, tier) DO UPDATE SET n = n + excluded.n;
    INSERT INTO funnel_gates (stage, source, country, industry, is_target, tier, n)
    SELECT h.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(NEW.industry, ''),
           NEW.is_target, COALESCE(NEW.tier, ''), COUNT(*)
    FROM leads l JOIN handoffs h ON h.lead_id = l.id AND h.status = 'pending'
    WHERE l.account_id = NEW.id
    GROUP BY h.stage, COALESCE(l.source, ''), COALESCE(l.country, '')
    ON CONFLICT (stage, source, country, industry, is_target, tier) DO UPDATE SET n = n + excluded.n;
END;

-- What is already there.
INSERT INTO funnel_gates (stage, source, country, industry, is_target, tier, n)
SELECT h.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(a.industry, ''),
       COALESCE(a.is_target, 0), COALESCE(a.tier, ''), COUNT(*)
FROM handoffs h JOIN leads l ON l.id = h.lead_id LEFT JOIN accounts a ON a.id = l.account_id
WHERE h.status = 'pending'
GROUP BY 1, 2, 3, 4, 5, 6;
