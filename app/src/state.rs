//! What every request handler and server function on the server can reach.

use axum::extract::FromRef;
use chrono::Duration;
use leptos::config::LeptosOptions;

use crate::auth::throttle::ThrottlePolicy;
use crate::clock::Clock;
use crate::store::Db;

/// Session and sign-in settings.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// Sign-in throttling limits.
    pub throttle: ThrottlePolicy,
    /// A session ends after this long without a request.
    pub idle_timeout: Duration,
    /// A session ends this long after sign-in, however active.
    pub absolute_timeout: Duration,
    /// Mark cookies `Secure` (when served over https).
    pub secure_cookies: bool,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            throttle: ThrottlePolicy::default(),
            idle_timeout: Duration::minutes(30),
            absolute_timeout: Duration::hours(12),
            secure_cookies: false,
        }
    }
}

/// Shared application state (cheap to clone).
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Leptos rendering options (site root, output name…).
    pub leptos_options: LeptosOptions,
    /// Session and sign-in settings.
    pub auth: AuthSettings,
    /// The time source.
    pub clock: Clock,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The client's network address, put into request extensions by the server's middleware
/// (used for sign-in throttling).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub String);
