-- The funnel's filtered reads from small aggregates too (issue 6). With a lead filter the moves
-- of a period were read from funnel_moves_by, keyed by every filter at once (358,556 rows at a
-- million leads; 27 ms for 90 days of one country), and the SLA breaches at each gate joined
-- every pending handoff not yet due with its lead and account (33 ms). Two more aggregates:
--
-- * funnel_moves_dim: funnel_moves_by summed per single filter. dim is source, country,
--   industry, target or tier and value the filter's value (empty values are not kept: no
--   filter asks for them). The funnel's commonest filtered view, one filter, reads it; several
--   filters at once still read funnel_moves_by.
-- * funnel_gates_due: pending handoffs per hour their SLA ends (whole hours since 1970, UTC),
--   gate and the lead's current values: funnel_gates (0011) with the due hour. Past SLA = open
--   minus those due after the current hour (a range of this table) minus those due later in
--   the current hour (a few handoffs, read with their leads).
--
-- funnel_moves_dim follows funnel_moves_by through triggers on that table: each insert and each
-- update of a row (its key never changes, only its counts) is added, as a difference, to the
-- rows of its values. The history's arithmetic (day, time-in-stage bucket, values at the time)
-- stays in one place, migration 0009's trigger.

CREATE TABLE funnel_moves_dim (
    dim        TEXT NOT NULL,
    value      TEXT NOT NULL,
    day        TEXT NOT NULL,
    from_stage TEXT NOT NULL,
    to_stage   TEXT NOT NULL,
    version    INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    d0 INTEGER NOT NULL DEFAULT 0,
    d1 INTEGER NOT NULL DEFAULT 0,
    d2 INTEGER NOT NULL DEFAULT 0,
    d3 INTEGER NOT NULL DEFAULT 0,
    d4 INTEGER NOT NULL DEFAULT 0,
    d5 INTEGER NOT NULL DEFAULT 0,
    d6 INTEGER NOT NULL DEFAULT 0,
    d7 INTEGER NOT NULL DEFAULT 0,
    d8 INTEGER NOT NULL DEFAULT 0,
    d9 INTEGER NOT NULL DEFAULT 0,
    d10 INTEGER NOT NULL DEFAULT 0,
    d11 INTEGER NOT NULL DEFAULT 0,
    d12 INTEGER NOT NULL DEFAULT 0,
    d13 INTEGER NOT NULL DEFAULT 0,
    d14 INTEGER NOT NULL DEFAULT 0,
    d15 INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (dim, value, day, from_stage, to_stage, version)
) WITHOUT ROWID;

CREATE TRIGGER funnel_moves_dim_insert AFTER INSERT ON funnel_moves_by
BEGIN
    INSERT INTO funnel_moves_dim (dim, value, day, from_stage, to_stage, version, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15)
    SELECT v.dim, v.value, NEW.day, NEW.from_stage, NEW.to_stage, NEW.version, NEW.n, NEW.d0, NEW.d1, NEW.d2, NEW.d3, NEW.d4, NEW.d5, NEW.d6, NEW.d7, NEW.d8, NEW.d9, NEW.d10, NEW.d11, NEW.d12, NEW.d13, NEW.d14, NEW.d15
    FROM (SELECT 'source' AS dim, NEW.source AS value UNION ALL SELECT 'country', NEW.country
          UNION ALL SELECT 'industry', NEW.industry
          UNION ALL SELECT 'target', CASE WHEN NEW.is_target THEN '1' ELSE '' END
          UNION ALL SELECT 'tier', NEW.tier) AS v
    WHERE v.value <> ''
    ON CONFLICT (dim, value, day, from_stage, to_stage, version) DO UPDATE SET
    n = n + excluded.n,
    d0 = d0 + excluded.d0,
    d1 = d1 + excluded.d1,
    d2 = d2 + excluded.d2,
    d3 = d3 + excluded.d3,
    d4 = d4 + excluded.d4,
    d5 = d5 + excluded.d5,
    d6 = d6 + excluded.d6,
    d7 = d7 + excluded.d7,
    d8 = d8 + excluded.d8,
    d9 = d9 + excluded.d9,
    d10 = d10 + excluded.d10,
    d11 = d11 + excluded.d11,
    d12 = d12 + excluded.d12,
    d13 = d13 + excluded.d13,
    d14 = d14 + excluded.d14,
    d15 = d15 + excluded.d15;
END;

