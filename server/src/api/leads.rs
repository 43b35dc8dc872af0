//! Accounts, leads, activities and manual moves of API v1.

use axum::Json;
use axum::extract::{Path, Query, State};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use app::leads::model::{Account, AccountInput, ActivityRecord, Lead, LeadInput, Transition};
use app::leads::query::LeadListQuery;
use app::leads::scoring::ScoreBreakdown;
use app::leads::service;
use app::state::AppState;

use super::caller::Caller;
use super::error::{ApiError, ApiJson, ErrorBody};

fn created_or_ok(created: bool) -> StatusCode {
    if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}

/// Creates (201) or updates (200) an account by domain.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "leads", request_body = AccountInput,
    responses((status = 201, body = Account), (status = 200, body = Account), (status = 422, body = ErrorBody)))]
pub async fn upsert_account(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<AccountInput>,
) -> Result<(StatusCode, Json<Account>), ApiError> {
    let (account, created) = service::upsert_account(&state, caller.user.as_ref(), body).await?;
    Ok((created_or_ok(created), Json(account)))
}

/// One account with its roll-up stage and contact count.
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "leads", params(("id" = i64, Path)),
    responses((status = 200, body = Account), (status = 404, body = ErrorBody)))]
pub async fn account(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Account>, ApiError> {
    Ok(Json(service::account(&state, caller.user.as_ref(), id).await?))
}

/// Creates (201) or updates (200) a lead by email; the stage is re-evaluated before answering.
#[utoipa::path(post, path = "/api/v1/leads", tag = "leads", request_body = LeadInput,
    responses((status = 201, body = Lead), (status = 200, body = Lead), (status = 422, body = ErrorBody)))]
pub async fn upsert_lead(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<LeadInput>,
) -> Result<(StatusCode, Json<Lead>), ApiError> {
    let (lead, created) = service::upsert_lead(&state, caller.user.as_ref(), body).await?;
    Ok((created_or_ok(created), Json(lead)))
}

/// Lead list filters.
#[derive(Deserialize, IntoParams)]
pub struct LeadQuery {
    /// Stage key.
    pub stage: Option<String>,
    /// `marketing` | `sdr` | `sales`: leads in stages that team owns.
    pub owner_team: Option<String>,
    /// Account id.
    pub account: Option<i64>,
    /// Search in email, name and company.
    pub q: Option<String>,
    /// Only ABM target accounts.
    pub target_only: Option<bool>,
    /// Target tier.
    pub tier: Option<String>,
    /// `inbound` | `outbound`.
    pub source: Option<String>,
    /// The lead's country (as stored).
    pub country: Option<String>,
    /// The account's industry (as stored).
    pub industry: Option<String>,
    /// Page from 1.
    pub page: Option<i64>,
    /// Items per page (1–200, default 50).
    pub per_page: Option<i64>,
    /// Sort column: `email` `name` `account` `stage` (funnel order) `score` `updated`;
    /// newest first when absent.
    pub sort: Option<String>,
    /// `asc` | `desc` (default: `desc` for score and updated, `asc` otherwise).
    pub dir: Option<String>,
}

impl LeadQuery {
    /// The lead list's parameters.
    pub fn into_list_query(self) -> LeadListQuery {
        LeadListQuery {
            stage: self.stage,
            owner_team: self.owner_team,
            account: self.account,
            q: self.q,
            target_only: self.target_only.unwrap_or(false),
            tier: self.tier,
            source: self.source,
            country: self.country,
            industry: self.industry,
            sort: self.sort,
            dir: self.dir,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// `{"total", "items"}`.
#[derive(Serialize, ToSchema)]
pub struct LeadPage {
    /// Matching leads.
    pub total: i64,
    /// This page.
    pub items: Vec<Lead>,
}

/// Lists leads.
#[utoipa::path(get, path = "/api/v1/leads", tag = "leads", params(LeadQuery),
    responses((status = 200, body = LeadPage), (status = 422, body = ErrorBody)))]
pub async fn list_leads(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<LeadQuery>,
) -> Result<Json<LeadPage>, ApiError> {
    let (total, items) = service::search_leads(&state, caller.user.as_ref(), &q.into_list_query()).await?;
    Ok(Json(LeadPage { total, items }))
}

/// A lead with its stage history.
#[derive(Serialize, ToSchema)]
pub struct LeadDetail {
    /// The lead.
    #[serde(flatten)]
    pub lead: Lead,
    /// Stage history, oldest first.
    pub history: Vec<Transition>,
    /// Activities, newest first.
    pub activities: Vec<ActivityRecord>,
    /// How the score is made up.
    #[schema(value_type = Object)]
    pub score_breakdown: ScoreBreakdown,
}

/// One lead with its stage history.
#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "leads", params(("id" = i64, Path)),
    responses((status = 200, body = LeadDetail), (status = 404, body = ErrorBody)))]
pub async fn lead(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<LeadDetail>, ApiError> {
    let (lead, history, activities, score_breakdown) =
        service::lead_detail(&state, caller.user.as_ref(), id).await?;
    Ok(Json(LeadDetail {
        lead,
        history,
        activities,
        score_breakdown,
    }))
}

/// `{"stage", "reason"}`.
#[derive(Deserialize, ToSchema)]
pub struct MoveBody {
    /// Target stage key.
    pub stage: String,
    /// Why (required for backward moves).
    #[serde(default)]
    pub reason: Option<String>,
}

/// Moves a lead by hand.
#[utoipa::path(post, path = "/api/v1/leads/{id}/stage", tag = "leads", params(("id" = i64, Path)), request_body = MoveBody,
    responses((status = 200, body = Lead), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn move_lead(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<MoveBody>,
) -> Result<Json<Lead>, ApiError> {
    Ok(Json(
        service::move_lead(
            &state,
            caller.user.as_ref(),
            id,
            &body.stage,
            body.reason.as_deref(),
        )
        .await?,
    ))
}

/// `{"lead_email", "kind", "occurred_at"?}`.
#[derive(Deserialize, ToSchema)]
pub struct ActivityBody {
    /// The lead's email.
    pub lead_email: String,
    /// Activity kind.
    pub kind: String,
    /// When (default now).
    #[serde(default)]
    pub occurred_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The lead's new score and stage.
#[derive(Serialize, ToSchema)]
pub struct ActivityResult {
    /// Lead id.
    pub lead_id: i64,
    /// New score.
    pub score: i64,
    /// New stage.
    pub stage: String,
}

/// Records an activity.
#[utoipa::path(post, path = "/api/v1/activities", tag = "leads", request_body = ActivityBody,
    responses((status = 201, body = ActivityResult), (status = 422, body = ErrorBody)))]
pub async fn record_activity(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ActivityBody>,
) -> Result<(StatusCode, Json<ActivityResult>), ApiError> {
    let lead = service::record_activity(
        &state,
        caller.user.as_ref(),
        &body.lead_email,
        &body.kind,
        body.occurred_at,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(ActivityResult {
            lead_id: lead.id,
            score: lead.score,
            stage: lead.stage,
        }),
    ))
}
