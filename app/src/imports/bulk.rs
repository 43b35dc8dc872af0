//! Set-wise SQL for imports, on both backends: one query reads every lead or account a batch
//! names, and multi-row INSERTs write the new ones, so a million-row file costs a few
//! thousand statements rather than tens of millions.

use chrono::{DateTime, Utc};

use crate::leads::model::{AccountUpsert, LeadUpsert};
use crate::leads::store::{
    ACCOUNT_COLUMNS, AccountRow, HandoffWrite, LEAD_COLUMNS, LeadRow, TransitionWrite,
};
use crate::store::{StoreError, StoreResult};

/// Bound parameters per statement. SQLite (through sqlx) slows down sharply with very wide
/// statements — a 14,000-parameter INSERT costs far more than fifty of 256 — while
/// PostgreSQL gains from fewer round trips (its limit is 65,535).
const SQLITE_PARAMS: usize = 256;
const PG_PARAMS: usize = 8192;

/// Rows per statement for rows of `columns` values.
fn rows_per(params: usize, columns: usize) -> usize {
    (params / columns).max(1)
}

/// A lead to create.
#[allow(missing_docs)]
pub struct NewLead<'a> {
    pub upsert: &'a LeadUpsert,
    pub account_id: Option<i64>,
    pub stage: &'a str,
    pub score: i64,
}

/// An account to create, with its roll-up stage.
#[allow(missing_docs)]
pub struct NewAccount<'a> {
    pub upsert: &'a AccountUpsert,
    pub stage: Option<&'a str>,
}

