//! SQL for accounts, leads, activities, stage history and the handoff hook, on both backends
//! (one implementation compiled for each backend's connection).

use chrono::{DateTime, Utc};

use super::model::{AccountUpsert, LeadUpsert};
use super::query::{LeadSort, SortDir};
use super::scoring::Tally;
use crate::store::{StoreError, StoreResult};

/// An `accounts` row.
#[derive(Clone, Debug, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct AccountRow {
    pub id: i64,
    pub domain: String,
    pub name: String,
    pub employees: Option<i64>,
    pub industry: Option<String>,
    pub country: Option<String>,
    pub annual_revenue: Option<f64>,
    pub is_target: bool,
    pub tier: Option<String>,
    pub stage: Option<String>,
}

/// A `leads` row.
#[derive(Clone, Debug, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct LeadRow {
    pub id: i64,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub job_title: Option<String>,
    pub persona: Option<String>,
    pub consent: bool,
    pub source: Option<String>,
    pub country: Option<String>,
    pub account_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub score: i64,
    pub stage: String,
    pub stage_entered_at: DateTime<Utc>,
    pub past_human_decision: bool,
    pub updated_at: DateTime<Utc>,
}

/// The lead list's filters on `leads l LEFT JOIN accounts a` (parameters `$1`–`$8`: stage keys
/// joined by commas, account id, lowercase `%search%`, target only, tier, source, country,
/// industry).
const LEAD_LIST_FILTER: &str = "FROM leads l LEFT JOIN accounts a ON a.id = l.account_id \
     WHERE ($1 IS NULL OR (',' || $1 || ',') LIKE ('%,' || l.stage || ',%')) \
     AND ($2 IS NULL OR l.account_id = $2) \
     AND ($3 IS NULL OR l.email LIKE $3 OR LOWER(COALESCE(l.first_name, '') || ' ' || COALESCE(l.last_name, '')) LIKE $3 \
          OR LOWER(COALESCE(a.name, '')) LIKE $3) \
     AND ($4 = FALSE OR a.is_target = TRUE) \
     AND ($5 IS NULL OR a.tier = $5) \
     AND ($6 IS NULL OR l.source = $6) AND ($7 IS NULL OR l.country = $7) AND ($8 IS NULL OR a.industry = $8)";

/// A lead as the CSV export writes it, with its account and owner.
#[derive(Clone, Debug, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct LeadExportRow {
    pub id: i64,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub job_title: Option<String>,
    pub persona: Option<String>,
    pub consent: bool,
    pub source: Option<String>,
    pub country: Option<String>,
    pub score: i64,
    pub stage: String,
    pub stage_entered_at: DateTime<Utc>,
    pub account_domain: Option<String>,
    pub account_name: Option<String>,
    pub account_is_target: Option<bool>,
    pub account_tier: Option<String>,
    pub owner_email: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// A `stage_transitions` row with the actor's email.
#[derive(Clone, Debug, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct TransitionRow {
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub at: DateTime<Utc>,
    pub cause: String,
    pub actor: Option<String>,
    pub definition_version: i64,
    pub reason: Option<String>,
}

/// A stage change to record.
#[allow(missing_docs)]
pub struct TransitionWrite<'a> {
    pub lead_id: i64,
    pub from: Option<&'a str>,
    pub to: &'a str,
    pub at: DateTime<Utc>,
    pub cause: &'a str,
    pub actor_id: Option<i64>,
    pub definition_version: i64,
    pub reason: Option<&'a str>,
}

/// A handoff to open.
#[allow(missing_docs)]
pub struct HandoffWrite<'a> {
    pub lead_id: i64,
    pub stage: &'a str,
    pub from_team: &'a str,
    pub to_team: &'a str,
    pub requested_at: DateTime<Utc>,
    pub sla_due_at: DateTime<Utc>,
}

pub use super::query::LeadFilter;

pub(crate) const ACCOUNT_COLUMNS: &str =
    "id, domain, name, employees, industry, country, annual_revenue, is_target, tier, stage";
pub(crate) const LEAD_COLUMNS: &str = "l.id, l.email, l.first_name, l.last_name, l.job_title, l.persona, l.consent, l.source, \
     l.country, l.account_id, l.owner_id, l.score, l.stage, l.stage_entered_at, l.past_human_decision, l.updated_at";

