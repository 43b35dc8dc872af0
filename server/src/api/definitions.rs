//! Definitions, proposals, approval policy and audit endpoints of API v1.

use axum::Json;
use axum::extract::{Path, Query, State};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use app::audit::{AuditEntry, Verification};
use app::auth::Team;
use app::definitions::diff::Change;
use app::definitions::proposal::{ApprovalPolicy, Proposal, ProposalStatus, ProposalSummary, VersionSummary};
use app::definitions::proposal::{NewProposal, Revision};
use app::definitions::service;
use app::error::AppError;
use app::state::AppState;

use super::caller::Caller;
use super::error::{ApiError, ApiJson, ErrorBody};

/// `{"current", "versions"}`.
#[derive(Serialize, ToSchema)]
pub struct VersionList {
    /// The current version number.
    pub current: i64,
    /// Every published version, newest first.
    pub versions: Vec<VersionSummary>,
}

/// Published versions.
#[utoipa::path(get, path = "/api/v1/definitions", tag = "definitions",
    responses((status = 200, body = VersionList), (status = 401, body = ErrorBody)))]
pub async fn list_versions(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<VersionList>, ApiError> {
    let (current, versions) = service::versions(&state, caller.user.as_ref()).await?;
    Ok(Json(VersionList { current, versions }))
}

/// A version with its definition.
#[derive(Serialize, ToSchema)]
pub struct VersionBody {
    /// Number.
    pub version: i64,
    /// The definition.
    #[schema(value_type = Object)]
    pub definition: app::definitions::model::Definition,
    /// When it went live.
    pub published_at: chrono::DateTime<chrono::Utc>,
    /// Who published it.
    pub published_by: Option<app::definitions::proposal::UserRef>,
    /// Title.
    pub title: String,
    /// Rationale.
    pub rationale: String,
    /// Whether it is current.
    pub current: bool,
}

fn version_body(v: app::definitions::proposal::VersionDetail) -> VersionBody {
    VersionBody {
        version: v.version,
        definition: v.definition,
        published_at: v.published_at,
        published_by: v.published_by,
        title: v.title,
        rationale: v.rationale,
        current: v.current,
    }
}

/// The current version.
#[utoipa::path(get, path = "/api/v1/definitions/current", tag = "definitions",
    responses((status = 200, body = VersionBody), (status = 401, body = ErrorBody)))]
pub async fn current_version(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<VersionBody>, ApiError> {
    Ok(Json(version_body(
        service::version(&state, caller.user.as_ref(), None).await?,
    )))
}

/// One version.
#[utoipa::path(get, path = "/api/v1/definitions/{version}", tag = "definitions",
    params(("version" = i64, Path, description = "version number")),
    responses((status = 200, body = VersionBody), (status = 404, body = ErrorBody)))]
pub async fn version(
    State(state): State<AppState>,
    caller: Caller,
    Path(version): Path<String>,
) -> Result<Json<VersionBody>, ApiError> {
    let number = parse_version(&version)?;
    Ok(Json(version_body(
        service::version(&state, caller.user.as_ref(), Some(number)).await?,
    )))
}

fn parse_version(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(ApiError(AppError::NotFound))
}

/// `{"changes": [{"path","before","after"}]}`.
#[derive(Serialize, ToSchema)]
pub struct DiffBody {
    /// Field-level changes from `a` to `b`.
    pub changes: Vec<Change>,
}

/// Field-level diff of two versions.
#[utoipa::path(get, path = "/api/v1/definitions/{a}/diff/{b}", tag = "definitions",
    params(("a" = i64, Path), ("b" = i64, Path)),
    responses((status = 200, body = DiffBody), (status = 404, body = ErrorBody)))]
pub async fn diff(
    State(state): State<AppState>,
    caller: Caller,
    Path((a, b)): Path<(String, String)>,
) -> Result<Json<DiffBody>, ApiError> {
    let (a, b) = (parse_version(&a)?, parse_version(&b)?);
    Ok(Json(DiffBody {
        changes: service::diff_versions(&state, caller.user.as_ref(), a, b).await?,
    }))
}

/// Proposal list filter.
#[derive(Deserialize, IntoParams)]
pub struct ProposalFilter {
    /// `open` | `rejected` | `published` | `withdrawn`.
    pub status: Option<String>,
}

/// Proposals, newest first.
#[utoipa::path(get, path = "/api/v1/proposals", tag = "proposals", params(ProposalFilter),
    responses((status = 200, body = Vec<ProposalSummary>), (status = 400, body = ErrorBody)))]
