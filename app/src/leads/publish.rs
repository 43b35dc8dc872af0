//! What a definition change does to every lead: the impact preview of a proposal (computed
//! without writing) and the re-evaluation that follows a publish. Leads are streamed in
//! batches by id, so memory stays flat however many leads there are.

use chrono::{DateTime, Utc};

use super::impact::{Impact, ImpactBuilder, LeadSnapshot};
use super::lifecycle::{publish_move, stage_index_or_first};
use super::scoring::{Tallied, Tally, activity_counts_counted, score_counted, tallies};
use super::store::{LeadFactsRow, LeadQueries};
use crate::auth::User;
use crate::definitions::criteria::{AccountFacts, LeadFacts, activity_windows};
use crate::definitions::model::{Definition, EntryOn};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::Db;
use crate::{in_tx, with_conn};

/// Lead ids per transaction of the re-evaluation after a publish.
const BATCH: i64 = 2_000;

/// Index of the first stage entered only on acceptance (people decide from there on).
fn first_acceptance(def: &Definition) -> usize {
    def.stages
        .iter()
        .position(|s| s.gate.as_ref().is_some_and(|g| g.entry_on == EntryOn::Acceptance))
        .unwrap_or(def.stages.len())
}

/// A lead's facts and score under `def`, from its row and its tallied activity counts.
fn lead_facts(
    def: &Definition,
    windows: &[(String, u32)],
    row: &LeadFactsRow,
    acts: &Tallied<'_>,
    now: DateTime<Utc>,
) -> (LeadFacts, i64) {
    let total = score_counted(&def.scoring, acts, now).total;
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
        activity_counts: activity_counts_counted(windows, acts, now),
    };
    (facts, total)
}

/// Leads per batch of the impact preview (read-only, so larger batches cost nothing in locks).
const IMPACT_BATCH: i64 = 10_000;

/// One batch of leads with their tallied activity counts, ordered by lead id.
type EvaluationBatch = Vec<(LeadFactsRow, Vec<i64>)>;

/// Reads the leads by id range, each with its account's facts and its activities counted per
/// tally (one query, one row per lead), into `tx` until the last lead or until the receiver is
/// gone; runs beside the evaluation so that reading and evaluating overlap.
async fn read_batches(
    db: Db,
    tallies: Vec<Tally>,
    now: DateTime<Utc>,
    tx: tokio::sync::mpsc::Sender<EvaluationBatch>,
) -> AppResult<()> {
    let max_id = with_conn!(&db, c => c.max_lead_id().await?);
    let mut first = 1i64;
    while first <= max_id {
        let last = first.saturating_add(IMPACT_BATCH - 1);
        let batch = with_conn!(&db, c => c.lead_evaluations(first, last, &tallies, now).await?);
        first = last.saturating_add(1);
        if !batch.is_empty() && tx.send(batch).await.is_err() {
            return Ok(());
        }
    }
    Ok(())
}

/// The impact preview of proposal `id`: for every lead, its stage under the proposal versus
/// today, grouped into moves. Leads already past a human decision (from the first stage entered
/// on acceptance on) are counted but never moved by a definition.
///
/// One task reads batches of leads (with their accounts, in one joined query) and the
/// activities that can still count, while this one evaluates the previous batch.
pub async fn proposal_impact(state: &AppState, actor: Option<&User>, id: i64) -> AppResult<Impact> {
    let proposal = crate::definitions::service::proposal(state, actor, id).await?;
    let def = proposal.definition;
    let windows = activity_windows(&def);
    let decided_from = first_acceptance(&def);
    let now = state.clock.now();
    let mut builder = ImpactBuilder::new(&def, proposal.requalify, 5);
    let mut kept_by_people = 0u64;
    let tallies = tallies(&def.scoring, &windows, now);
    let (tx, mut rx) = tokio::sync::mpsc::channel(2);
    let reader = tokio::spawn(read_batches(state.db.clone(), tallies.clone(), now, tx));
    while let Some(rows) = rx.recv().await {
        for (row, counts) in rows {
            let current = stage_index_or_first(&def, &row.stage);
            if row.past_human_decision || (def.stage(&row.stage).is_some() && current >= decided_from) {
                kept_by_people += 1;
                continue;
            }
            let acts = Tallied {
                tallies: &tallies,
                counts: &counts,
            };
            let (facts, _) = lead_facts(&def, &windows, &row, &acts, now);
            builder.add(&LeadSnapshot {
                id: row.id,
                email: row.email,
                stage: row.stage,
                facts,
                past_human_decision: false,
            });
        }
    }
    reader.await.map_err(|e| {
        tracing::error!(error = %e, "the impact preview's reader failed");
        AppError::Internal
    })??;
    let mut impact = builder.finish();
    impact.evaluated += kept_by_people;
    Ok(impact)
}

