//! JSON API v1 (see shared/API.md): thin handlers that authenticate the caller, call the
//! domain services (which authorize through the policy module) and map errors.

pub mod caller;
pub mod definitions;
pub mod error;
pub mod funnel;
pub mod handoffs;
pub mod health;
pub mod imports;
pub mod leads;
pub mod session;
pub mod users;

use axum::Json;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use utoipa::OpenApi;

use app::state::AppState;

use self::error::ApiError;

/// The OpenAPI document of the whole API; later domains add their paths here.
#[derive(OpenApi)]
#[openapi(
    info(title = "Accord API", version = "1", description = "The shared funnel contract between marketing and sales."),
    paths(
        health::healthz,
        session::create_session,
        session::delete_session,
        session::me,
        users::create_user,
        users::create_token,
        definitions::list_versions,
        definitions::current_version,
        definitions::version,
        definitions::diff,
        definitions::list_proposals,
        definitions::create_proposal,
        definitions::proposal,
        definitions::revise,
        definitions::approve,
        definitions::reject,
        definitions::withdraw,
        definitions::comment,
        definitions::publish,
        definitions::rebase,
        definitions::impact,
        definitions::approval_policy,
        definitions::set_approval_policy,
        definitions::audit,
        definitions::verify,
        leads::upsert_account,
        leads::account,
        leads::upsert_lead,
        leads::list_leads,
        leads::lead,
        leads::move_lead,
        leads::record_activity,
        imports::start,
        imports::upload,
        imports::run_upload,
        imports::job,
        imports::errors_csv,
        handoffs::list,
        handoffs::detail,
        handoffs::request,
        handoffs::accept,
        handoffs::reject,
        handoffs::reassign,
        handoffs::bulk_accept,
        handoffs::convert,
        handoffs::update,
        handoffs::opportunity,
        handoffs::list_opportunities,
        handoffs::board,
        funnel::funnel,
        funnel::funnel_csv,
        funnel::leads_csv,
    ),
    components(schemas(
        error::ErrorBody,
        error::ErrorDetail,
        app::auth::User,
        app::auth::Team,
        app::auth::Role,
        app::i18n::Locale,
        app::ids::UserId,
        app::auth::NewUserInput,
        app::definitions::model::Stage,
        app::definitions::model::Gate,
        app::definitions::model::EntryOn,
        app::definitions::model::Scoring,
        app::definitions::model::ScoringRule,
        app::definitions::model::ReasonCodes,
        app::definitions::diff::Change,
        app::definitions::proposal::ProposalStatus,
        app::definitions::proposal::ProposalSummary,
        app::definitions::proposal::VersionSummary,
        app::definitions::proposal::UserRef,
        app::definitions::proposal::ApprovalPolicy,
        app::audit::AuditEntry,
        app::audit::Verification,
        app::leads::model::Account,
        app::leads::model::AccountRef,
        app::leads::model::Lead,
        app::leads::model::Transition,
        app::leads::model::ActivityRecord,
        app::imports::ImportKind,
        app::imports::EncodingChoice,
        app::imports::RowError,
        app::imports::job::ImportJob,
        app::imports::job::JobStatus,
        app::imports::job::StageMove,
        app::imports::job::ImportPreview,
        imports::Accepted,
        imports::RunUpload,
        app::handoffs::model::Handoff,
        app::handoffs::model::HandoffLead,
        app::handoffs::model::HandoffStatus,
        app::handoffs::model::HandoffDetailData,
        app::handoffs::model::HandoffRequest,
        app::handoffs::model::RejectInput,
        app::handoffs::model::Person,
        app::handoffs::model::BulkAcceptOutcome,
        app::handoffs::model::BulkFailure,
        app::handoffs::model::Opportunity,
        app::handoffs::model::OpportunityStage,
        app::handoffs::model::OpportunityInput,
        app::handoffs::model::OpportunityPatch,
        app::handoffs::model::OpportunityBoardData,
        app::handoffs::model::BoardColumn,
        app::handoffs::model::CurrencyTotal,
        handoffs::HandoffList,
        handoffs::ReassignBody,
        handoffs::BulkAcceptBody,
        handoffs::OpportunityList,
        app::funnel::model::Funnel,
        app::funnel::model::FunnelStage,
        app::funnel::model::WeekEntries,
        app::funnel::model::Lens,
        app::funnel::model::Money,
        app::funnel::metrics::VersionCounts,
    )),
    tags((name = "session"), (name = "users"), (name = "health"), (name = "definitions"), (name = "proposals"), (name = "audit"), (name = "leads"), (name = "imports"), (name = "handoffs"), (name = "opportunities"), (name = "funnel"))
)]
pub struct ApiDoc;

