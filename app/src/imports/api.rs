//! Server functions of the import wizard. The file itself goes up through the JSON API
//! (`POST /api/v1/imports/uploads`, multipart and streamed to disk); these start runs and
//! report progress. Thin: authenticate, then call [`super::service`].

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::job::ImportJob;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::auth::api::ssr::context;

/// Starts a dry run or the real run of an uploaded file with the user's column mapping.
#[server(endpoint = "import_start", input = Json)]
pub async fn start_import(
    upload_id: String,
    mapping: Vec<Option<String>>,
    dry_run: bool,
) -> Result<i64, AppError> {
    let (state, _, user) = context().await?;
    super::service::start_upload(&state, user.as_ref(), &upload_id, Some(mapping), dry_run).await
}

/// Progress and counts of one import.
#[server(endpoint = "import_progress")]
pub async fn import_progress(id: i64) -> Result<ImportJob, AppError> {
    let (state, _, user) = context().await?;
    super::service::job(&state, user.as_ref(), id).await
}

/// The latest imports, newest first.
#[server(endpoint = "recent_imports")]
pub async fn recent_imports() -> Result<Vec<ImportJob>, AppError> {
    let (state, _, user) = context().await?;
    super::service::recent(&state, user.as_ref()).await
}
