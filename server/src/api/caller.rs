//! Who is calling the API: a bearer token, else the session cookie.

use axum::extract::FromRequestParts;
use http::header::AUTHORIZATION;
use http::request::Parts;
use tower_sessions::Session;

use app::auth::{User, service};
use app::error::AppError;
use app::state::AppState;

use super::error::ApiError;

/// The authenticated caller, if any. Authorization is decided by the policy module in the
/// services, never here.
pub struct Caller {
    /// The user the request acts as.
    pub user: Option<User>,
    /// The session (absent for bearer-token requests).
    pub session: Option<Session>,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(value) = parts.headers.get(AUTHORIZATION) {
            let value = value.to_str().map_err(|_| ApiError(AppError::Unauthorized))?;
            let Some(token) = value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
            else {
                return Err(ApiError(AppError::Unauthorized));
            };
            let user = service::token_user(state, token)
                .await?
                .ok_or(ApiError(AppError::Unauthorized))?;
            return Ok(Self {
                user: Some(user),
                session: None,
            });
        }
        let session = Session::from_request_parts(parts, state).await.map_err(|_| {
            tracing::error!("session layer missing from the API router");
            ApiError(AppError::Internal)
        })?;
        let user = service::session_user(state, &session).await?;
        Ok(Self {
            user,
            session: Some(session),
        })
    }
}