/// The lead and account columns of [`LeadFactsRow`] …
const LEAD_FACTS_SELECT_COLUMNS: &str = "SELECT l.id, l.email, l.stage, l.score, l.consent, l.persona, l.job_title, \
     l.source, l.country, l.past_human_decision, l.account_id, a.employees AS a_employees, \
     a.industry AS a_industry, a.country AS a_country, a.annual_revenue AS a_annual_revenue, \
     a.is_target AS a_is_target, a.tier AS a_tier";
/// … and the join they come from.
const LEAD_FACTS_FROM: &str = "FROM leads l LEFT JOIN accounts a ON a.id = l.account_id";

/// A lead with its account's facts, for evaluating many leads at once.
#[derive(Clone, Debug, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct LeadFactsRow {
    pub id: i64,
    pub email: String,
    pub stage: String,
    pub score: i64,
    pub consent: bool,
    pub persona: Option<String>,
    pub job_title: Option<String>,
    pub source: Option<String>,
    pub country: Option<String>,
    pub past_human_decision: bool,
    pub account_id: Option<i64>,
    pub a_employees: Option<i64>,
    pub a_industry: Option<String>,
    pub a_country: Option<String>,
    pub a_annual_revenue: Option<f64>,
    pub a_is_target: Option<bool>,
    pub a_tier: Option<String>,
}

