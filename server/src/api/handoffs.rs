//! Handoffs and opportunities of API v1: queues, requests, decisions, reassignment, bulk
//! accept, conversion into an opportunity and its updates.

use axum::Json;
use axum::extract::{Path, Query, State};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use app::error::{AppError, FieldError};
use app::handoffs::model::{
    BulkAcceptOutcome, Handoff, HandoffDetailData, HandoffFilter, HandoffRequest, Opportunity,
    OpportunityBoardData, OpportunityInput, OpportunityPatch, RejectInput,
};
use app::handoffs::{opportunities, queue, service};
use app::state::AppState;

use super::caller::Caller;
use super::error::{ApiError, ApiJson, ErrorBody};

/// Handoff queue filters.
#[derive(Deserialize, IntoParams)]
pub struct HandoffQueryParams {
    /// `pending` `accepted` `rejected` `recycled` `expired`, or `escalated` (pending and
    /// escalated to the receiving team's leaders).
    pub status: Option<String>,
    /// `marketing` | `sdr` | `sales`.
    pub to_team: Option<String>,
    /// `me`, or a user id.
    pub assignee: Option<String>,
    /// Only this lead's handoffs.
    pub lead: Option<i64>,
}

/// `{"items"}`.
#[derive(Serialize, ToSchema)]
pub struct HandoffList {
    /// Matching handoffs, soonest due first.
    pub items: Vec<Handoff>,
}

/// Lists handoffs (the queues).
#[utoipa::path(get, path = "/api/v1/handoffs", tag = "handoffs", params(HandoffQueryParams),
    responses((status = 200, body = HandoffList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<HandoffQueryParams>,
) -> Result<Json<HandoffList>, ApiError> {
    let assignee_id = match q.assignee.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("me") => Some(caller.user.as_ref().ok_or(AppError::Unauthorized)?.id.0),
        Some(other) => Some(
            other
                .parse()
                .map_err(|_| AppError::Validation(vec![FieldError::new("assignee", "invalid_value")]))?,
        ),
    };
    let filter = HandoffFilter {
        status: q.status,
        to_team: q.to_team,
        assignee_id,
        lead_id: q.lead,
    };
    let items = queue::list_handoffs(&state, caller.user.as_ref(), &filter).await?;
    Ok(Json(HandoffList { items }))
}

