//! Accord's server: start-up, the axum router (pages, server functions, JSON API v1) and the
//! command line. Tests build the same router in-process with [`build_app`].

pub mod api;
pub mod bench;
pub mod cli;
pub mod config;
pub mod import_cli;
pub mod middleware;
pub mod seed;
pub mod telemetry;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use app::state::AppState;
use app::store::sessions::DbSessionStore;
use app::{App, shell};

/// The whole HTTP application for `state`: pages (SSR + hydration), server functions under
/// `/api/{fn}`, the JSON API under `/api/v1`, static files, sessions and the security layers.
pub fn build_app(state: AppState) -> Router {
    let sessions = SessionManagerLayer::new(DbSessionStore::new(&state.db))
        .with_name("accord_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.auth.secure_cookies)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::seconds(state.auth.idle_timeout.num_seconds()),
        ));
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let fallback_state = state.clone();
    let options = state.leptos_options.clone();

    Router::new()
        .nest("/api/v1", api::router())
        .route("/healthz", get(api::health::healthz))
        .route("/api/{fn_name}", post(server_fn_handler).get(server_fn_handler))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            move || provide_context(fallback_state.clone()),
            shell,
        ))
        .layer(axum::middleware::from_fn(api::error::localize_errors))
        .layer(axum::middleware::from_fn(middleware::refuse_cross_origin))
        .layer(sessions)
        .layer(axum::middleware::from_fn(middleware::record_client_addr))
        .layer(middleware::security_headers())
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

async fn server_fn_handler(State(state): State<AppState>, request: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_context(state.clone()), request).await
}
