-- Pending handoffs per gate, kept by triggers (issue 6). The funnel shows at every gate how
-- many handoffs are open and how many are past their SLA, under the page's lead filters;
-- counting them meant reading every pending handoff, with its lead and account when a filter
-- was set. funnel_gates keeps the pending handoffs per gate and the lead's current source and
-- country and its account's industry, target flag and tier (current values, as
-- funnel_current: pending handoffs are part of the funnel now). The open count is read from
-- it; past SLA = open minus those not yet due, which the index below finds among the few
-- handoffs due from now on. Inserts are aggregated per statement (bulk writes; the new rows
-- reach their leads through LATERAL lookups by key, planned per statement, as in 0010); updates and deletes per row
-- (decisions come one at a time).

CREATE TABLE funnel_gates (
    stage     TEXT NOT NULL,
    source    TEXT NOT NULL,
    country   TEXT NOT NULL,
    industry  TEXT NOT NULL,
    is_target BOOLEAN NOT NULL,
    tier      TEXT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (stage, source, country, industry, is_target, tier)
);

CREATE INDEX handoffs_pending_due ON handoffs (sla_due_at, stage) WHERE status = 'pending';

-- Adds `delta` pending handoffs at gate `p_stage` for one lead's values.
CREATE FUNCTION funnel_gates_add(p_stage TEXT, p_lead BIGINT, p_delta BIGINT)
RETURNS VOID LANGUAGE sql AS $$
    INSERT INTO funnel_gates (stage, source, country, industry, is_target, tier, n)
    SELECT p_stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(a.industry, ''),
           COALESCE(a.is_target, FALSE), COALESCE(a.tier, ''), p_delta
    FROM leads l LEFT JOIN accounts a ON a.id = l.account_id WHERE l.id = p_lead
    ON CONFLICT (stage, source, country, industry, is_target, tier) DO UPDATE SET n = funnel_gates.n + excluded.n
$$;

CREATE FUNCTION funnel_gates_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE $q$
    INSERT INTO funnel_gates (stage, source, country, industry, is_target, tier, n)
    SELECT h.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(l.industry, ''),
           COALESCE(l.is_target, FALSE), COALESCE(l.tier, ''), COUNT(*)
    FROM inserted_handoffs h
    JOIN LATERAL (SELECT le.source, le.country, a.industry, a.is_target, a.tier
                  FROM leads le LEFT JOIN accounts a ON a.id = le.account_id
                  WHERE le.id = h.lead_id) AS l ON TRUE
    WHERE h.status = 'pending'
    GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (stage, source, country, industry, is_target, tier) DO UPDATE SET n = funnel_gates.n + excluded.n
    $q$;
    RETURN NULL;
END
$$;
CREATE TRIGGER funnel_gates_insert AFTER INSERT ON handoffs
REFERENCING NEW TABLE AS inserted_handoffs
FOR EACH STATEMENT EXECUTE FUNCTION funnel_gates_on_insert();

CREATE FUNCTION funnel_gates_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'pending' THEN
        PERFORM funnel_gates_add(OLD.stage, OLD.lead_id, -1);
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.status = 'pending' THEN
        PERFORM funnel_gates_add(NEW.stage, NEW.lead_id, 1);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER funnel_gates_change AFTER UPDATE OF status, stage OR DELETE ON handoffs
FOR EACH ROW EXECUTE FUNCTION funnel_gates_on_change();

-- A lead's pending handoffs move with its source, country and account.
CREATE FUNCTION funnel_gates_on_lead() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.source IS NOT DISTINCT FROM NEW.source AND OLD.country IS NOT DISTINCT FROM NEW.country
       AND OLD.account_id IS NOT DISTINCT FROM NEW.account_id THEN
        RETURN NULL;
    END IF;
    INSERT INTO funnel_gates (stage, source, country, industry, is_target, tier, n)
    SELECT h.stage, v.source, v.country, COALESCE(a.industry, ''), COALESCE(a.is_target, FALSE),
           COALESCE(a.tier, ''), SUM(v.sign)
    FROM handoffs h
    CROSS JOIN (VALUES (COALESCE(OLD.source, ''), COALESCE(OLD.country, ''), OLD.account_id, -1),
                       (COALESCE(NEW.source, ''), COALESCE(NEW.country, ''), NEW.account_id, 1))
               AS v (source, country, account_id, sign)
    LEFT JOIN accounts a ON a.id = v.account_id
    WHERE h.lead_id = NEW.id AND h.status = 'pending'
    GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (stage, source, country, industry, is_target, tier) DO UPDATE SET n = funnel_gates.n + excluded.n;
    RETURN NULL;
END
$$;
CREATE TRIGGER funnel_gates_lead AFTER UPDATE OF source, country, account_id ON leads
FOR EACH ROW EXECUTE FUNCTION funnel_gates_on_lead();

-- And with their account's industry, target flag and tier.
CREATE FUNCTION funnel_gates_on_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.is_target IS NOT DISTINCT FROM NEW.is_target AND OLD.tier IS NOT DISTINCT FROM NEW.tier
       AND OLD.industry IS NOT DISTINCT FROM NEW.industry THEN
        RETURN NULL;
    END IF;
    INSERT INTO funnel_gates (stage, source, country, industry, is_target, tier, n)
    SELECT h.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), v.industry, v.is_target, v.tier,
           SUM(v.sign)
    FROM leads l
    JOIN handoffs h ON h.lead_id = l.id AND h.status = 'pending'
    CROSS JOIN (VALUES (COALESCE(OLD.industry, ''), OLD.is_target, COALESCE(OLD.tier, ''), -1),
                       (COALESCE(NEW.industry, ''), NEW.is_target, COALESCE(NEW.tier, ''), 1))
               AS v (industry, is_target, tier, sign)
    WHERE l.account_id = NEW.id
    GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (stage, source, country, industry, is_target, tier) DO UPDATE SET n = funnel_gates.n + excluded.n;
    RETURN NULL;
END
$$;
CREATE TRIGGER funnel_gates_account AFTER UPDATE OF is_target, tier, industry ON accounts
FOR EACH ROW EXECUTE FUNCTION funnel_gates_on_account();

-- What is already there.
INSERT INTO funnel_gates (stage, source, country, industry, is_target, tier, n)
SELECT h.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(a.industry, ''),
       COALESCE(a.is_target, FALSE), COALESCE(a.tier, ''), COUNT(*)
FROM handoffs h JOIN leads l ON l.id = h.lead_id LEFT JOIN accounts a ON a.id = l.account_id
WHERE h.status = 'pending'
GROUP BY 1, 2, 3, 4, 5, 6;
