//! The `accord` command line.

use std::io::{BufRead, IsTerminal, Write};
use std::net::SocketAddr;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};

use app::auth::{NewUserInput, service};
use app::state::AuthSettings;
use app::store::DEFAULT_DATABASE_URL;
use app::store::sessions::DbSessionStore;

use crate::config;

/// Accord: versioned funnel definitions signed by marketing and sales.
#[derive(Debug, Parser)]
#[command(name = "accord", version, about)]
pub struct Cli {
    /// Database URL: `sqlite://FILE?mode=rwc` (default) or `postgres://USER@HOST/DB`.
    #[arg(long, env = "DATABASE_URL", global = true, default_value = DEFAULT_DATABASE_URL, hide_env_values = true)]
    pub database_url: String,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate and serve the web app and the JSON API.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "ACCORD_ADDR", default_value = "127.0.0.1:3000")]
        addr: SocketAddr,
        /// Mark cookies Secure (set when the app is served over https).
        #[arg(long, env = "ACCORD_SECURE_COOKIES")]
        secure_cookies: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage users.
    User {
        /// What to do with users.
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Fill the database with demo data.
    Seed(SeedArgs),
    /// Import leads or accounts from a CSV file (UTF-8 or Shift_JIS), as the import wizard does.
    Import {
        /// `leads` or `accounts`.
        kind: String,
        /// The CSV file.
        file: std::path::PathBuf,
        /// Report what would be created, updated and moved without writing anything.
        #[arg(long)]
        dry_run: bool,
        /// `auto`, `utf-8` or `shift_jis`.
        #[arg(long, default_value = "auto")]
        encoding: String,
        /// Record the import as this user (default: the first admin).
        #[arg(long = "as", value_name = "EMAIL")]
        as_user: Option<String>,
        /// Write the error report (`row,column,value,message`) to this file.
        #[arg(long, value_name = "FILE")]
        errors: Option<std::path::PathBuf>,
    },
    /// Measure sign-in throughput and page rendering (or `impact`, `import`, `funnel`) on a
    /// scratch database.
    Bench(crate::bench::BenchArgs),
}

/// `accord user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input, never from an argument.
    Add {
        /// Email address.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// marketing | sdr | sales.
        #[arg(long)]
        team: String,
        /// member | leader | admin.
        #[arg(long)]
        role: String,
        /// en | ja.
        #[arg(long, default_value = "en")]
        locale: String,
    },
}

/// `accord seed demo` or `accord seed --leads N [--seed S]`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct SeedArgs {
    /// What to seed (or `--leads N` for synthetic data).
    #[command(subcommand)]
    pub what: Option<SeedWhat>,
    /// Synthetic leads to add, with accounts, activities and stage history over the last
    /// twelve months, evaluated under the current definition (for benchmarks).
    #[arg(long, required = true, value_parser = clap::value_parser!(u64).range(1..))]
    pub leads: Option<u64>,
    /// Seed of the synthetic data: the same seed gives the same accounts and leads (a re-run
    /// skips those it made before); another seed adds other ones.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Seed kinds.
#[derive(Debug, Subcommand)]
pub enum SeedWhat {
    /// Demo users (one per team and role) on an empty database; prints their logins.
    Demo,
}

/// Writes a line for the person at the terminal (not a log line).
pub fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { addr, secure_cookies } => serve(&cli.database_url, addr, secure_cookies).await,
        Command::Migrate => {
            let state = scratch_state(&cli.database_url).await?;
            state.db.close().await;
            say("Migrations applied.");
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    name,
                    team,
                    role,
                    locale,
                },
        } => {
            let password = read_password()?;
            let state = scratch_state(&cli.database_url).await?;
            let input = NewUserInput {
                email,
                name,
                team,
                role,
                password,
                locale: Some(locale),
            };
            let user = service::create_user_as_operator(&state, input)
                .await
                .map_err(|e| anyhow::anyhow!(e.message(app::i18n::Locale::En)))?;
            say(&format!(
                "Created user {} ({}, {} {}).",
                user.email,
                user.name,
                user.team.as_str(),
                user.role.as_str()
            ));
            Ok(())
        }
        Command::Seed(SeedArgs {
            what: Some(SeedWhat::Demo),
            ..
        }) => {
            let state = scratch_state(&cli.database_url).await?;
            crate::seed::demo(&state).await
        }
        Command::Import {
            kind,
            file,
            dry_run,
            encoding,
            as_user,
            errors,
        } => {
            let state = scratch_state(&cli.database_url).await?;
            let options = crate::import_cli::Options {
                kind: &kind,
                file: &file,
                dry_run,
                encoding: &encoding,
                as_user: as_user.as_deref(),
                errors: errors.as_deref(),
            };
            crate::import_cli::run(&state, options).await
        }
        Command::Seed(SeedArgs {
            what: None,
            leads: Some(leads),
            seed,
        }) => {
            let state = scratch_state(&cli.database_url).await?;
            let report = crate::seed::synthetic::synthetic(&state, leads, seed).await?;
            state.db.close().await;
            say(&report.summary());
            Ok(())
        }
        Command::Seed(_) => bail!("say what to seed: `accord seed demo` or `accord seed --leads N`"),
        Command::Bench(args) => crate::bench::run(args, &cli.database_url).await,
    }
}

async fn scratch_state(database_url: &str) -> anyhow::Result<app::state::AppState> {
    let options = config::leptos_options(
        "127.0.0.1:0".parse().expect("valid address"),
        &config::site_root(),
    );
    config::open_state(database_url, options, AuthSettings::default()).await
}

fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return rpassword::prompt_password("Password: ").context("cannot read the password");
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("no password on standard input (pipe it in: `echo … | accord user add …`)");
    }
    Ok(password)
}

async fn serve(database_url: &str, addr: SocketAddr, secure_cookies: bool) -> anyhow::Result<()> {
    let site_root = config::site_root();
    if !site_root.join("pkg").is_dir() {
        tracing::warn!(site_root = %site_root.display(), "no built site files; run `cargo leptos build` first");
    }
    let auth = AuthSettings {
        secure_cookies,
        ..AuthSettings::default()
    };
    let state = config::open_state(database_url, config::leptos_options(addr, &site_root), auth).await?;

    match app::imports::service::fail_interrupted(&state).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(jobs = n, "imports interrupted by a stop were marked failed"),
        Err(e) => tracing::warn!(error = %e, "cannot check for interrupted imports"),
    }
    if let Err(e) = app::imports::uploads::expire(&state).await {
        tracing::warn!(error = %e, "cannot expire old import uploads");
    }
    let sessions = DbSessionStore::new(&state.db);
    let cleanup = tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            if let Err(e) = tower_sessions::session_store::ExpiredDeletion::delete_expired(&sessions).await {
                tracing::warn!(error = %e, "expired session clean-up failed");
            }
        }
    });

    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    let app = crate::build_app(state);
    say(&format!("Accord is running at http://{local}"));
    tracing::info!(%local, "serving");
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("server error")?;
    cleanup.abort();
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
