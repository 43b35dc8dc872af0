//! `accord bench funnel`: the funnel API and page against a bare `GROUP BY stage` over the
//! leads table, on a scratch database seeded with `--leads N` synthetic leads and their
//! history (default a million). The targets (issue 6): the API's median within 0.1 × the
//! `GROUP BY`, and the page under 200 ms of server time, on SQLite and PostgreSQL.
//!
//! Everything goes through the real router in-process, as the tests do: a bearer token for
//! the API, a session cookie for the page. A breakdown per store query of the service says
//! where the API's time goes.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use axum::Router;
use axum::body::Body;
use chrono::{DateTime, Utc};
use clap::Args;
use http::{Request, StatusCode, header};
use tower::ServiceExt;

use app::auth::{NewUserInput, User, service};
use app::funnel::model::{FunnelFilter, FunnelQuery};
use app::funnel::store::{AGGREGATE_TABLES, FunnelQueries};
use app::state::{AppState, AuthSettings};
use app::store::Db;

use super::scratch::{ScratchArgs, Spread, median, ms, run_on_scratch};
use crate::cli::say;
use crate::config;

/// Options of `accord bench funnel`.
#[derive(Debug, Args)]
pub struct FunnelArgs {
    #[command(flatten)]
    pub data: ScratchArgs,
    /// Timed runs of each measurement, after one untimed warm-up run.
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u64).range(1..))]
    pub runs: u64,
}

/// The API's share of the bare `GROUP BY` it must stay within.
const API_TARGET_RATIO: f64 = 0.1;
/// The page's server time it must stay under.
const PAGE_TARGET: Duration = Duration::from_millis(200);

const EMAIL: &str = "bench.funnel@accord.test";
const PASSWORD: &str = "bench-password-123";

/// The floor: every lead read once and counted, which is what the aggregates save.
const GROUP_BY: &str = "SELECT stage, COUNT(*) FROM leads GROUP BY stage";

/// Runs the benchmark on a scratch database (see [`run_on_scratch`]).
pub async fn run(args: FunnelArgs, database_url: &str) -> anyhow::Result<()> {
    run_on_scratch(&args.data, database_url, "funnel", async |url| {
        measure(&args, url).await
    })
    .await
}

/// One thing timed, with the check its answer must pass.
enum Probe {
    /// [`GROUP_BY`] on the pool, every row fetched.
    GroupBy,
    /// `GET` of an API path with the bearer token; the answer must list `stages` stages
    /// (any number when `None`).
    Api { path: String, stages: Option<usize> },
    /// `GET /` as a signed-in browser: the server-side render, full body.
    Page,
    /// `GET /api/v1/me` with the bearer token: the router and the token alone, the floor
    /// of any API answer.
    Floor,
}

impl Probe {
    fn label(&self) -> String {
        match self {
            Self::GroupBy => format!("bare `{GROUP_BY}`"),
            Self::Api { path, .. } => format!("`GET {path}`"),
            Self::Page => "funnel page `GET /` (signed in, `Accept: text/html`, SSR, full body)".into(),
            Self::Floor => "`GET /api/v1/me` (router and bearer token only: any API answer's floor)".into(),
        }
    }
}

/// What the probes need to run.
struct Client {
    db: Db,
    app: Router,
    token: String,
    cookie: String,
}

impl Client {
    /// Runs `probe` once; its time and, for the API, its answer.
    async fn time(&self, probe: &Probe) -> anyhow::Result<(Duration, Option<serde_json::Value>)> {
        let t = Instant::now();
        let answer = match probe {
            Probe::GroupBy => {
                group_by(&self.db).await?;
                None
            }
            Probe::Api { path, stages } => {
                let request = Request::get(path.as_str())
                    .header(header::AUTHORIZATION, format!("Bearer {}", self.token))
                    .body(Body::empty())?;
                let (status, body) = send(&self.app, request).await?;
                if status != StatusCode::OK {
                    bail!("GET {path} answered {status}: {}", String::from_utf8_lossy(&body));
                }
                let json: serde_json::Value =
                    serde_json::from_slice(&body).with_context(|| format!("GET {path} answered no JSON"))?;
                let got = json["stages"].as_array().map_or(0, Vec::len);
                if got == 0 || stages.is_some_and(|want| want != got) {
                    bail!("GET {path} answered {got} stages, expected {stages:?}");
                }
                Some(json)
            }
            Probe::Floor => {
                let request = Request::get("/api/v1/me")
                    .header(header::AUTHORIZATION, format!("Bearer {}", self.token))
                    .body(Body::empty())?;
                let (status, _) = send(&self.app, request).await?;
                if status != StatusCode::OK {
                    bail!("GET /api/v1/me answered {status}");
                }
                None
            }
            Probe::Page => {
                let request = Request::get("/")
                    .header(header::COOKIE, &self.cookie)
                    .header(header::ACCEPT, "text/html")
                    .body(Body::empty())?;
                let (status, body) = send(&self.app, request).await?;
                if status != StatusCode::OK || !String::from_utf8_lossy(&body).contains("<html") {
                    bail!("GET / answered {status} ({} bytes, no whole page)", body.len());
                }
                None
            }
        };
        Ok((t.elapsed(), answer))
    }
}

