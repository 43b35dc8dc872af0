//! SQL for versions, proposals, approvals, comments, settings and the audit trail. One
//! implementation, compiled for both backends' connections by `impl_definition_queries!`;
//! multi-step changes run inside [`in_tx!`].

use chrono::{DateTime, Utc};

use crate::audit::chain::{GENESIS, entry_hash, storable};
use crate::audit::{AuditEntry, AuditRecord};
use crate::auth::Team;
use crate::definitions::proposal::UserRef;
use crate::ids::UserId;
use crate::store::{StoreError, StoreResult};

/// The PostgreSQL advisory lock that serializes definition and audit writes (SQLite
/// serializes writers with `BEGIN IMMEDIATE`).
pub const WRITE_LOCK: i64 = 0x4163_636f_7264;

/// Runs `$body` in one transaction on either backend with `$conn` bound to the connection;
/// writers are serialized. An early return (`?`) rolls back.
#[macro_export]
macro_rules! in_tx {
    ($db:expr, $conn:ident => $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite(pool) => {
                let mut tx = pool
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err($crate::store::StoreError::from_sqlx)?;
                let result = {
                    let $conn: &mut sqlx::SqliteConnection = &mut *tx;
                    $body
                };
                tx.commit().await.map_err($crate::store::StoreError::from_sqlx)?;
                result
            }
            $crate::store::Db::Postgres(pool) => {
                let mut tx = pool.begin().await.map_err($crate::store::StoreError::from_sqlx)?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind($crate::definitions::store::WRITE_LOCK)
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::store::StoreError::from_sqlx)?;
                let result = {
                    let $conn: &mut sqlx::PgConnection = &mut *tx;
                    $body
                };
                tx.commit().await.map_err($crate::store::StoreError::from_sqlx)?;
                result
            }
        }
    };
}

/// Runs `$body` with `$conn` bound to a pooled connection of either backend (reads).
#[macro_export]
macro_rules! with_conn {
    ($db:expr, $conn:ident => $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite(pool) => {
                let mut c = pool
                    .acquire()
                    .await
                    .map_err($crate::store::StoreError::from_sqlx)?;
                let $conn: &mut sqlx::SqliteConnection = &mut *c;
                $body
            }
            $crate::store::Db::Postgres(pool) => {
                let mut c = pool
                    .acquire()
                    .await
                    .map_err($crate::store::StoreError::from_sqlx)?;
                let $conn: &mut sqlx::PgConnection = &mut *c;
                $body
            }
        }
    };
}

/// A `definition_versions` row.
#[derive(Debug, sqlx::FromRow)]
pub struct VersionRow {
    /// Number.
    pub version: i64,
    /// Definition JSON.
    pub definition: String,
    /// Title.
    pub title: String,
    /// Rationale.
    pub rationale: String,
    /// Published at.
    pub published_at: DateTime<Utc>,
    /// Publisher.
    pub published_by: Option<i64>,
    /// Source proposal.
    pub proposal_id: Option<i64>,
    /// Current?
    pub is_current: bool,
}

/// A `proposals` row.
#[derive(Debug, sqlx::FromRow)]
pub struct ProposalRow {
    /// Id.
    pub id: i64,
    /// Status.
    pub status: String,
    /// Base version.
    pub base_version: i64,
    /// Latest revision.
    pub revision: i64,
    /// Title.
    pub title: String,
    /// Rationale.
    pub rationale: String,
    /// Definition JSON of the latest revision.
    pub definition: String,
    /// Requalify on publish.
    pub requalify: bool,
    /// Author.
    pub author_id: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last revised.
    pub updated_at: DateTime<Utc>,
    /// Who closed it.
    pub decided_by: Option<i64>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// Rejection reason.
    pub decision_reason: Option<String>,
    /// Version it became.
    pub published_version: Option<i64>,
}

/// A new proposal or revision's stored fields.
pub struct ProposalWrite<'a> {
    /// Base version.
    pub base_version: i64,
    /// Revision number.
    pub revision: i64,
    /// Title.
    pub title: &'a str,
    /// Rationale.
    pub rationale: &'a str,
    /// Definition JSON.
    pub definition: &'a str,
    /// Author of this revision.
    pub author: UserId,
    /// When.
    pub at: DateTime<Utc>,
}

