//! Running an import: a blocking thread streams and parses the file (never holding it whole)
//! and hands batches over a bounded channel to the database side, which applies each batch in
//! one transaction (rolled back for a dry run). Every row ends up created, updated, unchanged
//! or in the error report, so the counts always add up to the rows of the file.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::mpsc;

use super::apply::{self, Applied, Context, Moves, Parsed, Timings};
use super::job::{ImportJob, JobStatus, StageMove};
use super::mapping::{Mapping, auto_map, check_mapping};
use super::rows::{account_row, lead_row};
use super::source::CsvSource;
use super::store::{ImportQueries, NewImport};
use super::uploads;
use super::{EncodingChoice, ImportKind, MAX_FILE_BYTES, RowError};
use crate::auth::User;
use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use crate::leads::service::current_definition;
use crate::policy::{self, Action};
use crate::state::AppState;
use crate::store::{Db, StoreError};
use crate::with_conn;

/// Rows per transaction: large enough that a million rows are two hundred commits, small
/// enough that a batch's memory stays in the low megabytes.
pub const BATCH_ROWS: usize = 5000;

/// What the reader thread sends.
enum Message {
    /// Parsed rows and the file bytes read so far.
    Batch(Vec<(u64, Parsed)>, u64),
    /// The file cannot be imported at all.
    Fatal(String),
    /// Total data rows.
    Done(i64),
}

/// Counts the bytes read from the file, for the progress bar.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Creates a queued job for an uploaded file of `bytes` bytes.
pub async fn create_job(
    state: &AppState,
    actor: Option<&User>,
    kind: ImportKind,
    dry_run: bool,
    file_name: &str,
    encoding: EncodingChoice,
    bytes: u64,
) -> AppResult<i64> {
    let user = policy::authorize(actor, Action::EditLeads)?;
    if bytes > MAX_FILE_BYTES {
        return Err(AppError::TooLarge);
    }
    let now = state.clock.now();
    let name: String = file_name.chars().take(200).collect();
    let new = NewImport {
        kind: kind.as_str(),
        dry_run,
        file_name: &name,
        encoding: encoding.as_str(),
        bytes_total: bytes as i64,
        by: user.id.0,
    };
    with_conn!(&state.db, c => Ok(c.insert_import(&new, now).await?))
}

/// What happens to the file when a background job ends.
pub enum AfterRun {
    /// Keep it (the wizard's dry run: the real run follows).
    Keep,
    /// Delete the file (a one-shot API upload, or a wizard upload's real run, which took
    /// the upload before it started).
    DeleteFile,
}

/// Runs a job in the background; the caller answers at once with the job id.
#[allow(clippy::too_many_arguments)]
pub fn spawn(
    state: AppState,
    user: User,
    job_id: i64,
    path: PathBuf,
    kind: ImportKind,
    encoding: EncodingChoice,
    mapping: Option<Mapping>,
    after: AfterRun,
) {
    tokio::spawn(async move {
        if let Err(e) = run(&state, &user, job_id, &path, kind, encoding, mapping).await {
            tracing::error!(job_id, error = %e, "import failed");
        }
        match after {
            AfterRun::Keep => {}
            AfterRun::DeleteFile => {
                let _ = tokio::fs::remove_file(&path).await;
            }
        }
    });
}

/// Starts an import of a file just uploaded through the API: refused at once (and deleted)
/// when it is not a CSV file or lacks a required column.
#[allow(clippy::too_many_arguments)]
pub async fn start_file(
    state: &AppState,
    actor: Option<&User>,
    kind: ImportKind,
    encoding: EncodingChoice,
    dry_run: bool,
    file_name: &str,
    path: PathBuf,
    bytes: u64,
) -> AppResult<i64> {
    let checked = async {
        let user = policy::authorize(actor, Action::EditLeads)?;
        let probe = path.clone();
        let uploads::Inspected { headers, mapping, .. } =
            tokio::task::spawn_blocking(move || uploads::inspect(&probe, kind, encoding))
                .await
                .map_err(uploads::internal)??;
        uploads::check(kind, &mapping, headers.len())?;
        let id = create_job(state, Some(user), kind, dry_run, file_name, encoding, bytes).await?;
        Ok::<_, AppError>((user.clone(), id, mapping))
    }
    .await;
    match checked {
        Ok((user, id, mapping)) => {
            spawn(
                state.clone(),
                user,
                id,
                path,
                kind,
                encoding,
                Some(mapping),
                AfterRun::DeleteFile,
            );
            Ok(id)
        }
        Err(e) => {
            let _ = tokio::fs::remove_file(&path).await;
            Err(e)
        }
    }
}

