//! Use cases of handoffs: requests, decisions, reassignment and bulk accept (queues and
//! escalation are in [`super::queue`]). Every
//! decision runs in one transaction with the lead's stage change, its history row and the
//! audit entry; authorization goes through [`crate::policy`].

use chrono::{DateTime, Utc};
use serde_json::json;

use super::model::{
    BulkAcceptOutcome, BulkFailure, Handoff, HandoffLead, HandoffRequest, HandoffStatus, Person, RejectInput,
};
use super::rules::{self, Rejection};
use super::store::{DecisionWrite, HandoffInsert, HandoffQueries, HandoffRow};
use crate::audit::AuditRecord;
use crate::auth::{Team, User};
use crate::definitions::model::Definition;
use crate::definitions::store::DefinitionQueries;
use crate::error::{AppError, AppResult, FieldError};
use crate::leads::lifecycle::{Cause, stage_index_or_first};
use crate::leads::service::{Actor, current_definition, move_stage};
use crate::leads::store::{LeadQueries, LeadRow, TransitionWrite};
use crate::policy::{self, Action};
use crate::state::AppState;
use crate::{in_tx, with_conn};

/// Longest note or qualification text kept.
const MAX_NOTE: usize = 4000;

/// A handoff row as the API shows it at `now` (the breach flag depends on the clock).
pub(crate) fn handoff_view(row: HandoffRow, now: DateTime<Utc>) -> AppResult<Handoff> {
    let parse_team = |t: &str| {
        Team::parse(t).ok_or_else(|| {
            tracing::error!(team = t, "stored handoff has an unknown team");
            AppError::Internal
        })
    };
    let status = HandoffStatus::parse(&row.status).ok_or(AppError::Internal)?;
    Ok(Handoff {
        id: row.id,
        lead: HandoffLead {
            id: row.lead_id,
            email: row.lead_email,
        },
        stage: row.stage,
        from_team: parse_team(&row.from_team)?,
        to_team: parse_team(&row.to_team)?,
        status,
        requested_by: row.requested_by,
        assignee: match (row.assignee_id, row.assignee_email) {
            (Some(id), Some(email)) => Some(Person {
                id,
                email,
                name: row.assignee_name.unwrap_or_default(),
            }),
            _ => None,
        },
        requested_at: row.requested_at,
        sla_due_at: row.sla_due_at,
        breached: rules::breached(status, row.sla_due_at, now),
        escalated_at: row.escalated_at,
        decided_by: row.decided_by,
        decided_at: row.decided_at,
        reason_code: row.reason_code,
        note: row.note,
        qualification_notes: row.qualification_notes,
        meeting_at: row.meeting_at,
    })
}

fn clean_note(field: &str, note: Option<&str>) -> Result<Option<String>, FieldError> {
    match note.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) if n.chars().count() > MAX_NOTE => Err(FieldError::new(field, "too_long")),
        other => Ok(other.map(str::to_owned)),
    }
}

/// Picks who a requested handoff goes to: the chosen user (who must be on the receiving
/// team), else the next member of that team in round-robin, else nobody (the team queue).
async fn pick_assignee<C: HandoffQueries + DefinitionQueries>(
    c: &mut C,
    to_team: Team,
    chosen: Option<i64>,
) -> AppResult<Option<i64>> {
    if let Some(id) = chosen {
        let (team, _) = c
            .user_team_role(id)
            .await?
            .ok_or_else(|| AppError::field("assignee_id", "invalid_choice"))?;
        if team != to_team.as_str() {
            return Err(AppError::field("assignee_id", "invalid_choice"));
        }
        return Ok(Some(id));
    }
    let key = format!("handoffs.round_robin.{}", to_team.as_str());
    let last = c.setting(&key).await?.and_then(|v| v.parse().ok());
    let members = c.team_member_ids(to_team.as_str()).await?;
    let next = rules::round_robin(&members, last);
    if let Some(id) = next {
        c.set_setting(&key, &id.to_string()).await?;
    }
    Ok(next)
}