/// An approval row.
#[derive(Debug, sqlx::FromRow)]
pub struct ApprovalRow {
    /// Team.
    pub team: String,
    /// Approver.
    pub user_id: i64,
    /// Revision approved.
    pub revision: i64,
    /// When.
    pub approved_at: DateTime<Utc>,
}

/// A comment row.
#[derive(Debug, sqlx::FromRow)]
pub struct CommentRow {
    /// Id.
    pub id: i64,
    /// Author.
    pub author_id: i64,
    /// Text.
    pub body: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct UserRefRow {
    id: i64,
    name: String,
    email: String,
    team: String,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    seq: i64,
    at: DateTime<Utc>,
    actor: String,
    action: String,
    entity: String,
    entity_id: String,
    detail: String,
    prev_hash: String,
    hash: String,
}

impl AuditRow {
    fn into_entry(self) -> StoreResult<AuditEntry> {
        let detail = serde_json::from_str(&self.detail)
            .map_err(|e| StoreError::Other(sqlx::Error::Decode(Box::new(e))))?;
        Ok(AuditEntry {
            seq: self.seq,
            at: self.at,
            actor: self.actor,
            action: self.action,
            entity: self.entity,
            entity_id: self.entity_id,
            detail,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

/// Queries of the definitions domain, available on a connection or transaction of either
/// backend.
#[allow(async_fn_in_trait, missing_docs)]
pub trait DefinitionQueries {
    async fn current_version(&mut self) -> StoreResult<Option<VersionRow>>;
    async fn version(&mut self, version: i64) -> StoreResult<Option<VersionRow>>;
    async fn versions(&mut self) -> StoreResult<Vec<VersionRow>>;
    /// Inserts version `row.version` as the current one (the previous current is cleared).
    async fn publish_version(&mut self, row: &VersionRow) -> StoreResult<()>;
    async fn insert_proposal(&mut self, w: &ProposalWrite<'_>, requalify: bool) -> StoreResult<i64>;
    async fn proposal(&mut self, id: i64) -> StoreResult<Option<ProposalRow>>;
    async fn proposals(&mut self, status: Option<&str>) -> StoreResult<Vec<ProposalRow>>;
    async fn revise_proposal(&mut self, id: i64, w: &ProposalWrite<'_>) -> StoreResult<()>;
    async fn close_proposal(
        &mut self,
        id: i64,
        status: &str,
        by: UserId,
        at: DateTime<Utc>,
        reason: Option<&str>,
        published_version: Option<i64>,
    ) -> StoreResult<()>;
    async fn insert_approval(
        &mut self,
        id: i64,
        revision: i64,
        team: Team,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn approvals(&mut self, id: i64, revision: i64) -> StoreResult<Vec<ApprovalRow>>;
    async fn insert_comment(
        &mut self,
        id: i64,
        by: UserId,
        body: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<i64>;
    async fn comments(&mut self, id: i64) -> StoreResult<Vec<CommentRow>>;
    async fn user_ref(&mut self, id: i64) -> StoreResult<Option<UserRef>>;
    async fn setting(&mut self, key: &str) -> StoreResult<Option<String>>;
    async fn set_setting(&mut self, key: &str, value: &str) -> StoreResult<()>;
    /// Appends to the audit chain; call inside [`in_tx!`] so appends are serialized.
    async fn append_audit(&mut self, record: &AuditRecord, at: DateTime<Utc>) -> StoreResult<AuditEntry>;
    async fn audit_entries(
        &mut self,
        entity: Option<&str>,
        entity_id: Option<&str>,
    ) -> StoreResult<Vec<AuditEntry>>;
}

const VERSION_COLUMNS: &str =
    "version, definition, title, rationale, published_at, published_by, proposal_id, is_current";
const PROPOSAL_COLUMNS: &str = "id, status, base_version, revision, title, rationale, definition, requalify, \
     author_id, created_at, updated_at, decided_by, decided_at, decision_reason, published_version";
const AUDIT_COLUMNS: &str = "seq, at, actor, action, entity, entity_id, detail, prev_hash, hash";

macro_rules! impl_definition_queries {
    ($conn:ty) => {
        impl DefinitionQueries for $conn {
            async fn current_version(&mut self) -> StoreResult<Option<VersionRow>> {
                let sql = format!("SELECT {VERSION_COLUMNS} FROM definition_versions WHERE is_current = TRUE");
                sqlx::query_as(&sql).fetch_optional(&mut *self).await.map_err(StoreError::from_sqlx)
            }

            async fn version(&mut self, version: i64) -> StoreResult<Option<VersionRow>> {
                let sql = format!("SELECT {VERSION_COLUMNS} FROM definition_versions WHERE version = $1");
                sqlx::query_as(&sql).bind(version).fetch_optional(&mut *self).await.map_err(StoreError::from_sqlx)
            }

            async fn versions(&mut self) -> StoreResult<Vec<VersionRow>> {
                let sql = format!("SELECT {VERSION_COLUMNS} FROM definition_versions ORDER BY version DESC");
                sqlx::query_as(&sql).fetch_all(&mut *self).await.map_err(StoreError::from_sqlx)
            }

            async fn publish_version(&mut self, row: &VersionRow) -> StoreResult<()> {
                sqlx::query("UPDATE definition_versions SET is_current = FALSE WHERE is_current = TRUE")
                    .execute(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)?;
                sqlx::query(
                    "INSERT INTO definition_versions (version, definition, title, rationale, published_at, \
                     published_by, proposal_id, is_current) VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE)",
                )
                .bind(row.version)
                .bind(&row.definition)
                .bind(&row.title)
                .bind(&row.rationale)
                .bind(row.published_at)
                .bind(row.published_by)
                .bind(row.proposal_id)
                .execute(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)?;
                Ok(())
            }

            async fn insert_proposal(&mut self, w: &ProposalWrite<'_>, requalify: bool) -> StoreResult<i64> {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO proposals (status, base_version, revision, title, rationale, definition, requalify, \
                     author_id, created_at, updated_at) VALUES ('open', $1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
                )
                .bind(w.base_version)
                .bind(w.revision)
                .bind(w.title)
                .bind(w.rationale)
                .bind(w.definition)
                .bind(requalify)
                .bind(w.author.0)
                .bind(w.at)
                .fetch_one(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)?;
                insert_revision(&mut *self, id, w).await?;
                Ok(id)
            }

            async fn proposal(&mut self, id: i64) -> StoreResult<Option<ProposalRow>> {
                let sql = format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE id = $1");
                sqlx::query_as(&sql).bind(id).fetch_optional(&mut *self).await.map_err(StoreError::from_sqlx)
            }

            async fn proposals(&mut self, status: Option<&str>) -> StoreResult<Vec<ProposalRow>> {
                let sql = format!(
                    "SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE ($1 IS NULL OR status = $1) ORDER BY updated_at DESC, id DESC"
                );
                sqlx::query_as(&sql).bind(status).fetch_all(&mut *self).await.map_err(StoreError::from_sqlx)
            }

            async fn revise_proposal(&mut self, id: i64, w: &ProposalWrite<'_>) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE proposals SET base_version = $1, revision = $2, title = $3, rationale = $4, \
                     definition = $5, updated_at = $6 WHERE id = $7",
                )
                .bind(w.base_version)
                .bind(w.revision)
                .bind(w.title)
                .bind(w.rationale)
                .bind(w.definition)
                .bind(w.at)
                .bind(id)
                .execute(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)?;
                insert_revision(&mut *self, id, w).await
            }

            async fn close_proposal(
                &mut self,
                id: i64,
                status: &str,
                by: UserId,
                at: DateTime<Utc>,
                reason: Option<&str>,
                published_version: Option<i64>,
            ) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE proposals SET status = $1, decided_by = $2, decided_at = $3, decision_reason = $4, \
                     published_version = $5, updated_at = $3 WHERE id = $6",
                )
                .bind(status)
                .bind(by.0)
                .bind(at)
                .bind(reason)
                .bind(published_version)
                .bind(id)
                .execute(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)?;
                Ok(())
            }

            async fn insert_approval(&mut self, id: i64, revision: i64, team: Team, by: UserId, at: DateTime<Utc>) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO proposal_approvals (proposal_id, revision, team, user_id, approved_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                )
                .bind(id)
                .bind(revision)
                .bind(team.as_str())
                .bind(by.0)
                .bind(at)
                .execute(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)?;
                Ok(())
            }

            async fn approvals(&mut self, id: i64, revision: i64) -> StoreResult<Vec<ApprovalRow>> {
                sqlx::query_as(
                    "SELECT team, user_id, revision, approved_at FROM proposal_approvals \
                     WHERE proposal_id = $1 AND revision = $2 ORDER BY approved_at",
                )
                .bind(id)
                .bind(revision)
                .fetch_all(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)
            }

            async fn insert_comment(&mut self, id: i64, by: UserId, body: &str, at: DateTime<Utc>) -> StoreResult<i64> {
                sqlx::query_scalar(
                    "INSERT INTO proposal_comments (proposal_id, author_id, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(id)
                .bind(by.0)
                .bind(body)
                .bind(at)
                .fetch_one(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)
            }

            async fn comments(&mut self, id: i64) -> StoreResult<Vec<CommentRow>> {
                sqlx::query_as(
                    "SELECT id, author_id, body, created_at FROM proposal_comments WHERE proposal_id = $1 ORDER BY id",
                )
                .bind(id)
                .fetch_all(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)
            }

            async fn user_ref(&mut self, id: i64) -> StoreResult<Option<UserRef>> {
                let row: Option<UserRefRow> = sqlx::query_as("SELECT id, name, email, team FROM users WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)?;
                Ok(row.and_then(|r| {
                    Some(UserRef { id: UserId(r.id), name: r.name, email: r.email, team: Team::parse(&r.team)? })
                }))
            }

            async fn setting(&mut self, key: &str) -> StoreResult<Option<String>> {
                sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                    .bind(key)
                    .fetch_optional(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)
            }

            async fn set_setting(&mut self, key: &str, value: &str) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )
                .bind(key)
                .bind(value)
                .execute(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)?;
                Ok(())
            }

            async fn append_audit(&mut self, record: &AuditRecord, at: DateTime<Utc>) -> StoreResult<AuditEntry> {
                let last: Option<(i64, String)> =
                    sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                        .fetch_optional(&mut *self)
                        .await
                        .map_err(StoreError::from_sqlx)?;
                let (seq, prev_hash) = match last {
                    Some((seq, hash)) => (seq + 1, hash),
                    None => (1, GENESIS.to_owned()),
                };
                let at = storable(at);
                let hash = entry_hash(
                    seq, at, &record.actor, &record.action, &record.entity, &record.entity_id, &record.detail, &prev_hash,
                );
                sqlx::query(
                    "INSERT INTO audit_log (seq, at, actor_id, actor, action, entity, entity_id, detail, prev_hash, hash) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(seq)
                .bind(at)
                .bind(record.actor_id)
                .bind(&record.actor)
                .bind(&record.action)
                .bind(&record.entity)
                .bind(&record.entity_id)
                .bind(record.detail.to_string())
                .bind(&prev_hash)
                .bind(&hash)
                .execute(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)?;
                Ok(AuditEntry {
                    seq,
                    at,
                    actor: record.actor.clone(),
                    action: record.action.clone(),
                    entity: record.entity.clone(),
                    entity_id: record.entity_id.clone(),
                    detail: record.detail.clone(),
                    prev_hash,
                    hash,
                })
            }

            async fn audit_entries(&mut self, entity: Option<&str>, entity_id: Option<&str>) -> StoreResult<Vec<AuditEntry>> {
                let sql = format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE ($1 IS NULL OR entity = $1) \
                     AND ($2 IS NULL OR entity_id = $2) ORDER BY seq"
                );
                let rows: Vec<AuditRow> = sqlx::query_as(&sql)
                    .bind(entity)
                    .bind(entity_id)
                    .fetch_all(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)?;
                rows.into_iter().map(AuditRow::into_entry).collect()
            }
        }

        impl RevisionInsert for $conn {
            async fn insert_revision_row(&mut self, id: i64, w: &ProposalWrite<'_>) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO proposal_revisions (proposal_id, revision, base_version, title, rationale, definition, \
                     author_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(id)
                .bind(w.revision)
                .bind(w.base_version)
                .bind(w.title)
                .bind(w.rationale)
                .bind(w.definition)
                .bind(w.author.0)
                .bind(w.at)
                .execute(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)?;
                Ok(())
            }
        }
    };
}

#[allow(async_fn_in_trait)]
trait RevisionInsert {
    async fn insert_revision_row(&mut self, id: i64, w: &ProposalWrite<'_>) -> StoreResult<()>;
}

async fn insert_revision<C: RevisionInsert + ?Sized>(
    conn: &mut C,
    id: i64,
    w: &ProposalWrite<'_>,
) -> StoreResult<()> {
    conn.insert_revision_row(id, w).await
}

impl_definition_queries!(sqlx::SqliteConnection);
impl_definition_queries!(sqlx::PgConnection);