/// Queries of the leads domain on a connection or transaction of either backend.
#[allow(async_fn_in_trait, missing_docs)]
pub trait LeadQueries {
    async fn account_by_domain(&mut self, domain: &str) -> StoreResult<Option<AccountRow>>;
    async fn account(&mut self, id: i64) -> StoreResult<Option<AccountRow>>;
    async fn insert_account(&mut self, a: &AccountUpsert, name: &str, now: DateTime<Utc>)
    -> StoreResult<i64>;
    /// Overwrites the fields the upsert names; others keep their values.
    async fn update_account(&mut self, id: i64, a: &AccountUpsert, now: DateTime<Utc>) -> StoreResult<()>;
    async fn set_account_stage(&mut self, id: i64, stage: Option<&str>) -> StoreResult<()>;
    async fn count_account_leads(&mut self, id: i64) -> StoreResult<i64>;
    async fn lead_by_email(&mut self, email: &str) -> StoreResult<Option<LeadRow>>;
    async fn lead(&mut self, id: i64) -> StoreResult<Option<LeadRow>>;
    async fn leads_of_account(&mut self, account_id: i64) -> StoreResult<Vec<LeadRow>>;
    async fn insert_lead(
        &mut self,
        l: &LeadUpsert,
        account_id: Option<i64>,
        stage: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<i64>;
    async fn update_lead(
        &mut self,
        id: i64,
        l: &LeadUpsert,
        account_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn set_lead_score(&mut self, id: i64, score: i64) -> StoreResult<()>;
    async fn set_lead_stage(&mut self, id: i64, stage: &str, at: DateTime<Utc>) -> StoreResult<()>;
    async fn insert_transition(&mut self, t: &TransitionWrite<'_>) -> StoreResult<()>;
    async fn transitions(&mut self, lead_id: i64) -> StoreResult<Vec<TransitionRow>>;
    async fn insert_activity(
        &mut self,
        lead_id: i64,
        kind: &str,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<i64>;
    async fn activities(&mut self, lead_id: i64) -> StoreResult<Vec<(i64, String, DateTime<Utc>)>>;
    async fn open_handoff(&mut self, h: &HandoffWrite<'_>) -> StoreResult<()>;
    async fn list_leads(&mut self, f: &LeadFilter) -> StoreResult<(i64, Vec<LeadRow>)>;
    /// The leads of the list's filters with ids above `after_id`, by id (the CSV export).
    async fn export_leads(
        &mut self,
        f: &LeadFilter,
        after_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<LeadExportRow>>;
    /// A page of accounts (search in name and domain; target and tier filters), with contact counts.
    async fn list_accounts(
        &mut self,
        q: Option<&str>,
        target_only: bool,
        tier: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(i64, Vec<(AccountRow, i64)>)>;
    /// The largest lead id (0 without leads).
    async fn max_lead_id(&mut self) -> StoreResult<i64>;
    /// The leads with ids in `first..=last`, with their accounts' facts and, per lead, the
    /// count of each tally at `now` (in the tallies' order), by id: what evaluating many leads
    /// needs, in one query and one row per lead.
    async fn lead_evaluations(
        &mut self,
        first: i64,
        last: i64,
        tallies: &[Tally],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<(LeadFactsRow, Vec<i64>)>>;
}

/// The `ORDER BY` of the lead list: a fixed expression per whitelisted column, then the id so
/// that pages never overlap. Sorting by stage follows funnel order through a `CASE` whose
/// stage keys are bound as `$8…` — only numbers are written into the SQL.
fn order_by(f: &LeadFilter) -> String {
    let dir = match f.dir {
        SortDir::Asc => "ASC",
        SortDir::Desc => "DESC",
    };
    let expr = match f.sort {
        None => return "l.id DESC".to_owned(),
        Some(LeadSort::Email) => "l.email".to_owned(),
        Some(LeadSort::Name) => {
            "LOWER(COALESCE(l.first_name, '') || ' ' || COALESCE(l.last_name, ''))".to_owned()
        }
        Some(LeadSort::Account) => "LOWER(COALESCE(a.name, ''))".to_owned(),
        Some(LeadSort::Score) => "l.score".to_owned(),
        Some(LeadSort::Updated) => "l.updated_at".to_owned(),
        Some(LeadSort::Stage) => {
            let whens: String = (0..f.stage_order.len())
                .map(|i| format!(" WHEN ${} THEN {i}", i + 11))
                .collect();
            format!("CASE l.stage{whens} ELSE {} END", f.stage_order.len())
        }
    };
    format!("{expr} {dir}, l.id {dir}")
}

/// The lower bound of every tally's window, when all have one: activities before it cannot count.
fn earliest(tallies: &[Tally]) -> Option<DateTime<Utc>> {
    tallies
        .iter()
        .map(|t| t.since)
        .collect::<Option<Vec<_>>>()?
        .into_iter()
        .min()
}

/// [`LeadQueries::lead_evaluations`]' SQL: the leads of an id range joined with their accounts
/// and with their activities counted per tally. Parameters: `$1`/`$2` the id range, `$3` now,
/// then the earliest window start (when every tally has one), then each tally's kind and its
/// start unless that is the earliest.
/// Only placeholders are written into the SQL.
fn evaluations_sql(tallies: &[Tally]) -> String {
    let mut n = 3;
    let mut next = || {
        n += 1;
        n
    };
    let floor = earliest(tallies);
    let lower = floor.map_or(String::new(), |_| format!(" AND occurred_at > ${}", next()));
    let mut counts_sql = String::new();
    let mut columns = String::new();
    for (i, t) in tallies.iter().enumerate() {
        let kind = next();
        // A window that starts at the floor is already bounded by the WHERE clause.
        let window = match t.since {
            Some(since) if Some(since) != floor => format!(" AND occurred_at > ${}", next()),
            _ => String::new(),
        };
        counts_sql.push_str(&format!(
            ", COUNT(*) FILTER (WHERE kind = ${kind}{window}) AS c{i}"
        ));
        columns.push_str(&format!(", COALESCE(t.c{i}, 0) AS c{i}"));
    }
    format!(
        "{LEAD_FACTS_SELECT_COLUMNS}{columns} {LEAD_FACTS_FROM} \
         LEFT JOIN (SELECT lead_id{counts_sql} FROM activities \
         WHERE lead_id BETWEEN $1 AND $2 AND occurred_at <= $3{lower} GROUP BY lead_id) t ON t.lead_id = l.id \
         WHERE l.id BETWEEN $1 AND $2 ORDER BY l.id"
    )
}

macro_rules! impl_lead_queries {
    ($conn:ty) => {
        impl LeadQueries for $conn {
            async fn account_by_domain(&mut self, domain: &str) -> StoreResult<Option<AccountRow>> {
                let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE domain = $1");
                sqlx::query_as(&sql).bind(domain).fetch_optional(&mut *self).await.map_err(StoreError::from_sqlx)
            }

            async fn account(&mut self, id: i64) -> StoreResult<Option<AccountRow>> {
                let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1");
                sqlx::query_as(&sql).bind(id).fetch_optional(&mut *self).await.map_err(StoreError::from_sqlx)
            }

            async fn insert_account(&mut self, a: &AccountUpsert, name: &str, now: DateTime<Utc>) -> StoreResult<i64> {
                sqlx::query_scalar(
                    "INSERT INTO accounts (domain, name, employees, industry, country, annual_revenue, is_target, tier, \
                     created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
                )
                .bind(&a.domain)
                .bind(name)
                .bind(a.employees)
                .bind(&a.industry)
                .bind(&a.country)
                .bind(a.annual_revenue)
                .bind(a.is_target.unwrap_or(false))
                .bind(&a.tier)
                .bind(now)
                .fetch_one(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)
            }

            async fn update_account(&mut self, id: i64, a: &AccountUpsert, now: DateTime<Utc>) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE accounts SET name = COALESCE($1, name), employees = COALESCE($2, employees), \
                     industry = COALESCE($3, industry), country = COALESCE($4, country), \
                     annual_revenue = COALESCE($5, annual_revenue), is_target = COALESCE($6, is_target), \
                     tier = COALESCE($7, tier), updated_at = $8 WHERE id = $9",
                )
                .bind(&a.name)
                .bind(a.employees)
                .bind(&a.industry)
                .bind(&a.country)
                .bind(a.annual_revenue)
                .bind(a.is_target)
                .bind(&a.tier)
                .bind(now)
                .bind(id)
                .execute(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)?;
                Ok(())
            }

            async fn set_account_stage(&mut self, id: i64, stage: Option<&str>) -> StoreResult<()> {
                sqlx::query("UPDATE accounts SET stage = $1 WHERE id = $2")
                    .bind(stage)
                    .bind(id)
                    .execute(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)?;
                Ok(())
            }

            async fn count_account_leads(&mut self, id: i64) -> StoreResult<i64> {
                sqlx::query_scalar("SELECT COUNT(*) FROM leads WHERE account_id = $1")
                    .bind(id)
                    .fetch_one(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)
            }

            async fn lead_by_email(&mut self, email: &str) -> StoreResult<Option<LeadRow>> {
                let sql = format!("SELECT {LEAD_COLUMNS} FROM leads l WHERE l.email = $1");
                sqlx::query_as(&sql).bind(email).fetch_optional(&mut *self).await.map_err(StoreError::from_sqlx)
            }

            async fn lead(&mut self, id: i64) -> StoreResult<Option<LeadRow>> {
                let sql = format!("SELECT {LEAD_COLUMNS} FROM leads l WHERE l.id = $1");
                sqlx::query_as(&sql).bind(id).fetch_optional(&mut *self).await.map_err(StoreError::from_sqlx)
            }

            async fn leads_of_account(&mut self, account_id: i64) -> StoreResult<Vec<LeadRow>> {
                let sql = format!("SELECT {LEAD_COLUMNS} FROM leads l WHERE l.account_id = $1 ORDER BY l.id");
                sqlx::query_as(&sql).bind(account_id).fetch_all(&mut *self).await.map_err(StoreError::from_sqlx)
            }

            async fn insert_lead(&mut self, l: &LeadUpsert, account_id: Option<i64>, stage: &str, now: DateTime<Utc>) -> StoreResult<i64> {
                sqlx::query_scalar(
                    "INSERT INTO leads (email, first_name, last_name, job_title, persona, consent, source, country, \
                     account_id, stage, stage_entered_at, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $11) RETURNING id",
                )
                .bind(&l.email)
                .bind(&l.first_name)
                .bind(&l.last_name)
                .bind(&l.job_title)
                .bind(&l.persona)
                .bind(l.consent.unwrap_or(false))
                .bind(&l.source)
                .bind(&l.country)
                .bind(account_id)
                .bind(stage)
                .bind(now)
                .fetch_one(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)
            }

            async fn update_lead(&mut self, id: i64, l: &LeadUpsert, account_id: Option<i64>, now: DateTime<Utc>) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE leads SET first_name = COALESCE($1, first_name), last_name = COALESCE($2, last_name), \
                     job_title = COALESCE($3, job_title), persona = COALESCE($4, persona), consent = COALESCE($5, consent), \
                     source = COALESCE($6, source), country = COALESCE($7, country), \
                     account_id = COALESCE($8, account_id), updated_at = $9 WHERE id = $10",
                )
                .bind(&l.first_name)
                .bind(&l.last_name)
                .bind(&l.job_title)
                .bind(&l.persona)
                .bind(l.consent)
                .bind(&l.source)
                .bind(&l.country)
                .bind(account_id)
                .bind(now)
                .bind(id)
                .execute(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)?;
                Ok(())
            }

            async fn set_lead_score(&mut self, id: i64, score: i64) -> StoreResult<()> {
                sqlx::query("UPDATE leads SET score = $1 WHERE id = $2 AND score <> $1")
                    .bind(score)
                    .bind(id)
                    .execute(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)?;
                Ok(())
            }

            async fn set_lead_stage(&mut self, id: i64, stage: &str, at: DateTime<Utc>) -> StoreResult<()> {
                sqlx::query("UPDATE leads SET stage = $1, stage_entered_at = $2, updated_at = $2 WHERE id = $3")
                    .bind(stage)
                    .bind(at)
                    .bind(id)
                    .execute(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)?;
                Ok(())
            }

            async fn insert_transition(&mut self, t: &TransitionWrite<'_>) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO stage_transitions (lead_id, from_stage, to_stage, at, cause, actor_id, definition_version, reason) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(t.lead_id)
                .bind(t.from)
                .bind(t.to)
                .bind(t.at)
                .bind(t.cause)
                .bind(t.actor_id)
                .bind(t.definition_version)
                .bind(t.reason)
                .execute(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)?;
                Ok(())
            }

            async fn transitions(&mut self, lead_id: i64) -> StoreResult<Vec<TransitionRow>> {
                sqlx::query_as(
                    "SELECT t.from_stage, t.to_stage, t.at, t.cause, u.email AS actor, t.definition_version, t.reason \
                     FROM stage_transitions t LEFT JOIN users u ON u.id = t.actor_id WHERE t.lead_id = $1 ORDER BY t.id",
                )
                .bind(lead_id)
                .fetch_all(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)
            }

            async fn insert_activity(&mut self, lead_id: i64, kind: &str, at: DateTime<Utc>, now: DateTime<Utc>) -> StoreResult<i64> {
                sqlx::query_scalar(
                    "INSERT INTO activities (lead_id, kind, occurred_at, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(lead_id)
                .bind(kind)
                .bind(at)
                .bind(now)
                .fetch_one(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)
            }

            async fn activities(&mut self, lead_id: i64) -> StoreResult<Vec<(i64, String, DateTime<Utc>)>> {
                sqlx::query_as("SELECT id, kind, occurred_at FROM activities WHERE lead_id = $1 ORDER BY occurred_at DESC, id DESC")
                    .bind(lead_id)
                    .fetch_all(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)
            }

            async fn open_handoff(&mut self, h: &HandoffWrite<'_>) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO handoffs (lead_id, stage, from_team, to_team, status, requested_at, sla_due_at) \
                     VALUES ($1, $2, $3, $4, 'pending', $5, $6) ON CONFLICT DO NOTHING",
                )
                .bind(h.lead_id)
                .bind(h.stage)
                .bind(h.from_team)
                .bind(h.to_team)
                .bind(h.requested_at)
                .bind(h.sla_due_at)
                .execute(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)?;
                Ok(())
            }

            async fn list_accounts(&mut self, q: Option<&str>, target_only: bool, tier: Option<&str>, limit: i64, offset: i64) -> StoreResult<(i64, Vec<(AccountRow, i64)>)> {
                let q = q.map(|q| format!("%{}%", q.to_lowercase()));
                let filter = "FROM accounts WHERE ($1 IS NULL OR LOWER(name) LIKE $1 OR domain LIKE $1) \
                     AND ($2 = FALSE OR is_target = TRUE) AND ($3 IS NULL OR tier = $3)";
                let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {filter}"))
                    .bind(&q)
                    .bind(target_only)
                    .bind(tier)
                    .fetch_one(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)?;
                let rows: Vec<AccountRow> = sqlx::query_as(&format!("SELECT {ACCOUNT_COLUMNS} {filter} ORDER BY name, id LIMIT $4 OFFSET $5"))
                    .bind(&q)
                    .bind(target_only)
                    .bind(tier)
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)?;
                let mut out = Vec::with_capacity(rows.len());
                for row in rows {
                    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM leads WHERE account_id = $1")
                        .bind(row.id)
                        .fetch_one(&mut *self)
                        .await
                        .map_err(StoreError::from_sqlx)?;
                    out.push((row, n));
                }
                Ok((total, out))
            }

            async fn max_lead_id(&mut self) -> StoreResult<i64> {
                sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM leads")
                    .fetch_one(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)
            }

            async fn lead_evaluations(
                &mut self,
                first: i64,
                last: i64,
                tallies: &[Tally],
                now: DateTime<Utc>,
            ) -> StoreResult<Vec<(LeadFactsRow, Vec<i64>)>> {
                use sqlx::{FromRow, Row};
                let sql = evaluations_sql(tallies);
                let floor = earliest(tallies);
                let mut q = sqlx::query(&sql).bind(first).bind(last).bind(now);
                if let Some(since) = floor {
                    q = q.bind(since);
                }
                for t in tallies {
                    q = q.bind(t.kind.as_str());
                    if let Some(since) = t.since.filter(|&s| Some(s) != floor) {
                        q = q.bind(since);
                    }
                }
                let rows = q.fetch_all(&mut *self).await.map_err(StoreError::from_sqlx)?;
                rows.iter()
                    .map(|r| {
                        let lead = LeadFactsRow::from_row(r)?;
                        let counts = (0..tallies.len())
                            .map(|i| r.try_get::<i64, _>(format!("c{i}").as_str()))
                            .collect::<Result<Vec<_>, _>>()?;
                        Ok((lead, counts))
                    })
                    .collect::<Result<Vec<_>, sqlx::Error>>()
                    .map_err(StoreError::from_sqlx)
            }

            async fn export_leads(&mut self, f: &LeadFilter, after_id: i64, limit: i64) -> StoreResult<Vec<LeadExportRow>> {
                let stages = f.stages.as_ref().map(|s| s.join(","));
                let query = f.query.as_ref().map(|q| format!("%{}%", q.to_lowercase()));
                let sql = format!(
                    "SELECT l.id, l.email, l.first_name, l.last_name, l.job_title, l.persona, l.consent, l.source, \
                     l.country, l.score, l.stage, l.stage_entered_at, a.domain AS account_domain, a.name AS account_name, \
                     a.is_target AS account_is_target, a.tier AS account_tier, u.email AS owner_email, l.updated_at \
                     {LEAD_LIST_FILTER} AND l.id > $9 ORDER BY l.id LIMIT $10"
                )
                .replacen("WHERE", "LEFT JOIN users u ON u.id = l.owner_id WHERE", 1);
                sqlx::query_as(&sql)
                    .bind(&stages)
                    .bind(f.account_id)
                    .bind(&query)
                    .bind(f.target_only)
                    .bind(&f.tier)
                    .bind(&f.source)
                    .bind(&f.country)
                    .bind(&f.industry)
                    .bind(after_id)
                    .bind(limit)
                    .fetch_all(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)
            }

            async fn list_leads(&mut self, f: &LeadFilter) -> StoreResult<(i64, Vec<LeadRow>)> {
                let stages = f.stages.as_ref().map(|s| s.join(","));
                let query = f.query.as_ref().map(|q| format!("%{}%", q.to_lowercase()));
                let filter = LEAD_LIST_FILTER;
                let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {filter}"))
                    .bind(&stages)
                    .bind(f.account_id)
                    .bind(&query)
                    .bind(f.target_only)
                    .bind(&f.tier)
                    .bind(&f.source)
                    .bind(&f.country)
                    .bind(&f.industry)
                    .fetch_one(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)?;
                let sql = format!("SELECT {LEAD_COLUMNS} {filter} ORDER BY {} LIMIT $9 OFFSET $10", order_by(f));
                let mut select = sqlx::query_as(&sql)
                    .bind(&stages)
                    .bind(f.account_id)
                    .bind(&query)
                    .bind(f.target_only)
                    .bind(&f.tier)
                    .bind(&f.source)
                    .bind(&f.country)
                    .bind(&f.industry)
                    .bind(f.limit)
                    .bind(f.offset);
                if f.sort == Some(LeadSort::Stage) {
                    for key in &f.stage_order {
                        select = select.bind(key);
                    }
                }
                let rows = select.fetch_all(&mut *self).await.map_err(StoreError::from_sqlx)?;
                Ok((total, rows))
            }
        }
    };
}

impl_lead_queries!(sqlx::SqliteConnection);
impl_lead_queries!(sqlx::PgConnection);
