//! SQL for import jobs and their error reports, on both backends.

use chrono::{DateTime, Utc};

use super::RowError;
use super::job::{ImportJob, JobStatus, StageMove};
use crate::store::{StoreError, StoreResult};

#[derive(sqlx::FromRow)]
struct JobRow {
    id: i64,
    kind: String,
    status: String,
    dry_run: bool,
    file_name: String,
    total_rows: i64,
    processed: i64,
    created: i64,
    updated: i64,
    unchanged: i64,
    failed: i64,
    stage_changes: i64,
    moves: String,
    bytes_total: i64,
    bytes_done: i64,
    message: Option<String>,
}

impl From<JobRow> for ImportJob {
    fn from(r: JobRow) -> Self {
        ImportJob {
            id: r.id,
            kind: r.kind,
            status: JobStatus::parse(&r.status).unwrap_or(JobStatus::Failed),
            total_rows: r.total_rows,
            processed: r.processed,
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
            failed: r.failed,
            stage_changes: r.stage_changes,
            moves: serde_json::from_str(&r.moves).unwrap_or_default(),
            bytes_total: r.bytes_total,
            bytes_done: r.bytes_done,
            dry_run: r.dry_run,
            file_name: r.file_name,
            message: r.message,
        }
    }
}

const JOB_COLUMNS: &str = "id, kind, status, dry_run, file_name, total_rows, processed, created, updated, \
     unchanged, failed, stage_changes, moves, bytes_total, bytes_done, message";

/// Counts of one processed batch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct BatchCounts {
    pub rows: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub failed: i64,
    pub stage_changes: i64,
}

/// A job to record.
#[allow(missing_docs)]
pub struct NewImport<'a> {
    pub kind: &'a str,
    pub dry_run: bool,
    pub file_name: &'a str,
    pub encoding: &'a str,
    pub bytes_total: i64,
    pub by: i64,
}

