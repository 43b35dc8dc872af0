-- The funnel's history by country and industry too (issue 6): funnel_moves_by gains the lead's
-- country and its account's industry at the time, so that every filter of the funnel page is
-- answered from the maintained aggregates instead of a scan of the stage history (at a
-- million leads that scan took 18 s). The table is rebuilt from the history, and the trigger
-- of migration 0007 is replaced by one that fills the wider key.

DROP TABLE funnel_moves_by;

CREATE TABLE funnel_moves_by (
    day        DATE NOT NULL,
    from_stage TEXT NOT NULL,
    to_stage   TEXT NOT NULL,
    version    BIGINT NOT NULL,
    source     TEXT NOT NULL,
    country    TEXT NOT NULL,
    industry   TEXT NOT NULL,
    is_target  BOOLEAN NOT NULL,
    tier       TEXT NOT NULL,
    n          BIGINT NOT NULL,
    d0 BIGINT NOT NULL DEFAULT 0,
    d1 BIGINT NOT NULL DEFAULT 0,
    d2 BIGINT NOT NULL DEFAULT 0,
    d3 BIGINT NOT NULL DEFAULT 0,
    d4 BIGINT NOT NULL DEFAULT 0,
    d5 BIGINT NOT NULL DEFAULT 0,
    d6 BIGINT NOT NULL DEFAULT 0,
    d7 BIGINT NOT NULL DEFAULT 0,
    d8 BIGINT NOT NULL DEFAULT 0,
    d9 BIGINT NOT NULL DEFAULT 0,
    d10 BIGINT NOT NULL DEFAULT 0,
    d11 BIGINT NOT NULL DEFAULT 0,
    d12 BIGINT NOT NULL DEFAULT 0,
    d13 BIGINT NOT NULL DEFAULT 0,
    d14 BIGINT NOT NULL DEFAULT 0,
    d15 BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, from_stage, to_stage, version, source, country, industry, is_target, tier)
);

CREATE OR REPLACE FUNCTION funnel_moves_on_transition() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    b INTEGER;
    src TEXT;
    ctry TEXT;
    ind TEXT;
    target BOOLEAN;
    tr TEXT;
BEGIN
    IF NEW.from_stage IS NOT DISTINCT FROM NEW.to_stage THEN
        RETURN NULL;
    END IF;
    b := COALESCE(funnel_dwell_bucket(EXTRACT(EPOCH FROM (NEW.at - (SELECT p.at FROM stage_transitions p WHERE p.lead_id = NEW.lead_id AND p.id < NEW.id AND p.to_stage = NEW.from_stage AND p.from_stage IS DISTINCT FROM p.to_stage ORDER BY p.id DESC LIMIT 1)))::double precision / 3600.0), -1);
    SELECT l.source, l.country, a.industry, a.is_target, a.tier INTO src, ctry, ind, target, tr
    FROM leads l LEFT JOIN accounts a ON a.id = l.account_id WHERE l.id = NEW.lead_id;
    INSERT INTO funnel_moves (day, from_stage, to_stage, version, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15)
    VALUES ((NEW.at AT TIME ZONE 'UTC')::date, COALESCE(NEW.from_stage, ''), NEW.to_stage,
            NEW.definition_version, 1, (b = 0)::int, (b = 1)::int, (b = 2)::int, (b = 3)::int, (b = 4)::int, (b = 5)::int, (b = 6)::int, (b = 7)::int, (b = 8)::int, (b = 9)::int, (b = 10)::int, (b = 11)::int, (b = 12)::int, (b = 13)::int, (b = 14)::int, (b = 15)::int)
    ON CONFLICT (day, from_stage, to_stage, version) DO UPDATE SET
        n = funnel_moves.n + excluded.n,
        d0 = funnel_moves.d0 + excluded.d0,
        d1 = funnel_moves.d1 + excluded.d1,
        d2 = funnel_moves.d2 + excluded.d2,
        d3 = funnel_moves.d3 + excluded.d3,
        d4 = funnel_moves.d4 + excluded.d4,
        d5 = funnel_moves.d5 + excluded.d5,
        d6 = funnel_moves.d6 + excluded.d6,
        d7 = funnel_moves.d7 + excluded.d7,
        d8 = funnel_moves.d8 + excluded.d8,
        d9 = funnel_moves.d9 + excluded.d9,
        d10 = funnel_moves.d10 + excluded.d10,
        d11 = funnel_moves.d11 + excluded.d11,
        d12 = funnel_moves.d12 + excluded.d12,
        d13 = funnel_moves.d13 + excluded.d13,
        d14 = funnel_moves.d14 + excluded.d14,
        d15 = funnel_moves.d15 + excluded.d15;
    INSERT INTO funnel_moves_by (day, from_stage, to_stage, version, source, country, industry, is_target, tier, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15)
    VALUES ((NEW.at AT TIME ZONE 'UTC')::date, COALESCE(NEW.from_stage, ''), NEW.to_stage,
            NEW.definition_version, COALESCE(src, ''), COALESCE(ctry, ''), COALESCE(ind, ''),
            COALESCE(target, FALSE), COALESCE(tr, ''), 1, (b = 0)::int, (b = 1)::int, (b = 2)::int, (b = 3)::int, (b = 4)::int, (b = 5)::int, (b = 6)::int, (b = 7)::int, (b = 8)::int, (b = 9)::int, (b = 10)::int, (b = 11)::int, (b = 12)::int, (b = 13)::int, (b = 14)::int, (b = 15)::int)
    ON CONFLICT (day, from_stage, to_stage, version, source, country, industry, is_target, tier) DO UPDATE SET
        n = funnel_moves_by.n + excluded.n,
        d0 = funnel_moves_by.d0 + excluded.d0,
        d1 = funnel_moves_by.d1 + excluded.d1,
        d2 = funnel_moves_by.d2 + excluded.d2,
        d3 = funnel_moves_by.d3 + excluded.d3,
        d4 = funnel_moves_by.d4 + excluded.d4,
        d5 = funnel_moves_by.d5 + excluded.d5,
        d6 = funnel_moves_by.d6 + excluded.d6,
        d7 = funnel_moves_by.d7 + excluded.d7,
        d8 = funnel_moves_by.d8 + excluded.d8,
        d9 = funnel_moves_by.d9 + excluded.d9,
        d10 = funnel_moves_by.d10 + excluded.d10,
        d11 = funnel_moves_by.d11 + excluded.d11,
        d12 = funnel_moves_by.d12 + excluded.d12,
        d13 = funnel_moves_by.d13 + excluded.d13,
        d14 = funnel_moves_by.d14 + excluded.d14,
        d15 = funnel_moves_by.d15 + excluded.d15;
    RETURN NULL;
