-- The funnel's aggregates on PostgreSQL, kept per statement instead of per row (issue 6).
-- Migration 0007's row-level PL/pgSQL triggers upserted the same few aggregate rows once for
-- every inserted lead and history row; a bulk insert (seeding, imports) therefore updated one
-- row thousands of times in a transaction, each update walking the row's growing chain of
-- versions: seeding ran at 192 leads/s. These statement-level triggers read the statement's
-- new rows as a transition table and upsert each aggregate row once per statement, with the
-- same arithmetic as 0007 and 0009. Updates and deletes of leads keep the row-level trigger
-- (PostgreSQL does not allow transition tables on a trigger with a column list, and those
-- writes come one lead at a time). A transition table has no statistics, so its rows reach
-- leads and accounts through LATERAL lookups by key: a join would let the planner scan a
-- million leads for every statement. For the same reason each runs as dynamic SQL, planned
-- for the tables' size at the time: PL/pgSQL would otherwise keep the plan it made while the
-- tables were empty for as long as the session lasts (and without autovacuum no ANALYZE ever
-- invalidates it). A created lead has no earlier stay, so its row skips the dwell lookup; the
-- others find their lead's earlier stay through the (lead_id, id) index only (`|| ''` keeps
-- the planner, guessing without statistics, from intersecting it with the to_stage index,
-- which read 180,000 entries per row).
-- PostgreSQL only: SQLite has no statement-level triggers,
-- and its row triggers cost far less there (no row versions), so migrations/sqlite has no 0010.

DROP TRIGGER funnel_current_lead ON leads;
CREATE TRIGGER funnel_current_lead AFTER UPDATE OF stage, source, country, account_id OR DELETE
ON leads FOR EACH ROW EXECUTE FUNCTION funnel_current_on_lead();

CREATE FUNCTION funnel_current_on_lead_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE $q$
    INSERT INTO funnel_current (stage, source, country, industry, is_target, tier, n)
    SELECT l.stage, COALESCE(l.source, ''), COALESCE(l.country, ''), COALESCE(a.industry, ''),
           COALESCE(a.is_target, FALSE), COALESCE(a.tier, ''), COUNT(*)
    FROM inserted_leads l
    LEFT JOIN LATERAL (SELECT industry, is_target, tier FROM accounts WHERE id = l.account_id) AS a ON TRUE
    GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (stage, source, country, industry, is_target, tier) DO UPDATE SET n = funnel_current.n + excluded.n
    $q$;
    RETURN NULL;
END
$$;
CREATE TRIGGER funnel_current_lead_insert AFTER INSERT ON leads
REFERENCING NEW TABLE AS inserted_leads
FOR EACH STATEMENT EXECUTE FUNCTION funnel_current_on_lead_insert();

DROP TRIGGER funnel_moves_transition ON stage_transitions;
DROP FUNCTION funnel_moves_on_transition();

CREATE FUNCTION funnel_moves_on_transitions() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER funnel_moves_transitions AFTER INSERT ON stage_transitions
REFERENCING NEW TABLE AS inserted_transitions
FOR EACH STATEMENT EXECUTE FUNCTION funnel_moves_on_transitions();