CREATE TRIGGER funnel_moves_dim_update AFTER UPDATE ON funnel_moves_by
BEGIN
    INSERT INTO funnel_moves_dim (dim, value, day, from_stage, to_stage, version, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15)
    SELECT v.dim, v.value, NEW.day, NEW.from_stage, NEW.to_stage, NEW.version, NEW.n - OLD.n, NEW.d0 - OLD.d0, NEW.d1 - OLD.d1, NEW.d2 - OLD.d2, NEW.d3 - OLD.d3, NEW.d4 - OLD.d4, NEW.d5 - OLD.d5, NEW.d6 - OLD.d6, NEW.d7 - OLD.d7, NEW.d8 - OLD.d8, NEW.d9 - OLD.d9, NEW.d10 - OLD.d10, NEW.d11 - OLD.d11, NEW.d12 - OLD.d12, NEW.d13 - OLD.d13, NEW.d14 - OLD.d14, NEW.d15 - OLD.d15
    FROM (SELECT 'source' AS dim, NEW.source AS value UNION ALL SELECT 'country', NEW.country
          UNION ALL SELECT 'industry', NEW.industry
          UNION ALL SELECT 'target', CASE WHEN NEW.is_target THEN '1' ELSE '' END
          UNION ALL SELECT 'tier', NEW.tier) AS v
    WHERE v.value <> ''
    ON CONFLICT (dim, value, day, from_stage, to_stage, version) DO UPDATE SET
    n = n + excluded.n,
    d0 = d0 + excluded.d0,
    d1 = d1 + excluded.d1,
    d2 = d2 + excluded.d2,
    d3 = d3 + excluded.d3,
    d4 = d4 + excluded.d4,
    d5 = d5 + excluded.d5,
    d6 = d6 + excluded.d6,
    d7 = d7 + excluded.d7,
    d8 = d8 + excluded.d8,
    d9 = d9 + excluded.d9,
    d10 = d10 + excluded.d10,
    d11 = d11 + excluded.d11,
    d12 = d12 + excluded.d12,
    d13 = d13 + excluded.d13,
    d14 = d14 + excluded.d14,
    d15 = d15 + excluded.d15;
END;

-- What is already there.
INSERT INTO funnel_moves_dim (dim, value, day, from_stage, to_stage, version, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15)
SELECT dim, value, day, from_stage, to_stage, version, SUM(n), SUM(d0), SUM(d1), SUM(d2), SUM(d3), SUM(d4), SUM(d5), SUM(d6), SUM(d7), SUM(d8), SUM(d9), SUM(d10), SUM(d11), SUM(d12), SUM(d13), SUM(d14), SUM(d15)
FROM (SELECT 'source' AS dim, source AS value, day, from_stage, to_stage, version, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15 FROM funnel_moves_by
      UNION ALL SELECT 'country', country, day, from_stage, to_stage, version, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15 FROM funnel_moves_by
      UNION ALL SELECT 'industry', industry, day, from_stage, to_stage, version, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15 FROM funnel_moves_by
      UNION ALL SELECT 'target', CASE WHEN is_target THEN '1' ELSE '' END, day, from_stage, to_stage, version, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15 FROM funnel_moves_by
      UNION ALL SELECT 'tier', tier, day, from_stage, to_stage, version, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15 FROM funnel_moves_by) AS m
WHERE value <> ''
GROUP BY dim, value, day, from_stage, to_stage, version;

CREATE TABLE funnel_gates_due (
    due_hour  INTEGER NOT NULL,
    stage     TEXT NOT NULL,
    source    TEXT NOT NULL,
    country   TEXT NOT NULL,
    industry  TEXT NOT NULL,
    is_target INTEGER NOT NULL,
    tier      TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (due_hour, stage, source, country, industry, is_target, tier)
) WITHOUT ROWID;

-- Kept as funnel_gates is (0011), and also when a pending handoff's due time changes.
CREATE TRIGGER funnel_gates_due_insert AFTER INSERT ON handoffs WHEN NEW.status = 'pending'
BEGIN
    INSERT INTO funnel_gates_due (due_hour, stage, source, country, industry, is_target, tier, n)
    SELECT CAST(strftime('%s', NEW.sla_due_at) AS INTEGER) / 3600, NEW.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(a.industry, ''),
           COALESCE(a.is_target, 0), COALESCE(a.tier, ''), 1
    FROM leads l LEFT JOIN accounts a ON a.id = l.account_id WHERE l.id = NEW.lead_id
    ON CONFLICT (due_hour, stage, source, country, industry, is_target, tier) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER funnel_gates_due_update_old AFTER UPDATE OF status, stage, sla_due_at ON handoffs
WHEN OLD.status = 'pending'
BEGIN
    INSERT INTO funnel_gates_due (due_hour, stage, source, country, industry, is_target, tier, n)
    SELECT CAST(strftime('%s', OLD.sla_due_at) AS INTEGER) / 3600, OLD.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(a.industry, ''),
           COALESCE(a.is_target, 0), COALESCE(a.tier, ''), -1
    FROM leads l LEFT JOIN accounts a ON a.id = l.account_id WHERE l.id = OLD.lead_id
    ON CONFLICT (due_hour, stage, source, country, industry, is_target, tier) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER funnel_gates_due_update_new AFTER UPDATE OF status, stage, sla_due_at ON handoffs