/// The `/api/v1` routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/session",
            post(session::create_session).delete(session::delete_session),
        )
        .route("/me", get(session::me))
        .route("/users", post(users::create_user))
        .route("/tokens", post(users::create_token))
        .route("/definitions", get(definitions::list_versions))
        .route("/definitions/current", get(definitions::current_version))
        .route("/definitions/{version}", get(definitions::version))
        .route("/definitions/{a}/diff/{b}", get(definitions::diff))
        .route(
            "/proposals",
            get(definitions::list_proposals).post(definitions::create_proposal),
        )
        .route(
            "/proposals/{id}",
            get(definitions::proposal).put(definitions::revise),
        )
        .route("/proposals/{id}/approve", post(definitions::approve))
        .route("/proposals/{id}/reject", post(definitions::reject))
        .route("/proposals/{id}/withdraw", post(definitions::withdraw))
        .route("/proposals/{id}/comments", post(definitions::comment))
        .route("/proposals/{id}/publish", post(definitions::publish))
        .route("/proposals/{id}/rebase", post(definitions::rebase))
        .route("/proposals/{id}/impact", get(definitions::impact))
        .route(
            "/approval-policy",
            get(definitions::approval_policy).put(definitions::set_approval_policy),
        )
        .route("/audit", get(definitions::audit))
        .route("/audit/verify", get(definitions::verify))
        .route("/accounts", post(leads::upsert_account))
        .route("/accounts/{id}", get(leads::account))
        .route("/leads", get(leads::list_leads).post(leads::upsert_lead))
        .route("/leads.csv", get(funnel::leads_csv))
        .route("/funnel", get(funnel::funnel))
        .route("/funnel.csv", get(funnel::funnel_csv))
        .route("/leads/{id}", get(leads::lead))
        .route("/leads/{id}/stage", post(leads::move_lead))
        .route("/activities", post(leads::record_activity))
        .route("/imports", post(imports::start).layer(upload_limit()))
        .route("/imports/uploads", post(imports::upload).layer(upload_limit()))
        .route("/imports/uploads/{upload_id}/run", post(imports::run_upload))
        .route("/imports/{id}", get(imports::job))
        .route("/imports/{id}/errors.csv", get(imports::errors_csv))
        .route("/handoffs", get(handoffs::list))
        .route("/handoffs/bulk-accept", post(handoffs::bulk_accept))
        .route("/handoffs/{id}", get(handoffs::detail))
        .route("/handoffs/{id}/accept", post(handoffs::accept))
        .route("/handoffs/{id}/reject", post(handoffs::reject))
        .route("/handoffs/{id}/reassign", post(handoffs::reassign))
        .route("/leads/{id}/handoffs", post(handoffs::request))
        .route("/leads/{id}/opportunity", post(handoffs::convert))
        .route("/opportunities", get(handoffs::list_opportunities))
        .route("/opportunities/board", get(handoffs::board))
        .route(
            "/opportunities/{id}",
            get(handoffs::opportunity).patch(handoffs::update),
        )
        .route("/openapi.json", get(openapi))
        .fallback(not_found)
}

/// Uploads may reach the import limit plus the multipart framing; the handler refuses a
/// file over the limit itself, with a clear error.
fn upload_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(app::imports::MAX_FILE_BYTES as usize + 1024 * 1024)
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

async fn not_found() -> ApiError {
    ApiError(app::error::AppError::NotFound)
}
