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
-- funnel_moves_dim is written by the statement trigger on stage history (0010), now from the
-- same per-statement rows as funnel_moves_by and funnel_moves. funnel_gates_due is kept as
-- funnel_gates is (0011), and also when a pending handoff's due time changes.

CREATE TABLE funnel_moves_dim (
    dim        TEXT NOT NULL,
    value      TEXT NOT NULL,
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
    PRIMARY KEY (dim, value, day, from_stage, to_stage, version)
);

-- What is already there.
INSERT INTO funnel_moves_dim (dim, value, day, from_stage, to_stage, version, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15)
SELECT v.dim, v.value, m.day, m.from_stage, m.to_stage, m.version, SUM(m.n), SUM(m.d0), SUM(m.d1), SUM(m.d2), SUM(m.d3), SUM(m.d4), SUM(m.d5), SUM(m.d6), SUM(m.d7), SUM(m.d8), SUM(m.d9), SUM(m.d10), SUM(m.d11), SUM(m.d12), SUM(m.d13), SUM(m.d14), SUM(m.d15)
FROM funnel_moves_by m
CROSS JOIN LATERAL (VALUES ('source', m.source), ('country', m.country), ('industry', m.industry),
                ('target', CASE WHEN m.is_target THEN '1' ELSE '' END), ('tier', m.tier)) AS v (dim, value)
WHERE v.value <> ''
GROUP BY 1, 2, 3, 4, 5, 6;

CREATE OR REPLACE FUNCTION funnel_moves_on_transitions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE $q$
    WITH m AS MATERIALIZED (
        SELECT (t.at AT TIME ZONE 'UTC')::date AS day, COALESCE(t.from_stage, '') AS from_stage,
               t.to_stage AS to_stage, t.definition_version AS version, COALESCE(l.source, '') AS source,
               COALESCE(l.country, '') AS country, COALESCE(l.industry, '') AS industry,
               COALESCE(l.is_target, FALSE) AS is_target, COALESCE(l.tier, '') AS tier,
               CASE WHEN t.from_stage IS NOT NULL THEN
               funnel_dwell_bucket(EXTRACT(EPOCH FROM (t.at - (SELECT p.at FROM stage_transitions p WHERE p.lead_id = t.lead_id AND p.id < t.id AND p.to_stage || '' = t.from_stage AND p.from_stage IS DISTINCT FROM p.to_stage ORDER BY p.id DESC LIMIT 1)))::double precision / 3600.0) END AS b
        FROM inserted_transitions t
        LEFT JOIN LATERAL (SELECT le.source, le.country, a.industry, a.is_target, a.tier
                           FROM leads le LEFT JOIN accounts a ON a.id = le.account_id
                           WHERE le.id = t.lead_id) AS l ON TRUE
        WHERE t.from_stage IS DISTINCT FROM t.to_stage
    ), by_place AS (
        INSERT INTO funnel_moves_by (day, from_stage, to_stage, version, source, country, industry, is_target, tier, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15)
        SELECT day, from_stage, to_stage, version, source, country, industry, is_target, tier, COUNT(*),
        COUNT(*) FILTER (WHERE b = 0),
        COUNT(*) FILTER (WHERE b = 1),
        COUNT(*) FILTER (WHERE b = 2),
        COUNT(*) FILTER (WHERE b = 3),
        COUNT(*) FILTER (WHERE b = 4),
        COUNT(*) FILTER (WHERE b = 5),
        COUNT(*) FILTER (WHERE b = 6),
        COUNT(*) FILTER (WHERE b = 7),
        COUNT(*) FILTER (WHERE b = 8),
        COUNT(*) FILTER (WHERE b = 9),
        COUNT(*) FILTER (WHERE b = 10),
        COUNT(*) FILTER (WHERE b = 11),
        COUNT(*) FILTER (WHERE b = 12),
        COUNT(*) FILTER (WHERE b = 13),
        COUNT(*) FILTER (WHERE b = 14),
        COUNT(*) FILTER (WHERE b = 15)
        FROM m GROUP BY day, from_stage, to_stage, version, source, country, industry, is_target, tier
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
        d15 = funnel_moves_by.d15 + excluded.d15
    ), by_dim AS (
        INSERT INTO funnel_moves_dim (dim, value, day, from_stage, to_stage, version, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15)
        SELECT v.dim, v.value, m.day, m.from_stage, m.to_stage, m.version, COUNT(*),
        COUNT(*) FILTER (WHERE b = 0),
        COUNT(*) FILTER (WHERE b = 1),
        COUNT(*) FILTER (WHERE b = 2),
        COUNT(*) FILTER (WHERE b = 3),
        COUNT(*) FILTER (WHERE b = 4),
        COUNT(*) FILTER (WHERE b = 5),
        COUNT(*) FILTER (WHERE b = 6),
        COUNT(*) FILTER (WHERE b = 7),
        COUNT(*) FILTER (WHERE b = 8),
        COUNT(*) FILTER (WHERE b = 9),
        COUNT(*) FILTER (WHERE b = 10),
        COUNT(*) FILTER (WHERE b = 11),
        COUNT(*) FILTER (WHERE b = 12),
        COUNT(*) FILTER (WHERE b = 13),
        COUNT(*) FILTER (WHERE b = 14),
        COUNT(*) FILTER (WHERE b = 15)
        FROM m CROSS JOIN LATERAL (VALUES ('source', m.source), ('country', m.country), ('industry', m.industry),
                ('target', CASE WHEN m.is_target THEN '1' ELSE '' END), ('tier', m.tier)) AS v (dim, value)
        WHERE v.value <> ''
        GROUP BY v.dim, v.value, m.day, m.from_stage, m.to_stage, m.version
        ON CONFLICT (dim, value, day, from_stage, to_stage, version) DO UPDATE SET
        n = funnel_moves_dim.n + excluded.n,
        d0 = funnel_moves_dim.d0 + excluded.d0,
        d1 = funnel_moves_dim.d1 + excluded.d1,
        d2 = funnel_moves_dim.d2 + excluded.d2,
        d3 = funnel_moves_dim.d3 + excluded.d3,
        d4 = funnel_moves_dim.d4 + excluded.d4,
        d5 = funnel_moves_dim.d5 + excluded.d5,
        d6 = funnel_moves_dim.d6 + excluded.d6,
        d7 = funnel_moves_dim.d7 + excluded.d7,
        d8 = funnel_moves_dim.d8 + excluded.d8,
        d9 = funnel_moves_dim.d9 + excluded.d9,
        d10 = funnel_moves_dim.d10 + excluded.d10,
        d11 = funnel_moves_dim.d11 + excluded.d11,
        d12 = funnel_moves_dim.d12 + excluded.d12,
        d13 = funnel_moves_dim.d13 + excluded.d13,
        d14 = funnel_moves_dim.d14 + excluded.d14,
        d15 = funnel_moves_dim.d15 + excluded.d15
    )
    INSERT INTO funnel_moves (day, from_stage, to_stage, version, n, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15)
    SELECT day, from_stage, to_stage, version, COUNT(*),
        COUNT(*) FILTER (WHERE b = 0),
        COUNT(*) FILTER (WHERE b = 1),
        COUNT(*) FILTER (WHERE b = 2),
        COUNT(*) FILTER (WHERE b = 3),
        COUNT(*) FILTER (WHERE b = 4),
        COUNT(*) FILTER (WHERE b = 5),
        COUNT(*) FILTER (WHERE b = 6),
        COUNT(*) FILTER (WHERE b = 7),
        COUNT(*) FILTER (WHERE b = 8),
        COUNT(*) FILTER (WHERE b = 9),
        COUNT(*) FILTER (WHERE b = 10),
        COUNT(*) FILTER (WHERE b = 11),
        COUNT(*) FILTER (WHERE b = 12),
        COUNT(*) FILTER (WHERE b = 13),
        COUNT(*) FILTER (WHERE b = 14),
        COUNT(*) FILTER (WHERE b = 15)
    FROM m GROUP BY day, from_stage, to_stage, version
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
        d15 = funnel_moves.d15 + excluded.d15
    $q$;
    RETURN NULL;