/// Starts a dry run or the real run of a wizard upload with the user's mapping (or the
/// automatic one). The real run consumes the upload.
pub async fn start_upload(
    state: &AppState,
    actor: Option<&User>,
    upload_id: &str,
    mapping: Option<Vec<Option<String>>>,
    dry_run: bool,
) -> AppResult<i64> {
    let user = policy::authorize(actor, Action::EditLeads)?;
    let upload = uploads::find(state, user, upload_id).await?;
    let probe = upload.path.clone();
    let (kind, encoding) = (upload.kind, upload.encoding);
    let uploads::Inspected {
        headers,
        mapping: auto,
        ..
    } = tokio::task::spawn_blocking(move || uploads::inspect(&probe, kind, encoding))
        .await
        .map_err(uploads::internal)??;
    let mapping = match mapping {
        Some(columns) => uploads::mapping_for(kind, columns, headers.len())?,
        None => {
            uploads::check(kind, &auto, headers.len())?;
            auto
        }
    };
    // The real run takes the upload at once, so that it cannot run twice.
    if !dry_run {
        uploads::claim(state, upload_id).await?;
    }
    let id = create_job(
        state,
        Some(user),
        kind,
        dry_run,
        &upload.file_name,
        encoding,
        upload.bytes,
    )
    .await;
    let id = match id {
        Ok(id) => id,
        Err(e) => {
            if !dry_run {
                let _ = tokio::fs::remove_file(&upload.path).await;
            }
            return Err(e);
        }
    };
    let after = if dry_run {
        AfterRun::Keep
    } else {
        AfterRun::DeleteFile
    };
    spawn(
        state.clone(),
        user.clone(),
        id,
        upload.path,
        kind,
        encoding,
        Some(mapping),
        after,
    );
    Ok(id)
}

/// Marks jobs a stopped process left queued or running as failed (at start-up): those
/// silent for two minutes, so that a job another server is running is left alone. Their
/// committed batches stay; running the same file again completes the import.
pub async fn fail_interrupted(state: &AppState) -> AppResult<u64> {
    let now = state.clock.now();
    let silent_since = now - chrono::Duration::minutes(2);
    with_conn!(&state.db, c => Ok(c
        .fail_interrupted_imports(
            "interrupted: the server stopped during the import; run the same file again to finish it",
            silent_since,
            now,
        )
        .await?))
}

/// The job (for its creator or anyone signed in: imports are shared work).
pub async fn job(state: &AppState, actor: Option<&User>, id: i64) -> AppResult<ImportJob> {
    policy::authorize(actor, Action::UseApp)?;
    with_conn!(&state.db, c => c.import_job(id).await?.ok_or(AppError::NotFound))
}

/// The latest imports, newest first (shared work: everyone signed in sees them).
pub async fn recent(state: &AppState, actor: Option<&User>) -> AppResult<Vec<ImportJob>> {
    policy::authorize(actor, Action::UseApp)?;
    with_conn!(&state.db, c => Ok(c.recent_imports(20).await?))
}

/// The error report rows of a job.
pub async fn errors(state: &AppState, actor: Option<&User>, id: i64) -> AppResult<Vec<RowError>> {
    policy::authorize(actor, Action::UseApp)?;
    with_conn!(&state.db, c => {
        c.import_job(id).await?.ok_or(AppError::NotFound)?;
        Ok(c.import_errors(id).await?)
    })
}

