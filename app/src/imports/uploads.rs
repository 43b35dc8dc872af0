//! Uploaded files: written to disk as they arrive (never held in memory), checked at once
//! (a file that is empty, binary or lacks a required column is refused before any job
//! starts), and kept for the wizard's dry run and real run of the same file.

use std::path::{Path, PathBuf};

use chrono::Duration;
use rand::RngCore;
use tokio::io::AsyncWriteExt;

use super::job::ImportPreview;
use super::mapping::{Mapping, auto_map, check_mapping, fields};
use super::source::{CsvSource, ImportFileError};
use super::{EncodingChoice, ImportKind, MAX_FILE_BYTES};
use crate::auth::User;
use crate::error::{AppError, AppResult, FieldError};
use crate::policy::{self, Action};
use crate::state::AppState;
use crate::store::{StoreError, StoreResult};
use crate::with_conn;

/// Data rows shown in the wizard's preview.
const SAMPLE_ROWS: usize = 5;
/// How long an upload waits for its runs.
const UPLOAD_HOURS: i64 = 24;

/// Where uploads wait: `ACCORD_UPLOAD_DIR`, or `accord-uploads` in the temporary directory.
fn upload_dir() -> PathBuf {
    std::env::var_os("ACCORD_UPLOAD_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("accord-uploads"))
}

/// An unexpected storage or thread failure: logged with its cause, answered as internal.
pub(super) fn internal(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "upload storage failed");
    AppError::Internal
}

/// Writes an upload to disk chunk by chunk and refuses it past [`MAX_FILE_BYTES`].
pub struct UploadWriter {
    file: tokio::fs::File,
    path: PathBuf,
    bytes: u64,
}

impl UploadWriter {
    /// A new, empty file with an unguessable name.
    pub async fn create() -> AppResult<Self> {
        let dir = upload_dir();
        tokio::fs::create_dir_all(&dir).await.map_err(internal)?;
        let mut token = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut token);
        let path = dir.join(format!("{}.csv", hex::encode(token)));
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await
            .map_err(internal)?;
        Ok(Self { file, path, bytes: 0 })
    }

    /// Appends a chunk; past the limit the file is deleted and [`AppError::TooLarge`] returned.
    pub async fn write(&mut self, chunk: &[u8]) -> AppResult<()> {
        self.bytes += chunk.len() as u64;
        if self.bytes > MAX_FILE_BYTES {
            let _ = tokio::fs::remove_file(&self.path).await;
            return Err(AppError::TooLarge);
        }
        self.file.write_all(chunk).await.map_err(internal)
    }

    /// The stored file and its size.
    pub async fn finish(mut self) -> AppResult<(PathBuf, u64)> {
        self.file.flush().await.map_err(internal)?;
        Ok((self.path, self.bytes))
    }

    /// Deletes the partial file (the request failed).
    pub async fn discard(self) {
        let _ = tokio::fs::remove_file(&self.path).await;
    }
}

/// The start of a file as read.
pub struct Inspected {
    /// The encoding it is read in.
    pub encoding: String,
    /// Header cells.
    pub headers: Vec<String>,
    /// The automatic mapping.
    pub mapping: Mapping,
    /// The first data rows.
    pub sample: Vec<Vec<String>>,
}

/// Reads the start of a file: encoding, header, auto mapping and sample rows. Problems with
/// the file as a whole are field errors on `file`; a required column missing is a field
/// error on that field.
pub fn inspect(path: &Path, kind: ImportKind, encoding: EncodingChoice) -> AppResult<Inspected> {
    let file = std::fs::File::open(path).map_err(internal)?;
    let mut source = CsvSource::open(std::io::BufReader::new(file), encoding).map_err(|e| match e {
        ImportFileError::Empty => AppError::field("file", "empty_file"),
        ImportFileError::NotCsv => AppError::field("file", "not_csv"),
        ImportFileError::NoHeader => AppError::field("file", "no_header"),
        ImportFileError::Io(e) => internal(e),
    })?;
    let headers = source.headers().to_vec();
    let mapping = auto_map(kind, &headers);
    let mut sample = Vec::new();
    while sample.len() < SAMPLE_ROWS {
        match source.next_record() {
            Some(Ok((_, record))) => sample.push(record),
            Some(Err(_)) => continue,
            None => break,
        }
    }
    Ok(Inspected {
        encoding: source.encoding_name().to_owned(),
        headers,
        mapping,
        sample,
    })
}

/// Checks that `mapping` fits a file of `columns` columns and maps every required field.
pub fn check(kind: ImportKind, mapping: &Mapping, columns: usize) -> AppResult<()> {
    check_mapping(kind, mapping, columns).map_err(AppError::Validation)
}

/// An `import_uploads` row.
#[derive(sqlx::FromRow)]
#[allow(missing_docs)]
pub struct UploadRow {
    pub id: String,
    pub created_by: i64,
    pub kind: String,
    pub file_name: String,
    pub encoding: String,
    pub path: String,
    pub bytes: i64,
}

/// A stored upload.
pub struct Upload {
    /// What the file holds.
    pub kind: ImportKind,
    /// Its name.
    pub file_name: String,
    /// How to read it.
    pub encoding: EncodingChoice,
    /// Where it is.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
}

/// SQL of uploads.
#[allow(async_fn_in_trait, missing_docs)]
pub trait UploadQueries {
    async fn insert_upload(&mut self, u: &UploadRow, now: chrono::DateTime<chrono::Utc>) -> StoreResult<()>;
    async fn upload_of(&mut self, id: &str, by: i64) -> StoreResult<Option<UploadRow>>;
    /// Deletes an upload; whether it was still there.
    async fn delete_upload(&mut self, id: &str) -> StoreResult<bool>;
    /// Deletes uploads created before `before`; returns their paths.
    async fn expire_uploads(&mut self, before: chrono::DateTime<chrono::Utc>) -> StoreResult<Vec<String>>;
}

