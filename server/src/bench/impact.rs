//! `accord bench impact`: the impact preview of a proposal against a bare scan of the leads
//! table, on a scratch database seeded with `--leads N` synthetic leads (default a million).
//! The scan is the floor any whole-funnel computation pays; the target is impact ≤ 3 × scan.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use sqlx::Connection;

use app::auth::{NewUserInput, User, service};
use app::definitions::criteria::Criteria;
use app::definitions::proposal::NewProposal;
use app::state::{AppState, AuthSettings};

use crate::cli::say;
use crate::config;

/// Options of `accord bench impact`.
#[derive(Debug, Args)]
pub struct ImpactArgs {
    /// Synthetic leads in the scratch database.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub leads: u64,
    /// Timed runs of each measurement (the median is reported).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
    pub runs: u64,
    /// Seed of the synthetic data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// SQLite only: use (and keep) this database file; it is seeded only when it has no leads,
    /// so repeated runs skip the seeding.
    #[arg(long)]
    pub db_file: Option<PathBuf>,
    /// Also write the figures as Markdown to this file.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// Where the benchmark's data lives, and how to clean up after it.
enum Scratch {
    /// A SQLite file, deleted afterwards unless the user named it.
    Sqlite { url: String, remove: Option<PathBuf> },
    /// A PostgreSQL database created for the run and dropped afterwards.
    Postgres {
        url: String,
        admin: String,
        name: String,
    },
}

impl Scratch {
    async fn create(database_url: &str, args: &ImpactArgs) -> anyhow::Result<Self> {
        if database_url.starts_with("postgres:") || database_url.starts_with("postgresql:") {
            let name = format!("accord_bench_{}", std::process::id());
            let mut conn = sqlx::PgConnection::connect(database_url)
                .await
                .context("cannot connect to PostgreSQL to create the scratch database")?;
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .context("cannot create the scratch database")?;
            conn.close().await.ok();
            let url = with_db_name(database_url, &name);
            return Ok(Self::Postgres {
                url,
                admin: database_url.to_owned(),
                name,
            });
        }
        match &args.db_file {
            Some(path) => Ok(Self::Sqlite {
                url: format!("sqlite://{}?mode=rwc", path.display()),
                remove: None,
            }),
            None => {
                let dir = std::env::temp_dir().join(format!("accord-bench-impact-{}", std::process::id()));
                std::fs::create_dir_all(&dir).context("cannot create a scratch directory")?;
                Ok(Self::Sqlite {
                    url: format!("sqlite://{}?mode=rwc", dir.join("bench.db").display()),
                    remove: Some(dir),
                })
            }
        }
    }

    fn url(&self) -> &str {
        match self {
            Self::Sqlite { url, .. } | Self::Postgres { url, .. } => url,
        }
    }

