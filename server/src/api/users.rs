//! `POST /api/v1/users` and `POST /api/v1/tokens` (admins).

use axum::Json;
use axum::extract::State;
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use app::auth::{NewUserInput, User, service};
use app::state::AppState;

use super::caller::Caller;
use super::error::{ApiError, ApiJson, ErrorBody};

/// Creates a user.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUserInput,
    responses((status = 201, body = User), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, description = "email_taken", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewUserInput>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let user = service::create_user(&state, caller.user.as_ref(), body).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// A token request.
#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    /// What the token is for (shown to admins).
    pub name: String,
}

/// A new token, shown once.
#[derive(Serialize, ToSchema)]
pub struct TokenBody {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
}

/// Creates an API token acting as the calling admin.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "users", request_body = TokenRequest,
    responses((status = 201, body = TokenBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Result<(StatusCode, Json<TokenBody>), ApiError> {
    let token = service::create_api_token(&state, caller.user.as_ref(), &body.name).await?;
    Ok((StatusCode::CREATED, Json(TokenBody { token })))
}
