//! An import job as the API and the wizard show it.

use serde::{Deserialize, Serialize};

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum JobStatus {
    /// Accepted, not started.
    Queued,
    /// Rows are being processed.
    Running,
    /// Every row was imported or reported.
    Done,
    /// The file could not be read at all (see `message`).
    Failed,
}

impl JobStatus {
    /// Stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    /// Parses the stored value.
    pub fn parse(value: &str) -> Option<Self> {
        [Self::Queued, Self::Running, Self::Done, Self::Failed]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

/// Leads moved from one stage to another by an import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StageMove {
    /// Stage key before.
    pub from: String,
    /// Stage key after.
    pub to: String,
    /// Number of leads.
    pub count: i64,
}

impl ImportJob {
    /// Progress in per cent (100 when done), from the bytes read.
    pub fn percent(&self) -> u8 {
        match self.status {
            JobStatus::Done | JobStatus::Failed => 100,
            JobStatus::Queued => 0,
            JobStatus::Running if self.bytes_total <= 0 => 0,
            JobStatus::Running => {
                ((self.bytes_done.clamp(0, self.bytes_total) * 100) / self.bytes_total) as u8
            }
        }
    }

    /// Whether the job has stopped.
    pub fn finished(&self) -> bool {
        matches!(self.status, JobStatus::Done | JobStatus::Failed)
    }
}

/// Progress and counts of an import. When done, `created + updated + unchanged + failed =
/// total_rows`: nothing is lost.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportJob {
    /// Id.
    pub id: i64,
    /// `leads` | `accounts`.
    pub kind: String,
    /// Status.
    pub status: JobStatus,
    /// Data rows in the file (known when done).
    pub total_rows: i64,
    /// Rows handled so far.
    pub processed: i64,
    /// New records.
    pub created: i64,
    /// Changed records.
    pub updated: i64,
    /// Rows that changed nothing.
    pub unchanged: i64,
    /// Rows listed in the error report and not imported.
    pub failed: i64,
    /// Lifecycle stage changes that followed.
    pub stage_changes: i64,
    /// The stage changes grouped by move, most frequent first.
    pub moves: Vec<StageMove>,
    /// Size of the uploaded file.
    pub bytes_total: i64,
    /// Bytes read so far: `bytes_done / bytes_total` is the progress while running.
    pub bytes_done: i64,
    /// A dry run writes nothing but the report.
    pub dry_run: bool,
    /// The uploaded file's name.
    pub file_name: String,
    /// Why the whole file failed, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// What the wizard shows after an upload: the columns, how they were matched and a few rows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportPreview {
    /// Pass to `POST /api/v1/imports/uploads/{upload_id}/run`.
    pub upload_id: String,
    /// `leads` | `accounts`.
    pub kind: super::ImportKind,
    /// The file's name.
    pub file_name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// The encoding the file is read in (`UTF-8`, `Shift_JIS`…).
    pub encoding: String,
    /// The header cells, in file order.
    pub headers: Vec<String>,
    /// The automatic mapping: one field (or none) per column.
    pub mapping: Vec<Option<String>>,
    /// The fields a column can feed.
    pub fields: Vec<String>,
    /// The first data rows as read.
    pub sample: Vec<Vec<String>>,
}
