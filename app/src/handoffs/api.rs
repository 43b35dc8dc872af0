//! Server functions of the approval screens and the opportunity board. Thin: authenticate,
//! then call the services, which authorize through the policy module.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::model::{
    BulkAcceptOutcome, Handoff, HandoffDetailData, HandoffRequest, Opportunity, OpportunityBoardData,
    OpportunityInput, OpportunityPatch,
};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::auth::api::ssr::context;

/// "My queue": pending handoffs assigned to the signed-in user, soonest due first.
#[server(endpoint = "my_queue")]
pub async fn my_queue() -> Result<Vec<Handoff>, AppError> {
    let (state, _, user) = context().await?;
    super::queue::my_queue(&state, user.as_ref()).await
}

/// "Team queue": pending handoffs to the user's team; `escalated_only` for the leaders'
/// view of breached, escalated ones.
#[server(endpoint = "team_queue")]
pub async fn team_queue(escalated_only: bool) -> Result<Vec<Handoff>, AppError> {
    let (state, _, user) = context().await?;
    super::queue::team_queue(&state, user.as_ref(), escalated_only).await
}

/// One handoff with the lead's handoff history, the viewer's permissions and reason codes.
#[server(endpoint = "handoff_detail")]
pub async fn handoff_detail(id: i64) -> Result<HandoffDetailData, AppError> {
    let (state, _, user) = context().await?;
    super::queue::handoff_detail(&state, user.as_ref(), id).await
}

/// Accepts a handoff (the receiving team only; 409 when already decided).
#[server(endpoint = "accept_handoff")]
pub async fn accept_handoff(id: i64) -> Result<Handoff, AppError> {
    let (state, _, user) = context().await?;
    super::service::accept_handoff(&state, user.as_ref(), id).await
}

/// Rejects a handoff with a reason code and an optional note.
#[server(endpoint = "reject_handoff")]
pub async fn reject_handoff(id: i64, reason_code: String, note: Option<String>) -> Result<Handoff, AppError> {
    let (state, _, user) = context().await?;
    super::service::reject_handoff(
        &state,
        user.as_ref(),
        id,
        super::model::RejectInput { reason_code, note },
    )
    .await
}

/// Gives a pending handoff to another member of the receiving team (`None`: the team
/// queue); leaders only.
#[server(endpoint = "reassign_handoff")]
pub async fn reassign_handoff(id: i64, assignee_id: Option<i64>) -> Result<Handoff, AppError> {
    let (state, _, user) = context().await?;
    super::service::reassign_handoff(&state, user.as_ref(), id, assignee_id).await
}

/// The SDR hands a lead to sales: notes, meeting date, optional AE (else round-robin).
#[server(endpoint = "request_handoff", input = Json)]
pub async fn request_handoff(lead_id: i64, request: HandoffRequest) -> Result<Handoff, AppError> {
    let (state, _, user) = context().await?;
    super::service::request_handoff(&state, user.as_ref(), lead_id, request).await
}

/// A leader accepts several handoffs of their team at once.
#[server(endpoint = "bulk_accept", input = Json)]
pub async fn bulk_accept(ids: Vec<i64>) -> Result<BulkAcceptOutcome, AppError> {
    let (state, _, user) = context().await?;
    super::service::bulk_accept(&state, user.as_ref(), &ids).await
}

/// The opportunity board: a column per stage with totals and expected revenue.
#[server(endpoint = "opportunity_board")]
pub async fn opportunity_board() -> Result<OpportunityBoardData, AppError> {
    let (state, _, user) = context().await?;
    super::opportunities::opportunity_board(&state, user.as_ref()).await
}

/// An AE converts an SQL into an opportunity.
#[server(endpoint = "convert_lead", input = Json)]
pub async fn convert_lead(lead_id: i64, input: OpportunityInput) -> Result<Opportunity, AppError> {
    let (state, _, user) = context().await?;
    super::opportunities::convert_lead(&state, user.as_ref(), lead_id, input).await
}

/// Changes an opportunity's stage, amount, probability or close date; won and lost close it.
#[server(endpoint = "update_opportunity", input = Json)]
pub async fn update_opportunity(id: i64, patch: OpportunityPatch) -> Result<Opportunity, AppError> {
    let (state, _, user) = context().await?;
    super::opportunities::update_opportunity(&state, user.as_ref(), id, patch).await
}