/// One handoff with the lead's handoffs, the caller's permissions and the reason codes.
#[utoipa::path(get, path = "/api/v1/handoffs/{id}", tag = "handoffs", params(("id" = i64, Path)),
    responses((status = 200, body = HandoffDetailData), (status = 404, body = ErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<HandoffDetailData>, ApiError> {
    Ok(Json(
        queue::handoff_detail(&state, caller.user.as_ref(), id).await?,
    ))
}

/// Requests a handoff into the next acceptance-gated stage (SDR → sales).
#[utoipa::path(post, path = "/api/v1/leads/{id}/handoffs", tag = "handoffs", params(("id" = i64, Path)),
    request_body = HandoffRequest,
    responses((status = 201, body = Handoff), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn request(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<HandoffRequest>,
) -> Result<(StatusCode, Json<Handoff>), ApiError> {
    let handoff = service::request_handoff(&state, caller.user.as_ref(), id, body).await?;
    Ok((StatusCode::CREATED, Json(handoff)))
}

/// Accepts a handoff; 403 unless the caller is on `to_team`, 409 if already decided.
#[utoipa::path(post, path = "/api/v1/handoffs/{id}/accept", tag = "handoffs", params(("id" = i64, Path)),
    responses((status = 200, body = Handoff), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Handoff>, ApiError> {
    Ok(Json(
        service::accept_handoff(&state, caller.user.as_ref(), id).await?,
    ))
}

/// Rejects a handoff with a reason code; 403 unless on `to_team`, 409 if already decided.
#[utoipa::path(post, path = "/api/v1/handoffs/{id}/reject", tag = "handoffs", params(("id" = i64, Path)),
    request_body = RejectInput,
    responses((status = 200, body = Handoff), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RejectInput>,
) -> Result<Json<Handoff>, ApiError> {
    Ok(Json(
        service::reject_handoff(&state, caller.user.as_ref(), id, body).await?,
    ))
}

/// `{"assignee_id"}`: a member of the receiving team, or `null` for the team queue.
#[derive(Deserialize, ToSchema)]
pub struct ReassignBody {
    /// The new assignee.
    #[serde(default)]
    pub assignee_id: Option<i64>,
}

/// Reassigns a pending handoff (leaders of the receiving team).
#[utoipa::path(post, path = "/api/v1/handoffs/{id}/reassign", tag = "handoffs", params(("id" = i64, Path)),
    request_body = ReassignBody,
    responses((status = 200, body = Handoff), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn reassign(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ReassignBody>,
) -> Result<Json<Handoff>, ApiError> {
    Ok(Json(
        service::reassign_handoff(&state, caller.user.as_ref(), id, body.assignee_id).await?,
    ))
}

/// `{"ids"}`.
#[derive(Deserialize, ToSchema)]
pub struct BulkAcceptBody {
    /// Handoffs to accept.
    pub ids: Vec<i64>,
}

/// Accepts several handoffs of the leader's team, each on its own.
#[utoipa::path(post, path = "/api/v1/handoffs/bulk-accept", tag = "handoffs", request_body = BulkAcceptBody,
    responses((status = 200, body = BulkAcceptOutcome), (status = 403, body = ErrorBody)))]
pub async fn bulk_accept(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<BulkAcceptBody>,
) -> Result<Json<BulkAcceptOutcome>, ApiError> {
    Ok(Json(
        service::bulk_accept(&state, caller.user.as_ref(), &body.ids).await?,
    ))
}

/// Converts an SQL into an opportunity (sales only).
#[utoipa::path(post, path = "/api/v1/leads/{id}/opportunity", tag = "opportunities", params(("id" = i64, Path)),
    request_body = OpportunityInput,
    responses((status = 201, body = Opportunity), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn convert(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<OpportunityInput>,
) -> Result<(StatusCode, Json<Opportunity>), ApiError> {
    let opportunity = opportunities::convert_lead(&state, caller.user.as_ref(), id, body).await?;
    Ok((StatusCode::CREATED, Json(opportunity)))
}

/// Updates an opportunity (sales only): stage, amount, probability, close date, lost reason.
#[utoipa::path(patch, path = "/api/v1/opportunities/{id}", tag = "opportunities", params(("id" = i64, Path)),
    request_body = OpportunityPatch,
    responses((status = 200, body = Opportunity), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<OpportunityPatch>,
) -> Result<Json<Opportunity>, ApiError> {
    Ok(Json(
        opportunities::update_opportunity(&state, caller.user.as_ref(), id, body).await?,
    ))
}

/// One opportunity.
#[utoipa::path(get, path = "/api/v1/opportunities/{id}", tag = "opportunities", params(("id" = i64, Path)),
    responses((status = 200, body = Opportunity), (status = 404, body = ErrorBody)))]
pub async fn opportunity(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Opportunity>, ApiError> {
    Ok(Json(
        opportunities::opportunity(&state, caller.user.as_ref(), id).await?,
    ))
}

/// Opportunity list filter.
#[derive(Deserialize, IntoParams)]
pub struct OpportunityQuery {
    /// Only this lead's opportunities.
    pub lead: Option<i64>,
}

/// `{"items"}`.
#[derive(Serialize, ToSchema)]
pub struct OpportunityList {
    /// Opportunities by close date.
    pub items: Vec<Opportunity>,
}

/// Lists opportunities.
#[utoipa::path(get, path = "/api/v1/opportunities", tag = "opportunities", params(OpportunityQuery),
    responses((status = 200, body = OpportunityList)))]
pub async fn list_opportunities(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<OpportunityQuery>,
) -> Result<Json<OpportunityList>, ApiError> {
    let items = opportunities::list_opportunities(&state, caller.user.as_ref(), q.lead).await?;
    Ok(Json(OpportunityList { items }))
}

/// The opportunity board: a column per stage with totals per currency.
#[utoipa::path(get, path = "/api/v1/opportunities/board", tag = "opportunities",
    responses((status = 200, body = OpportunityBoardData)))]
pub async fn board(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<OpportunityBoardData>, ApiError> {
    Ok(Json(
        opportunities::opportunity_board(&state, caller.user.as_ref()).await?,
    ))
}
