//! Authentication and account use cases shared by server functions and the JSON API:
//! validate → authorize → call the store → map errors.

use sha2::{Digest, Sha256};
use tower_sessions::Session;

use super::throttle::{account_bucket, address_bucket, retry_after};
use super::{Email, NewUserInput, User, password};
use crate::audit::AuditRecord;
use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use crate::ids::UserId;
use crate::policy::{self, Action};
use crate::state::AppState;
use crate::store::StoreError;

const SESSION_USER_ID: &str = "user_id";
const SESSION_SIGNED_IN_AT: &str = "signed_in_at";

fn session_failure(err: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %err, "session store failure");
    AppError::Internal
}

/// Signs a user in: throttle check, argon2id verification (a dummy hash for unknown emails),
/// then a fresh session id carrying the user.
pub async fn sign_in(
    state: &AppState,
    session: &Session,
    client_addr: &str,
    email: &str,
    password_input: &str,
) -> AppResult<User> {
    let email = Email::parse(email).map_err(|e| AppError::Validation(vec![e]))?;
    if password_input.is_empty() {
        return Err(AppError::field("password", "required"));
    }
    let now = state.clock.now();
    let policy = state.auth.throttle;
    let buckets = [
        (account_bucket(email.as_str()), policy.per_account),
        (address_bucket(client_addr), policy.per_address),
    ];
    for (bucket, limit) in &buckets {
        let failures = state
            .db
            .sign_in_failures_since(bucket, now - limit.window)
            .await?;
        if let Some(wait) = retry_after(&failures, *limit, now) {
            tracing::warn!(bucket = %bucket.split(':').next().unwrap_or(""), "sign-in throttled");
            return Err(AppError::Throttled {
                retry_after_secs: wait.num_seconds().max(1) as u64,
            });
        }
    }

    let credentials = state.db.user_credentials(email.as_str()).await?;
    let (user, hash) = match credentials {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    let verified = password::verify(password_input.to_owned(), hash).await?;
    let Some(user) = user.filter(|_| verified) else {
        for (bucket, _) in &buckets {
            state.db.record_sign_in_failure(bucket, now).await?;
        }
        return Err(AppError::InvalidCredentials);
    };

    let oldest_relevant = now - policy.per_account.window.max(policy.per_address.window);
    state
        .db
        .clear_sign_in_failures(&buckets[0].0, oldest_relevant)
        .await?;
    session.cycle_id().await.map_err(session_failure)?;
    session
        .insert(SESSION_USER_ID, user.id.0)
        .await
        .map_err(session_failure)?;
    session
        .insert(SESSION_SIGNED_IN_AT, now.timestamp())
        .await
        .map_err(session_failure)?;
    tracing::info!(user_id = %user.id, "signed in");
    Ok(user)
}

/// Ends the session on the server (the row is deleted) and clears the cookie.
pub async fn sign_out(session: &Session) -> AppResult<()> {
    session.flush().await.map_err(session_failure)
}

/// The user of this session, if signed in and within the absolute timeout.
pub async fn session_user(state: &AppState, session: &Session) -> AppResult<Option<User>> {
    let Some(id) = session
        .get::<i64>(SESSION_USER_ID)
        .await
        .map_err(session_failure)?
    else {
        return Ok(None);
    };
    let signed_in_at = session
        .get::<i64>(SESSION_SIGNED_IN_AT)
        .await
        .map_err(session_failure)?
        .unwrap_or(0);
    let age = state.clock.now().timestamp() - signed_in_at;
    if age > state.auth.absolute_timeout.num_seconds() {
        session.flush().await.map_err(session_failure)?;
        return Ok(None);
    }
    let user = state.db.user_by_id(UserId(id)).await?;
    if user.is_none() {
        session.flush().await.map_err(session_failure)?;
    }
    Ok(user)
}

/// Creates a user (admins only).
pub async fn create_user(state: &AppState, actor: Option<&User>, input: NewUserInput) -> AppResult<User> {
    policy::authorize(actor, Action::ManageUsers)?;
    let (new_user, password) = input.validate()?;
    let hash = password::hash(password).await?;
    match state.db.insert_user(&new_user, &hash, state.clock.now()).await {
        Ok(user) => {
            tracing::info!(user_id = %user.id, "user created");
            audit_user_created(state, actor, &user).await?;
            Ok(user)
        }
        Err(StoreError::Conflict(_)) => Err(AppError::Conflict("email_taken".into())),
        Err(other) => Err(other.into()),
    }
}

/// Creates a user without an actor: for the CLI and demo seeding, which run with the
/// operator's authority on the server itself.
pub async fn create_user_as_operator(state: &AppState, input: NewUserInput) -> AppResult<User> {
    let (new_user, password) = input.validate()?;
    let hash = password::hash(password).await?;
    match state.db.insert_user(&new_user, &hash, state.clock.now()).await {
        Ok(user) => {
            audit_user_created(state, None, &user).await?;
            Ok(user)
        }
        Err(StoreError::Conflict(_)) => Err(AppError::Conflict("email_taken".into())),
        Err(other) => Err(other.into()),
    }
}

async fn audit_user_created(state: &AppState, actor: Option<&User>, user: &User) -> AppResult<()> {
    let detail = serde_json::json!({"email": user.email, "team": user.team, "role": user.role});
    crate::definitions::service::record(
        state,
        AuditRecord::new(actor, "user.created", "user", user.id, detail),
    )
    .await
}

/// Changes the signed-in user's interface language.
pub async fn set_locale(state: &AppState, actor: Option<&User>, locale: Locale) -> AppResult<()> {
    let user = policy::authorize(actor, Action::UseApp)?;
    Ok(state.db.set_user_locale(user.id, locale).await?)
}

/// Lists users (admins only).
pub async fn list_users(state: &AppState, actor: Option<&User>) -> AppResult<Vec<User>> {
    policy::authorize(actor, Action::ManageUsers)?;
    Ok(state.db.list_users().await?)
}

/// Creates an API token acting as its creator (admins only); the secret is returned once and
/// only its SHA-256 is stored.
pub async fn create_api_token(state: &AppState, actor: Option<&User>, name: &str) -> AppResult<String> {
    let user = policy::authorize(actor, Action::ManageTokens)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::field("name", "required"));
    }
    let secret: [u8; 32] = rand::random();
    let token = format!("acc_{}", hex::encode(secret));
    state
        .db
        .insert_api_token(name, &token_hash(&token), user.id, state.clock.now())
        .await?;
    Ok(token)
}

/// The user a bearer token acts as; `None` for an unknown token.
pub async fn token_user(state: &AppState, token: &str) -> AppResult<Option<User>> {
    Ok(state.db.user_by_token_hash(&token_hash(token.trim())).await?)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
