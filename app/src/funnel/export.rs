//! CSV exports (API.md `GET /api/v1/funnel.csv`, `GET /api/v1/leads.csv`): the funnel table
//! of the page, and the lead list streamed in pages by id so that a million leads never sit
//! in memory. Column names are stable English keys, for spreadsheets and scripts alike.

use futures_util::Stream;

use super::model::{Funnel, Money};
use crate::auth::User;
use crate::error::{AppError, AppResult};
use crate::leads::query::{LeadFilter, LeadListQuery};
use crate::leads::service::current_definition;
use crate::leads::store::{LeadExportRow, LeadQueries};
use crate::policy::{self, Action};
use crate::state::AppState;
use crate::with_conn;

/// Leads per query of the lead export.
const EXPORT_PAGE: i64 = 5_000;

fn csv_error(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "writing CSV failed");
    AppError::Internal
}

fn money(list: &Option<Vec<Money>>) -> String {
    list.as_ref()
        .map(|l| {
            l.iter()
                .map(|m| format!("{} {}", m.currency, m.amount))
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default()
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The funnel as CSV: one row per stage, the columns of the API.
pub fn funnel_csv(funnel: &Funnel) -> AppResult<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "period_from",
        "period_to",
        "key",
        "name",
        "owner_team",
        "current",
        "actual_current",
        "entered",
        "converted",
        "conversion_rate",
        "cumulative_rate",
        "recycled",
        "median_hours_in_stage",
        "open_handoffs",
        "sla_breaches",
        "pipeline",
        "expected_revenue",
        "lens",
    ])
    .map_err(csv_error)?;
    let lens = funnel
        .lens
        .as_ref()
        .map(|l| format!("{} {}", l.kind, l.id))
        .unwrap_or_default();
    for s in &funnel.stages {
        w.write_record([
            funnel.from.to_string(),
            funnel.to.to_string(),
            s.key.clone(),
            s.name.clone(),
            s.owner_team.as_str().to_owned(),
            s.current.to_string(),
            s.actual_current.to_string(),
            s.entered.to_string(),
            s.converted.to_string(),
            opt(s.conversion_rate.map(|r| format!("{r:.4}"))),
            opt(s.cumulative_rate.map(|r| format!("{r:.4}"))),
            s.recycled.to_string(),
            opt(s.median_hours_in_stage.map(|h| format!("{h:.1}"))),
            s.open_handoffs.to_string(),
            s.sla_breaches.to_string(),
            money(&s.pipeline),
            money(&s.expected_revenue),
            lens.clone(),
        ])
        .map_err(csv_error)?;
    }
    w.into_inner().map_err(csv_error)
}

const LEAD_HEADER: [&str; 18] = [
    "id",
    "email",
    "first_name",
    "last_name",
    "job_title",
    "persona",
    "consent",
    "source",
    "country",
    "score",
    "stage",
    "stage_entered_at",
    "account_domain",
    "account_name",
    "account_is_target",
    "account_tier",
    "owner_email",
    "updated_at",
];

fn lead_record(r: &LeadExportRow) -> [String; 18] {
    [
        r.id.to_string(),
        r.email.clone(),
        r.first_name.clone().unwrap_or_default(),
        r.last_name.clone().unwrap_or_default(),
        r.job_title.clone().unwrap_or_default(),
        r.persona.clone().unwrap_or_default(),
        r.consent.to_string(),
        r.source.clone().unwrap_or_default(),
        r.country.clone().unwrap_or_default(),
        r.score.to_string(),
        r.stage.clone(),
        r.stage_entered_at.to_rfc3339(),
        r.account_domain.clone().unwrap_or_default(),
        r.account_name.clone().unwrap_or_default(),
        opt(r.account_is_target),
        r.account_tier.clone().unwrap_or_default(),
        r.owner_email.clone().unwrap_or_default(),
        r.updated_at.to_rfc3339(),
    ]
}

/// Validates the lead list's filters for an export (paging is ignored: every lead matches).
pub async fn lead_export_filter(
    state: &AppState,
    viewer: Option<&User>,
    query: &LeadListQuery,
) -> AppResult<LeadFilter> {
    policy::authorize(viewer, Action::UseApp)?;
    let def = with_conn!(&state.db, c => current_definition(c).await?.1);
    let unpaged = LeadListQuery {
        page: None,
        per_page: None,
        sort: None,
        dir: None,
        ..query.clone()
    };
    unpaged.validate(&def)
}

async fn export_page(state: &AppState, filter: &LeadFilter, after: i64) -> AppResult<Vec<LeadExportRow>> {
    Ok(with_conn!(&state.db, c => c.export_leads(filter, after, EXPORT_PAGE).await?))
}

/// The leads of `filter` as CSV chunks: the header, then one chunk per page of leads. An
/// error ends the stream (the client sees a cut-off download and the log says why).
pub fn leads_csv(state: AppState, filter: LeadFilter) -> impl Stream<Item = AppResult<Vec<u8>>> + Send {
    futures_util::stream::unfold(Some(0i64), move |after| {
        let state = state.clone();
        let filter = filter.clone();
        async move {
            let after = after?;
            let mut w = csv::Writer::from_writer(Vec::new());
            if after == 0
                && let Err(e) = w.write_record(LEAD_HEADER)
            {
                return Some((Err(csv_error(e)), None));
            }
            let rows = match export_page(&state, &filter, after).await {
                Ok(rows) => rows,
                Err(e) => return Some((Err(e), None)),
            };
            for r in &rows {
                if let Err(e) = w.write_record(lead_record(r)) {
                    return Some((Err(csv_error(e)), None));
                }
            }
            let next = (rows.len() as i64 == EXPORT_PAGE).then(|| rows.last().map_or(after, |r| r.id));
            if rows.is_empty() && after != 0 {
                return None;
            }
            Some((w.into_inner().map_err(csv_error), next))
        }
    })
}
