//! `accord import`: the same import as the API and the wizard, from a terminal.

use std::path::Path;

use anyhow::{Context, bail};

use app::imports::{EncodingChoice, ImportKind, service, uploads};
use app::state::AppState;

use crate::cli::say;

/// What `accord import` was asked to do.
pub struct Options<'a> {
    /// `leads` or `accounts`.
    pub kind: &'a str,
    /// The CSV file.
    pub file: &'a Path,
    /// Write nothing.
    pub dry_run: bool,
    /// `auto`, `utf-8` or `shift_jis`.
    pub encoding: &'a str,
    /// The user recorded as importing (default: the first admin).
    pub as_user: Option<&'a str>,
    /// Where to write the error report.
    pub errors: Option<&'a Path>,
}

fn app_error(e: app::error::AppError) -> anyhow::Error {
    anyhow::anyhow!(e.message(app::i18n::Locale::En))
}

/// Imports a file, printing the counts, the stage moves and where the error report is.
pub async fn run(state: &AppState, o: Options<'_>) -> anyhow::Result<()> {
    let kind = ImportKind::parse(o.kind)
        .with_context(|| format!("unknown import kind {:?} (leads or accounts)", o.kind))?;
    let encoding = EncodingChoice::parse(o.encoding)
        .with_context(|| format!("unknown encoding {:?} (auto, utf-8, shift_jis)", o.encoding))?;
    let size = std::fs::metadata(o.file)
        .with_context(|| format!("cannot read {}", o.file.display()))?
        .len();
    let users = state.db.list_users().await?;
    let user = match o.as_user {
        Some(email) => users
            .into_iter()
            .find(|u| u.email.eq_ignore_ascii_case(email.trim())),
        None => users.into_iter().find(|u| u.role == app::auth::Role::Admin),
    }
    .context("no user to record the import as: create an admin first, or pass --as EMAIL")?;
    let file = o.file.to_path_buf();
    let uploads::Inspected { headers, mapping, .. } =
        tokio::task::spawn_blocking(move || uploads::inspect(&file, kind, encoding))
            .await?
            .map_err(app_error)?;
    uploads::check(kind, &mapping, headers.len()).map_err(app_error)?;
    let name = o
        .file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("import.csv");
    let id = service::create_job(state, Some(&user), kind, o.dry_run, name, encoding, size)
        .await
        .map_err(app_error)?;
    let started = std::time::Instant::now();
    let job = service::run(state, &user, id, o.file, kind, encoding, Some(mapping))
        .await
        .map_err(app_error)?;
    if let Some(message) = &job.message {
        bail!("import failed: {message}");
    }
    say(&format!(
        "{} {} rows in {:.1} s: {} created, {} updated, {} unchanged, {} failed; {} stage changes{}",
        if o.dry_run { "Dry run of" } else { "Imported" },
        job.total_rows,
        started.elapsed().as_secs_f64(),
        job.created,
        job.updated,
        job.unchanged,
        job.failed,
        job.stage_changes,
        if o.dry_run { " (nothing written)" } else { "" },
    ));
    for m in &job.moves {
        say(&format!("  {} → {}: {}", m.from, m.to, m.count));
    }
    let report = service::errors(state, Some(&user), id).await.map_err(app_error)?;
    match o.errors {
        Some(path) => {
            let bytes = app::imports::report_csv(&report)?;
            std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
            say(&format!(
                "Error report: {} ({} lines)",
                path.display(),
                report.len()
            ));
        }
        None if !report.is_empty() => say(&format!(
            "{} rows or values were not imported; pass --errors FILE for the report.",
            report.len()
        )),
        None => {}
    }
    Ok(())
}
