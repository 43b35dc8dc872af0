-- The funnel's maintained aggregates (issue 6; SQLite), read by the funnel page and API instead of a
-- million leads and their history. Triggers keep them current on every write path (services,
-- imports, seeding, publishing), so no code path can forget to. What they count:
-- * funnel_current: leads per stage now, by the lead's source and country and its account's
--   industry, target flag and tier (current values: when an account becomes a target, its
--   leads' counts move with it).
-- * funnel_moves, funnel_moves_by: stage changes per UTC day, from → to (from '' = created)
--   and the definition version in force; the second also by the lead's source and its
--   account's target flag and tier at the time (history-true: later edits do not rewrite the
--   past). A handoff decision that keeps the stage (from = to) is not a move.
--   d0…d15 count the moves out of from_stage by how long the lead had been in it, measured
--   from its latest earlier move into it, in hours with the bucket bounds
--   1 2 4 8 12 24 48 72 120 168 336 720 1440 2160 4320 (funnel::metrics::DWELL_BOUNDS).
-- Empty text stands for "none" in dimension columns, so that they can be part of a key.

CREATE TABLE funnel_current (
    stage     TEXT NOT NULL,
    source    TEXT NOT NULL,
    country   TEXT NOT NULL,
    industry  TEXT NOT NULL,
    is_target INTEGER NOT NULL,
    tier      TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (stage, source, country, industry, is_target, tier)
) WITHOUT ROWID;

CREATE TABLE funnel_moves (
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
    PRIMARY KEY (day, from_stage, to_stage, version)
) WITHOUT ROWID;

CREATE TABLE funnel_moves_by (
    day        TEXT NOT NULL,
    from_stage TEXT NOT NULL,
    to_stage   TEXT NOT NULL,
    version    INTEGER NOT NULL,
    source     TEXT NOT NULL,
    is_target  INTEGER NOT NULL,
    tier       TEXT NOT NULL,
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
    PRIMARY KEY (day, from_stage, to_stage, version, source, is_target, tier)
) WITHOUT ROWID;

CREATE TRIGGER funnel_current_lead_insert AFTER INSERT ON leads BEGIN
    INSERT INTO funnel_current (stage, source, country, industry, is_target, tier, n)
    SELECT NEW.stage, COALESCE(NEW.source, ''), COALESCE(NEW.country, ''), COALESCE(a.industry, ''),
           COALESCE(a.is_target, 0), COALESCE(a.tier, ''), 1
    FROM (SELECT 1) AS one LEFT JOIN accounts a ON a.id = NEW.account_id
    WHERE true
    ON CONFLICT (stage, source, country, industry, is_target, tier) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER funnel_current_lead_update AFTER UPDATE OF stage, source, country, account_id ON leads
WHEN OLD.stage IS NOT NEW.stage OR OLD.source IS NOT NEW.source OR OLD.country IS NOT NEW.country
     OR OLD.account_id IS NOT NEW.account_id
BEGIN
    INSERT INTO funnel_current (stage, source, country, industry, is_target, tier, n)
    SELECT OLD.stage, COALESCE(OLD.source, ''), COALESCE(OLD.country, ''), COALESCE(a.industry, ''),
           COALESCE(a.is_target, 0), COALESCE(a.tier, ''), -1
    FROM (SELECT 1) AS one LEFT JOIN accounts a ON a.id = OLD.account_id
    WHERE true
    ON CONFLICT (stage, source, country, industry, is_target, tier) DO UPDATE SET n = n + excluded.n;
    INSERT INTO funnel_current (stage, source, country, industry, is_target, tier, n)
    SELECT NEW.stage, COALESCE(NEW.source, ''), COALESCE(NEW.country, ''), COALESCE(a.industry, ''),
           COALESCE(a.is_target, 0), COALESCE(a.tier, ''), 1
    FROM (SELECT 1) AS one LEFT JOIN accounts a ON a.id = NEW.account_id
    WHERE true
    ON CONFLICT (stage, source, country, industry, is_target, tier) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER funnel_current_lead_delete AFTER DELETE ON leads BEGIN
    INSERT INTO funnel_current (stage, source, country, industry, is_target, tier, n)
    SELECT OLD.stage, COALESCE(OLD.source, ''), COALESCE(OLD.country, ''), COALESCE(a.industry, ''),
           COALESCE(a.is_target, 0), COALESCE(a.tier, ''), -1
    FROM (SELECT 1) AS one LEFT JOIN accounts a ON a.id = OLD.account_id
    WHERE true
    ON CONFLICT (stage, source, country, industry, is_target, tier) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER funnel_current_account_update AFTER UPDATE OF is_target, tier, industry ON accounts