/// Queries of import jobs.
#[allow(async_fn_in_trait, missing_docs)]
pub trait ImportQueries {
    async fn insert_import(&mut self, job: &NewImport<'_>, now: DateTime<Utc>) -> StoreResult<i64>;
    async fn import_job(&mut self, id: i64) -> StoreResult<Option<ImportJob>>;
    /// The latest jobs, newest first.
    async fn recent_imports(&mut self, limit: i64) -> StoreResult<Vec<ImportJob>>;
    async fn set_import_status(
        &mut self,
        id: i64,
        status: JobStatus,
        message: Option<&str>,
        finished: Option<DateTime<Utc>>,
    ) -> StoreResult<()>;
    /// Adds a batch's counts and records the bytes read and the moves so far.
    async fn add_import_counts(
        &mut self,
        id: i64,
        c: &BatchCounts,
        bytes_done: i64,
        moves: &[StageMove],
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Marks jobs whose runner has been silent since `silent_since` (its process stopped)
    /// as failed.
    async fn fail_interrupted_imports(
        &mut self,
        message: &str,
        silent_since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;
    async fn set_import_total(&mut self, id: i64, total: i64) -> StoreResult<()>;
    async fn insert_import_errors(&mut self, id: i64, errors: &[RowError]) -> StoreResult<()>;
    async fn import_errors(&mut self, id: i64) -> StoreResult<Vec<RowError>>;
}

macro_rules! impl_import_queries {
    ($conn:ty) => {
        impl ImportQueries for $conn {
            async fn insert_import(&mut self, job: &NewImport<'_>, now: DateTime<Utc>) -> StoreResult<i64> {
                sqlx::query_scalar(
                    "INSERT INTO imports (kind, status, dry_run, file_name, encoding, bytes_total, created_by, created_at, heartbeat_at) \
                     VALUES ($1, 'queued', $2, $3, $4, $5, $6, $7, $7) RETURNING id",
                )
                .bind(job.kind)
                .bind(job.dry_run)
                .bind(job.file_name)
                .bind(job.encoding)
                .bind(job.bytes_total)
                .bind(job.by)
                .bind(now)
                .fetch_one(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)
            }

            async fn import_job(&mut self, id: i64) -> StoreResult<Option<ImportJob>> {
                let row: Option<JobRow> = sqlx::query_as(
                    &format!("SELECT {JOB_COLUMNS} FROM imports WHERE id = $1"),
                )
                .bind(id)
                .fetch_optional(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)?;
                Ok(row.map(ImportJob::from))
            }

            async fn recent_imports(&mut self, limit: i64) -> StoreResult<Vec<ImportJob>> {
                let sql = format!("SELECT {JOB_COLUMNS} FROM imports ORDER BY id DESC LIMIT $1");
                let rows: Vec<JobRow> = sqlx::query_as(&sql)
                    .bind(limit)
                    .fetch_all(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)?;
                Ok(rows.into_iter().map(ImportJob::from).collect())
            }

            async fn set_import_status(&mut self, id: i64, status: JobStatus, message: Option<&str>, finished: Option<DateTime<Utc>>) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE imports SET status = $1, message = COALESCE($2, message), finished_at = COALESCE($3, finished_at), \
                     heartbeat_at = COALESCE($3, heartbeat_at) WHERE id = $4",
                )
                    .bind(status.as_str())
                    .bind(message)
                    .bind(finished)
                    .bind(id)
                    .execute(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)?;
                Ok(())
            }

            async fn add_import_counts(&mut self, id: i64, c: &BatchCounts, bytes_done: i64, moves: &[StageMove], now: DateTime<Utc>) -> StoreResult<()> {
                let moves = serde_json::to_string(moves).unwrap_or_else(|_| "[]".to_owned());
                sqlx::query(
                    "UPDATE imports SET processed = processed + $1, created = created + $2, updated = updated + $3, \
                     unchanged = unchanged + $4, failed = failed + $5, stage_changes = stage_changes + $6, \
                     bytes_done = $7, moves = $8, heartbeat_at = $9 WHERE id = $10",
                )
                .bind(c.rows)
                .bind(c.created)
                .bind(c.updated)
                .bind(c.unchanged)
                .bind(c.failed)
                .bind(c.stage_changes)
                .bind(bytes_done)
                .bind(moves)
                .bind(now)
                .bind(id)
                .execute(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)?;
                Ok(())
            }

            async fn fail_interrupted_imports(&mut self, message: &str, silent_since: DateTime<Utc>, now: DateTime<Utc>) -> StoreResult<u64> {
                let done = sqlx::query(
                    "UPDATE imports SET status = 'failed', message = $1, finished_at = $2 \
                     WHERE status IN ('queued', 'running') AND heartbeat_at < $3",
                )
                .bind(message)
                .bind(now)
                .bind(silent_since)
                .execute(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)?;
                Ok(done.rows_affected())
            }

            async fn set_import_total(&mut self, id: i64, total: i64) -> StoreResult<()> {
                sqlx::query("UPDATE imports SET total_rows = $1 WHERE id = $2")
                    .bind(total)
                    .bind(id)
                    .execute(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)?;
                Ok(())
            }

            async fn insert_import_errors(&mut self, id: i64, errors: &[RowError]) -> StoreResult<()> {
                for e in errors {
                    sqlx::query("INSERT INTO import_errors (import_id, row_no, column_name, value, message) VALUES ($1, $2, $3, $4, $5)")
                        .bind(id)
                        .bind(e.row as i64)
                        .bind(&e.column)
                        .bind(&e.value)
                        .bind(&e.message)
                        .execute(&mut *self)
                        .await
                        .map_err(StoreError::from_sqlx)?;
                }
                Ok(())
            }

            async fn import_errors(&mut self, id: i64) -> StoreResult<Vec<RowError>> {
                let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
                    "SELECT row_no, column_name, value, message FROM import_errors WHERE import_id = $1 ORDER BY row_no, id",
                )
                .bind(id)
                .fetch_all(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)?;
                Ok(rows
                    .into_iter()
                    .map(|(row, column, value, message)| RowError { row: row as u64, column, value, message })
                    .collect())
            }
        }
    };
}

impl_import_queries!(sqlx::SqliteConnection);
impl_import_queries!(sqlx::PgConnection);
