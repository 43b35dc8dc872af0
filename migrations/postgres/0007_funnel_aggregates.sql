-- The funnel's maintained aggregates (issue 6; PostgreSQL), read by the funnel page and API instead of a
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
    is_target BOOLEAN NOT NULL,
    tier      TEXT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (stage, source, country, industry, is_target, tier)
);

CREATE TABLE funnel_moves (
    day        DATE NOT NULL,
    from_stage TEXT NOT NULL,
    to_stage   TEXT NOT NULL,
    version    BIGINT NOT NULL,
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
    PRIMARY KEY (day, from_stage, to_stage, version)
);

CREATE TABLE funnel_moves_by (
    day        DATE NOT NULL,
    from_stage TEXT NOT NULL,
    to_stage   TEXT NOT NULL,
    version    BIGINT NOT NULL,
    source     TEXT NOT NULL,
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
    PRIMARY KEY (day, from_stage, to_stage, version, source, is_target, tier)
);

-- The dwell bucket of a stay of h hours (NULL when unknown).
CREATE FUNCTION funnel_dwell_bucket(h DOUBLE PRECISION) RETURNS INTEGER
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN h IS NULL THEN NULL
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
               ELSE 15 END
$$;

-- Adds `delta` leads to the funnel_current cell of one lead's values.
CREATE FUNCTION funnel_current_add(p_stage TEXT, p_source TEXT, p_country TEXT, p_account BIGINT, p_delta BIGINT)
RETURNS VOID LANGUAGE sql AS $$
    INSERT INTO funnel_current (stage, source, country, industry, is_target, tier, n)
    SELECT p_stage, COALESCE(p_source, ''), COALESCE(p_country, ''), COALESCE(a.industry, ''),
           COALESCE(a.is_target, FALSE), COALESCE(a.tier, ''), p_delta
    FROM (SELECT 1) AS one LEFT JOIN accounts a ON a.id = p_account
    ON CONFLICT (stage, source, country, industry, is_target, tier) DO UPDATE SET n = funnel_current.n + excluded.n
$$;

CREATE FUNCTION funnel_current_on_lead() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF TG_OP = 'UPDATE' AND OLD.stage IS NOT DISTINCT FROM NEW.stage
           AND OLD.source IS NOT DISTINCT FROM NEW.source AND OLD.country IS NOT DISTINCT FROM NEW.country
           AND OLD.account_id IS NOT DISTINCT FROM NEW.account_id THEN
            RETURN NULL;
        END IF;
        PERFORM funnel_current_add(OLD.stage, OLD.source, OLD.country, OLD.account_id, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM funnel_current_add(NEW.stage, NEW.source, NEW.country, NEW.account_id, 1);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER funnel_current_lead AFTER INSERT OR UPDATE OF stage, source, country, account_id OR DELETE
ON leads FOR EACH ROW EXECUTE FUNCTION funnel_current_on_lead();

CREATE FUNCTION funnel_current_on_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.is_target IS NOT DISTINCT FROM NEW.is_target AND OLD.tier IS NOT DISTINCT FROM NEW.tier
       AND OLD.industry IS NOT DISTINCT FROM NEW.industry THEN
        RETURN NULL;
    END IF;
    INSERT INTO funnel_current (stage, source, country, industry, is_target, tier, n)
    SELECT l.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), v.industry, v.is_target, v.tier,
           v.sign * COUNT(*)
    FROM leads l
    CROSS JOIN (VALUES (COALESCE(OLD.industry, ''), OLD.is_target, COALESCE(OLD.tier, ''), -1),
                       (COALESCE(NEW.industry, ''), NEW.is_target, COALESCE(NEW.tier, ''), 1))
               AS v (industry, is_target, tier, sign)
    WHERE l.account_id = NEW.id
    GROUP BY 1, 2, 3, 4, 5, 6, v.sign
    ON CONFLICT (stage, source, country, industry, is_target, tier) DO UPDATE SET n = funnel_current.n + excluded.n;
    RETURN NULL;
END
$$;
CREATE TRIGGER funnel_current_account AFTER UPDATE OF is_target, tier, industry ON accounts
FOR EACH ROW EXECUTE FUNCTION funnel_current_on_account();

CREATE FUNCTION funnel_moves_on_transition() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    b INTEGER;
    src TEXT;
    target BOOLEAN;
    tr TEXT;