async fn send(app: &Router, request: Request<Body>) -> anyhow::Result<(StatusCode, axum::body::Bytes)> {
    let response = app.clone().oneshot(request).await?;
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 64 * 1024 * 1024).await?;
    Ok((status, body))
}

async fn measure(args: &FunnelArgs, url: &str) -> anyhow::Result<String> {
    let options = config::leptos_options(
        "127.0.0.1:3000".parse().expect("valid address"),
        &config::site_root(),
    );
    let state = config::open_state(url, options, AuthSettings::default()).await?;
    let backend = format!("{:?}", state.db.backend());
    let mut out = String::new();
    let existing: i64 = group_by(&state.db).await?.iter().map(|(_, n)| n).sum();
    if existing == 0 {
        let report = crate::seed::synthetic::synthetic(&state, args.data.leads, args.data.seed).await?;
        say(&report.summary());
        out.push_str(&format!(
            "Seeding ({backend}, `seed --leads {} --seed {}`, aggregates kept by the triggers): {:.1} s, \
             {} rows ({:.0} rows/s, {:.0} leads/s)\n\n",
            args.data.leads,
            args.data.seed,
            report.elapsed.as_secs_f64(),
            report.rows(),
            report.rows() as f64 / report.elapsed.as_secs_f64(),
            report.counts.leads as f64 / report.elapsed.as_secs_f64(),
        ));
    } else {
        out.push_str(&format!(
            "Reused a database with {existing} leads ({backend}); no seeding.\n\n"
        ));
    }
    let counts = group_by(&state.db).await?;
    let leads: i64 = counts.iter().map(|(_, n)| n).sum();
    let user = bench_user(&state).await?;
    let token = service::create_api_token(&state, Some(&user), "bench funnel")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let app = crate::build_app(state.clone());
    let cookie = sign_in(&app).await?;
    let country = busiest_country(&state.db).await?;
    let (_, definition) = app::leads::bulk::current_definition(&state.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let stages = Some(definition.stages.len());
    let client = Client {
        db: state.db.clone(),
        app,
        token,
        cookie,
    };

    let probes = [
        Probe::GroupBy,
        Probe::Api {
            path: "/api/v1/funnel".into(),
            stages,
        },
        Probe::Api {
            path: "/api/v1/funnel?target_only=true".into(),
            stages,
        },
        Probe::Api {
            path: format!("/api/v1/funnel?country={country}"),
            stages,
        },
        Probe::Api {
            path: format!("/api/v1/funnel?country={country}&target_only=true"),
            stages,
        },
        Probe::Api {
            path: "/api/v1/funnel?owner_team=sales".into(),
            stages: None,
        },
        Probe::Page,
        Probe::Floor,
    ];
    // One untimed run of each warms the caches and checks the answers; then they alternate.
    for probe in &probes {
        let (_, answer) = client.time(probe).await?;
        if let (Probe::Api { path, .. }, Some(json)) = (probe, answer)
            && path == "/api/v1/funnel"
        {
            check_current(&json, &counts)?;
        }
    }
    let mut samples = vec![Vec::new(); probes.len()];
    for _ in 0..args.runs {
        for (probe, times) in probes.iter().zip(&mut samples) {
            times.push(client.time(probe).await?.0);
        }
    }
    let spreads: Vec<Spread> = samples.into_iter().map(Spread::of).collect();
    let by_country = FunnelQuery {
        country: Some(country.clone()),
        ..FunnelQuery::default()
    };
    let plain = breakdown(&state, &user, &FunnelQuery::default(), args.runs).await?;
    let filtered = breakdown(&state, &user, &by_country, args.runs).await?;
    let sizes = table_sizes(&state.db).await?;
    state.db.close().await;

    out.push_str(&figures(&backend, leads, args.runs, &probes, &spreads));
    out.push_str(&format!(
        "\nWhere the API's time goes (each store query of `funnel::service::funnel_for` on one \
         pooled connection, then the whole service call without HTTP; median of {}):\n\n\
         | part | unfiltered | `country={country}` |\n|---|---:|---:|\n",
        args.runs
    ));
    for ((name, a), (_, b)) in plain.iter().zip(&filtered) {
        out.push_str(&format!("| {name} | {:.1} ms | {:.1} ms |\n", ms(*a), ms(*b)));
    }
    out.push_str(&format!("\nRows: {sizes}.\n"));
    Ok(out)
}

/// The Markdown table of the probes, with ratios to the `GROUP BY` and the targets.
fn figures(backend: &str, leads: i64, runs: u64, probes: &[Probe], spreads: &[Spread]) -> String {
    let median_of = |want: fn(&Probe) -> bool| {
        probes
            .iter()
            .position(want)
            .map_or(Duration::ZERO, |i| spreads[i].median)
    };
    let base = median_of(|p| matches!(p, Probe::GroupBy)).as_secs_f64().max(1e-9);
    let mut out = format!(
        "| measurement ({backend}, {leads} leads, {runs} runs) | median | min | max | × GROUP BY |\n\
         |---|---:|---:|---:|---:|\n"
    );
    for (probe, s) in probes.iter().zip(spreads) {
        out.push_str(&format!(
            "| {} | {:.1} ms | {:.1} ms | {:.1} ms | {:.3} × |\n",
            probe.label(),
            ms(s.median),
            ms(s.min),
            ms(s.max),
            s.median.as_secs_f64() / base,
        ));
    }
    let api =
        median_of(|p| matches!(p, Probe::Api { path, .. } if path == "/api/v1/funnel")).as_secs_f64() / base;
    let page = median_of(|p| matches!(p, Probe::Page));
    let verdict = |met: bool| if met { "met" } else { "NOT met" };
    out.push_str(&format!(
        "\nTargets: API (unfiltered) ≤ {API_TARGET_RATIO} × GROUP BY: {api:.3} × — {}; \
         page < {} ms: {:.1} ms — {}.\n",
        verdict(api <= API_TARGET_RATIO),
        PAGE_TARGET.as_millis(),
        ms(page),
        verdict(page < PAGE_TARGET),
    ));
    out
}

/// The API's leads per stage now must be the `GROUP BY`'s: the aggregates are right at scale.
fn check_current(json: &serde_json::Value, counts: &[(String, i64)]) -> anyhow::Result<()> {
    let truth: HashMap<&str, i64> = counts.iter().map(|(s, n)| (s.as_str(), *n)).collect();
    for stage in json["stages"].as_array().into_iter().flatten() {
        let key = stage["key"].as_str().unwrap_or_default();
        let current = stage["current"].as_i64().unwrap_or(-1);
        if truth.get(key).copied().unwrap_or(0) != current {
            bail!(
                "the funnel counts {current} leads in {key}, the leads table {:?}",
                truth.get(key)
            );
        }
    }
    Ok(())
}

/// [`GROUP_BY`], every row fetched.
async fn group_by(db: &Db) -> anyhow::Result<Vec<(String, i64)>> {
    Ok(match db {
        Db::Sqlite(pool) => sqlx::query_as(GROUP_BY).fetch_all(pool).await?,
        Db::Postgres(pool) => sqlx::query_as(GROUP_BY).fetch_all(pool).await?,
    })
}

/// The country with the most leads (from the maintained counts), for the history path.
async fn busiest_country(db: &Db) -> anyhow::Result<String> {
    const SQL: &str = "SELECT country FROM funnel_current WHERE country <> '' \
                       GROUP BY country ORDER BY SUM(n) DESC, country LIMIT 1";
    let country: Option<String> = match db {
        Db::Sqlite(pool) => sqlx::query_scalar(SQL).fetch_optional(pool).await?,
        Db::Postgres(pool) => sqlx::query_scalar(SQL).fetch_optional(pool).await?,
    };
    country.context("no lead has a country")
}

/// Row counts of the tables the funnel reads, for the report.
async fn table_sizes(db: &Db) -> anyhow::Result<String> {
    let mut parts = Vec::new();
    let tables = ["stage_transitions", "handoffs", "opportunities"]
        .into_iter()
        .chain(AGGREGATE_TABLES);
    for table in tables {
        let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}");
        let n: i64 = match db {
            Db::Sqlite(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await?,
            Db::Postgres(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await?,
        };
        parts.push(format!("{table} {n}"));
    }
    let mut out = parts.join(", ");
    // Every write upserts a few aggregate rows, so PostgreSQL leaves a dead version of one
    // behind per write until a vacuum; reads of the aggregates pay for them.
    if let Db::Postgres(pool) = db {
        let autovacuum: String = sqlx::query_scalar("SHOW autovacuum").fetch_one(pool).await?;
        let dead: Vec<(String, i64)> = sqlx::query_as(
            "SELECT CAST(relname AS TEXT), n_dead_tup FROM pg_stat_user_tables \
             WHERE relname LIKE 'funnel%' ORDER BY relname",
        )
        .fetch_all(pool)
        .await?;
        let dead: Vec<String> = dead.into_iter().map(|(t, n)| format!("{t} {n}")).collect();
        out.push_str(&format!(
            "; dead row versions (autovacuum {autovacuum}): {}",
            dead.join(", ")
        ));
    }
    Ok(out)
}

/// Median time of each store query of the funnel for `query`, then of the whole service
/// call (which adds the definition, the metrics and the pool), each after one warm-up run.
async fn breakdown(
    state: &AppState,
    user: &User,
    query: &FunnelQuery,
    runs: u64,
) -> anyhow::Result<Vec<(&'static str, Duration)>> {
    let now = state.clock.now();
    let f = query
        .validate(now.date_naive())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut parts = match &state.db {
        Db::Sqlite(pool) => time_queries(&mut *pool.acquire().await?, &f, now, runs).await?,
        Db::Postgres(pool) => time_queries(&mut *pool.acquire().await?, &f, now, runs).await?,
    };
    let mut samples = Vec::new();
    for run in 0..=runs {
        let t = Instant::now();
        app::funnel::service::funnel(state, Some(user), query)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if run > 0 {
            samples.push(t.elapsed());
        }
    }
    parts.push(("service `funnel()` in all", median(samples)));
    Ok(parts)
}

async fn time_queries<C: FunnelQueries>(
    c: &mut C,
    f: &FunnelFilter,
    now: DateTime<Utc>,
    runs: u64,
) -> anyhow::Result<Vec<(&'static str, Duration)>> {
    let names = ["current_counts", "moves", "gates", "revenue"];
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); names.len()];
    for run in 0..=runs {
        let mut times = Vec::with_capacity(names.len());
        let t = Instant::now();
        c.current_counts(f).await?;
        times.push(t.elapsed());
        let t = Instant::now();
        c.moves(f).await?;
        times.push(t.elapsed());
        let t = Instant::now();
        c.gates(f, now).await?;
        times.push(t.elapsed());
        let t = Instant::now();
        c.revenue(f).await?;
        times.push(t.elapsed());
        if run > 0 {
            samples.iter_mut().zip(times).for_each(|(s, t)| s.push(t));
        }
    }
    Ok(names.into_iter().zip(samples.into_iter().map(median)).collect())
}

/// An admin (so it may make a token) of the sales team; made once per database.
async fn bench_user(state: &AppState) -> anyhow::Result<User> {
    if let Some((user, _)) = state.db.user_credentials(EMAIL).await? {
        return Ok(user);
    }
    let input = NewUserInput {
        email: EMAIL.into(),
        name: "Bench".into(),
        team: "sales".into(),
        role: "admin".into(),
        password: PASSWORD.into(),
        locale: None,
    };
    service::create_user_as_operator(state, input)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// Signs in through the API and returns the session cookie (`name=value`).
async fn sign_in(app: &Router) -> anyhow::Result<String> {
    let body = serde_json::json!({"email": EMAIL, "password": PASSWORD}).to_string();
    let request = Request::post("/api/v1/session")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))?;
    let response = app.clone().oneshot(request).await?;
    if response.status() != StatusCode::OK {
        bail!("sign-in answered {}", response.status());
    }
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("accord_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
        .context("sign-in set no session cookie")
}