pub async fn list_proposals(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<ProposalFilter>,
) -> Result<Json<Vec<ProposalSummary>>, ApiError> {
    let status = match filter.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(ProposalStatus::parse(s).ok_or_else(|| AppError::field("status", "invalid_choice"))?),
    };
    Ok(Json(
        service::proposals(&state, caller.user.as_ref(), status).await?,
    ))
}

/// A proposal body; the definition is read strictly so that an unknown field or operator is
/// answered with its path.
#[derive(Deserialize, ToSchema)]
pub struct NewProposalBody {
    /// The version it changes (normally the current one).
    pub base_version: i64,
    /// Title.
    pub title: String,
    /// Why.
    pub rationale: String,
    /// The full proposed definition (API.md `Definition`).
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
    /// Also move back leads that no longer qualify on publish.
    #[serde(default)]
    pub requalify: bool,
}

/// A revision body.
#[derive(Deserialize, ToSchema)]
pub struct RevisionBody {
    /// The revision being revised (must be the latest).
    pub revision: i64,
    /// The new definition.
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
    /// New title.
    #[serde(default)]
    pub title: Option<String>,
    /// New rationale.
    #[serde(default)]
    pub rationale: Option<String>,
}

fn read_definition(value: &serde_json::Value) -> Result<app::definitions::model::Definition, ApiError> {
    app::definitions::validate::parse_definition(value)
        .map_err(|errors| ApiError(AppError::InvalidDefinition(errors)))
}

/// Drafts a proposal.
#[utoipa::path(post, path = "/api/v1/proposals", tag = "proposals", request_body = NewProposalBody,
    responses((status = 201, body = Object), (status = 422, description = "invalid definition, naming paths", body = ErrorBody)))]
pub async fn create_proposal(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewProposalBody>,
) -> Result<(StatusCode, Json<Proposal>), ApiError> {
    app::policy::authorize(caller.user.as_ref(), app::policy::Action::DraftProposal)?;
    let input = NewProposal {
        base_version: body.base_version,
        title: body.title,
        rationale: body.rationale,
        definition: read_definition(&body.definition)?,
        requalify: body.requalify,
    };
    let p = service::create_proposal(&state, caller.user.as_ref(), input).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

/// A proposal with its diff, approvals and comments.
#[utoipa::path(get, path = "/api/v1/proposals/{id}", tag = "proposals", params(("id" = i64, Path)),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn proposal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Proposal>, ApiError> {
    Ok(Json(service::proposal(&state, caller.user.as_ref(), id).await?))
}

/// Saves a new revision (approvals reset).
#[utoipa::path(put, path = "/api/v1/proposals/{id}", tag = "proposals", params(("id" = i64, Path)), request_body = RevisionBody,
    responses((status = 200, body = Object), (status = 409, description = "stale_revision | proposal_closed", body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn revise(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Revision>,
) -> Result<Json<Proposal>, ApiError> {
    Ok(Json(
        service::revise(&state, caller.user.as_ref(), id, body).await?,
    ))
}

/// `{"revision"}`.
#[derive(Deserialize, ToSchema)]
pub struct ApproveBody {
    /// The revision being approved (must be the latest).
    pub revision: i64,
}

/// Approves the latest revision for the caller's team.
#[utoipa::path(post, path = "/api/v1/proposals/{id}/approve", tag = "proposals", params(("id" = i64, Path)), request_body = ApproveBody,
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 409, description = "stale_revision", body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ApproveBody>,
) -> Result<Json<Proposal>, ApiError> {
    Ok(Json(
        service::approve(&state, caller.user.as_ref(), id, body.revision).await?,
    ))
}

/// `{"reason"}`.
#[derive(Deserialize, ToSchema)]
pub struct RejectBody {
    /// Why.
    pub reason: String,
}

/// Rejects the proposal.
#[utoipa::path(post, path = "/api/v1/proposals/{id}/reject", tag = "proposals", params(("id" = i64, Path)), request_body = RejectBody,
    responses((status = 200, body = Object), (status = 403, body = ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RejectBody>,
) -> Result<Json<Proposal>, ApiError> {
    Ok(Json(
        service::reject(&state, caller.user.as_ref(), id, &body.reason).await?,
    ))
}

/// Withdraws the proposal.
#[utoipa::path(post, path = "/api/v1/proposals/{id}/withdraw", tag = "proposals", params(("id" = i64, Path)),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody)))]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Proposal>, ApiError> {
    Ok(Json(service::withdraw(&state, caller.user.as_ref(), id).await?))
}

/// `{"body"}`.
#[derive(Deserialize, ToSchema)]
pub struct CommentBody {
    /// Text.
    pub body: String,
}

/// Comments on a proposal.
#[utoipa::path(post, path = "/api/v1/proposals/{id}/comments", tag = "proposals", params(("id" = i64, Path)), request_body = CommentBody,
    responses((status = 201, body = Object), (status = 422, body = ErrorBody)))]
