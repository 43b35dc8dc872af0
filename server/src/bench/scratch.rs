//! What the benchmarks on many leads share: a scratch database that is never the user's
//! (a SQLite file, or a PostgreSQL database created for the run and dropped afterwards),
//! and the summary of timed runs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use sqlx::Connection;

/// Where a benchmark's data lives, and how to clean up after it.
/// The data options every scratch-database benchmark takes.
#[derive(Debug, Args)]
pub struct ScratchArgs {
    /// Synthetic leads in the scratch database.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub leads: u64,
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

/// Runs `measure` on a scratch database (never the user's): a SQLite file, or with a
/// `postgres://` `database_url` a database created on that server and dropped afterwards;
/// prints its report and writes it to `--output`.
pub async fn run_on_scratch(
    args: &ScratchArgs,
    database_url: &str,
    label: &str,
    measure: impl AsyncFnOnce(&str) -> anyhow::Result<String>,
) -> anyhow::Result<()> {
    let scratch = Scratch::create(database_url, args.db_file.as_deref(), label).await?;
    let result = measure(scratch.url()).await;
    scratch.drop_it().await;
    let report = result?;
    crate::cli::say(&report);
    if let Some(path) = &args.output {
        std::fs::write(path, &report).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// A scratch database for one benchmark run.
pub enum Scratch {
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
    /// A database for the benchmark `label`: with a `postgres://` URL a new database on that
    /// server; else the SQLite file `db_file` (kept, so a re-run can skip the seeding) or a
    /// file in a temporary directory.
    pub async fn create(database_url: &str, db_file: Option<&Path>, label: &str) -> anyhow::Result<Self> {
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
        match db_file {
            Some(path) => Ok(Self::Sqlite {
                url: format!("sqlite://{}?mode=rwc", path.display()),
                remove: None,
            }),
            None => {
                let dir = std::env::temp_dir().join(format!("accord-bench-{label}-{}", std::process::id()));
                std::fs::create_dir_all(&dir).context("cannot create a scratch directory")?;
                Ok(Self::Sqlite {
                    url: format!("sqlite://{}?mode=rwc", dir.join("bench.db").display()),
                    remove: Some(dir),
                })
            }
        }
    }

    /// The URL to open.
    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite { url, .. } | Self::Postgres { url, .. } => url,
        }
    }

    /// Deletes what [`Scratch::create`] made (a named SQLite file stays).
    pub async fn drop_it(self) {
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

/// Median, fastest and slowest of timed runs.
#[derive(Clone, Copy, Debug)]
pub struct Spread {
    /// The median (the upper one of an even count).
    pub median: Duration,
    /// The fastest run.
    pub min: Duration,
    /// The slowest run.
    pub max: Duration,
}

impl Spread {
    /// The spread of `samples` (at least one).
    pub fn of(mut samples: Vec<Duration>) -> Self {
        samples.sort();
        Self {
            median: samples[samples.len() / 2],
            min: samples[0],
            max: samples[samples.len() - 1],
        }
    }
}

/// The median of `samples` (at least one).
pub fn median(samples: Vec<Duration>) -> Duration {
    Spread::of(samples).median
}

/// `d` in milliseconds.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Spread, with_db_name};

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

    #[test]
    fn a_spread_gives_the_middle_run_and_both_ends() {
        let ms = Duration::from_millis;
        let s = Spread::of(vec![ms(5), ms(1), ms(9), ms(3), ms(7)]);
        assert_eq!((s.median, s.min, s.max), (ms(5), ms(1), ms(9)));
    }
}
