//! Bulk imports of API v1: one-shot upload (multipart, streamed to disk), the wizard's
//! upload-then-run pair, progress, and the per-row error report as CSV.

use axum::Json;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use app::error::AppError;
use app::imports::job::ImportJob;
use app::imports::job::ImportPreview;
use app::imports::uploads::UploadWriter;
use app::imports::{EncodingChoice, ImportKind, service, uploads};
use app::state::AppState;

use super::caller::Caller;
use super::error::{ApiError, ErrorBody};

/// `{"id"}` of an accepted import.
#[derive(Serialize, ToSchema)]
pub struct Accepted {
    /// The job id; poll `GET /api/v1/imports/{id}`.
    pub id: i64,
}

/// How to run a wizard upload.
#[derive(Deserialize, ToSchema)]
pub struct RunUpload {
    /// `true` writes nothing: the job reports what would happen.
    #[serde(default)]
    pub dry_run: bool,
    /// One field name (or `null` to ignore the column) per column of the file; the automatic
    /// mapping when absent.
    #[serde(default)]
    pub mapping: Option<Vec<Option<String>>>,
}

fn multipart_error(e: MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError(AppError::TooLarge)
    } else {
        ApiError(AppError::BadRequest(e.body_text()))
    }
}

fn bad(field: &str, code: &str) -> ApiError {
    ApiError(AppError::field(field, code))
}

/// The form fields of an upload; the file is on disk.
struct Form {
    kind: Option<ImportKind>,
    dry_run: bool,
    encoding: EncodingChoice,
    file: Option<(std::path::PathBuf, u64, String)>,
}

async fn text(field: Field<'_>) -> Result<String, ApiError> {
    field.text().await.map_err(multipart_error)
}

async fn save(mut field: Field<'_>) -> Result<(std::path::PathBuf, u64, String), ApiError> {
    let name = field.file_name().unwrap_or("upload.csv").to_owned();
    let mut writer = UploadWriter::create().await?;
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => writer.write(&chunk).await?,
            Ok(None) => break,
            Err(e) => {
                writer.discard().await;
                return Err(multipart_error(e));
            }
        }
    }
    let (path, bytes) = writer.finish().await?;
    Ok((path, bytes, name))
}

async fn read_form(mut multipart: Multipart) -> Result<Form, ApiError> {
    let mut form = Form {
        kind: None,
        dry_run: false,
        encoding: EncodingChoice::Auto,
        file: None,
    };
    let outcome = async {
        while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
            match field.name().unwrap_or_default() {
                "kind" => {
                    let value = text(field).await?;
                    form.kind = Some(ImportKind::parse(&value).ok_or_else(|| bad("kind", "invalid_choice"))?);
                }
                "dry_run" => {
                    form.dry_run = match text(field).await?.trim() {
                        "true" | "1" | "on" => true,
                        "false" | "0" | "" => false,
                        _ => return Err(bad("dry_run", "invalid_choice")),
                    };
                }
                "encoding" => {
                    let value = text(field).await?;
                    form.encoding =
                        EncodingChoice::parse(&value).ok_or_else(|| bad("encoding", "invalid_choice"))?;
                }
                "file" if form.file.is_none() => form.file = Some(save(field).await?),
                _ => {}
            }
        }
        Ok::<_, ApiError>(())
    }
    .await;
    if let Err(e) = outcome {
        if let Some((path, _, _)) = &form.file {
            let _ = tokio::fs::remove_file(path).await;
        }
        return Err(e);
    }
    if form.kind.is_none() || form.file.is_none() {
        if let Some((path, _, _)) = &form.file {
            let _ = tokio::fs::remove_file(path).await;
        }
        let missing = if form.kind.is_none() { "kind" } else { "file" };
        return Err(bad(missing, "required"));
    }
    Ok(form)
}

/// Starts an import: multipart fields `file`, `kind` (`leads|accounts`), `dry_run`
/// (`true|false`), `encoding` (`auto|utf-8|shift_jis`). Answers 202 with the job id; a file
/// that is not CSV, or lacks a required column, is refused with 422 before any job starts.
#[utoipa::path(post, path = "/api/v1/imports", tag = "imports",
    request_body(content_type = "multipart/form-data", description = "file, kind, dry_run, encoding"),
    responses((status = 202, body = Accepted), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn start(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Multipart,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    app::policy::authorize(caller.user.as_ref(), app::policy::Action::EditLeads)?;
    let form = read_form(multipart).await?;
    let (Some(kind), Some((path, bytes, name))) = (form.kind, form.file) else {
        return Err(ApiError(AppError::Internal));
    };
    let id = service::start_file(
        &state,
        caller.user.as_ref(),
        kind,
        form.encoding,
        form.dry_run,
        &name,
        path,
        bytes,
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(Accepted { id })))
}

/// Uploads a file for the wizard: multipart `file`, `kind`, `encoding`. Answers 201 with the
/// columns, the automatic mapping and sample rows; run it with `/imports/uploads/{id}/run`.
#[utoipa::path(post, path = "/api/v1/imports/uploads", tag = "imports",
    request_body(content_type = "multipart/form-data", description = "file, kind, encoding"),
    responses((status = 201, body = ImportPreview), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Multipart,
) -> Result<(StatusCode, Json<ImportPreview>), ApiError> {
    app::policy::authorize(caller.user.as_ref(), app::policy::Action::EditLeads)?;
    let form = read_form(multipart).await?;
    let (Some(kind), Some((path, bytes, name))) = (form.kind, form.file) else {
        return Err(ApiError(AppError::Internal));
    };
    let preview = uploads::register(
        &state,
        caller.user.as_ref(),
        kind,
        form.encoding,
        &name,
        path,
        bytes,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(preview)))
}

/// Runs an uploaded file (dry run or real run) with a mapping; 202 with the job id.
#[utoipa::path(post, path = "/api/v1/imports/uploads/{upload_id}/run", tag = "imports",
    params(("upload_id" = String, Path)), request_body = RunUpload,
    responses((status = 202, body = Accepted), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn run_upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(upload_id): Path<String>,
    super::error::ApiJson(body): super::error::ApiJson<RunUpload>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let id = service::start_upload(
        &state,
        caller.user.as_ref(),
        &upload_id,
        body.mapping,
        body.dry_run,
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(Accepted { id })))
}

/// Progress and counts of an import.
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "imports", params(("id" = i64, Path)),
    responses((status = 200, body = ImportJob), (status = 404, body = ErrorBody)))]
pub async fn job(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<ImportJob>, ApiError> {
    Ok(Json(service::job(&state, caller.user.as_ref(), id).await?))
}

/// `row,column,value,message` for every row not imported (and every value not applied).
#[utoipa::path(get, path = "/api/v1/imports/{id}/errors.csv", tag = "imports", params(("id" = i64, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = ErrorBody)))]
pub async fn errors_csv(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let errors = service::errors(&state, caller.user.as_ref(), id).await?;
    let body = app::imports::report_csv(&errors).map_err(|_| ApiError(AppError::Internal))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"import-{id}-errors.csv\""),
            ),
        ],
        body,
    )
        .into_response())
}
