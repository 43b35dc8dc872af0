//! JSON API v1 (see shared/API.md): thin handlers that authenticate the caller, call the
//! domain services (which authorize through the policy module) and map errors.

pub mod caller;
pub mod error;
pub mod health;
pub mod session;
pub mod users;

use axum::Json;
use axum::Router;
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
    )),
    tags((name = "session"), (name = "users"), (name = "health"))
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
        .route("/openapi.json", get(openapi))
        .fallback(not_found)
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

async fn not_found() -> ApiError {
    ApiError(app::error::AppError::NotFound)
}
