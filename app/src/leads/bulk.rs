//! Bulk SQL for synthetic data (`accord seed --leads N`) and the impact benchmark: accounts
//! with their leads, activities, stage history and handoffs, written with multi-row INSERTs
//! in one transaction per batch, and a bare scan of the leads table to compare against.
//!
//! The rows arrive fully computed (score, stage and history come from the pure rules, see
//! `server::seed::synthetic`); nothing here evaluates criteria. The SQL is written once for
//! both backends; only keeping PostgreSQL's id sequences in step differs.

use std::collections::HashSet;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;

use crate::definitions::model::Definition;
use crate::error::AppResult;
use crate::funnel::store::AGGREGATE_TABLES;
use crate::store::{Db, StoreError, StoreResult};
use crate::{in_tx, on_db, with_conn};

/// An account to create, with its contacts.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub struct BulkAccount {
    /// Normalized, unique domain: a batch skips an account whose domain exists already.
    pub domain: String,
    pub name: String,
    pub employees: Option<i64>,
    pub industry: Option<String>,
    pub country: Option<String>,
    pub annual_revenue: Option<f64>,
    pub is_target: bool,
    pub tier: Option<String>,
    /// Roll-up: the furthest stage of its leads.
    pub stage: Option<String>,
    pub created_at: DateTime<Utc>,
    pub leads: Vec<BulkLead>,
}

/// A lead to create, with everything that happened to it.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub struct BulkLead {
    /// Lower-case, unique.
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub job_title: Option<String>,
    pub persona: Option<String>,
    pub consent: bool,
    pub source: Option<String>,
    pub country: Option<String>,
    pub owner_id: Option<i64>,
    pub score: i64,
    pub stage: String,
    pub stage_entered_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// (kind, occurred at), in time order.
    pub activities: Vec<(String, DateTime<Utc>)>,
    /// Stage history in time order; the last row's `to` is `stage`.
    pub transitions: Vec<BulkTransition>,
    /// Handoffs opened by the moves above (pending).
    pub handoffs: Vec<BulkHandoff>,
}

/// One automatic stage change (cause `rule`, no actor).
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct BulkTransition {
    pub from: Option<String>,
    pub to: String,
    pub at: DateTime<Utc>,
    pub definition_version: i64,
}

/// A pending handoff.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct BulkHandoff {
    pub stage: String,
    pub from_team: String,
    pub to_team: String,
    pub requested_at: DateTime<Utc>,
    pub sla_due_at: DateTime<Utc>,
}

/// What one batch wrote, and what it skipped because its account existed already.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct BulkCounts {
    pub accounts: u64,
    pub leads: u64,
    pub activities: u64,
    pub transitions: u64,
    pub handoffs: u64,
    pub skipped_accounts: u64,
    pub skipped_leads: u64,
}

impl std::ops::AddAssign for BulkCounts {
    fn add_assign(&mut self, o: Self) {
        self.accounts += o.accounts;
        self.leads += o.leads;
        self.activities += o.activities;
        self.transitions += o.transitions;
        self.handoffs += o.handoffs;
        self.skipped_accounts += o.skipped_accounts;
        self.skipped_leads += o.skipped_leads;
    }
}

/// Bind parameters per statement. Small on purpose: sqlx looks every `$n` parameter up by
/// name, and SQLite's name lookup walks the statement's parameter list, so the cost per
/// parameter grows with the parameters per statement (at 4,000 it was three quarters of
/// the seeding time). The same full-size statement is prepared once and reused.
const MAX_BINDS: usize = 256;

const INSERT_ACCOUNTS: &str = "INSERT INTO accounts (id, domain, name, employees, industry, country, \
     annual_revenue, is_target, tier, stage, created_at, updated_at)";
const ACCOUNT_COLS: usize = 12;
const INSERT_LEADS: &str = "INSERT INTO leads (id, email, first_name, last_name, job_title, persona, consent, \
     source, country, account_id, owner_id, score, stage, stage_entered_at, created_at, updated_at)";
const LEAD_COLS: usize = 16;
const INSERT_ACTIVITIES: &str = "INSERT INTO activities (lead_id, kind, occurred_at, created_at)";
const ACTIVITY_COLS: usize = 4;
/// `cause` comes last: every row gets the constant `'rule'`.
const INSERT_TRANSITIONS: &str =
    "INSERT INTO stage_transitions (lead_id, from_stage, to_stage, at, definition_version, cause)";
const TRANSITION_COLS: usize = 5;
/// `status` comes last: every row gets the constant `'pending'`.
const INSERT_HANDOFFS: &str =
    "INSERT INTO handoffs (lead_id, stage, from_team, to_team, requested_at, sla_due_at, status)";
