//! Reading handoffs: the queues (mine, my team's, the leaders' escalated view), one
//! handoff's detail, and escalation of breached handoffs by the app's clock.

use serde_json::json;

use super::model::{Handoff, HandoffDetailData, HandoffFilter, HandoffStatus};
use super::service::handoff_view;
use super::store::{HandoffQueries, HandoffQuery};
use crate::audit::AuditRecord;
use crate::auth::{Team, User};
use crate::definitions::model::EntryOn;
use crate::definitions::store::DefinitionQueries;
use crate::error::{AppError, AppResult, FieldError};
use crate::leads::service::current_definition;
use crate::policy::{self, Action};
use crate::state::AppState;
use crate::{in_tx, with_conn};

/// Escalates every pending handoff past its SLA to the receiving team's leaders (it shows
/// as `escalated` in their queue), with an audit entry each. Cheap when there is nothing
/// to do; queue reads call it, so escalation follows the app's clock without a scheduler.
pub async fn escalate_breached(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now();
    let due = with_conn!(&state.db, c => c.count_unescalated(now).await?);
    if due == 0 {
        return Ok(0);
    }
    in_tx!(&state.db, c => {
        let escalated = c.escalate_breached(now).await?;
        for (id, team) in &escalated {
            let record = AuditRecord::new(None, "handoff.escalated", "handoff", id, json!({ "to_team": team }));
            c.append_audit(&record, now).await?;
        }
        Ok::<_, AppError>(escalated.len())
    })
}

/// Handoffs matching `filter`, soonest due first (escalation is brought up to date first).
/// `status` is one of the handoff statuses or `escalated`.
pub async fn list_handoffs(
    state: &AppState,
    actor: Option<&User>,
    filter: &HandoffFilter,
) -> AppResult<Vec<Handoff>> {
    policy::authorize(actor, Action::UseApp)?;
    let mut errors = Vec::new();
    let status = filter.status.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let escalated_only = status == Some("escalated");
    let status = if escalated_only { Some("pending") } else { status };
    if let Some(s) = status
        && HandoffStatus::parse(s).is_none()
    {
        errors.push(FieldError::new("status", "invalid_choice"));
    }
    let to_team = filter.to_team.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if let Some(t) = to_team
        && Team::parse(t).is_none()
    {
        errors.push(FieldError::new("to_team", "invalid_choice"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    escalate_breached(state).await?;
    let now = state.clock.now();
    let query = HandoffQuery {
        status,
        escalated_only,
        to_team,
        assignee_id: filter.assignee_id,
        lead_id: filter.lead_id,
    };
    let rows = with_conn!(&state.db, c => c.handoffs(&query).await?);
    rows.into_iter().map(|r| handoff_view(r, now)).collect()
}

/// "My queue": pending handoffs assigned to the signed-in user.
pub async fn my_queue(state: &AppState, actor: Option<&User>) -> AppResult<Vec<Handoff>> {
    let user = policy::authorize(actor, Action::UseApp)?;
    let filter = HandoffFilter {
        status: Some("pending".into()),
        assignee_id: Some(user.id.0),
        ..HandoffFilter::default()
    };
    list_handoffs(state, actor, &filter).await
}

/// "Team queue": pending handoffs to the user's team (`escalated_only` for the leaders'
/// view of breached ones).
pub async fn team_queue(
    state: &AppState,
    actor: Option<&User>,
    escalated_only: bool,
) -> AppResult<Vec<Handoff>> {
    let user = policy::authorize(actor, Action::UseApp)?;
    let filter = HandoffFilter {
        status: Some(if escalated_only { "escalated" } else { "pending" }.into()),
        to_team: Some(user.team.as_str().into()),
        ..HandoffFilter::default()
    };
    list_handoffs(state, actor, &filter).await
}

/// One handoff, for the detail pane of the approval screen.
pub async fn handoff_detail(state: &AppState, actor: Option<&User>, id: i64) -> AppResult<HandoffDetailData> {
    let user = policy::authorize(actor, Action::UseApp)?;
    escalate_breached(state).await?;
    let now = state.clock.now();
    with_conn!(&state.db, c => {
        let (_, def) = current_definition(c).await?;
        let row = c.handoff(id).await?.ok_or(AppError::NotFound)?;
        let lead_id = row.lead_id;
        let handoff = handoff_view(row, now)?;
        let query = HandoffQuery { lead_id: Some(lead_id), ..HandoffQuery::default() };
        let mut lead_handoffs = c
            .handoffs(&query)
            .await?
            .into_iter()
            .map(|r| handoff_view(r, now))
            .collect::<AppResult<Vec<_>>>()?;
        lead_handoffs.sort_by_key(|h| h.id);
        let permissions = policy::handoff_permissions(
            user,
            handoff.to_team,
            handoff.assignee.as_ref().map(|a| a.id),
            handoff.status == HandoffStatus::Pending,
        );
        let criteria_gate = def
            .stage(&handoff.stage)
            .and_then(|s| s.gate.as_ref())
            .is_some_and(|g| g.entry_on == EntryOn::Criteria);
        let mut reason_codes = def.reason_codes.reject.clone();
        if criteria_gate {
            reason_codes.extend(def.reason_codes.recycle.iter().cloned());
        }
        Ok(HandoffDetailData { handoff, lead_handoffs, permissions, reason_codes })
    })
}