macro_rules! impl_upload_queries {
    ($conn:ty) => {
        impl UploadQueries for $conn {
            async fn insert_upload(&mut self, u: &UploadRow, now: chrono::DateTime<chrono::Utc>) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO import_uploads (id, created_by, kind, file_name, encoding, path, bytes, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&u.id)
                .bind(u.created_by)
                .bind(&u.kind)
                .bind(&u.file_name)
                .bind(&u.encoding)
                .bind(&u.path)
                .bind(u.bytes)
                .bind(now)
                .execute(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)?;
                Ok(())
            }

            async fn upload_of(&mut self, id: &str, by: i64) -> StoreResult<Option<UploadRow>> {
                sqlx::query_as(
                    "SELECT id, created_by, kind, file_name, encoding, path, bytes FROM import_uploads \
                     WHERE id = $1 AND created_by = $2",
                )
                .bind(id)
                .bind(by)
                .fetch_optional(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)
            }

            async fn delete_upload(&mut self, id: &str) -> StoreResult<bool> {
                let done = sqlx::query("DELETE FROM import_uploads WHERE id = $1")
                    .bind(id)
                    .execute(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)?;
                Ok(done.rows_affected() > 0)
            }

            async fn expire_uploads(&mut self, before: chrono::DateTime<chrono::Utc>) -> StoreResult<Vec<String>> {
                sqlx::query_scalar("DELETE FROM import_uploads WHERE created_at < $1 RETURNING path")
                    .bind(before)
                    .fetch_all(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)
            }
        }
    };
}

impl_upload_queries!(sqlx::SqliteConnection);
impl_upload_queries!(sqlx::PgConnection);

/// Stores an uploaded file for the wizard and previews it. The file is deleted if it cannot
/// be imported at all.
pub async fn register(
    state: &AppState,
    actor: Option<&User>,
    kind: ImportKind,
    encoding: EncodingChoice,
    file_name: &str,
    path: PathBuf,
    bytes: u64,
) -> AppResult<ImportPreview> {
    let user = match policy::authorize(actor, Action::EditLeads) {
        Ok(user) => user,
        Err(e) => {
            let _ = tokio::fs::remove_file(&path).await;
            return Err(e);
        }
    };
    let inspected = {
        let path = path.clone();
        tokio::task::spawn_blocking(move || inspect(&path, kind, encoding))
            .await
            .map_err(internal)?
    };
    let Inspected {
        encoding: detected,
        headers,
        mapping,
        sample,
    } = match inspected {
        Ok(found) => found,
        Err(e) => {
            let _ = tokio::fs::remove_file(&path).await;
            return Err(e);
        }
    };
    let mut token = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut token);
    let id = hex::encode(token);
    let name: String = file_name.chars().take(200).collect();
    let now = state.clock.now();
    let row = UploadRow {
        id,
        created_by: user.id.0,
        kind: kind.as_str().to_owned(),
        file_name: name,
        encoding: encoding.as_str().to_owned(),
        path: path.to_string_lossy().into_owned(),
        bytes: bytes as i64,
    };
    with_conn!(&state.db, c => Ok::<_, AppError>(c.insert_upload(&row, now).await?))?;
    Ok(ImportPreview {
        upload_id: row.id,
        kind,
        file_name: row.file_name,
        bytes,
        encoding: detected,
        headers,
        mapping: mapping.columns,
        fields: fields(kind).iter().map(|f| (*f).to_owned()).collect(),
        sample,
    })
}

/// The caller's own upload `id`.
pub async fn find(state: &AppState, user: &User, id: &str) -> AppResult<Upload> {
    let row = with_conn!(&state.db, c => Ok::<_, AppError>(c.upload_of(id, user.id.0).await?))?;
    let row = row.ok_or(AppError::NotFound)?;
    Ok(Upload {
        kind: ImportKind::parse(&row.kind).ok_or(AppError::Internal)?,
        file_name: row.file_name,
        encoding: EncodingChoice::parse(&row.encoding).ok_or(AppError::Internal)?,
        path: PathBuf::from(row.path),
        bytes: row.bytes.max(0) as u64,
    })
}

/// Takes an upload for its real run: forgets it (its file stays for the run to read and
/// delete), once — a second run, even a concurrent one, finds it gone.
pub async fn claim(state: &AppState, id: &str) -> AppResult<()> {
    let claimed = with_conn!(&state.db, c => Ok::<_, AppError>(c.delete_upload(id).await?))?;
    if claimed { Ok(()) } else { Err(AppError::NotFound) }
}

/// Deletes uploads older than a day (at start-up).
pub async fn expire(state: &AppState) -> AppResult<usize> {
    let before = state.clock.now() - Duration::hours(UPLOAD_HOURS);
    let paths = with_conn!(&state.db, c => Ok::<_, AppError>(c.expire_uploads(before).await?))?;
    for path in &paths {
        let _ = tokio::fs::remove_file(path).await;
    }
    Ok(paths.len())
}

/// A mapping sent by a client, checked against the upload's header.
pub fn mapping_for(kind: ImportKind, columns: Vec<Option<String>>, headers: usize) -> AppResult<Mapping> {
    let mapping = Mapping { columns };
    check(kind, &mapping, headers).map_err(|e| match e {
        AppError::Validation(mut errors) if errors.is_empty() => {
            errors.push(FieldError::new("mapping", "wrong_length"));
            AppError::Validation(errors)
        }
        other => other,
    })?;
    Ok(mapping)
}