pub async fn comment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CommentBody>,
) -> Result<(StatusCode, Json<Proposal>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::comment(&state, caller.user.as_ref(), id, &body.body).await?),
    ))
}

/// `{"version"}`.
#[derive(Serialize, ToSchema)]
pub struct PublishedBody {
    /// The new current version.
    pub version: i64,
}

/// Publishes when every required team approved the latest revision.
#[utoipa::path(post, path = "/api/v1/proposals/{id}/publish", tag = "proposals", params(("id" = i64, Path)),
    responses((status = 200, body = PublishedBody), (status = 409, description = "approvals_missing | stale_base", body = ErrorBody)))]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<PublishedBody>, ApiError> {
    let version = app::leads::publish::publish_and_apply(&state, caller.user.as_ref(), id).await?;
    Ok(Json(PublishedBody { version }))
}

/// Re-applies the proposal onto the current version.
#[utoipa::path(post, path = "/api/v1/proposals/{id}/rebase", tag = "proposals", params(("id" = i64, Path)),
    responses((status = 200, body = Object), (status = 409, description = "rebase_conflict (details.paths)", body = ErrorBody)))]
pub async fn rebase(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Proposal>, ApiError> {
    Ok(Json(service::rebase(&state, caller.user.as_ref(), id).await?))
}

/// Stage moves if this proposal were current, computed without writing.
#[utoipa::path(get, path = "/api/v1/proposals/{id}/impact", tag = "proposals", params(("id" = i64, Path)),
    responses((status = 200, body = Object, description = "{\"evaluated\", \"moves\": [{\"from\",\"to\",\"count\",\"applies_on_publish\",\"sample\"}]}"),
              (status = 404, body = ErrorBody)))]
pub async fn impact(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<app::leads::impact::Impact>, ApiError> {
    Ok(Json(
        app::leads::publish::proposal_impact(&state, caller.user.as_ref(), id).await?,
    ))
}

/// The approval policy.
#[utoipa::path(get, path = "/api/v1/approval-policy", tag = "proposals",
    responses((status = 200, body = ApprovalPolicy)))]
pub async fn approval_policy(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ApprovalPolicy>, ApiError> {
    app::policy::authorize(caller.user.as_ref(), app::policy::Action::UseApp)?;
    Ok(Json(service::approval_policy(&state).await?))
}

/// `{"teams": [...]}`.
#[derive(Deserialize, ToSchema)]
pub struct PolicyBody {
    /// Teams whose leader must approve.
    pub teams: Vec<Team>,
}

/// Changes which teams must approve (admins; audited).
#[utoipa::path(put, path = "/api/v1/approval-policy", tag = "proposals", request_body = PolicyBody,
    responses((status = 200, body = ApprovalPolicy), (status = 403, body = ErrorBody)))]
pub async fn set_approval_policy(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<PolicyBody>,
) -> Result<Json<ApprovalPolicy>, ApiError> {
    Ok(Json(
        service::set_approval_policy(&state, caller.user.as_ref(), &body.teams).await?,
    ))
}

/// Audit filter.
#[derive(Deserialize, IntoParams)]
pub struct AuditFilter {
    /// e.g. `proposal`.
    pub entity: Option<String>,
    /// The record's id.
    pub entity_id: Option<String>,
}

/// `{"items": [...]}`.
#[derive(Serialize, ToSchema)]
pub struct AuditBody {
    /// Entries in chain order.
    pub items: Vec<AuditEntry>,
}

/// The audit trail.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditFilter),
    responses((status = 200, body = AuditBody), (status = 401, body = ErrorBody)))]
pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<AuditFilter>,
) -> Result<Json<AuditBody>, ApiError> {
    let items = service::audit(
        &state,
        caller.user.as_ref(),
        filter.entity.as_deref(),
        filter.entity_id.as_deref(),
    )
    .await?;
    Ok(Json(AuditBody { items }))
}

/// Checks the hash chain.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, body = Verification)))]
pub async fn verify(State(state): State<AppState>, caller: Caller) -> Result<Json<Verification>, ApiError> {
    Ok(Json(service::verify_audit(&state, caller.user.as_ref()).await?))
}