/// Set-wise reads and writes of an import batch.
#[allow(async_fn_in_trait, missing_docs)]
pub trait BulkQueries {
    async fn leads_by_emails(&mut self, emails: &[&str]) -> StoreResult<Vec<LeadRow>>;
    async fn accounts_by_domains(&mut self, domains: &[&str]) -> StoreResult<Vec<AccountRow>>;
    /// Inserts accounts (the name defaults to the domain); returns `(domain, id)` pairs.
    async fn insert_accounts(
        &mut self,
        accounts: &[NewAccount<'_>],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<(String, i64)>>;
    /// Inserts leads entering their stage `now`; returns `(email, id)` pairs.
    async fn insert_leads(
        &mut self,
        leads: &[NewLead<'_>],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<(String, i64)>>;
    async fn insert_transitions(&mut self, transitions: &[TransitionWrite<'_>]) -> StoreResult<()>;
    /// Opens pending handoffs; one already pending for the lead and stage is kept.
    async fn insert_handoffs(&mut self, handoffs: &[HandoffWrite<'_>]) -> StoreResult<()>;
}

/// A JSON array of strings: one bound value for a whole list (SQLite's `json_each`).
fn json_list(items: &[&str]) -> String {
    serde_json::Value::from(
        items
            .iter()
            .map(|s| serde_json::Value::from(*s))
            .collect::<Vec<_>>(),
    )
    .to_string()
}

/// A time as the SQLite driver stores it, formatted once per batch rather than per value.
fn sqlite_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

/// PostgreSQL takes times in binary form.
fn pg_time(t: DateTime<Utc>) -> DateTime<Utc> {
    t
}

macro_rules! impl_bulk_queries {
    ($conn:ty, $db:ty, $time:path, $params:expr, $json:expr) => {
        // The time argument is a String on SQLite and a (Copy) DateTime on PostgreSQL.
        #[allow(clippy::clone_on_copy)]
        impl BulkQueries for $conn {
            async fn leads_by_emails(&mut self, emails: &[&str]) -> StoreResult<Vec<LeadRow>> {
                if $json {
                    let sql = format!("SELECT {LEAD_COLUMNS} FROM leads l WHERE l.email IN (SELECT value FROM json_each($1))");
                    return sqlx::query_as(&sql)
                        .bind(json_list(emails))
                        .fetch_all(&mut *self)
                        .await
                        .map_err(StoreError::from_sqlx);
                }
                let mut rows = Vec::with_capacity(emails.len());
                for chunk in emails.chunks(rows_per($params, 1)) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(format!("SELECT {LEAD_COLUMNS} FROM leads l WHERE l.email IN ("));
                    let mut list = q.separated(", ");
                    for email in chunk {
                        list.push_bind(*email);
                    }
                    q.push(")");
                    rows.extend(q.build_query_as::<LeadRow>().fetch_all(&mut *self).await.map_err(StoreError::from_sqlx)?);
                }
                Ok(rows)
            }

            async fn accounts_by_domains(&mut self, domains: &[&str]) -> StoreResult<Vec<AccountRow>> {
                let mut rows = Vec::with_capacity(domains.len());
                for chunk in domains.chunks(rows_per($params, 1)) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE domain IN ("));
                    let mut list = q.separated(", ");
                    for domain in chunk {
                        list.push_bind(*domain);
                    }
                    q.push(")");
                    rows.extend(q.build_query_as::<AccountRow>().fetch_all(&mut *self).await.map_err(StoreError::from_sqlx)?);
                }
                Ok(rows)
            }

            async fn insert_accounts(&mut self, accounts: &[NewAccount<'_>], now: DateTime<Utc>) -> StoreResult<Vec<(String, i64)>> {
                let mut ids = Vec::with_capacity(accounts.len());
                let at = $time(now);
                for chunk in accounts.chunks(rows_per($params, 11)) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO accounts (domain, name, employees, industry, country, annual_revenue, is_target, tier, \
                         stage, created_at, updated_at) ",
                    );
                    q.push_values(chunk, |mut b, a| {
                        let u = a.upsert;
                        b.push_bind(u.domain.as_str())
                            .push_bind(u.name.as_deref().unwrap_or(u.domain.as_str()))
                            .push_bind(u.employees)
                            .push_bind(u.industry.as_deref())
                            .push_bind(u.country.as_deref())
                            .push_bind(u.annual_revenue)
                            .push_bind(u.is_target.unwrap_or(false))
                            .push_bind(u.tier.as_deref())
                            .push_bind(a.stage)
                            .push_bind(at.clone())
                            .push_bind(at.clone());
                    });
                    q.push(" RETURNING domain, id");
                    ids.extend(q.build_query_as::<(String, i64)>().fetch_all(&mut *self).await.map_err(StoreError::from_sqlx)?);
                }
                Ok(ids)
            }

            async fn insert_leads(&mut self, leads: &[NewLead<'_>], now: DateTime<Utc>) -> StoreResult<Vec<(String, i64)>> {
                if $json {
                    let rows: Vec<serde_json::Value> = leads
                        .iter()
                        .map(|l| {
                            let u = l.upsert;
                            serde_json::json!([
                                u.email, u.first_name, u.last_name, u.job_title, u.persona,
                                i64::from(u.consent.unwrap_or(false)), u.source, u.country,
                                l.account_id, l.score, l.stage
                            ])
                        })
                        .collect();
                    return sqlx::query_as(
                        "INSERT INTO leads (email, first_name, last_name, job_title, persona, consent, source, country, \
                         account_id, score, stage, stage_entered_at, created_at, updated_at) \
                         SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5, \
                         j.value ->> 6, j.value ->> 7, j.value ->> 8, j.value ->> 9, j.value ->> 10, $2, $2, $2 \
                         FROM json_each($1) AS j RETURNING email, id",
                    )
                    .bind(serde_json::Value::Array(rows).to_string())
                    .bind($time(now))
                    .fetch_all(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx);
                }
                let mut ids = Vec::with_capacity(leads.len());
                let at = $time(now);
                for chunk in leads.chunks(rows_per($params, 14)) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO leads (email, first_name, last_name, job_title, persona, consent, source, country, \
                         account_id, score, stage, stage_entered_at, created_at, updated_at) ",
                    );
                    q.push_values(chunk, |mut b, l| {
                        let u = l.upsert;
                        b.push_bind(u.email.as_str())
                            .push_bind(u.first_name.as_deref())
                            .push_bind(u.last_name.as_deref())
                            .push_bind(u.job_title.as_deref())
                            .push_bind(u.persona.as_deref())
                            .push_bind(u.consent.unwrap_or(false))
                            .push_bind(u.source.as_deref())
                            .push_bind(u.country.as_deref())
                            .push_bind(l.account_id)
                            .push_bind(l.score)
                            .push_bind(l.stage)
                            .push_bind(at.clone())
                            .push_bind(at.clone())
                            .push_bind(at.clone());
                    });
                    q.push(" RETURNING email, id");
                    ids.extend(q.build_query_as::<(String, i64)>().fetch_all(&mut *self).await.map_err(StoreError::from_sqlx)?);
                }
                Ok(ids)
            }

            async fn insert_transitions(&mut self, transitions: &[TransitionWrite<'_>]) -> StoreResult<()> {
                if $json {
                    let rows: Vec<serde_json::Value> = transitions
                        .iter()
                        .map(|t| {
                            serde_json::json!([
                                t.lead_id, t.from, t.to, $time(t.at), t.cause, t.actor_id,
                                t.definition_version, t.reason
                            ])
                        })
                        .collect();
                    sqlx::query(
                        "INSERT INTO stage_transitions (lead_id, from_stage, to_stage, at, cause, actor_id, definition_version, reason) \
                         SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5, \
                         j.value ->> 6, j.value ->> 7 FROM json_each($1) AS j",
                    )
                    .bind(serde_json::Value::Array(rows).to_string())
                    .execute(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)?;
                    return Ok(());
                }
                for chunk in transitions.chunks(rows_per($params, 8)) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO stage_transitions (lead_id, from_stage, to_stage, at, cause, actor_id, definition_version, reason) ",
                    );
                    q.push_values(chunk, |mut b, t| {
                        b.push_bind(t.lead_id)
                            .push_bind(t.from)
                            .push_bind(t.to)
                            .push_bind($time(t.at))
                            .push_bind(t.cause)
                            .push_bind(t.actor_id)
                            .push_bind(t.definition_version)
                            .push_bind(t.reason);
                    });
                    q.build().execute(&mut *self).await.map_err(StoreError::from_sqlx)?;
                }
                Ok(())
            }

            async fn insert_handoffs(&mut self, handoffs: &[HandoffWrite<'_>]) -> StoreResult<()> {
                for chunk in handoffs.chunks(rows_per($params, 7)) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO handoffs (lead_id, stage, from_team, to_team, status, requested_at, sla_due_at) ",
                    );
                    q.push_values(chunk, |mut b, h| {
                        b.push_bind(h.lead_id)
                            .push_bind(h.stage)
                            .push_bind(h.from_team)
                            .push_bind(h.to_team)
                            .push_bind("pending")
                            .push_bind(h.requested_at)
                            .push_bind(h.sla_due_at);
                    });
                    q.push(" ON CONFLICT DO NOTHING");
                    q.build().execute(&mut *self).await.map_err(StoreError::from_sqlx)?;
                }
                Ok(())
            }
        }
    };
}

impl_bulk_queries!(
    sqlx::SqliteConnection,
    sqlx::Sqlite,
    sqlite_time,
    SQLITE_PARAMS,
    true
);
impl_bulk_queries!(sqlx::PgConnection, sqlx::Postgres, pg_time, PG_PARAMS, false);