END
$$;

CREATE TABLE funnel_gates_due (
    due_hour  BIGINT NOT NULL,
    stage     TEXT NOT NULL,
    source    TEXT NOT NULL,
    country   TEXT NOT NULL,
    industry  TEXT NOT NULL,
    is_target BOOLEAN NOT NULL,
    tier      TEXT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (due_hour, stage, source, country, industry, is_target, tier)
);

-- Whole hours since 1970 (UTC) of a time, rounded down as the reads round the current time.
CREATE FUNCTION funnel_due_hour(t TIMESTAMPTZ) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS $$
    SELECT floor(EXTRACT(EPOCH FROM t) / 3600)::bigint
$$;

-- Adds `delta` pending handoffs due at `p_due` at gate `p_stage` for one lead's values.
CREATE FUNCTION funnel_gates_due_add(p_due TIMESTAMPTZ, p_stage TEXT, p_lead BIGINT, p_delta BIGINT)
RETURNS VOID LANGUAGE sql AS $$
    INSERT INTO funnel_gates_due (due_hour, stage, source, country, industry, is_target, tier, n)
    SELECT funnel_due_hour(p_due), p_stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(a.industry, ''),
           COALESCE(a.is_target, FALSE), COALESCE(a.tier, ''), p_delta
    FROM leads l LEFT JOIN accounts a ON a.id = l.account_id WHERE l.id = p_lead
    ON CONFLICT (due_hour, stage, source, country, industry, is_target, tier) DO UPDATE SET n = funnel_gates_due.n + excluded.n
$$;