WHEN OLD.is_target IS NOT NEW.is_target OR OLD.tier IS NOT NEW.tier OR OLD.industry IS NOT NEW.industry
BEGIN
    INSERT INTO funnel_current (stage, source, country, industry, is_target, tier, n)
    SELECT l.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(OLD.industry, ''),
           OLD.is_target, COALESCE(OLD.tier, ''), -COUNT(*)
    FROM leads l WHERE l.account_id = OLD.id
    GROUP BY l.stage, COALESCE(l.source, ''), COALESCE(l.country, '')
    ON CONFLICT (stage, source, country, industry, is_target, tier) DO UPDATE SET n = n + excluded.n;
    INSERT INTO funnel_current (stage, source, country, industry, is_target, tier, n)
    SELECT l.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(NEW.industry, ''),
           NEW.is_target, COALESCE(NEW.tier, ''), COUNT(*)
    FROM leads l WHERE l.account_id = NEW.id
    GROUP BY l.stage, COALESCE(l.source, ''), COALESCE(l.country, '')
    ON CONFLICT (stage, source, country, industry, is_target, tier) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER funnel_moves_transition_insert AFTER INSERT ON stage_transitions
WHEN NEW.from_stage IS NOT NEW.to_stage
BEGIN
    INSERT INTO funnel_moves (day, from_stage, to_stage, version, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15)
    SELECT date(NEW.at), COALESCE(NEW.from_stage, ''), NEW.to_stage, NEW.definition_version, 1,
           (b IS 0), (b IS 1), (b IS 2), (b IS 3), (b IS 4), (b IS 5), (b IS 6), (b IS 7), (b IS 8), (b IS 9), (b IS 10), (b IS 11), (b IS 12), (b IS 13), (b IS 14), (b IS 15)
    FROM (SELECT CASE WHEN h IS NULL THEN NULL
               WHEN h < 1 THEN 0
               WHEN h < 2 THEN 1
               WHEN h < 4 THEN 2
               WHEN h < 8 THEN 3
               WHEN h < 12 THEN 4
               WHEN h < 24 THEN 5
               WHEN h < 48 THEN 6
               WHEN h < 72 THEN 7
               WHEN h < 120 THEN 8
               WHEN h < 168 THEN 9
               WHEN h < 336 THEN 10
               WHEN h < 720 THEN 11
               WHEN h < 1440 THEN 12
               WHEN h < 2160 THEN 13
               WHEN h < 4320 THEN 14
               ELSE 15 END AS b
          FROM (SELECT (julianday(NEW.at) - julianday((SELECT p.at FROM stage_transitions p WHERE p.lead_id = NEW.lead_id AND p.id < NEW.id AND p.to_stage = NEW.from_stage AND p.from_stage IS NOT p.to_stage ORDER BY p.id DESC LIMIT 1))) * 24.0 AS h) AS x) AS dwell
    WHERE true
    ON CONFLICT (day, from_stage, to_stage, version) DO UPDATE SET
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
    INSERT INTO funnel_moves_by (day, from_stage, to_stage, version, source, is_target, tier, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15)
    SELECT date(NEW.at), COALESCE(NEW.from_stage, ''), NEW.to_stage, NEW.definition_version,
           COALESCE(l.source, ''), COALESCE(a.is_target, 0), COALESCE(a.tier, ''), 1,
           (b IS 0), (b IS 1), (b IS 2), (b IS 3), (b IS 4), (b IS 5), (b IS 6), (b IS 7), (b IS 8), (b IS 9), (b IS 10), (b IS 11), (b IS 12), (b IS 13), (b IS 14), (b IS 15)
    FROM (SELECT CASE WHEN h IS NULL THEN NULL
               WHEN h < 1 THEN 0
               WHEN h < 2 THEN 1
               WHEN h < 4 THEN 2
               WHEN h < 8 THEN 3
               WHEN h < 12 THEN 4
               WHEN h < 24 THEN 5
               WHEN h < 48 THEN 6
               WHEN h < 72 THEN 7
               WHEN h < 120 THEN 8
               WHEN h < 168 THEN 9
               WHEN h < 336 THEN 10
               WHEN h < 720 THEN 11
               WHEN h < 1440 THEN 12
               WHEN h < 2160 THEN 13
               WHEN h < 4320 THEN 14
               ELSE 15 END AS b
          FROM (SELECT (julianday(NEW.at) - julianday((SELECT p.at FROM stage_transitions p WHERE p.lead_id = NEW.lead_id AND p.id < NEW.id AND p.to_stage = NEW.from_stage AND p.from_stage IS NOT p.to_stage ORDER BY p.id DESC LIMIT 1))) * 24.0 AS h) AS x) AS dwell
    LEFT JOIN leads l ON l.id = NEW.lead_id
    LEFT JOIN accounts a ON a.id = l.account_id
    WHERE true
    ON CONFLICT (day, from_stage, to_stage, version, source, is_target, tier) DO UPDATE SET
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
INSERT INTO funnel_current (stage, source, country, industry, is_target, tier, n)
SELECT l.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(a.industry, ''),
       COALESCE(a.is_target, 0), COALESCE(a.tier, ''), COUNT(*)
