//! Start-up configuration: where the site files are, and opening the database.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use leptos::config::{Env, LeptosOptions};

use app::clock::Clock;
use app::state::{AppState, AuthSettings};
use app::store::{Db, redact_url};

/// The bundle name cargo-leptos writes (`pkg/accord.js`, `.wasm`, `.css`).
pub const OUTPUT_NAME: &str = "accord";

/// The site root (built JS/WASM/CSS): `LEPTOS_SITE_ROOT` if set, else `target/site` in the
/// working directory, else `site` next to the binary's target directory. Run from the repo
/// root, the binary finds cargo-leptos's output without any environment.
pub fn site_root() -> PathBuf {
    if let Ok(root) = std::env::var("LEPTOS_SITE_ROOT") {
        return PathBuf::from(root);
    }
    let local = PathBuf::from("target/site");
    if local.is_dir() {
        return local;
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.parent()
                .and_then(Path::parent)
                .map(|target| target.join("site"))
        })
        .filter(|p| p.is_dir())
        .unwrap_or(local)
}

/// Leptos options for serving at `addr` from `site_root`.
pub fn leptos_options(addr: SocketAddr, site_root: &Path) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(OUTPUT_NAME)
        .site_root(site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .env(Env::PROD)
        .build()
}

/// Connects to `database_url`, applies migrations and assembles the state.
pub async fn open_state(
    database_url: &str,
    options: LeptosOptions,
    auth: AuthSettings,
) -> anyhow::Result<AppState> {
    let db = open_db(database_url).await?;
    let state = AppState {
        db,
        leptos_options: options,
        auth,
        clock: Clock::system(),
    };
    app::definitions::service::ensure_seeded(&state)
        .await
        .map_err(|e| anyhow::anyhow!("cannot seed definition version 1: {e}"))?;
    Ok(state)
}

/// Connects to `database_url` and applies migrations.
pub async fn open_db(database_url: &str) -> anyhow::Result<Db> {
    let db = Db::connect(database_url)
        .await
        .with_context(|| format!("cannot open the database at {}", redact_url(database_url)))?;
    db.migrate().await.context("database migration failed")?;
    Ok(db)
}