CREATE FUNCTION funnel_gates_due_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE $q$
    INSERT INTO funnel_gates_due (due_hour, stage, source, country, industry, is_target, tier, n)
    SELECT funnel_due_hour(h.sla_due_at), h.stage, COALESCE(l.source, ''), COALESCE(l.country, ''),
           COALESCE(l.industry, ''), COALESCE(l.is_target, FALSE), COALESCE(l.tier, ''), COUNT(*)
    FROM inserted_handoffs h
    JOIN LATERAL (SELECT le.source, le.country, a.industry, a.is_target, a.tier
                  FROM leads le LEFT JOIN accounts a ON a.id = le.account_id
                  WHERE le.id = h.lead_id) AS l ON TRUE
    WHERE h.status = 'pending'
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (due_hour, stage, source, country, industry, is_target, tier) DO UPDATE SET n = funnel_gates_due.n + excluded.n
    $q$;
    RETURN NULL;
END
$$;
CREATE TRIGGER funnel_gates_due_insert AFTER INSERT ON handoffs
REFERENCING NEW TABLE AS inserted_handoffs
FOR EACH STATEMENT EXECUTE FUNCTION funnel_gates_due_on_insert();

CREATE FUNCTION funnel_gates_due_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'pending' THEN
        PERFORM funnel_gates_due_add(OLD.sla_due_at, OLD.stage, OLD.lead_id, -1);
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.status = 'pending' THEN
        PERFORM funnel_gates_due_add(NEW.sla_due_at, NEW.stage, NEW.lead_id, 1);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER funnel_gates_due_change AFTER UPDATE OF status, stage, sla_due_at OR DELETE ON handoffs
FOR EACH ROW EXECUTE FUNCTION funnel_gates_due_on_change();

CREATE FUNCTION funnel_gates_due_on_lead() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.source IS NOT DISTINCT FROM NEW.source AND OLD.country IS NOT DISTINCT FROM NEW.country
       AND OLD.account_id IS NOT DISTINCT FROM NEW.account_id THEN
        RETURN NULL;
    END IF;
    INSERT INTO funnel_gates_due (due_hour, stage, source, country, industry, is_target, tier, n)
    SELECT funnel_due_hour(h.sla_due_at), h.stage, v.source, v.country, COALESCE(a.industry, ''),
           COALESCE(a.is_target, FALSE), COALESCE(a.tier, ''), SUM(v.sign)
    FROM handoffs h
    CROSS JOIN (VALUES (COALESCE(OLD.source, ''), COALESCE(OLD.country, ''), OLD.account_id, -1),
                       (COALESCE(NEW.source, ''), COALESCE(NEW.country, ''), NEW.account_id, 1))
               AS v (source, country, account_id, sign)
    LEFT JOIN accounts a ON a.id = v.account_id
    WHERE h.lead_id = NEW.id AND h.status = 'pending'
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (due_hour, stage, source, country, industry, is_target, tier) DO UPDATE SET n = funnel_gates_due.n + excluded.n;
    RETURN NULL;
END
$$;
CREATE TRIGGER funnel_gates_due_lead AFTER UPDATE OF source, country, account_id ON leads
FOR EACH ROW EXECUTE FUNCTION funnel_gates_due_on_lead();

CREATE FUNCTION funnel_gates_due_on_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.is_target IS NOT DISTINCT FROM NEW.is_target AND OLD.tier IS NOT DISTINCT FROM NEW.tier
       AND OLD.industry IS NOT DISTINCT FROM NEW.industry THEN
        RETURN NULL;
    END IF;
    INSERT INTO funnel_gates_due (due_hour, stage, source, country, industry, is_target, tier, n)
    SELECT funnel_due_hour(h.sla_due_at), h.stage, COALESCE(l.source, ''), COALESCE(l.country, ''),
           v.industry, v.is_target, v.tier, SUM(v.sign)
    FROM leads l
    JOIN handoffs h ON h.lead_id = l.id AND h.status = 'pending'
    CROSS JOIN (VALUES (COALESCE(OLD.industry, ''), OLD.is_target, COALESCE(OLD.tier, ''), -1),
                       (COALESCE(NEW.industry, ''), NEW.is_target, COALESCE(NEW.tier, ''), 1))
               AS v (industry, is_target, tier, sign)
    WHERE l.account_id = NEW.id
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (due_hour, stage, source, country, industry, is_target, tier) DO UPDATE SET n = funnel_gates_due.n + excluded.n;
    RETURN NULL;
END
$$;
CREATE TRIGGER funnel_gates_due_account AFTER UPDATE OF is_target, tier, industry ON accounts
FOR EACH ROW EXECUTE FUNCTION funnel_gates_due_on_account();

-- What is already there.
INSERT INTO funnel_gates_due (due_hour, stage, source, country, industry, is_target, tier, n)
SELECT funnel_due_hour(h.sla_due_at), h.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(a.industry, ''),
       COALESCE(a.is_target, FALSE), COALESCE(a.tier, ''), COUNT(*)
FROM handoffs h JOIN leads l ON l.id = h.lead_id LEFT JOIN accounts a ON a.id = l.account_id
WHERE h.status = 'pending'
GROUP BY 1, 2, 3, 4, 5, 6, 7;
