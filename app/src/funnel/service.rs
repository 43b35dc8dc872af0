//! The funnel use case: validate the filters, read the aggregates, apply the version lens,
//! and hand the numbers to [`super::metrics`].

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::metrics::{stage_flows, weekly_entries};
use super::model::{Funnel, FunnelFilter, FunnelQuery, FunnelStage, Lens, LensSource, Money, WeekEntries};
use super::store::{FunnelQueries, RevenueRow};
use crate::auth::{Team, User};
use crate::definitions::model::Definition;
use crate::error::{AppError, AppResult};
use crate::handoffs::rules::from_minor;
use crate::leads::publish::lens_counts;
use crate::leads::service::current_definition;
use crate::leads::store::LeadFactsRow;
use crate::policy::{self, Action};
use crate::state::AppState;
use crate::with_conn;

/// The funnel the query asks for, as `viewer` may see it.
pub async fn funnel(state: &AppState, viewer: Option<&User>, query: &FunnelQuery) -> AppResult<Funnel> {
    policy::authorize(viewer, Action::UseApp)?;
    let now = state.clock.now();
    let filter = query.validate(now.date_naive())?;
    funnel_for(state, viewer, &filter, now).await
}

/// The funnel of validated filters at `now`.
pub async fn funnel_for(
    state: &AppState,
    viewer: Option<&User>,
    f: &FunnelFilter,
    now: DateTime<Utc>,
) -> AppResult<Funnel> {
    // Two pooled connections read at once (each read is its own snapshot either way): the
    // definition, the leads now and the gates on one, the history and the opportunities on
    // the other.
    let now_side = async {
        Ok::<_, AppError>(with_conn!(&state.db, c => {
            let (version, def) = current_definition(c).await?;
            let current = c.current_counts(f).await?;
            let gates = c.gates(f, now).await?;
            (version, def, current, gates)
        }))
    };
    let history_side = async {
        Ok::<_, AppError>(with_conn!(&state.db, c => {
            let moves = c.moves(f).await?;
            let revenue = c.revenue(f).await?;
            (moves, revenue)
        }))
    };
    let ((version, def, current, gates), (moves, revenue)) =
        futures_util::future::try_join(now_side, history_side).await?;
    let order: Vec<String> = def.stages.iter().map(|s| s.key.clone()).collect();
    let flows = stage_flows(&order, &moves.totals);
    let actual: HashMap<String, u64> = current.into_iter().map(|(k, n)| (k, n.max(0) as u64)).collect();
    let (lens, lensed) = match f.lens {
        Some(source) => {
            let (lens, counts) = lens(state, viewer, source, f).await?;
            (Some(lens), Some(counts))
        }
        None => (None, None),
    };
    let shown = shown_stages(&def, f.owner_team);
    let weeks = weekly_entries(&order, &moves.daily)
        .into_iter()
        .map(|(week, entered)| WeekEntries {
            week,
            entered: shown.iter().map(|&i| entered[i]).collect(),
        })
        .collect();
    let stages = shown
        .iter()
        .map(|&i| {
            let stage = &def.stages[i];
            let flow = &flows[i];
            let gate = gates.iter().find(|g| g.stage == stage.key);
            let sales = stage.owner_team == Team::Sales;
            let actual_current = actual.get(&stage.key).copied().unwrap_or(0);
            FunnelStage {
                key: stage.key.clone(),
                name: stage.name.clone(),
                owner_team: stage.owner_team,
                current: lensed
                    .as_ref()
                    .map_or(actual_current, |l| l.get(&stage.key).copied().unwrap_or(0)),
                entered: flow.entered,
                converted: flow.converted,
                conversion_rate: flow.conversion_rate,
                median_hours_in_stage: flow.median_hours_in_stage,
                expected_revenue: sales
                    .then(|| money(&revenue, &stage.key, |r| r.expected_minor.round() as i64)),
                pipeline: sales.then(|| money(&revenue, &stage.key, |r| r.amount_minor)),
                recycled: flow.recycled,
                cumulative_rate: flow.cumulative_rate,
                exits_timed: flow.exits_timed,
                open_handoffs: gate.map_or(0, |g| g.open.max(0) as u64),
                sla_breaches: gate.map_or(0, |g| g.breached.max(0) as u64),
                by_version: flow.by_version.clone(),
                actual_current,
            }
        })
        .collect();
    Ok(Funnel {
        version,
        from: f.from,
        to: f.to,
        stages,
        weeks,
        lens,
    })
}

/// Indexes of the stages a team's view shows: the stages it owns and the stage its handoff
/// out of the team leads into; every stage without a team.
pub fn shown_stages(def: &Definition, team: Option<Team>) -> Vec<usize> {
    def.stages
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            team.is_none_or(|t| s.owner_team == t || s.gate.as_ref().is_some_and(|g| g.from_team == t))
        })
        .map(|(i, _)| i)
        .collect()
}

/// Sums per currency of the revenue rows of `stage`.
fn money(rows: &[RevenueRow], stage: &str, minor: impl Fn(&RevenueRow) -> i64) -> Vec<Money> {
    rows.iter()
        .filter(|r| r.stage == stage)
        .map(|r| Money {
            currency: r.currency.clone(),
            amount: from_minor(minor(r), &r.currency),
        })
        .collect()
}

/// Whether a lead passes the funnel's lead filters (the version lens filters as it reads).
pub fn matches(f: &FunnelFilter, row: &LeadFactsRow) -> bool {
    let is = |want: &Option<String>, have: &Option<String>| want.is_none() || want == have;
    is(&f.source, &row.source)
        && (!f.target_only || row.a_is_target.unwrap_or(false))
        && is(&f.tier, &row.a_tier)
        && is(&f.country, &row.country)
        && is(&f.industry, &row.a_industry)
}

/// Today's leads (those the filters take) re-evaluated under the lens's definition.
async fn lens(
    state: &AppState,
    viewer: Option<&User>,
    source: LensSource,
    f: &FunnelFilter,
) -> AppResult<(Lens, HashMap<String, u64>)> {
    let (kind, id, title, def) = match source {
        LensSource::Version(n) => {
            let v = crate::definitions::service::version(state, viewer, Some(n))
                .await
                .map_err(|e| match e {
                    AppError::NotFound => AppError::field("version", "unknown_version"),
                    other => other,
                })?;
            ("version", n, v.title, v.definition)
        }
        LensSource::Proposal(p) => {
            let proposal = crate::definitions::service::proposal(state, viewer, p)
                .await
                .map_err(|e| match e {
                    AppError::NotFound => AppError::field("proposal", "unknown_proposal"),
                    other => other,
                })?;
            ("proposal", p, proposal.title, proposal.definition)
        }
    };
    let counts = lens_counts(state, &def, |row| matches(f, row)).await?;
    Ok((
        Lens {
            kind: kind.to_owned(),
            id,
            title,
            evaluated: counts.evaluated,
            moved: counts.moved,
            kept_by_people: counts.kept_by_people,
        },
        counts.stages,
    ))
}
