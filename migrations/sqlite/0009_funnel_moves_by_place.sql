-- The funnel's history by country and industry too (issue 6): funnel_moves_by gains the lead's
-- country and its account's industry at the time, so that every filter of the funnel page is
-- answered from the maintained aggregates instead of a scan of the stage history (at a
-- million leads that scan took 18 s). The table is rebuilt from the history, and the trigger
-- of migration 0007 is replaced by one that fills the wider key.

DROP TRIGGER funnel_moves_transition_insert;
DROP TABLE funnel_moves_by;

CREATE TABLE funnel_moves_by (
    day        TEXT NOT NULL,
    from_stage TEXT NOT NULL,
    to_stage   TEXT NOT NULL,
    version    INTEGER NOT NULL,
    source     TEXT NOT NULL,
    country    TEXT NOT NULL,
    industry   TEXT NOT NULL,
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
    PRIMARY KEY (day, from_stage, to_stage, version, source, country, industry, is_target, tier)
) WITHOUT ROWID;

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
    INSERT INTO funnel_moves_by (day, from_stage, to_stage, version, source, country, industry, is_target, tier, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15)
    SELECT date(NEW.at), COALESCE(NEW.from_stage, ''), NEW.to_stage, NEW.definition_version,
           COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(a.industry, ''),
           COALESCE(a.is_target, 0), COALESCE(a.tier, ''), 1,
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
    ON CONFLICT (day, from_stage, to_stage, version, source, country, industry, is_target, tier) DO UPDATE SET
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
INSERT INTO funnel_moves_by (day, from_stage, to_stage, version, source, country, industry, is_target, tier, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15)
SELECT day, from_stage, to_stage, version, source, country, industry, is_target, tier, COUNT(*), SUM(b IS 0), SUM(b IS 1), SUM(b IS 2), SUM(b IS 3), SUM(b IS 4), SUM(b IS 5), SUM(b IS 6), SUM(b IS 7), SUM(b IS 8), SUM(b IS 9), SUM(b IS 10), SUM(b IS 11), SUM(b IS 12), SUM(b IS 13), SUM(b IS 14), SUM(b IS 15)
FROM (SELECT date(t.at) AS day, COALESCE(t.from_stage, '') AS from_stage, t.to_stage AS to_stage,
             t.definition_version AS version, COALESCE(l.source, '') AS source,
             COALESCE(l.country, '') AS country, COALESCE(a.industry, '') AS industry,
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
      WHERE t.from_stage IS NOT t.to_stage) AS m
GROUP BY day, from_stage, to_stage, version, source, country, industry, is_target, tier;