fn read_file(
    path: PathBuf,
    kind: ImportKind,
    encoding: EncodingChoice,
    mapping: Option<Mapping>,
    stage_keys: Vec<String>,
    tx: mpsc::Sender<Message>,
) {
    let send = |m: Message| tx.blocking_send(m).is_ok();
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            send(Message::Fatal(format!("cannot open the uploaded file: {e}")));
            return;
        }
    };
    let read = Arc::new(AtomicU64::new(0));
    let counting = Counting {
        inner: file,
        read: Arc::clone(&read),
    };
    let mut source = match CsvSource::open(std::io::BufReader::with_capacity(1 << 20, counting), encoding) {
        Ok(s) => s,
        Err(e) => {
            send(Message::Fatal(e.to_string()));
            return;
        }
    };
    let headers = source.headers().to_vec();
    let mapping = mapping.unwrap_or_else(|| auto_map(kind, &headers));
    if let Err(problems) = check_mapping(kind, &mapping, headers.len()) {
        let text = problems
            .iter()
            .map(|p| p.message(Locale::En))
            .collect::<Vec<_>>()
            .join(" ");
        send(Message::Fatal(format!("the columns do not fit: {text}")));
        return;
    }
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let mut total = 0i64;
    while let Some(next) = source.next_record() {
        total += 1;
        let item = match next {
            Err(e) => (e.row, Parsed::Failed(vec![e])),
            Ok((row, record)) => {
                let parsed = match kind {
                    ImportKind::Leads => match lead_row(&mapping, &record, row, &stage_keys) {
                        Ok(r) => Parsed::Lead(Box::new(r)),
                        Err(e) => Parsed::Failed(e),
                    },
                    ImportKind::Accounts => match account_row(&mapping, &record, row) {
                        Ok(a) => Parsed::Account(a),
                        Err(e) => Parsed::Failed(e),
                    },
                };
                (row, parsed)
            }
        };
        batch.push(item);
        if batch.len() == BATCH_ROWS {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS));
            if !send(Message::Batch(full, read.load(Ordering::Relaxed))) {
                return;
            }
        }
    }
    if !batch.is_empty() && !send(Message::Batch(batch, read.load(Ordering::Relaxed))) {
        return;
    }
    send(Message::Done(total));
}

/// The job's running totals, written with each batch.
struct Progress<'a> {
    job_id: i64,
    bytes_done: i64,
    moves: &'a mut Moves,
    timings: &'a mut Timings,
}

/// Applies one batch and records its counts and report lines. A real run does both in one
/// transaction, so a stopped process never leaves a batch half-applied or miscounted; a dry
/// run rolls the batch back and records only what it would have done.
async fn apply_batch(
    state: &AppState,
    ctx: &Context<'_>,
    kind: ImportKind,
    dry_run: bool,
    batch: Vec<(u64, Parsed)>,
    progress: Progress<'_>,
) -> AppResult<()> {
    macro_rules! apply {
        ($t:expr) => {{
            let applied = match kind {
                ImportKind::Leads => apply::leads(&mut *$t, ctx, batch).await?,
                ImportKind::Accounts => apply::accounts(&mut *$t, ctx, batch).await?,
            };
            for (key, count) in &applied.moves {
                *progress.moves.entry(key.clone()).or_default() += count;
            }
            progress.timings.add(&applied.timings);
            let committing = std::time::Instant::now();
            let list = move_list(progress.moves);
            if dry_run {
                $t.rollback().await.map_err(StoreError::from_sqlx)?;
                with_conn!(&state.db, c => record(c, &progress, &applied, &list, ctx).await)?;
            } else {
                record(&mut *$t, &progress, &applied, &list, ctx).await?;
                $t.commit().await.map_err(StoreError::from_sqlx)?;
            }
            *progress.timings.0.entry("record and commit").or_default() += committing.elapsed();
        }};
    }
    match &state.db {
        Db::Sqlite(pool) => {
            let mut t = pool
                .begin_with("BEGIN IMMEDIATE")
                .await
                .map_err(StoreError::from_sqlx)?;
            // A larger page cache for the import's index inserts (per connection, 64 MiB).
            sqlx::query("PRAGMA cache_size = -65536")
                .execute(&mut *t)
                .await
                .map_err(StoreError::from_sqlx)?;
            apply!(t)
        }
        Db::Postgres(pool) => {
            let mut t = pool.begin().await.map_err(StoreError::from_sqlx)?;
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(crate::definitions::store::WRITE_LOCK)
                .execute(&mut *t)
                .await
                .map_err(StoreError::from_sqlx)?;
            apply!(t)
        }
    }
    Ok(())
}

