-- Evaluating many leads at once (the impact preview, re-evaluation after a publish) counts each
-- lead's recent activities per kind; with the kind in the index those counts are read from the
-- index alone. The new index serves every query the old one did (same leading columns).
CREATE INDEX activities_lead_kind ON activities (lead_id, occurred_at, kind);
DROP INDEX activities_lead;