const HANDOFF_COLS: usize = 6;

/// `head VALUES ($1, …), (…)` for `rows` rows of `cols` parameters; `tail` is SQL text
/// appended to every row after the parameters (constants such as `'rule'`).
fn values_sql(head: &str, cols: usize, rows: usize, tail: &str) -> String {
    let mut sql = String::with_capacity(head.len() + rows * (cols * 7 + tail.len() + 4));
    sql.push_str(head);
    sql.push_str(" VALUES ");
    let mut n = 0;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols {
            n += 1;
            let _ = write!(sql, "{}${n}", if c == 0 { "" } else { ", " });
        }
        sql.push_str(tail);
        sql.push(')');
    }
    sql
}

/// A lead's row with its id and its account's id.
type LeadIns<'a> = (i64, i64, &'a BulkLead);

/// Bulk statements on a connection or transaction of either backend.
#[allow(async_fn_in_trait, missing_docs)]
pub trait BulkQueries {
    /// The domains among `domains` that accounts already have.
    async fn existing_domains(&mut self, domains: &[&str]) -> StoreResult<HashSet<String>>;
    /// The largest account and lead ids (0 when empty).
    async fn max_ids(&mut self) -> StoreResult<(i64, i64)>;
    async fn insert_accounts(&mut self, rows: &[(i64, &BulkAccount)]) -> StoreResult<()>;
    async fn insert_leads(&mut self, rows: &[LeadIns<'_>]) -> StoreResult<()>;
    /// Activities (lead id, kind, occurred at); recorded at the moment they occurred.
    async fn insert_activities(&mut self, rows: &[(i64, &str, DateTime<Utc>)]) -> StoreResult<()>;
    async fn insert_transitions(&mut self, rows: &[(i64, &BulkTransition)]) -> StoreResult<()>;
    async fn insert_handoffs(&mut self, rows: &[(i64, &BulkHandoff)]) -> StoreResult<()>;
    /// Reads every lead's evaluation columns (those the impact preview reads from `leads`)
    /// and returns how many rows came back: the baseline of the impact benchmark.
    async fn scan_leads(&mut self) -> StoreResult<u64>;
}

/// Keeps PostgreSQL's id sequences past the explicit ids a batch wrote (a no-op on SQLite,
/// whose `INTEGER PRIMARY KEY` continues from the largest id by itself).
#[allow(async_fn_in_trait)]
pub trait SyncIdSequences {
    /// Moves the `accounts` and `leads` id sequences to their tables' largest ids.
    async fn sync_id_sequences(&mut self) -> StoreResult<()>;
}

impl SyncIdSequences for sqlx::SqliteConnection {
    async fn sync_id_sequences(&mut self) -> StoreResult<()> {
        Ok(())
    }
}

impl SyncIdSequences for sqlx::PgConnection {
    async fn sync_id_sequences(&mut self) -> StoreResult<()> {
        for table in ["accounts", "leads"] {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            );
            sqlx::query(&sql)
                .execute(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)?;
        }
        Ok(())
    }
}

/// The evaluation columns of `leads`, decoded as the impact preview decodes them.
#[derive(sqlx::FromRow)]
#[allow(dead_code)]
struct ScanRow {
    id: i64,
    email: String,
    stage: String,
    score: i64,
    consent: bool,
    persona: Option<String>,
    job_title: Option<String>,
    source: Option<String>,
    country: Option<String>,
    past_human_decision: bool,
    account_id: Option<i64>,
}

macro_rules! impl_bulk_queries {
    ($conn:ty) => {
        impl BulkQueries for $conn {
            async fn existing_domains(&mut self, domains: &[&str]) -> StoreResult<HashSet<String>> {
                let mut found = HashSet::new();
                for chunk in domains.chunks(MAX_BINDS) {
                    let mut sql = String::from("SELECT domain FROM accounts WHERE domain IN (");
                    for i in 1..=chunk.len() {
                        let _ = write!(sql, "{}${i}", if i == 1 { "" } else { ", " });
                    }
                    sql.push(')');
                    let mut q = sqlx::query_scalar::<_, String>(&sql);
                    for d in chunk {
                        q = q.bind(*d);
                    }
                    found.extend(q.fetch_all(&mut *self).await.map_err(StoreError::from_sqlx)?);
                }
                Ok(found)
            }

            async fn max_ids(&mut self) -> StoreResult<(i64, i64)> {
                sqlx::query_as(
                    "SELECT (SELECT COALESCE(MAX(id), 0) FROM accounts), (SELECT COALESCE(MAX(id), 0) FROM leads)",
                )
                .fetch_one(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)
            }

            async fn insert_accounts(&mut self, rows: &[(i64, &BulkAccount)]) -> StoreResult<()> {
                for chunk in rows.chunks(MAX_BINDS / ACCOUNT_COLS) {
                    let sql = values_sql(INSERT_ACCOUNTS, ACCOUNT_COLS, chunk.len(), "");
                    let mut q = sqlx::query(&sql);
                    for (id, a) in chunk {
                        q = q
                            .bind(*id)
                            .bind(&a.domain)
                            .bind(&a.name)
                            .bind(a.employees)
                            .bind(&a.industry)
                            .bind(&a.country)
                            .bind(a.annual_revenue)
                            .bind(a.is_target)
                            .bind(&a.tier)
                            .bind(&a.stage)
                            .bind(a.created_at)
                            .bind(a.created_at);
                    }
                    q.execute(&mut *self).await.map_err(StoreError::from_sqlx)?;
                }
                Ok(())
            }

            async fn insert_leads(&mut self, rows: &[LeadIns<'_>]) -> StoreResult<()> {
                for chunk in rows.chunks(MAX_BINDS / LEAD_COLS) {
                    let sql = values_sql(INSERT_LEADS, LEAD_COLS, chunk.len(), "");
                    let mut q = sqlx::query(&sql);
                    for (id, account_id, l) in chunk {
                        q = q
                            .bind(*id)
                            .bind(&l.email)
                            .bind(&l.first_name)
                            .bind(&l.last_name)
                            .bind(&l.job_title)
                            .bind(&l.persona)
                            .bind(l.consent)
                            .bind(&l.source)
                            .bind(&l.country)
                            .bind(*account_id)
                            .bind(l.owner_id)
                            .bind(l.score)
                            .bind(&l.stage)
                            .bind(l.stage_entered_at)
                            .bind(l.created_at)
                            .bind(l.updated_at);
                    }
                    q.execute(&mut *self).await.map_err(StoreError::from_sqlx)?;
                }
                Ok(())
            }

            async fn insert_activities(&mut self, rows: &[(i64, &str, DateTime<Utc>)]) -> StoreResult<()> {
                for chunk in rows.chunks(MAX_BINDS / ACTIVITY_COLS) {
                    let sql = values_sql(INSERT_ACTIVITIES, ACTIVITY_COLS, chunk.len(), "");
                    let mut q = sqlx::query(&sql);
                    for (lead_id, kind, at) in chunk {
                        // Recorded as it happened: `created_at` is `occurred_at`.
                        q = q.bind(*lead_id).bind(*kind).bind(*at).bind(*at);
                    }
                    q.execute(&mut *self).await.map_err(StoreError::from_sqlx)?;
                }
                Ok(())
            }

            async fn insert_transitions(&mut self, rows: &[(i64, &BulkTransition)]) -> StoreResult<()> {
                for chunk in rows.chunks(MAX_BINDS / TRANSITION_COLS) {
                    let sql = values_sql(INSERT_TRANSITIONS, TRANSITION_COLS, chunk.len(), ", 'rule'");
                    let mut q = sqlx::query(&sql);
                    for (lead_id, t) in chunk {
                        q = q.bind(*lead_id).bind(&t.from).bind(&t.to).bind(t.at).bind(t.definition_version);
                    }
                    q.execute(&mut *self).await.map_err(StoreError::from_sqlx)?;
                }
                Ok(())
            }

            async fn insert_handoffs(&mut self, rows: &[(i64, &BulkHandoff)]) -> StoreResult<()> {
                for chunk in rows.chunks(MAX_BINDS / HANDOFF_COLS) {
                    let sql = values_sql(INSERT_HANDOFFS, HANDOFF_COLS, chunk.len(), ", 'pending'");
                    let mut q = sqlx::query(&sql);
                    for (lead_id, h) in chunk {
                        q = q
                            .bind(*lead_id)
                            .bind(&h.stage)
                            .bind(&h.from_team)
                            .bind(&h.to_team)
                            .bind(h.requested_at)
                            .bind(h.sla_due_at);
                    }
                    q.execute(&mut *self).await.map_err(StoreError::from_sqlx)?;
                }
                Ok(())
            }

            async fn scan_leads(&mut self) -> StoreResult<u64> {
                let mut rows = sqlx::query_as::<_, ScanRow>(
                    "SELECT id, email, stage, score, consent, persona, job_title, source, country, \
                     past_human_decision, account_id FROM leads",
                )
                .fetch(&mut *self);
                let mut n = 0u64;
                while rows.try_next().await.map_err(StoreError::from_sqlx)?.is_some() {
                    n += 1;
                }
                Ok(n)
            }
        }
    };
}

impl_bulk_queries!(sqlx::SqliteConnection);
impl_bulk_queries!(sqlx::PgConnection);

/// The current version's number and definition (what synthetic leads are evaluated under).
pub async fn current_definition(db: &Db) -> AppResult<(i64, Definition)> {
    with_conn!(db, c => super::service::current_definition(c).await)
}

/// Writes one batch of accounts with everything under them in one transaction (SQLite:
/// `BEGIN IMMEDIATE`, the single writer; PostgreSQL: the write lock). Accounts whose domain
/// exists already are skipped with their leads, so a re-run of the same seed adds nothing.
/// Ids continue from the largest ones in the tables.
pub async fn write_batch(db: &Db, batch: &[BulkAccount]) -> AppResult<BulkCounts> {
    let counts = in_tx!(db, c => write_batch_tx(c, batch).await?);
    Ok(counts)
}

async fn write_batch_tx<C: BulkQueries + SyncIdSequences>(
    c: &mut C,
    batch: &[BulkAccount],
) -> StoreResult<BulkCounts> {
    let domains: Vec<&str> = batch.iter().map(|a| a.domain.as_str()).collect();
    let existing = c.existing_domains(&domains).await?;
    let (mut account_id, mut lead_id) = c.max_ids().await?;
    let mut counts = BulkCounts::default();
    let mut accounts = Vec::with_capacity(batch.len());
    let mut leads = Vec::new();
    let mut activities = Vec::new();
    let mut transitions = Vec::new();
    let mut handoffs = Vec::new();
    for account in batch {
        if existing.contains(&account.domain) {
            counts.skipped_accounts += 1;
            counts.skipped_leads += account.leads.len() as u64;
            continue;
        }
        account_id += 1;
        accounts.push((account_id, account));
        for lead in &account.leads {
            lead_id += 1;
            leads.push((lead_id, account_id, lead));
            activities.extend(lead.activities.iter().map(|(k, at)| (lead_id, k.as_str(), *at)));
            transitions.extend(lead.transitions.iter().map(|t| (lead_id, t)));
            handoffs.extend(lead.handoffs.iter().map(|h| (lead_id, h)));
        }
    }
    c.insert_accounts(&accounts).await?;
    c.insert_leads(&leads).await?;
    c.insert_activities(&activities).await?;
    c.insert_transitions(&transitions).await?;
    c.insert_handoffs(&handoffs).await?;
    if !accounts.is_empty() {
        c.sync_id_sequences().await?;
    }
    counts.accounts = accounts.len() as u64;
    counts.leads = leads.len() as u64;
    counts.activities = activities.len() as u64;
    counts.transitions = transitions.len() as u64;
    counts.handoffs = handoffs.len() as u64;
    Ok(counts)
}

/// Tidies up after a bulk load, as a database administrator would: refreshes the query
/// planner's statistics (without them PostgreSQL plans the first whole-funnel reads over a
/// million fresh rows as if the tables were empty), and on PostgreSQL also compacts the
/// funnel's aggregate tables and vacuums. A bulk load updates each aggregate row once per
/// batch, and PostgreSQL keeps every old version until a vacuum: after seeding a million
/// leads `funnel_moves` (1,227 rows) filled 192 MB, and every funnel read scanned it all.
/// `VACUUM FULL` rewrites those small tables (seconds); a plain vacuum of the rest lets
/// index-only scans skip the heap. SQLite updates in place and needs only the statistics.
pub async fn tidy_after_load(db: &Db) -> AppResult<()> {
    let statements = match db {
        Db::Sqlite(_) => vec!["ANALYZE".to_owned()],
        Db::Postgres(_) => vec![
            format!("VACUUM FULL {}", AGGREGATE_TABLES.join(", ")),
            "VACUUM ANALYZE".to_owned(),
        ],
    };
    for sql in &statements {
        on_db!(db, pool => sqlx::query(sql).execute(pool).await.map(|_| ()).map_err(StoreError::from_sqlx))?;
    }
    Ok(())
}

/// Reads the evaluation columns of every lead (see [`BulkQueries::scan_leads`]).
pub async fn scan_leads(db: &Db) -> AppResult<u64> {
    let n = with_conn!(db, c => c.scan_leads().await?);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::values_sql;

    #[test]
    fn values_sql_numbers_parameters_row_by_row_and_appends_constants() {
        assert_eq!(
            values_sql("INSERT INTO t (a, b, c)", 2, 2, ", 'x'"),
            "INSERT INTO t (a, b, c) VALUES ($1, $2, 'x'), ($3, $4, 'x')"
        );
    }
}
