//! Test support: the real router in-process on a fresh SQLite file or a fresh PostgreSQL
//! database, plus small HTTP helpers.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use chrono::{DateTime, Utc};
use http::{HeaderMap, Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use sqlx::Connection;
use tower::ServiceExt;

use app::auth::{NewUserInput, User, service};
use app::clock::Clock;
use app::state::{AppState, AuthSettings};
use app::store::Db;

pub use app::store::Backend;

/// Runs each named async test function `fn(Backend)` once per backend.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::common::Backend::Sqlite).await }
            )*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::common::Backend::Postgres).await }
            )*
        }
    };
}

/// The password of users made by [`TestApp::user`].
pub const PASSWORD: &str = "correct horse battery";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The PostgreSQL server tests use: `TEST_POSTGRES_URL`, default the local trust-auth server.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A fresh database of `backend`, dropped (PostgreSQL) or deleted (SQLite) with the value.
pub struct TestDb {
    /// Its URL.
    pub url: String,
    pg_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// Creates an empty database. Panics with instructions when PostgreSQL is unreachable:
    /// the suite never silently skips a backend.
    pub async fn create(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("accord.db").display());
                Self {
                    url,
                    pg_name: None,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL is not reachable at {admin}: {e}.\n\
                         The test suite runs on SQLite and PostgreSQL and never skips one.\n\
                         Start PostgreSQL or set TEST_POSTGRES_URL=postgres://USER@HOST:PORT/DB \
                         (a user allowed to CREATE DATABASE)."
                    )
                });
                let name = format!(
                    "accord_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    rand_suffix()
                );
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create database");
                conn.close().await.ok();
                let url = replace_db_name(&admin, &name);
                Self {
                    url,
                    pg_name: Some(name),
                    _dir: None,
                }
            }
        }
    }
}

fn rand_suffix() -> u32 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
        % 1_000_000
}

/// `url` with its database name replaced by `name`.
pub fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            let admin = postgres_admin_url();
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async move {
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .execute(&mut conn)
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// The app under test.
pub struct TestApp {
    /// The router.
    pub router: Router,
    /// Its state (database, clock…).
    pub state: AppState,
    /// The backing database (kept alive for the test).
    pub db: TestDb,
}

/// A start time for manual clocks.
pub fn start_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-02T09:00:00Z")
        .expect("valid time")
        .with_timezone(&Utc)
}

impl TestApp {
    /// The app on a fresh database with default settings and the system clock.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, AuthSettings::default(), Clock::system()).await
    }

    /// The app with custom auth settings and clock.
    pub async fn spawn_with(backend: Backend, auth: AuthSettings, clock: Clock) -> Self {
        server::telemetry::init();
        let db = TestDb::create(backend).await;
        let pool = Db::connect(&db.url).await.expect("connect");
        pool.migrate().await.expect("migrate");
        let options = server::config::leptos_options(
            "127.0.0.1:3000".parse().unwrap(),
            std::path::Path::new("target/site"),
        );
        let state = AppState {
            db: pool,
            leptos_options: options,
            auth,
            clock,
        };
        app::definitions::service::ensure_seeded(&state)
            .await
            .expect("seed version 1");
        Self {
            router: server::build_app(state.clone()),
            state,
            db,
        }
    }

    /// Creates a user directly (as the operator) with [`PASSWORD`].
    pub async fn user(&self, email: &str, team: &str, role: &str) -> User {
        let input = NewUserInput {
            email: email.into(),
            name: email.split('@').next().unwrap_or("user").into(),
            team: team.into(),
            role: role.into(),
            password: PASSWORD.into(),
            locale: None,
        };
        service::create_user_as_operator(&self.state, input)
            .await
            .expect("create user")
    }

    /// Sends a request through the router.
    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self.router.clone().oneshot(request).await.expect("infallible");
        TestResponse::read(response).await
    }

    /// `POST` JSON to `path` with an optional cookie.
    pub async fn post_json(&self, path: &str, body: Value, cookie: Option<&str>) -> TestResponse {
        let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/json");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(body.to_string())).unwrap()).await
    }

    /// The single integer a SQL query returns (counts in assertions), on either backend.
    pub async fn scalar(&self, sql: &str) -> i64 {
        match &self.state.db {
            Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.expect("query"),
            Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.expect("query"),
        }
    }

    /// Sends JSON with any method and a session cookie.
    pub async fn send_json(&self, method: &str, path: &str, body: Value, cookie: &str) -> TestResponse {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::COOKIE, cookie)
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(req).await
    }

    /// `GET` `path` with an optional cookie.
    pub async fn get(&self, path: &str, cookie: Option<&str>) -> TestResponse {
        let mut req = Request::get(path);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// `GET` a page as a browser would (Accept: text/html).
    pub async fn get_page(&self, path: &str, cookie: Option<&str>) -> TestResponse {
        let mut req = Request::get(path).header(header::ACCEPT, "text/html");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// Signs in through the API and returns the session cookie (`name=value`).
    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let res = self
            .post_json(
                "/api/v1/session",
                serde_json::json!({"email": email, "password": password}),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "sign-in failed: {}", res.text);
        res.session_cookie().expect("session cookie")
    }
}

/// A fully read response.
pub struct TestResponse {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body as text.
    pub text: String,
}

impl TestResponse {
    async fn read(response: Response<Body>) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        Self {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// The full `Set-Cookie` header of the session cookie.
    pub fn session_set_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("accord_session="))
            .map(str::to_owned)
    }

    /// `accord_session=…` for a `Cookie` header.
    pub fn session_cookie(&self) -> Option<String> {
        self.session_set_cookie()
            .and_then(|v| v.split(';').next().map(str::to_owned))
    }
}
