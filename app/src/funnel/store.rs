//! SQL of the funnel, on both backends: reads of the maintained aggregates (migrations
//! `0007_funnel_aggregates` and `0009_funnel_moves_by_place`) and of pending handoffs and
//! opportunities.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

use super::metrics::{DWELL_BUCKETS, MoveCount};
use super::model::FunnelFilter;
use crate::store::{StoreError, StoreResult};

/// Pending handoffs at one gate (stage).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct GateRow {
    pub stage: String,
    pub open: i64,
    pub breached: i64,
}

/// Opportunity sums of the leads in one stage, per currency.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct RevenueRow {
    pub stage: String,
    pub currency: String,
    pub amount_minor: i64,
    pub expected_minor: f64,
}

/// Queries of the funnel on a connection or transaction of either backend.
#[allow(async_fn_in_trait, missing_docs)]
pub trait FunnelQueries {
    /// Leads per stage now.
    async fn current_counts(&mut self, f: &FunnelFilter) -> StoreResult<Vec<(String, i64)>>;
    /// Moves of the period per (from, to, version), with time-in-stage buckets.
    async fn moves(&mut self, f: &FunnelFilter) -> StoreResult<Vec<MoveCount>>;
    /// Moves of the period per (week's Monday, from, to), without buckets.
    async fn weekly_moves(&mut self, f: &FunnelFilter) -> StoreResult<Vec<(NaiveDate, MoveCount)>>;
    /// Pending handoffs per gate, and how many are past their SLA at `now`.
    async fn gates(&mut self, f: &FunnelFilter, now: DateTime<Utc>) -> StoreResult<Vec<GateRow>>;
    /// Opportunities not lost, per lead stage and currency.
    async fn revenue(&mut self, f: &FunnelFilter) -> StoreResult<Vec<RevenueRow>>;
    /// The values of a lead filter (`country` or `industry`) that leads have now, sorted.
    async fn dimension_values(&mut self, column: &'static str) -> StoreResult<Vec<String>>;
}

/// Filters on `leads l LEFT JOIN accounts a`, parameters `$1`–`$5`.
const LEAD_FILTER: &str = "($1 IS NULL OR l.source = $1) AND (NOT $2 OR COALESCE(a.is_target, FALSE)) \
     AND ($3 IS NULL OR a.tier = $3) AND ($4 IS NULL OR l.country = $4) AND ($5 IS NULL OR a.industry = $5)";

/// `CAST(SUM(d0) AS BIGINT) AS d0, …` over the aggregate's bucket columns.
fn dwell_sums() -> String {
    (0..DWELL_BUCKETS)
        .map(|i| format!("CAST(SUM(d{i}) AS BIGINT) AS d{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The Monday of the week of a date column, per backend.
struct Dialect {
    week: fn(&str) -> String,
}

const SQLITE: Dialect = Dialect {
    week: |day| format!("date({day}, '-' || ((CAST(strftime('%w', {day}) AS INTEGER) + 6) % 7) || ' days')"),
};

const POSTGRES: Dialect = Dialect {
    week: |day| format!("CAST(date_trunc('week', {day}) AS DATE)"),
};

/// `funnel_moves` without lead filters, `funnel_moves_by` with any: `FROM … WHERE …` with
/// the period as `$1`, `$2` and the filters as `$3`–`$7`.
fn moves_from(f: &FunnelFilter) -> &'static str {
    if f.narrows() {
        "FROM funnel_moves_by WHERE day BETWEEN $1 AND $2 AND ($3 IS NULL OR source = $3) \
         AND (NOT $4 OR is_target) AND ($5 IS NULL OR tier = $5) AND ($6 IS NULL OR country = $6) \
         AND ($7 IS NULL OR industry = $7)"
    } else {
        "FROM funnel_moves WHERE day BETWEEN $1 AND $2"
    }
}

/// The query for [`FunnelQueries::moves`]; its parameters are [`bind_moves`]'s.
fn moves_sql(f: &FunnelFilter) -> String {
    format!(
        "SELECT from_stage, to_stage, version, CAST(SUM(n) AS BIGINT) AS n, {} {} \
         GROUP BY from_stage, to_stage, version",
        dwell_sums(),
        moves_from(f)
    )
}

/// The query for [`FunnelQueries::weekly_moves`]; its parameters are [`bind_moves`]'s.
fn weekly_sql(d: &Dialect, f: &FunnelFilter) -> String {
    format!(
        "SELECT {} AS week, from_stage, to_stage, CAST(SUM(n) AS BIGINT) AS n {} GROUP BY 1, from_stage, to_stage",
        (d.week)("day"),
        moves_from(f)
    )
}

/// Binds the parameters of [`moves_sql`] and [`weekly_sql`]: the period, then (from
/// `funnel_moves_by`) source, target flag, tier, country and industry.
macro_rules! bind_moves {
    ($q:expr, $f:expr) => {{
        let f: &FunnelFilter = $f;
        let q = $q.bind(f.from).bind(f.to);
        if f.narrows() {
            q.bind(f.source.as_deref())
                .bind(f.target_only)
                .bind(f.tier.as_deref())
                .bind(f.country.as_deref())
                .bind(f.industry.as_deref())
        } else {
            q
        }
    }};
}

macro_rules! impl_funnel_queries {
    ($conn:ty, $dialect:expr) => {
        impl FunnelQueries for $conn {
            async fn dimension_values(&mut self, column: &'static str) -> StoreResult<Vec<String>> {
                let column = match column {
                    "country" => "country",
                    _ => "industry",
                };
                sqlx::query_scalar(&format!(
                    "SELECT DISTINCT {column} FROM funnel_current WHERE {column} <> '' AND n > 0 ORDER BY {column}"
                ))
                .fetch_all(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)
            }

            async fn current_counts(&mut self, f: &FunnelFilter) -> StoreResult<Vec<(String, i64)>> {
                sqlx::query_as(
                    "SELECT stage, CAST(SUM(n) AS BIGINT) FROM funnel_current \
                     WHERE ($1 IS NULL OR source = $1) AND (NOT $2 OR is_target) AND ($3 IS NULL OR tier = $3) \
                     AND ($4 IS NULL OR country = $4) AND ($5 IS NULL OR industry = $5) GROUP BY stage",
                )
                .bind(f.source.as_deref())
                .bind(f.target_only)
                .bind(f.tier.as_deref())
                .bind(f.country.as_deref())
                .bind(f.industry.as_deref())
                .fetch_all(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)
            }

            async fn moves(&mut self, f: &FunnelFilter) -> StoreResult<Vec<MoveCount>> {
                let sql = moves_sql(f);
                let rows = bind_moves!(sqlx::query(&sql), f)
                    .fetch_all(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)?;
                rows.iter()
                    .map(|r| {
                        let from: String = r.try_get("from_stage")?;
                        let mut dwell = [0u64; DWELL_BUCKETS];
                        for (i, d) in dwell.iter_mut().enumerate() {
                            *d = r.try_get::<Option<i64>, _>(format!("d{i}").as_str())?.unwrap_or(0).max(0) as u64;
                        }
                        Ok(MoveCount {
                            from: (!from.is_empty()).then_some(from),
                            to: r.try_get("to_stage")?,
                            version: r.try_get("version")?,
                            n: r.try_get::<i64, _>("n")?.max(0) as u64,
                            dwell,
                        })
                    })
                    .collect::<Result<Vec<_>, sqlx::Error>>()
                    .map_err(StoreError::from_sqlx)
            }

            async fn weekly_moves(&mut self, f: &FunnelFilter) -> StoreResult<Vec<(NaiveDate, MoveCount)>> {
                let sql = weekly_sql(&$dialect, f);
                let rows: Vec<(NaiveDate, String, String, i64)> = bind_moves!(sqlx::query_as(&sql), f)
                    .fetch_all(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)?;
                Ok(rows
                    .into_iter()
                    .map(|(week, from, to, n)| {
                        (
                            week,
                            MoveCount {
                                from: (!from.is_empty()).then_some(from),
                                to,
                                version: 0,
                                n: n.max(0) as u64,
                                dwell: [0; DWELL_BUCKETS],
                            },
                        )
                    })
                    .collect())
            }

            async fn gates(&mut self, f: &FunnelFilter, now: DateTime<Utc>) -> StoreResult<Vec<GateRow>> {
                if !f.narrows() {
                    // Read off the partial index of pending handoffs (migration 0008).
                    return sqlx::query_as(
                        "SELECT stage, CAST(COUNT(*) AS BIGINT) AS open, \
                         CAST(SUM(CASE WHEN sla_due_at < $1 THEN 1 ELSE 0 END) AS BIGINT) AS breached \
                         FROM handoffs WHERE status = 'pending' GROUP BY stage",
                    )
                    .bind(now)
                    .fetch_all(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx);
                }
                let sql = format!(
                    "SELECT h.stage AS stage, CAST(COUNT(*) AS BIGINT) AS open, \
                     CAST(SUM(CASE WHEN h.sla_due_at < $6 THEN 1 ELSE 0 END) AS BIGINT) AS breached \
                     FROM handoffs h JOIN leads l ON l.id = h.lead_id LEFT JOIN accounts a ON a.id = l.account_id \
                     WHERE h.status = 'pending' AND {LEAD_FILTER} GROUP BY h.stage"
                );
                sqlx::query_as(&sql)
                    .bind(f.source.as_deref())
                    .bind(f.target_only)
                    .bind(f.tier.as_deref())
                    .bind(f.country.as_deref())
                    .bind(f.industry.as_deref())
                    .bind(now)
                    .fetch_all(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)
            }

            async fn revenue(&mut self, f: &FunnelFilter) -> StoreResult<Vec<RevenueRow>> {
                let sql = format!(
                    "SELECT l.stage AS stage, o.currency AS currency, CAST(SUM(o.amount_minor) AS BIGINT) AS amount_minor, \
                     CAST(SUM(o.amount_minor * o.probability) AS DOUBLE PRECISION) AS expected_minor \
                     FROM opportunities o JOIN leads l ON l.id = o.lead_id LEFT JOIN accounts a ON a.id = l.account_id \
                     WHERE o.stage <> 'lost' AND {LEAD_FILTER} GROUP BY l.stage, o.currency ORDER BY o.currency"
                );
                sqlx::query_as(&sql)
                    .bind(f.source.as_deref())
                    .bind(f.target_only)
                    .bind(f.tier.as_deref())
                    .bind(f.country.as_deref())
                    .bind(f.industry.as_deref())
                    .fetch_all(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)
            }
        }
    };
}

impl_funnel_queries!(sqlx::SqliteConnection, SQLITE);
impl_funnel_queries!(sqlx::PgConnection, POSTGRES);
