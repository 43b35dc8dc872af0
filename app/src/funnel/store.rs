//! SQL of the funnel, on both backends: reads of the maintained aggregates (migrations
//! `0007_funnel_aggregates`, `0009_funnel_moves_by_place`, `0011_funnel_gates` and
//! `0012_funnel_filtered_aggregates`) and of
//! pending handoffs and opportunities.

use chrono::{DateTime, NaiveDate, Utc};

use super::metrics::{DWELL_BUCKETS, MoveCount};
use super::model::FunnelFilter;
use crate::store::{StoreError, StoreResult};

/// The tables the triggers keep for the funnel (migrations 0007, 0009, 0011, 0012).
pub const AGGREGATE_TABLES: [&str; 6] = [
    "funnel_current",
    "funnel_moves",
    "funnel_moves_by",
    "funnel_moves_dim",
    "funnel_gates",
    "funnel_gates_due",
];

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

/// The moves of a period, as [`FunnelQueries::moves`] reads them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PeriodMoves {
    /// Moves per (from, to, version) with time-in-stage buckets; a key may repeat (the
    /// metrics add them up).
    pub totals: Vec<MoveCount>,
    /// Moves per (UTC day, from, to), for the weekly trend.
    pub daily: Vec<(NaiveDate, MoveCount)>,
}