END
$$;

-- What is already there.
INSERT INTO funnel_moves_by (day, from_stage, to_stage, version, source, country, industry, is_target, tier, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15)
SELECT day, from_stage, to_stage, version, source, country, industry, is_target, tier, COUNT(*), COUNT(*) FILTER (WHERE b = 0), COUNT(*) FILTER (WHERE b = 1), COUNT(*) FILTER (WHERE b = 2), COUNT(*) FILTER (WHERE b = 3), COUNT(*) FILTER (WHERE b = 4), COUNT(*) FILTER (WHERE b = 5), COUNT(*) FILTER (WHERE b = 6), COUNT(*) FILTER (WHERE b = 7), COUNT(*) FILTER (WHERE b = 8), COUNT(*) FILTER (WHERE b = 9), COUNT(*) FILTER (WHERE b = 10), COUNT(*) FILTER (WHERE b = 11), COUNT(*) FILTER (WHERE b = 12), COUNT(*) FILTER (WHERE b = 13), COUNT(*) FILTER (WHERE b = 14), COUNT(*) FILTER (WHERE b = 15)
FROM (SELECT (t.at AT TIME ZONE 'UTC')::date AS day, COALESCE(t.from_stage, '') AS from_stage,
             t.to_stage AS to_stage, t.definition_version AS version, COALESCE(l.source, '') AS source,
             COALESCE(l.country, '') AS country, COALESCE(a.industry, '') AS industry,
             COALESCE(a.is_target, FALSE) AS is_target, COALESCE(a.tier, '') AS tier,
             funnel_dwell_bucket(EXTRACT(EPOCH FROM (t.at - (SELECT p.at FROM stage_transitions p WHERE p.lead_id = t.lead_id AND p.id < t.id AND p.to_stage = t.from_stage AND p.from_stage IS DISTINCT FROM p.to_stage ORDER BY p.id DESC LIMIT 1)))::double precision / 3600.0) AS b
      FROM stage_transitions t
      LEFT JOIN leads l ON l.id = t.lead_id
      LEFT JOIN accounts a ON a.id = l.account_id
      WHERE t.from_stage IS DISTINCT FROM t.to_stage) AS m
GROUP BY day, from_stage, to_stage, version, source, country, industry, is_target, tier;