WHEN NEW.status = 'pending'
BEGIN
    INSERT INTO funnel_gates_due (due_hour, stage, source, country, industry, is_target, tier, n)
    SELECT CAST(strftime('%s', NEW.sla_due_at) AS INTEGER) / 3600, NEW.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(a.industry, ''),
           COALESCE(a.is_target, 0), COALESCE(a.tier, ''), 1
    FROM leads l LEFT JOIN accounts a ON a.id = l.account_id WHERE l.id = NEW.lead_id
    ON CONFLICT (due_hour, stage, source, country, industry, is_target, tier) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER funnel_gates_due_delete AFTER DELETE ON handoffs WHEN OLD.status = 'pending'
BEGIN
    INSERT INTO funnel_gates_due (due_hour, stage, source, country, industry, is_target, tier, n)
    SELECT CAST(strftime('%s', OLD.sla_due_at) AS INTEGER) / 3600, OLD.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(a.industry, ''),
           COALESCE(a.is_target, 0), COALESCE(a.tier, ''), -1
    FROM leads l LEFT JOIN accounts a ON a.id = l.account_id WHERE l.id = OLD.lead_id
    ON CONFLICT (due_hour, stage, source, country, industry, is_target, tier) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER funnel_gates_due_lead_update AFTER UPDATE OF source, country, account_id ON leads
WHEN OLD.source IS NOT NEW.source OR OLD.country IS NOT NEW.country OR OLD.account_id IS NOT NEW.account_id
BEGIN
    INSERT INTO funnel_gates_due (due_hour, stage, source, country, industry, is_target, tier, n)
    SELECT CAST(strftime('%s', h.sla_due_at) AS INTEGER) / 3600, h.stage, COALESCE(OLD.source, ''), COALESCE(OLD.country, ''), COALESCE(a.industry, ''),
           COALESCE(a.is_target, 0), COALESCE(a.tier, ''), -COUNT(*)
    FROM handoffs h LEFT JOIN accounts a ON a.id = OLD.account_id
    WHERE h.lead_id = OLD.id AND h.status = 'pending' GROUP BY 1, h.stage
    ON CONFLICT (due_hour, stage, source, country, industry, is_target, tier) DO UPDATE SET n = n + excluded.n;
    INSERT INTO funnel_gates_due (due_hour, stage, source, country, industry, is_target, tier, n)
    SELECT CAST(strftime('%s', h.sla_due_at) AS INTEGER) / 3600, h.stage, COALESCE(NEW.source, ''), COALESCE(NEW.country, ''), COALESCE(a.industry, ''),
           COALESCE(a.is_target, 0), COALESCE(a.tier, ''), COUNT(*)
    FROM handoffs h LEFT JOIN accounts a ON a.id = NEW.account_id
    WHERE h.lead_id = NEW.id AND h.status = 'pending' GROUP BY 1, h.stage
    ON CONFLICT (due_hour, stage, source, country, industry, is_target, tier) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER funnel_gates_due_account_update AFTER UPDATE OF is_target, tier, industry ON accounts
WHEN OLD.is_target IS NOT NEW.is_target OR OLD.tier IS NOT NEW.tier OR OLD.industry IS NOT NEW.industry
BEGIN
    INSERT INTO funnel_gates_due (due_hour, stage, source, country, industry, is_target, tier, n)
    SELECT CAST(strftime('%s', h.sla_due_at) AS INTEGER) / 3600, h.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(OLD.industry, ''),
           OLD.is_target, COALESCE(OLD.tier, ''), -COUNT(*)
    FROM leads l JOIN handoffs h ON h.lead_id = l.id AND h.status = 'pending'
    WHERE l.account_id = OLD.id
    GROUP BY 1, h.stage, COALESCE(l.source, ''), COALESCE(l.country, '')
    ON CONFLICT (due_hour, stage, source, country, industry, is_target, tier) DO UPDATE SET n = n + excluded.n;
    INSERT INTO funnel_gates_due (due_hour, stage, source, country, industry, is_target, tier, n)
    SELECT CAST(strftime('%s', h.sla_due_at) AS INTEGER) / 3600, h.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(NEW.industry, ''),
           NEW.is_target, COALESCE(NEW.tier, ''), COUNT(*)
    FROM leads l JOIN handoffs h ON h.lead_id = l.id AND h.status = 'pending'
    WHERE l.account_id = NEW.id
    GROUP BY 1, h.stage, COALESCE(l.source, ''), COALESCE(l.country, '')
    ON CONFLICT (due_hour, stage, source, country, industry, is_target, tier) DO UPDATE SET n = n + excluded.n;
END;

-- What is already there.
INSERT INTO funnel_gates_due (due_hour, stage, source, country, industry, is_target, tier, n)
SELECT CAST(strftime('%s', h.sla_due_at) AS INTEGER) / 3600, h.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(a.industry, ''),
       COALESCE(a.is_target, 0), COALESCE(a.tier, ''), COUNT(*)
FROM handoffs h JOIN leads l ON l.id = h.lead_id LEFT JOIN accounts a ON a.id = l.account_id
WHERE h.status = 'pending'
GROUP BY 1, 2, 3, 4, 5, 6, 7;
