//! `accord bench`: figures for docs/benchmarks.md, measured in-process on a scratch SQLite
//! database (the real router, sessions, argon2id and SSR; no network in between).
//! `accord bench impact` measures the impact preview on many leads ([`impact`]),
//! `accord bench funnel` the funnel API and page against a bare `GROUP BY` ([`funnel`]).

pub mod funnel;
pub mod impact;
pub mod import;
mod scratch;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use axum::Router;
use axum::body::Body;
use clap::{Args, Subcommand};
use http::{Request, StatusCode, header};
use tower::ServiceExt;

use app::auth::{NewUserInput, service};
use app::state::AuthSettings;

use crate::cli::say;
use crate::config;

/// Options of `accord bench`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BenchArgs {
    /// Another benchmark than sign-in and page rendering.
    #[command(subcommand)]
    pub what: Option<BenchWhat>,
    /// Sign-ins to time.
    #[arg(long, default_value_t = 40)]
    pub sign_ins: usize,
    /// Signed-in page renders to time.
    #[arg(long, default_value_t = 400)]
    pub renders: usize,
    /// Also write the figures as Markdown to this file.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// Benchmarks other than the default one.
#[derive(Debug, Subcommand)]
pub enum BenchWhat {
    /// The impact preview of a proposal against a bare scan of the leads table, on a scratch
    /// database seeded with synthetic leads (PostgreSQL when `--database-url` is `postgres://…`).
    Impact(impact::ImpactArgs),
    /// `accord import` of a generated lead CSV against `sqlite3 .import` of the same file.
    Import(import::ImportBenchArgs),
    /// The funnel API (filtered and not) and the funnel page against a bare `GROUP BY stage`
    /// over the leads, on a scratch database seeded with synthetic leads and their history.
    Funnel(funnel::FunnelArgs),
}

/// Summary of one measured operation.
#[derive(Debug)]
pub struct Figure {
    /// What was measured.
    pub name: &'static str,
    /// Operations timed.
    pub count: usize,
    /// Median latency.
    pub median: Duration,
    /// 95th percentile latency.
    pub p95: Duration,
    /// Operations per second, sequentially.
    pub per_second: f64,
}

fn summarize(name: &'static str, mut samples: Vec<Duration>, total: Duration) -> Figure {
    samples.sort();
    let count = samples.len();
    let at = |q: f64| samples[((count as f64 - 1.0) * q).round() as usize];
    Figure {
        name,
        count,
        median: at(0.5),
        p95: at(0.95),
        per_second: count as f64 / total.as_secs_f64(),
    }
}

const BENCH_PASSWORD: &str = "bench-password-123";

/// Runs the benchmarks and prints a Markdown table.
pub async fn run(args: BenchArgs, database_url: &str) -> anyhow::Result<()> {
    match args.what {
        Some(BenchWhat::Impact(impact)) => return impact::run(impact, database_url).await,
        Some(BenchWhat::Import(import)) => return import::run(import).await,
        Some(BenchWhat::Funnel(funnel)) => return funnel::run(funnel, database_url).await,
        None => {}
    }
    if args.sign_ins == 0 || args.renders == 0 {
        bail!("--sign-ins and --renders must be at least 1");
    }
    let dir = std::env::temp_dir().join(format!("accord-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).context("cannot create a scratch directory")?;
    let url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
    let options = config::leptos_options(
        "127.0.0.1:3000".parse().expect("valid address"),
        &config::site_root(),
    );
    // Throttling would (rightly) stop a loop of sign-ins from one address; lift it here.
    let mut auth = AuthSettings::default();
    auth.throttle.per_account.max_failures = usize::MAX;
    auth.throttle.per_address.max_failures = usize::MAX;
    let state = config::open_state(&url, options, auth).await?;
    let input = NewUserInput {
        email: "bench@accord.test".into(),
        name: "Bench".into(),
        team: "sales".into(),
        role: "leader".into(),
        password: BENCH_PASSWORD.into(),
        locale: None,
    };
    service::create_user_as_operator(&state, input)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let app = crate::build_app(state.clone());

    let sign_in = measure_sign_ins(&app, args.sign_ins).await?;
    let cookie = sign_in_cookie(&app).await?;
    let render = measure_renders(&app, &cookie, args.renders).await?;
    state.db.close().await;
    let _ = std::fs::remove_dir_all(&dir);

    let table = markdown(&[sign_in, render]);
    say(&table);
    if let Some(path) = args.output {
        std::fs::write(&path, &table).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

fn sign_in_request() -> Request<Body> {
    let body = serde_json::json!({"email": "bench@accord.test", "password": BENCH_PASSWORD}).to_string();
    Request::post("/api/v1/session")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .expect("valid request")
}

async fn measure_sign_ins(app: &Router, count: usize) -> anyhow::Result<Figure> {
    let mut samples = Vec::with_capacity(count);
    let started = Instant::now();
    for _ in 0..count {
        let t = Instant::now();
        let response = app.clone().oneshot(sign_in_request()).await?;
        if response.status() != StatusCode::OK {
            bail!("sign-in answered {}", response.status());
        }
        samples.push(t.elapsed());
    }
    Ok(summarize(
        "Sign-in (POST /api/v1/session, argon2id m=19 MiB t=2 p=1)",
        samples,
        started.elapsed(),
    ))
}

async fn sign_in_cookie(app: &Router) -> anyhow::Result<String> {
    let response = app.clone().oneshot(sign_in_request()).await?;
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .context("sign-in set no cookie")?;
    Ok(cookie.to_owned())
}

async fn measure_renders(app: &Router, cookie: &str, count: usize) -> anyhow::Result<Figure> {
    let mut samples = Vec::with_capacity(count);
    let started = Instant::now();
    for _ in 0..count {
        let t = Instant::now();
        let request = Request::get("/")
            .header(header::COOKIE, cookie)
            .body(Body::empty())?;
        let response = app.clone().oneshot(request).await?;
        if response.status() != StatusCode::OK {
            bail!("home page answered {}", response.status());
        }
        let body = axum::body::to_bytes(response.into_body(), 4 * 1024 * 1024).await?;
        if !String::from_utf8_lossy(&body).contains("Bench") {
            bail!("home page did not show the signed-in user");
        }
        samples.push(t.elapsed());
    }
    Ok(summarize(
        "Signed-in home page (GET /, SSR, full body)",
        samples,
        started.elapsed(),
    ))
}

fn markdown(figures: &[Figure]) -> String {
    let mut out = String::from(
        "| benchmark | n | median | p95 | per second (sequential) |\n|---|---:|---:|---:|---:|\n",
    );
    for f in figures {
        out.push_str(&format!(
            "| {} | {} | {:.1} ms | {:.1} ms | {:.1} |\n",
            f.name,
            f.count,
            f.median.as_secs_f64() * 1e3,
            f.p95.as_secs_f64() * 1e3,
            f.per_second
        ));
    }
    out
}
