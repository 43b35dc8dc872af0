//! `POST/DELETE /api/v1/session` and `GET /api/v1/me`.

use axum::Json;
use axum::extract::{Extension, State};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use app::auth::{User, service};
use app::error::AppError;
use app::policy::{self, Action};
use app::state::{AppState, ClientAddr};

use super::caller::Caller;
use super::error::{ApiError, ApiJson, ErrorBody};

/// Sign-in credentials.
#[derive(Deserialize, ToSchema)]
pub struct SignInBody {
    /// Email (case-insensitive).
    pub email: String,
    /// Password.
    pub password: String,
}

/// The signed-in user.
#[derive(Serialize, ToSchema)]
pub struct SessionBody {
    /// The user.
    pub user: User,
}

/// Signs in; the response carries a fresh session cookie.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = SignInBody,
    responses((status = 200, body = SessionBody),
              (status = 401, description = "invalid_credentials", body = ErrorBody),
              (status = 422, body = ErrorBody),
              (status = 429, description = "throttled; see Retry-After", body = ErrorBody)))]
pub async fn create_session(
    State(state): State<AppState>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    caller: Caller,
    ApiJson(body): ApiJson<SignInBody>,
) -> Result<Json<SessionBody>, ApiError> {
    let session = caller.session.ok_or(ApiError(AppError::BadRequest(
        "bearer tokens do not sign in".into(),
    )))?;
    let user = service::sign_in(&state, &session, &addr, &body.email, &body.password).await?;
    Ok(Json(SessionBody { user }))
}

/// Signs out: the session is deleted on the server.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session",
    responses((status = 204, description = "signed out")))]
pub async fn delete_session(caller: Caller) -> Result<StatusCode, ApiError> {
    if let Some(session) = caller.session {
        service::sign_out(&session).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "session",
    responses((status = 200, body = User), (status = 401, body = ErrorBody)))]
pub async fn me(caller: Caller) -> Result<Json<User>, ApiError> {
    let user = policy::authorize(caller.user.as_ref(), Action::UseApp)?;
    Ok(Json(user.clone()))
}
