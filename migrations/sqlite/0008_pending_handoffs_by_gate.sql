-- The funnel counts pending handoffs per gate and those past their SLA on every load; with the
-- gate and the due time in a partial index of the pending ones, that count reads the index
-- alone (issue 6: tens of thousands of pending handoffs at a million leads).
CREATE INDEX handoffs_pending_gate ON handoffs (stage, sla_due_at) WHERE status = 'pending';