/// The requesting team hands a lead over through the next gate that opens on acceptance
/// (SDR → sales into SQL): with qualification notes, the meeting date and optionally a
/// chosen assignee. 409 `no_handoff_gate` when there is no such gate ahead of the lead,
/// `handoff_pending` when one is already waiting.
pub async fn request_handoff(
    state: &AppState,
    actor: Option<&User>,
    lead_id: i64,
    input: HandoffRequest,
) -> AppResult<Handoff> {
    let user = policy::authorize(actor, Action::UseApp)?;
    let mut errors = Vec::new();
    let to_team = Team::parse(&input.to_team);
    if to_team.is_none() {
        let code = if input.to_team.trim().is_empty() {
            "required"
        } else {
            "invalid_choice"
        };
        errors.push(FieldError::new("to_team", code));
    }
    let raw_note = input.note.as_deref().or(input.qualification_notes.as_deref());
    let notes = clean_note("note", raw_note)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let (Some(to_team), true) = (to_team, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let now = state.clock.now();
    let id = in_tx!(&state.db, c => {
        let (_, def) = current_definition(c).await?;
        let lead = c.lead(lead_id).await?.ok_or(AppError::NotFound)?;
        let current = stage_index_or_first(&def, &lead.stage);
        let target = rules::requested_stage(&def, current, to_team)
            .ok_or_else(|| AppError::Conflict("no_handoff_gate".into()))?;
        let stage = &def.stages[target];
        let gate = stage.gate.as_ref().ok_or(AppError::Internal)?;
        if !policy::can_request_handoff(user, gate.from_team) {
            return Err(AppError::Forbidden);
        }
        let assignee = pick_assignee(c, to_team, input.assignee_id).await?;
        let insert = HandoffInsert {
            lead_id,
            stage: &stage.key,
            from_team: gate.from_team.as_str(),
            to_team: to_team.as_str(),
            requested_by: user.id.0,
            assignee_id: assignee,
            requested_at: now,
            sla_due_at: rules::sla_due_at(gate, now),
            qualification_notes: notes.as_deref(),
            meeting_at: input.meeting_at,
        };
        let id = c.insert_handoff(&insert).await.map_err(|e| match e {
            crate::store::StoreError::Conflict(_) => AppError::Conflict("handoff_pending".into()),
            other => other.into(),
        })?;
        let detail = json!({"lead_id": lead_id, "stage": stage.key, "to_team": to_team, "assignee_id": assignee,
            "meeting_at": input.meeting_at});
        c.append_audit(&AuditRecord::new(Some(user), "handoff.requested", "handoff", id, detail), now).await?;
        Ok::<_, AppError>(id)
    })?;
    read_handoff(state, id).await
}

async fn read_handoff(state: &AppState, id: i64) -> AppResult<Handoff> {
    let now = state.clock.now();
    let row = with_conn!(&state.db, c => c.handoff(id).await?);
    handoff_view(row.ok_or(AppError::NotFound)?, now)
}

/// The handoff, its gate's stage index and the lead, checked for a decision by `user`:
/// 404 unknown, 403 not the receiving team, 409 already decided.
async fn decidable<C: HandoffQueries + LeadQueries>(
    c: &mut C,
    def: &Definition,
    user: &User,
    id: i64,
) -> AppResult<(HandoffRow, usize, LeadRow)> {
    let row = c.handoff(id).await?.ok_or(AppError::NotFound)?;
    let to_team = Team::parse(&row.to_team).ok_or(AppError::Internal)?;
    if !policy::can_decide_handoff(user, to_team, row.assignee_id) {
        return Err(AppError::Forbidden);
    }
    rules::ensure_pending(HandoffStatus::parse(&row.status).ok_or(AppError::Internal)?)?;
    let gated = def
        .stage_index(&row.stage)
        .filter(|&i| def.stages[i].gate.is_some())
        .ok_or_else(|| AppError::Conflict("no_handoff_gate".into()))?;
    let lead = c.lead(row.lead_id).await?.ok_or(AppError::NotFound)?;
    Ok((row, gated, lead))
}

/// Records a decision that does not move the lead as a history row from and to its stage
/// (cause `handoff`), so the lead's history shows every decision.
async fn decision_row<C: LeadQueries>(
    c: &mut C,
    version: i64,
    lead: &LeadRow,
    user: &User,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    c.insert_transition(&TransitionWrite {
        lead_id: lead.id,
        from: Some(&lead.stage),
        to: &lead.stage,
        at: now,
        cause: Cause::Handoff.as_str(),
        actor_id: Some(user.id.0),
        definition_version: version,
        reason,
    })
    .await?;
    Ok(())
}

/// Accepts a handoff: into a stage gated on acceptance the lead enters it now (cause
/// `handoff`); into a stage it already entered (MQL) the lead is now being worked. Either
/// way the lead's owner becomes the accepting user (or the assignee, when a leader accepts
/// on their behalf). One transaction with the history row and the audit entry.
pub async fn accept_handoff(state: &AppState, actor: Option<&User>, id: i64) -> AppResult<Handoff> {
    let user = policy::authorize(actor, Action::UseApp)?;
    let now = state.clock.now();
    in_tx!(&state.db, c => {
        let (version, def) = current_definition(c).await?;
        let (row, gated, lead) = decidable(c, &def, user, id).await?;
        let decision = DecisionWrite { id, status: HandoffStatus::Accepted.as_str(), by: user.id.0, at: now, reason_code: None, note: None };
        if !c.decide_handoff(&decision).await? {
            return Err(AppError::Conflict("handoff_decided".into()));
        }
        let current = stage_index_or_first(&def, &lead.stage);
        let actor = Actor { user: Some(user), cause: Cause::Handoff };
        if current < gated {
            move_stage(c, version, &def, &lead, current, gated, &actor, None, now).await?;
        } else {
            decision_row(c, version, &lead, user, None, now).await?;
        }
        let owner = rules::owner_after_accept(user.id.0, user.role, row.assignee_id);
        c.set_lead_owner(lead.id, Some(owner), now).await?;
        let detail = json!({"lead_id": lead.id, "stage": row.stage, "owner_id": owner});
        c.append_audit(&AuditRecord::new(Some(user), "handoff.accepted", "handoff", id, detail), now).await?;
        Ok::<_, AppError>(())
    })?;
    read_handoff(state, id).await
}

/// Rejects a handoff with a reason code (and optional note): a recycle code sends an MQL
/// back to nurture (the stage before the gate, status `recycled`), a reject code
/// disqualifies it (same move, status `rejected`); a rejected request into an acceptance
/// gate leaves the lead with the requesting team. The history row carries the reason.
pub async fn reject_handoff(
    state: &AppState,
    actor: Option<&User>,
    id: i64,
    input: RejectInput,
) -> AppResult<Handoff> {
    let user = policy::authorize(actor, Action::UseApp)?;
    let note = clean_note("note", input.note.as_deref()).map_err(|e| AppError::Validation(vec![e]))?;
    let now = state.clock.now();
    in_tx!(&state.db, c => {
        let (version, def) = current_definition(c).await?;
        let (row, gated, lead) = decidable(c, &def, user, id).await?;
        let gate = def.stages[gated].gate.as_ref().ok_or(AppError::Internal)?;
        let outcome = rules::rejection(&def, gate, &input.reason_code).map_err(|e| AppError::Validation(vec![e]))?;
        let code = input.reason_code.trim();
        let decision = DecisionWrite { id, status: outcome.status().as_str(), by: user.id.0, at: now, reason_code: Some(code), note: note.as_deref() };
        if !c.decide_handoff(&decision).await? {
            return Err(AppError::Conflict("handoff_decided".into()));
        }
        let reason = match &note {
            Some(n) => format!("{code}: {n}"),
            None => code.to_owned(),
        };
        let current = stage_index_or_first(&def, &lead.stage);
        let back_to = gated.saturating_sub(1);
        match outcome {
            Rejection::Recycle | Rejection::Disqualify if current > back_to => {
                let actor = Actor { user: Some(user), cause: Cause::Handoff };
                move_stage(c, version, &def, &lead, current, back_to, &actor, Some(&reason), now).await?;
            }
            _ => decision_row(c, version, &lead, user, Some(&reason), now).await?,
        }
        let action = format!("handoff.{}", outcome.status().as_str());
        let detail = json!({"lead_id": lead.id, "stage": row.stage, "reason_code": code, "note": note});
        c.append_audit(&AuditRecord::new(Some(user), &action, "handoff", id, detail), now).await?;
        Ok::<_, AppError>(())
    })?;
    read_handoff(state, id).await
}

/// A leader of the receiving team gives a pending handoff to another member of that team
/// (`None`: back to the team queue).
pub async fn reassign_handoff(
    state: &AppState,
    actor: Option<&User>,
    id: i64,
    assignee_id: Option<i64>,
) -> AppResult<Handoff> {
    let user = policy::authorize(actor, Action::UseApp)?;
    let now = state.clock.now();
    in_tx!(&state.db, c => {
        let row = c.handoff(id).await?.ok_or(AppError::NotFound)?;
        let to_team = Team::parse(&row.to_team).ok_or(AppError::Internal)?;
        if !policy::can_lead_queue(user, to_team) {
            return Err(AppError::Forbidden);
        }
        rules::ensure_pending(HandoffStatus::parse(&row.status).ok_or(AppError::Internal)?)?;
        if let Some(a) = assignee_id {
            let team = c.user_team_role(a).await?.map(|(t, _)| t);
            if team.as_deref() != Some(to_team.as_str()) {
                return Err(AppError::field("assignee_id", "invalid_choice"));
            }
        }
        c.set_handoff_assignee(id, assignee_id).await?;
        let detail = json!({"from": row.assignee_id, "to": assignee_id});
        c.append_audit(&AuditRecord::new(Some(user), "handoff.reassigned", "handoff", id, detail), now).await?;
        Ok::<_, AppError>(())
    })?;
    read_handoff(state, id).await
}

/// A leader accepts many handoffs of their team at once; each is its own decision (own
/// transaction), so one already decided elsewhere does not undo the others.
pub async fn bulk_accept(
    state: &AppState,
    actor: Option<&User>,
    ids: &[i64],
) -> AppResult<BulkAcceptOutcome> {
    let user = policy::authorize(actor, Action::UseApp)?;
    if !policy::can_lead_queue(user, user.team) {
        return Err(AppError::Forbidden);
    }
    let mut outcome = BulkAcceptOutcome::default();
    for &id in ids {
        match accept_handoff(state, Some(user), id).await {
            Ok(h) => outcome.accepted.push(h),
            Err(e) => outcome.failed.push(BulkFailure {
                id,
                code: e.code().to_owned(),
            }),
        }
    }
    Ok(outcome)
}