BEGIN
    IF NEW.from_stage IS NOT DISTINCT FROM NEW.to_stage THEN
        RETURN NULL;
    END IF;
    b := COALESCE(funnel_dwell_bucket(EXTRACT(EPOCH FROM (NEW.at - (SELECT p.at FROM stage_transitions p WHERE p.lead_id = NEW.lead_id AND p.id < NEW.id AND p.to_stage = NEW.from_stage AND p.from_stage IS DISTINCT FROM p.to_stage ORDER BY p.id DESC LIMIT 1)))::double precision / 3600.0), -1);
    SELECT l.source, a.is_target, a.tier INTO src, target, tr
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
    INSERT INTO funnel_moves_by (day, from_stage, to_stage, version, source, is_target, tier, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15)
    VALUES ((NEW.at AT TIME ZONE 'UTC')::date, COALESCE(NEW.from_stage, ''), NEW.to_stage,
            NEW.definition_version, COALESCE(src, ''), COALESCE(target, FALSE), COALESCE(tr, ''), 1, (b = 0)::int, (b = 1)::int, (b = 2)::int, (b = 3)::int, (b = 4)::int, (b = 5)::int, (b = 6)::int, (b = 7)::int, (b = 8)::int, (b = 9)::int, (b = 10)::int, (b = 11)::int, (b = 12)::int, (b = 13)::int, (b = 14)::int, (b = 15)::int)
    ON CONFLICT (day, from_stage, to_stage, version, source, is_target, tier) DO UPDATE SET
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
CREATE TRIGGER funnel_moves_transition AFTER INSERT ON stage_transitions
FOR EACH ROW EXECUTE FUNCTION funnel_moves_on_transition();

-- What is already there.
INSERT INTO funnel_current (stage, source, country, industry, is_target, tier, n)
SELECT l.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(a.industry, ''),
       COALESCE(a.is_target, FALSE), COALESCE(a.tier, ''), COUNT(*)
FROM leads l LEFT JOIN accounts a ON a.id = l.account_id
GROUP BY 1, 2, 3, 4, 5, 6;

CREATE TEMP TABLE funnel_backfill AS
SELECT (t.at AT TIME ZONE 'UTC')::date AS day, COALESCE(t.from_stage, '') AS from_stage,
       t.to_stage AS to_stage, t.definition_version AS version, COALESCE(l.source, '') AS source,
       COALESCE(a.is_target, FALSE) AS is_target, COALESCE(a.tier, '') AS tier,
       funnel_dwell_bucket(EXTRACT(EPOCH FROM (t.at - (SELECT p.at FROM stage_transitions p WHERE p.lead_id = t.lead_id AND p.id < t.id AND p.to_stage = t.from_stage AND p.from_stage IS DISTINCT FROM p.to_stage ORDER BY p.id DESC LIMIT 1)))::double precision / 3600.0) AS b
FROM stage_transitions t
LEFT JOIN leads l ON l.id = t.lead_id
LEFT JOIN accounts a ON a.id = l.account_id
WHERE t.from_stage IS DISTINCT FROM t.to_stage;

INSERT INTO funnel_moves (day, from_stage, to_stage, version, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15)
SELECT day, from_stage, to_stage, version, COUNT(*), COUNT(*) FILTER (WHERE b = 0), COUNT(*) FILTER (WHERE b = 1), COUNT(*) FILTER (WHERE b = 2), COUNT(*) FILTER (WHERE b = 3), COUNT(*) FILTER (WHERE b = 4), COUNT(*) FILTER (WHERE b = 5), COUNT(*) FILTER (WHERE b = 6), COUNT(*) FILTER (WHERE b = 7), COUNT(*) FILTER (WHERE b = 8), COUNT(*) FILTER (WHERE b = 9), COUNT(*) FILTER (WHERE b = 10), COUNT(*) FILTER (WHERE b = 11), COUNT(*) FILTER (WHERE b = 12), COUNT(*) FILTER (WHERE b = 13), COUNT(*) FILTER (WHERE b = 14), COUNT(*) FILTER (WHERE b = 15)
FROM funnel_backfill GROUP BY day, from_stage, to_stage, version;

INSERT INTO funnel_moves_by (day, from_stage, to_stage, version, source, is_target, tier, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15)
SELECT day, from_stage, to_stage, version, source, is_target, tier, COUNT(*), COUNT(*) FILTER (WHERE b = 0), COUNT(*) FILTER (WHERE b = 1), COUNT(*) FILTER (WHERE b = 2), COUNT(*) FILTER (WHERE b = 3), COUNT(*) FILTER (WHERE b = 4), COUNT(*) FILTER (WHERE b = 5), COUNT(*) FILTER (WHERE b = 6), COUNT(*) FILTER (WHERE b = 7), COUNT(*) FILTER (WHERE b = 8), COUNT(*) FILTER (WHERE b = 9), COUNT(*) FILTER (WHERE b = 10), COUNT(*) FILTER (WHERE b = 11), COUNT(*) FILTER (WHERE b = 12), COUNT(*) FILTER (WHERE b = 13), COUNT(*) FILTER (WHERE b = 14), COUNT(*) FILTER (WHERE b = 15)
FROM funnel_backfill GROUP BY day, from_stage, to_stage, version, source, is_target, tier;

DROP TABLE funnel_backfill;