FROM leads l LEFT JOIN accounts a ON a.id = l.account_id
GROUP BY 1, 2, 3, 4, 5, 6;

CREATE TEMP TABLE funnel_backfill AS
SELECT date(t.at) AS day, COALESCE(t.from_stage, '') AS from_stage, t.to_stage AS to_stage,
       t.definition_version AS version, COALESCE(l.source, '') AS source,
       COALESCE(a.is_target, 0) AS is_target, COALESCE(a.tier, '') AS tier,
       CASE WHEN (julianday(t.at) - julianday((SELECT p.at FROM stage_transitions p WHERE p.lead_id = t.lead_id AND p.id < t.id AND p.to_stage = t.from_stage AND p.from_stage IS NOT p.to_stage ORDER BY p.id DESC LIMIT 1))) * 24.0 IS NULL THEN NULL
               WHEN (julianday(t.at) - julianday((SELECT p.at FROM stage_transitions p WHERE p.lead_id = t.lead_id AND p.id < t.id AND p.to_stage = t.from_stage AND p.from_stage IS NOT p.to_stage ORDER BY p.id DESC LIMIT 1))) * 24.0 < 1 THEN 0
               WHEN (julianday(t.at) - julianday((SELECT p.at FROM stage_transitions p WHERE p.lead_id = t.lead_id AND p.id < t.id AND p.to_stage = t.from_stage AND p.from_stage IS NOT p.to_stage ORDER BY p.id DESC LIMIT 1))) * 24.0 < 2 THEN 1
               WHEN (julianday(t.at) - julianday((SELECT p.at FROM stage_transitions p WHERE p.lead_id = t.lead_id AND p.id < t.id AND p.to_stage = t.from_stage AND p.from_stage IS NOT p.to_stage ORDER BY p.id DESC LIMIT 1))) * 24.0 < 4 THEN 2
               WHEN (julianday(t.at) - julianday((SELECT p.at FROM stage_transitions p WHERE p.lead_id = t.lead_id AND p.id < t.id AND p.to_stage = t.from_stage AND p.from_stage IS NOT p.to_stage ORDER BY p.id DESC LIMIT 1))) * 24.0 < 8 THEN 3
               WHEN (julianday(t.at) - julianday((SELECT p.at FROM stage_transitions p WHERE p.lead_id = t.lead_id AND p.id < t.id AND p.to_stage = t.from_stage AND p.from_stage IS NOT p.to_stage ORDER BY p.id DESC LIMIT 1))) * 24.0 < 12 THEN 4
               WHEN (julianday(t.at) - julianday((SELECT p.at FROM stage_transitions p WHERE p.lead_id = t.lead_id AND p.id < t.id AND p.to_stage = t.from_stage AND p.from_stage IS NOT p.to_stage ORDER BY p.id DESC LIMIT 1))) * 24.0 < 24 THEN 5
               WHEN (julianday(t.at) - julianday((SELECT p.at FROM stage_transitions p WHERE p.lead_id = t.lead_id AND p.id < t.id AND p.to_stage = t.from_stage AND p.from_stage IS NOT p.to_stage ORDER BY p.id DESC LIMIT 1))) * 24.0 < 48 THEN 6
               WHEN (julianday(t.at) - julianday((SELECT p.at FROM stage_transitions p WHERE p.lead_id = t.lead_id AND p.id < t.id AND p.to_stage = t.from_stage AND p.from_stage IS NOT p.to_stage ORDER BY p.id DESC LIMIT 1))) * 24.0 < 72 THEN 7
               WHEN (julianday(t.at) - julianday((SELECT p.at FROM stage_transitions p WHERE p.lead_id = t.lead_id AND p.id < t.id AND p.to_stage = t.from_stage AND p.from_stage IS NOT p.to_stage ORDER BY p.id DESC LIMIT 1))) * 24.0 < 120 THEN 8
               WHEN (julianday(t.at) - julianday((SELECT p.at FROM stage_transitions p WHERE p.lead_id = t.lead_id AND p.id < t.id AND p.to_stage = t.from_stage AND p.from_stage IS NOT p.to_stage ORDER BY p.id DESC LIMIT 1))) * 24.0 < 168 THEN 9
               WHEN (julianday(t.at) - julianday((SELECT p.at FROM stage_transitions p WHERE p.lead_id = t.lead_id AND p.id < t.id AND p.to_stage = t.from_stage AND p.from_stage IS NOT p.to_stage ORDER BY p.id DESC LIMIT 1))) * 24.0 < 336 THEN 10
               WHEN (julianday(t.at) - julianday((SELECT p.at FROM stage_transitions p WHERE p.lead_id = t.lead_id AND p.id < t.id AND p.to_stage = t.from_stage AND p.from_stage IS NOT p.to_stage ORDER BY p.id DESC LIMIT 1))) * 24.0 < 720 THEN 11
               WHEN (julianday(t.at) - julianday((SELECT p.at FROM stage_transitions p WHERE p.lead_id = t.lead_id AND p.id < t.id AND p.to_stage = t.from_stage AND p.from_stage IS NOT p.to_stage ORDER BY p.id DESC LIMIT 1))) * 24.0 < 1440 THEN 12
               WHEN (julianday(t.at) - julianday((SELECT p.at FROM stage_transitions p WHERE p.lead_id = t.lead_id AND p.id < t.id AND p.to_stage = t.from_stage AND p.from_stage IS NOT p.to_stage ORDER BY p.id DESC LIMIT 1))) * 24.0 < 2160 THEN 13
               WHEN (julianday(t.at) - julianday((SELECT p.at FROM stage_transitions p WHERE p.lead_id = t.lead_id AND p.id < t.id AND p.to_stage = t.from_stage AND p.from_stage IS NOT p.to_stage ORDER BY p.id DESC LIMIT 1))) * 24.0 < 4320 THEN 14
               ELSE 15 END AS b