/// Today's leads as `def` would place them (the funnel's version lens): leads decided by
/// people (an accepted handoff, or at or past the first stage entered on acceptance) stay
/// where they are; every other lead is at its automatic stage under `def`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LensCounts {
    /// Leads per stage key under `def`.
    pub stages: std::collections::HashMap<String, u64>,
    /// Leads per stage key today (the same leads).
    pub today: std::collections::HashMap<String, u64>,
    /// Leads evaluated (those `include` took).
    pub evaluated: u64,
    /// Leads whose stage differs under `def`.
    pub moved: u64,
    /// Leads kept where people put them.
    pub kept_by_people: u64,
}

/// Streams every lead `include` takes through `def` (see [`LensCounts`]); the same reading
/// and evaluation as the impact preview.
pub async fn lens_counts(
    state: &AppState,
    def: &Definition,
    include: impl Fn(&LeadFactsRow) -> bool,
) -> AppResult<LensCounts> {
    let windows = activity_windows(def);
    let decided_from = first_acceptance(def);
    let now = state.clock.now();
    let tallies = tallies(&def.scoring, &windows, now);
    let (tx, mut rx) = tokio::sync::mpsc::channel(2);
    let reader = tokio::spawn(read_batches(state.db.clone(), tallies.clone(), now, tx));
    let mut out = LensCounts::default();
    while let Some(rows) = rx.recv().await {
        for (row, counts) in rows {
            if !include(&row) {
                continue;
            }
            out.evaluated += 1;
            *out.today.entry(row.stage.clone()).or_default() += 1;
            let known = def.stage_index(&row.stage);
            let lens_stage = if row.past_human_decision || known.is_some_and(|i| i >= decided_from) {
                out.kept_by_people += 1;
                row.stage.clone()
            } else {
                let acts = Tallied {
                    tallies: &tallies,
                    counts: &counts,
                };
                let (facts, _) = lead_facts(def, &windows, &row, &acts, now);
                let computed = crate::definitions::stage::automatic_stage(def, &facts);
                def.stages
                    .get(computed)
                    .map_or_else(|| row.stage.clone(), |s| s.key.clone())
            };
            if lens_stage != row.stage {
                out.moved += 1;
            }
            *out.stages.entry(lens_stage).or_default() += 1;
        }
    }
    reader.await.map_err(|e| {
        tracing::error!(error = %e, "the version lens's reader failed");
        AppError::Internal
    })??;
    Ok(out)
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
    let tallies = tallies(&def.scoring, &windows, now);
    let mut moved = 0u64;
    let max_id = with_conn!(&state.db, c => c.max_lead_id().await?);
    let mut first = 1i64;
    while first <= max_id {
        let last = first.saturating_add(BATCH - 1);
        in_tx!(&state.db, c => {
            let rows = c.lead_evaluations(first, last, &tallies, now).await?;
            for (row, counts) in &rows {
                let acts = Tallied { tallies: &tallies, counts };
                let (facts, total) = lead_facts(def, &windows, row, &acts, now);
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
        });
        first = last.saturating_add(1);
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
