//! What a definition change does to every lead: the impact preview of a proposal (computed
//! without writing) and the re-evaluation that follows a publish. Leads are streamed in
//! batches by id, so memory stays flat however many leads there are.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::impact::{Impact, ImpactBuilder, LeadSnapshot};
use super::lifecycle::{publish_move, stage_index_or_first};
use super::scoring::{ScoredActivity, activity_counts, score};
use super::store::{LeadFactsRow, LeadQueries};
use crate::auth::User;
use crate::definitions::criteria::{AccountFacts, LeadFacts, activity_windows};
use crate::definitions::model::{Definition, EntryOn};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::{in_tx, with_conn};

/// Leads per batch.
const BATCH: i64 = 2_000;

/// Index of the first stage entered only on acceptance (people decide from there on).
fn first_acceptance(def: &Definition) -> usize {
    def.stages
        .iter()
        .position(|s| s.gate.as_ref().is_some_and(|g| g.entry_on == EntryOn::Acceptance))
        .unwrap_or(def.stages.len())
}

fn lead_facts(
    def: &Definition,
    windows: &[(String, u32)],
    row: &LeadFactsRow,
    acts: &[ScoredActivity],
    now: DateTime<Utc>,
) -> (LeadFacts, i64) {
    let total = score(&def.scoring, acts, now).total;
    let account = row.account_id.map(|_| AccountFacts {
        employees: row.a_employees,
        industry: row.a_industry.clone(),
        country: row.a_country.clone(),
        annual_revenue: row.a_annual_revenue,
        is_target: row.a_is_target.unwrap_or(false),
        tier: row.a_tier.clone(),
    });
    let facts = LeadFacts {
        email: Some(row.email.clone()),
        consent: row.consent,
        persona: row.persona.clone(),
        job_title: row.job_title.clone(),
        score: total,
        source: row.source.clone(),
        country: row.country.clone(),
        account,
        activity_counts: activity_counts(windows, acts, now),
    };
    (facts, total)
}

fn group_activities(rows: Vec<(i64, String, DateTime<Utc>)>) -> HashMap<i64, Vec<ScoredActivity>> {
    let mut map: HashMap<i64, Vec<ScoredActivity>> = HashMap::new();
    for (lead, kind, occurred_at) in rows {
        map.entry(lead)
            .or_default()
            .push(ScoredActivity { kind, occurred_at });
    }
    map
}

/// The impact preview of proposal `id`: for every lead, its stage under the proposal versus
/// today, grouped into moves. Leads already past a human decision (from the first stage entered
/// on acceptance on) are counted but never moved by a definition.
pub async fn proposal_impact(state: &AppState, actor: Option<&User>, id: i64) -> AppResult<Impact> {
    let proposal = crate::definitions::service::proposal(state, actor, id).await?;
    let def = proposal.definition;
    let windows = activity_windows(&def);
    let decided_from = first_acceptance(&def);
    let now = state.clock.now();
    let mut builder = ImpactBuilder::new(&def, proposal.requalify, 5);
    let mut kept_by_people = 0u64;
    let mut after = 0i64;
    loop {
        let (rows, acts) = with_conn!(&state.db, c => {
            let rows = c.lead_facts_batch(after, BATCH).await?;
            let acts = match (rows.first(), rows.last()) {
                (Some(first), Some(last)) => c.activities_in(first.id, last.id).await?,
                _ => Vec::new(),
            };
            Ok::<_, AppError>((rows, acts))
        })?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        let acts = group_activities(acts);
        for row in &rows {
            let current = stage_index_or_first(&def, &row.stage);
            if row.past_human_decision || (def.stage(&row.stage).is_some() && current >= decided_from) {
                kept_by_people += 1;
                continue;
            }
            let lead_acts = acts.get(&row.id).map(Vec::as_slice).unwrap_or(&[]);
            let (facts, _) = lead_facts(&def, &windows, row, lead_acts, now);
            builder.add(&LeadSnapshot {
                id: row.id,
                email: row.email.clone(),
                stage: row.stage.clone(),
                facts,
                past_human_decision: false,
            });
        }
    }
    let mut impact = builder.finish();
    impact.evaluated += kept_by_people;
    Ok(impact)
}

/// After version `version` was published: re-scores every lead under its rules and applies
/// the moves publishing implies (forward always; back only with `requalify`, never past a
/// human decision). Each batch is one transaction; returns how many leads moved.
pub async fn apply_published(
    state: &AppState,
    actor: Option<&User>,
    version: i64,
    def: &Definition,
    requalify: bool,
) -> AppResult<u64> {
    let windows = activity_windows(def);
    let decided_from = first_acceptance(def);
    let now = state.clock.now();
    let mut moved = 0u64;
    let mut after = 0i64;
    loop {
        let done: bool = in_tx!(&state.db, c => {
            let rows = c.lead_facts_batch(after, BATCH).await?;
            let (first, last) = match (rows.first(), rows.last()) {
                (Some(first), Some(last)) => (first.id, last.id),
                _ => (0, 0),
            };
            let acts = if rows.is_empty() { HashMap::new() } else { group_activities(c.activities_in(first, last).await?) };
            after = last;
            for row in &rows {
                let lead_acts = acts.get(&row.id).map(Vec::as_slice).unwrap_or(&[]);
                let (facts, total) = lead_facts(def, &windows, row, lead_acts, now);
                if total != row.score {
                    c.set_lead_score(row.id, total).await?;
                }
                let current = stage_index_or_first(def, &row.stage);
                let decided = row.past_human_decision || current >= decided_from;
                if let Some((target, cause)) = publish_move(def, current, &facts, requalify, decided) {
                    let lead = c.lead(row.id).await?.ok_or(AppError::Internal)?;
                    let actor = super::service::Actor { user: actor, cause };
                    super::service::move_stage(c, version, def, &lead, current, target, &actor, None, now).await?;
                    moved += 1;
                }
            }
            rows.is_empty()
        });
        if done {
            break;
        }
    }
    tracing::info!(version, moved, "leads re-evaluated after publish");
    Ok(moved)
}

/// Publishes proposal `id` and applies the new version to every lead: the one entry point
/// for the API and the approval screen.
pub async fn publish_and_apply(state: &AppState, actor: Option<&User>, id: i64) -> AppResult<i64> {
    let version = crate::definitions::service::publish(state, actor, id).await?;
    let proposal = crate::definitions::service::proposal(state, actor, id).await?;
    apply_published(state, actor, version, &proposal.definition, proposal.requalify).await?;

    Ok(version)
}