FROM stage_transitions t
LEFT JOIN leads l ON l.id = t.lead_id
LEFT JOIN accounts a ON a.id = l.account_id
WHERE t.from_stage IS NOT t.to_stage;

INSERT INTO funnel_moves (day, from_stage, to_stage, version, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15)
SELECT day, from_stage, to_stage, version, COUNT(*), SUM(b IS 0), SUM(b IS 1), SUM(b IS 2), SUM(b IS 3), SUM(b IS 4), SUM(b IS 5), SUM(b IS 6), SUM(b IS 7), SUM(b IS 8), SUM(b IS 9), SUM(b IS 10), SUM(b IS 11), SUM(b IS 12), SUM(b IS 13), SUM(b IS 14), SUM(b IS 15)
FROM funnel_backfill GROUP BY day, from_stage, to_stage, version;

INSERT INTO funnel_moves_by (day, from_stage, to_stage, version, source, is_target, tier, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15)
SELECT day, from_stage, to_stage, version, source, is_target, tier, COUNT(*), SUM(b IS 0), SUM(b IS 1), SUM(b IS 2), SUM(b IS 3), SUM(b IS 4), SUM(b IS 5), SUM(b IS 6), SUM(b IS 7), SUM(b IS 8), SUM(b IS 9), SUM(b IS 10), SUM(b IS 11), SUM(b IS 12), SUM(b IS 13), SUM(b IS 14), SUM(b IS 15)
FROM funnel_backfill GROUP BY day, from_stage, to_stage, version, source, is_target, tier;

DROP TABLE funnel_backfill;