async fn record<C: ImportQueries>(
    c: &mut C,
    progress: &Progress<'_>,
    applied: &Applied,
    moves: &[StageMove],
    ctx: &Context<'_>,
) -> AppResult<()> {
    c.insert_import_errors(progress.job_id, &applied.report).await?;
    c.add_import_counts(
        progress.job_id,
        &applied.counts,
        progress.bytes_done,
        moves,
        ctx.now,
    )
    .await?;
    Ok(())
}

fn move_list(moves: &Moves) -> Vec<StageMove> {
    let mut list: Vec<StageMove> = moves
        .iter()
        .map(|((from, to), count)| StageMove {
            from: from.clone(),
            to: to.clone(),
            count: *count,
        })
        .collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.from.cmp(&b.from)));
    list
}

/// Runs a job to the end: reads `path`, applies every batch (or rolls each back for a dry
/// run), records counts and errors, and marks the job done or failed.
pub async fn run(
    state: &AppState,
    user: &User,
    job_id: i64,
    path: &Path,
    kind: ImportKind,
    encoding: EncodingChoice,
    mapping: Option<Mapping>,
) -> AppResult<ImportJob> {
    let outcome = run_batches(state, user, job_id, path, kind, encoding, mapping).await;
    let finished = state.clock.now();
    let result: Result<i64, String> = match outcome {
        Ok(result) => result,
        Err(e) => {
            tracing::error!(job_id, error = %e, "import stopped");
            Err(format!("the import stopped: {e}"))
        }
    };
    with_conn!(&state.db, c => {
        match &result {
            Ok(total) => {
                c.set_import_total(job_id, *total).await?;
                c.set_import_status(job_id, JobStatus::Done, None, Some(finished)).await?;
            }
            Err(reason) => c.set_import_status(job_id, JobStatus::Failed, Some(reason), Some(finished)).await?,
        }
        Ok::<_, AppError>(())
    })?;
    tracing::info!(job_id, ?result, "import finished");
    job(state, Some(user), job_id).await
}

/// The batches of a job; `Ok(Err(reason))` when the file itself cannot be imported.
async fn run_batches(
    state: &AppState,
    user: &User,
    job_id: i64,
    path: &Path,
    kind: ImportKind,
    encoding: EncodingChoice,
    mapping: Option<Mapping>,
) -> AppResult<Result<i64, String>> {
    let dry_run = job(state, Some(user), job_id).await?.dry_run;
    let (version, def) = with_conn!(&state.db, c => current_definition(c).await)?;
    with_conn!(&state.db, c => Ok::<_, AppError>(c.set_import_status(job_id, JobStatus::Running, None, None).await?))?;
    let stage_keys: Vec<String> = def.stages.iter().map(|s| s.key.clone()).collect();
    let (tx, mut rx) = mpsc::channel(2);
    let reader_path = path.to_path_buf();
    let reader =
        tokio::task::spawn_blocking(move || read_file(reader_path, kind, encoding, mapping, stage_keys, tx));
    let mut outcome: Result<i64, String> = Err("the file ended unexpectedly".into());
    let mut moves = Moves::new();
    let mut timings = Timings::default();
    let mut waited = std::time::Duration::ZERO;
    loop {
        let waiting = std::time::Instant::now();
        let Some(message) = rx.recv().await else { break };
        waited += waiting.elapsed();
        match message {
            Message::Batch(batch, bytes_done) => {
                let ctx = Context {
                    version,
                    def: &def,
                    user,
                    now: state.clock.now(),
                };
                let progress = Progress {
                    job_id,
                    bytes_done: bytes_done as i64,
                    moves: &mut moves,
                    timings: &mut timings,
                };
                apply_batch(state, &ctx, kind, dry_run, batch, progress).await?;
            }
            Message::Fatal(reason) => outcome = Err(reason),
            Message::Done(total) => outcome = Ok(total),
        }
    }
    let phases = timings
        .0
        .iter()
        .map(|(phase, d)| format!("{phase} {:.2} s", d.as_secs_f64()))
        .collect::<Vec<_>>()
        .join(", ");
    tracing::info!(
        job_id,
        "import timings: waiting for the reader {:.2} s, {phases}",
        waited.as_secs_f64()
    );
    let _ = reader.await;
    Ok(outcome)
}