/// Queries of the funnel on a connection or transaction of either backend.
#[allow(async_fn_in_trait, missing_docs)]
pub trait FunnelQueries {
    /// Leads per stage now.
    async fn current_counts(&mut self, f: &FunnelFilter) -> StoreResult<Vec<(String, i64)>>;
    /// Moves of the period: the totals for the flows and the moves per day for the trend.
    async fn moves(&mut self, f: &FunnelFilter) -> StoreResult<PeriodMoves>;
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

/// Filters on the aggregates keyed by the lead filters' columns (`funnel_current`,
/// `funnel_gates`, `funnel_gates_due`, `funnel_moves_by`), with source, target flag, tier,
/// country and industry as the parameters from `$first` on (bound by [`bind_filters`]).
fn keyed_filter(first: usize) -> String {
    let [s, t, r, c, i] = [first, first + 1, first + 2, first + 3, first + 4];
    format!(
        "(${s} IS NULL OR source = ${s}) AND (NOT ${t} OR is_target) AND (${r} IS NULL OR tier = ${r}) \
         AND (${c} IS NULL OR country = ${c}) AND (${i} IS NULL OR industry = ${i})"
    )
}

/// Binds the lead filters in the order [`LEAD_FILTER`] and [`keyed_filter`] number them:
/// source, target flag, tier, country, industry.
macro_rules! bind_filters {
    ($q:expr, $f:expr) => {{
        let f: &FunnelFilter = $f;
        $q.bind(f.source.as_deref())
            .bind(f.target_only)
            .bind(f.tier.as_deref())
            .bind(f.country.as_deref())
            .bind(f.industry.as_deref())
    }};
}

/// The hour of `now` as `funnel_gates_due` keys it (whole hours since 1970, UTC), and the
/// start of the next hour.
fn due_hour(now: DateTime<Utc>) -> (i64, DateTime<Utc>) {
    let hour = now.timestamp().div_euclid(3600);
    let next = DateTime::from_timestamp((hour + 1) * 3600, 0).unwrap_or(now);
    (hour, next)
}

/// The aggregates' time-in-stage bucket columns.
const DWELL_COLUMNS: [&str; DWELL_BUCKETS] = [
    "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10", "d11", "d12", "d13", "d14", "d15",
];

/// `CAST(SUM(d0) AS BIGINT) AS d0, …` over the aggregate's bucket columns.
fn dwell_sums() -> String {
    DWELL_COLUMNS
        .iter()
        .map(|d| format!("CAST(SUM({d}) AS BIGINT) AS {d}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where the moves of a period are read: the aggregate that holds the filter's leads with the
/// fewest rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MovesFrom<'a> {
    /// No lead filter: `funnel_moves`.
    All,
    /// One lead filter: its rows of `funnel_moves_dim` (migration 0012).
    Dimension(&'static str, &'a str),
    /// Several: `funnel_moves_by`, keyed by every filter.
    Several,
}

impl<'a> MovesFrom<'a> {
    fn of(f: &'a FunnelFilter) -> Self {
        match f.single_dimension() {
            Some((dim, value)) => Self::Dimension(dim, value),
            None if f.narrows() => Self::Several,
            None => Self::All,
        }
    }

    /// `FROM … WHERE …` with the period as `$1`, `$2` and the filters from `$3` on (see
    /// [`bind_moves`]).
    fn sql(self) -> String {
        match self {
            Self::All => "FROM funnel_moves WHERE day BETWEEN $1 AND $2".to_owned(),
            Self::Dimension(..) => {
                "FROM funnel_moves_dim WHERE dim = $3 AND value = $4 AND day BETWEEN $1 AND $2".to_owned()
            }
            Self::Several => format!(
                "FROM funnel_moves_by WHERE day BETWEEN $1 AND $2 AND {}",
                keyed_filter(3)
            ),
        }
    }
}

/// The query for [`FunnelQueries::gates`], parameters: the lead filters as `$1`–`$5`, now as
/// `$6`, and with filters the current hour (hours since 1970) as `$7` and the next hour's start
/// as `$8`. Open handoffs per gate come from the maintained counts (migration 0011); past SLA
/// = open minus those due from now on. Without lead filters those are counted in the index of
/// pending due times alone; with filters, those due after the current hour come from the
/// counts per due hour (migration 0012) and the few due later in the current hour are read
/// with their leads (`CROSS JOIN` keeps SQLite from scanning the leads first).
fn gates_sql(f: &FunnelFilter) -> String {
    let keyed = keyed_filter(1);
    let not_due = if f.narrows() {
        format!(
            "SELECT stage, 0 AS open, SUM(n) AS not_due FROM funnel_gates_due \
             WHERE due_hour > $7 AND {keyed} GROUP BY stage \
             UNION ALL \
             SELECT h.stage AS stage, 0 AS open, COUNT(*) AS not_due \
             FROM handoffs h CROSS JOIN leads l LEFT JOIN accounts a ON a.id = l.account_id \
             WHERE l.id = h.lead_id AND h.status = 'pending' AND h.sla_due_at >= $6 AND h.sla_due_at < $8 \
             AND {LEAD_FILTER} GROUP BY h.stage"
        )
    } else {
        "SELECT stage, 0 AS open, COUNT(*) AS not_due FROM handoffs \
         WHERE status = 'pending' AND sla_due_at >= $6 GROUP BY stage"
            .to_owned()
    };
    format!(
        "SELECT stage, CAST(SUM(open) AS BIGINT) AS open, CAST(SUM(open) - SUM(not_due) AS BIGINT) AS breached \
         FROM (SELECT stage, SUM(n) AS open, 0 AS not_due FROM funnel_gates WHERE {keyed} GROUP BY stage \
               UNION ALL {not_due}) AS g \
         GROUP BY stage"
    )
}

/// The reads of [`FunnelQueries::moves`]; their parameters are [`bind_moves`]'s. From the
/// small aggregates (no lead filter, or one) two grouped reads, totals with buckets and days
/// without, return the fewest rows; the larger `funnel_moves_by` (several filters) is scanned
/// once, per day with buckets, and the totals are summed from the days.
fn moves_sql(from: MovesFrom) -> Vec<String> {
    let sql = from.sql();
    let dwell = dwell_sums();
    if from == MovesFrom::Several {
        vec![format!(
            "SELECT day, from_stage, to_stage, version, CAST(SUM(n) AS BIGINT) AS n, {dwell} {sql} \
             GROUP BY day, from_stage, to_stage, version"
        )]
    } else {
        vec![
            format!(
                "SELECT from_stage, to_stage, version, CAST(SUM(n) AS BIGINT) AS n, {dwell} {sql} \
                 GROUP BY from_stage, to_stage, version"
            ),
            format!(
                "SELECT day, from_stage, to_stage, CAST(SUM(n) AS BIGINT) AS n {sql} GROUP BY day, from_stage, to_stage"
            ),
        ]
    }
}

/// A move from the columns starting at `at` (from, to, [version,] n, [d0…d15]), by
/// position as [`moves_sql`] lists them.
fn move_at<R: sqlx::Row>(r: &R, at: usize, version: bool, dwell: bool) -> Result<MoveCount, sqlx::Error>
where
    usize: sqlx::ColumnIndex<R>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<i64>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let from: String = r.try_get(at)?;
    let v = usize::from(version);
    let mut buckets = [0u64; DWELL_BUCKETS];
    if dwell {
        for (i, d) in buckets.iter_mut().enumerate() {
            *d = r.try_get::<Option<i64>, _>(at + 3 + v + i)?.unwrap_or(0).max(0) as u64;
        }
    }
    Ok(MoveCount {
        from: (!from.is_empty()).then_some(from),
        to: r.try_get(at + 1)?,
        version: if version { r.try_get(at + 2)? } else { 0 },
        n: r.try_get::<i64, _>(at + 2 + v)?.max(0) as u64,
        dwell: buckets,
    })
}
/// Moves per day from rows of (day, move…).
fn dated<R: sqlx::Row>(
    rows: &[R],
    version: bool,
    dwell: bool,
) -> Result<Vec<(NaiveDate, MoveCount)>, sqlx::Error>
where
    usize: sqlx::ColumnIndex<R>,
    NaiveDate: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<i64>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    rows.iter()
        .map(|r| Ok((r.try_get::<NaiveDate, _>(0)?, move_at(r, 1, version, dwell)?)))
        .collect()
}

/// Binds the parameters of [`moves_sql`]'s reads: the period, then the dimension and its
/// value (`funnel_moves_dim`) or source, target flag, tier, country and industry
/// (`funnel_moves_by`).
macro_rules! bind_moves {
    ($q:expr, $f:expr, $from:expr) => {{
        let f: &FunnelFilter = $f;
        let q = $q.bind(f.from).bind(f.to);
        match $from {
            MovesFrom::All => q,
            MovesFrom::Dimension(dim, value) => q.bind(dim).bind(value),
            MovesFrom::Several => bind_filters!(q, f),
        }
    }};
}

macro_rules! impl_funnel_queries {
    ($conn:ty) => {
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
                let sql = format!(
                    "SELECT stage, CAST(SUM(n) AS BIGINT) FROM funnel_current WHERE {} GROUP BY stage",
                    keyed_filter(1)
                );
                bind_filters!(sqlx::query_as(&sql), f)
                .fetch_all(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)
            }

            async fn moves(&mut self, f: &FunnelFilter) -> StoreResult<PeriodMoves> {
                let from = MovesFrom::of(f);
                let sql = moves_sql(from);
                let mut reads = Vec::with_capacity(sql.len());
                for q in &sql {
                    reads.push(
                        bind_moves!(sqlx::query(q), f, from)
                            .fetch_all(&mut *self)
                            .await
                            .map_err(StoreError::from_sqlx)?,
                    );
                }
                let moves = match reads.as_slice() {
                    [daily] => {
                        let daily = dated(daily, true, true).map_err(StoreError::from_sqlx)?;
                        PeriodMoves {
                            totals: daily.iter().map(|(_, m)| m.clone()).collect(),
                            daily,
                        }
                    }
                    [totals, daily] => PeriodMoves {
                        totals: totals
                            .iter()
                            .map(|r| move_at(r, 0, true, true))
                            .collect::<Result<_, _>>()
                            .map_err(StoreError::from_sqlx)?,
                        daily: dated(daily, false, false).map_err(StoreError::from_sqlx)?,
                    },
                    _ => PeriodMoves::default(),
                };
                Ok(moves)
            }

            async fn gates(&mut self, f: &FunnelFilter, now: DateTime<Utc>) -> StoreResult<Vec<GateRow>> {
                let sql = gates_sql(f);
                let q = bind_filters!(sqlx::query_as(&sql), f).bind(now);
                let q = if f.narrows() {
                    let (hour, next) = due_hour(now);
                    q.bind(hour).bind(next)
                } else {
                    q
                };
                q.fetch_all(&mut *self).await.map_err(StoreError::from_sqlx)
            }

            async fn revenue(&mut self, f: &FunnelFilter) -> StoreResult<Vec<RevenueRow>> {
                let sql = format!(
                    "SELECT l.stage AS stage, o.currency AS currency, CAST(SUM(o.amount_minor) AS BIGINT) AS amount_minor, \
                     CAST(SUM(o.amount_minor * o.probability) AS DOUBLE PRECISION) AS expected_minor \
                     FROM opportunities o JOIN leads l ON l.id = o.lead_id LEFT JOIN accounts a ON a.id = l.account_id \
                     WHERE o.stage <> 'lost' AND {LEAD_FILTER} GROUP BY l.stage, o.currency ORDER BY o.currency"
                );
                bind_filters!(sqlx::query_as(&sql), f)
                    .fetch_all(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)
            }
        }
    };
}

impl_funnel_queries!(sqlx::SqliteConnection);
impl_funnel_queries!(sqlx::PgConnection);