    async fn drop_it(self) {
        match self {
            Self::Sqlite { remove, .. } => {
                if let Some(dir) = remove {
                    let _ = std::fs::remove_dir_all(dir);
                }
            }
            Self::Postgres { admin, name, .. } => {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            }
        }
    }
}

/// `url` with its database name replaced by `name` (query string kept).
fn with_db_name(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let host_start = base.find("://").map_or(0, |i| i + 3);
    let base = base[host_start..]
        .find('/')
        .map_or(base, |slash| &base[..host_start + slash]);
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Runs the benchmark on a scratch database (never the user's): a SQLite file, or with a
/// `postgres://` `--database-url` a database created on that server and dropped afterwards.
pub async fn run(args: ImpactArgs, database_url: &str) -> anyhow::Result<()> {
    let scratch = Scratch::create(database_url, &args).await?;
    let result = measure(&args, scratch.url()).await;
    scratch.drop_it().await;
    let table = result?;
    say(&table);
    if let Some(path) = args.output {
        std::fs::write(&path, &table).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

async fn measure(args: &ImpactArgs, url: &str) -> anyhow::Result<String> {
    let options = config::leptos_options(
        "127.0.0.1:3000".parse().expect("valid address"),
        &config::site_root(),
    );
    let state = config::open_state(url, options, AuthSettings::default()).await?;
    let backend = format!("{:?}", state.db.backend());
    let mut out = String::new();
    let existing = app::leads::bulk::scan_leads(&state.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if existing == 0 {
        let report = crate::seed::synthetic::synthetic(&state, args.leads, args.seed).await?;
        say(&report.summary());
        out.push_str(&format!(
            "Seeding ({backend}, `seed --leads {} --seed {}`): {:.1} s, {} rows ({:.0} rows/s, {:.0} leads/s)\n\n",
            args.leads,
            args.seed,
            report.elapsed.as_secs_f64(),
            report.rows(),
            report.rows() as f64 / report.elapsed.as_secs_f64(),
            report.counts.leads as f64 / report.elapsed.as_secs_f64(),
        ));
    } else {
        out.push_str(&format!(
            "Reused a database with {existing} leads ({backend}).\n\n"
        ));
    }
    let user = bench_user(&state).await?;
    let proposal = draft_proposal(&state, &user).await?;

    // One untimed pass of each warms the caches; then the two alternate.
    let rows = app::leads::bulk::scan_leads(&state.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let impact = app::leads::publish::proposal_impact(&state, Some(&user), proposal)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (mut scans, mut impacts) = (Vec::new(), Vec::new());
    for _ in 0..args.runs {
        let t = Instant::now();
        app::leads::bulk::scan_leads(&state.db)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        scans.push(t.elapsed());
        let t = Instant::now();
        app::leads::publish::proposal_impact(&state, Some(&user), proposal)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        impacts.push(t.elapsed());
    }
    state.db.close().await;
    let (scan, preview) = (median(scans), median(impacts));
    let moved: u64 = impact.moves.iter().map(|m| m.count).sum();
    out.push_str(&format!(
        "| measurement ({backend}, {rows} leads) | runs | median |\n|---|---:|---:|\n\
         | bare scan of the leads' evaluation columns | {} | {:.0} ms |\n\
         | impact preview (`GET /api/v1/proposals/{{id}}/impact`; {} evaluated, {moved} would move) | {} | {:.0} ms |\n\
         | ratio impact / scan | | {:.2} × |\n",
        args.runs,
        ms(scan),
        impact.evaluated,
        args.runs,
        ms(preview),
        preview.as_secs_f64() / scan.as_secs_f64().max(1e-9),
    ));
    Ok(out)
}

async fn bench_user(state: &AppState) -> anyhow::Result<User> {
    const EMAIL: &str = "bench.impact@accord.test";
    if let Some((user, _)) = state.db.user_credentials(EMAIL).await? {
        return Ok(user);
    }
    let input = NewUserInput {
        email: EMAIL.into(),
        name: "Bench".into(),
        team: "sales".into(),
        role: "leader".into(),
        password: "bench-password-123".into(),
        locale: None,
    };
    service::create_user_as_operator(state, input)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// The demo's story as a proposal: a Lead needs 100+ employees instead of 50.
async fn draft_proposal(state: &AppState, user: &User) -> anyhow::Result<i64> {
    let (version, mut definition) = app::leads::bulk::current_definition(&state.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let Some(Criteria::All { all }) = definition
        .stages
        .iter_mut()
        .find(|s| s.key == "lead")
        .and_then(|s| s.entry.as_mut())
    else {
        bail!("the current definition has no `lead` stage with `all` criteria to change");
    };
    if let Some(Criteria::Condition(c)) = all.first_mut() {
        c.value = Some(serde_json::json!(100));
    }
    let proposal = NewProposal {
        base_version: version,
        title: "Leads need 100+ employees".into(),
        rationale: "Benchmark of the impact preview.".into(),
        definition,
        requalify: false,
    };
    let proposal = app::definitions::service::create_proposal(state, Some(user), proposal)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(proposal.id)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[cfg(test)]
mod tests {
    use super::with_db_name;

    #[test]
    fn the_scratch_database_replaces_the_name_and_keeps_the_options() {
        assert_eq!(
            with_db_name("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_db_name("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(with_db_name("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
