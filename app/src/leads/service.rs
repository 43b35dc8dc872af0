//! Use cases of leads and accounts: upserts, activities and manual moves, each in one
//! transaction that also re-scores the lead and applies the current version's forward-only
//! stage rules (the "workflow"), records the history and opens due handoffs.

use chrono::{DateTime, Duration, Utc};

use super::lifecycle::{Cause, check_manual_move, forward_move, handoffs_due, stage_index_or_first};
use super::model::{
    Account, AccountInput, AccountRef, ActivityRecord, Lead, LeadInput, Transition, check_activity_kind,
};
use super::query::{AccountListQuery, LeadListQuery, PAGE_SIZE};
use super::scoring::{ScoreBreakdown, ScoredActivity, activity_counts, score};
use super::store::{AccountRow, HandoffWrite, LeadFilter, LeadQueries, LeadRow, TransitionWrite};
use crate::auth::User;
use crate::definitions::criteria::{AccountFacts, LeadFacts, activity_windows};
use crate::definitions::model::Definition;
use crate::definitions::store::DefinitionQueries;
use crate::error::{AppError, AppResult, FieldError};
use crate::policy::{self, Action};
use crate::state::AppState;
use crate::{in_tx, with_conn};

/// The definition in force and its version number.
pub(crate) async fn current_definition<C: DefinitionQueries>(c: &mut C) -> AppResult<(i64, Definition)> {
    let row = c.current_version().await?.ok_or(AppError::Internal)?;
    let def = serde_json::from_str(&row.definition).map_err(|e| {
        tracing::error!(error = %e, "stored definition is unreadable");
        AppError::Internal
    })?;
    Ok((row.version, def))
}

pub(crate) fn account_facts(row: &AccountRow) -> AccountFacts {
    AccountFacts {
        employees: row.employees,
        industry: row.industry.clone(),
        country: row.country.clone(),
        annual_revenue: row.annual_revenue,
        is_target: row.is_target,
        tier: row.tier.clone(),
    }
}

/// The facts the criteria see for one lead, with its score under `def`.
pub(crate) fn facts(
    def: &Definition,
    lead: &LeadRow,
    account: Option<&AccountRow>,
    activities: &[ScoredActivity],
    now: DateTime<Utc>,
) -> (LeadFacts, ScoreBreakdown) {
    let breakdown = score(&def.scoring, activities, now);
    let facts = LeadFacts {
        email: Some(lead.email.clone()),
        consent: lead.consent,
        persona: lead.persona.clone(),
        job_title: lead.job_title.clone(),
        score: breakdown.total,
        source: lead.source.clone(),
        country: lead.country.clone(),
        account: account.map(account_facts),
        activity_counts: activity_counts(&activity_windows(def), activities, now),
    };
    (facts, breakdown)
}

/// The facts and score of one lead under `def`, as the criteria see them now (for the lead
/// detail screen's criteria report, and re-evaluation).
pub(crate) async fn lead_facts_now<C: LeadQueries>(
    c: &mut C,
    def: &Definition,
    lead_id: i64,
    now: DateTime<Utc>,
) -> AppResult<(LeadFacts, ScoreBreakdown)> {
    let lead = c.lead(lead_id).await?.ok_or(AppError::NotFound)?;
    let account = match lead.account_id {
        Some(id) => c.account(id).await?,
        None => None,
    };
    let activities: Vec<ScoredActivity> = c
        .activities(lead_id)
        .await?
        .into_iter()
        .map(|(_, kind, occurred_at)| ScoredActivity { kind, occurred_at })
        .collect();
    Ok(facts(def, &lead, account.as_ref(), &activities, now))
}

/// Who caused a change, for the history.
pub(crate) struct Actor<'a> {
    pub(crate) user: Option<&'a User>,
    pub(crate) cause: Cause,
}

/// Re-scores one lead and applies forward-only automation; returns whether its stage moved.
async fn reevaluate<C: LeadQueries>(
    c: &mut C,
    version: i64,
    def: &Definition,
    lead_id: i64,
    actor: &Actor<'_>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let (facts, breakdown) = lead_facts_now(c, def, lead_id, now).await?;
    c.set_lead_score(lead_id, breakdown.total).await?;
    let lead = c.lead(lead_id).await?.ok_or(AppError::NotFound)?;
    let current = stage_index_or_first(def, &lead.stage);
    let Some(target) = forward_move(def, current, &facts) else {
        return Ok(false);
    };
    move_stage(c, version, def, &lead, current, target, actor, None, now).await?;
    Ok(true)
}

/// Moves a lead, records the transition, opens due handoffs and rolls the account up.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn move_stage<C: LeadQueries>(
    c: &mut C,
    version: i64,
    def: &Definition,
    lead: &LeadRow,
    from: usize,
    to: usize,
    actor: &Actor<'_>,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let to_key = def.stages[to].key.clone();
    c.set_lead_stage(lead.id, &to_key, now).await?;
    c.insert_transition(&TransitionWrite {
        lead_id: lead.id,
        from: Some(lead.stage.as_str()),
        to: &to_key,
        at: now,
        cause: actor.cause.as_str(),
        actor_id: actor.user.map(|u| u.id.0),
        definition_version: version,
        reason,
    })
    .await?;
    for handoff in due_handoffs(def, lead.id, from, to, now) {
        c.open_handoff(&handoff).await?;
    }
    if let Some(account_id) = lead.account_id {
        roll_up(c, def, account_id).await?;
    }
    Ok(())
}

/// The handoffs a lead moving from stage `from` to `to` opens: one per stage entered whose
/// gate opens on its criteria (the handoffs hook; every stage change goes through here).
pub(crate) fn due_handoffs(
    def: &Definition,
    lead_id: i64,
    from: usize,
    to: usize,
    now: DateTime<Utc>,
) -> Vec<HandoffWrite<'_>> {
    if to <= from {
        return Vec::new();
    }
    handoffs_due(def, from, to)
        .into_iter()
        .filter_map(|due| {
            let stage = &def.stages[due];
            stage.gate.as_ref().map(|gate| HandoffWrite {
                lead_id,
                stage: &stage.key,
                from_team: gate.from_team.as_str(),
                to_team: gate.to_team.as_str(),
                requested_at: now,
                sla_due_at: now + Duration::hours(i64::from(gate.sla_hours)),
            })
        })
        .collect()
}

/// An account's stage is the furthest stage of its contacts.
pub(crate) async fn roll_up<C: LeadQueries>(c: &mut C, def: &Definition, account_id: i64) -> AppResult<()> {
    let leads = c.leads_of_account(account_id).await?;
    let furthest = leads.iter().map(|l| stage_index_or_first(def, &l.stage)).max();
    let key = furthest.map(|i| def.stages[i].key.clone());
    c.set_account_stage(account_id, key.as_deref()).await?;
    Ok(())
}

fn account_view(row: AccountRow, leads: i64) -> Account {
    Account {
        id: row.id,
        domain: row.domain,
        name: row.name,
        employees: row.employees,
        industry: row.industry,
        country: row.country,
        annual_revenue: row.annual_revenue,
        is_target: row.is_target,
        tier: row.tier,
        stage: row.stage,
        leads,
    }
}

/// Creates or updates an account inside a transaction; its contacts are re-evaluated
/// (forward only). Returns the id and whether it was created.
pub(crate) async fn upsert_account_tx<C: LeadQueries>(
    c: &mut C,
    version: i64,
    def: &Definition,
    upsert: &super::model::AccountUpsert,
    actor: &Actor<'_>,
    now: DateTime<Utc>,
) -> AppResult<(i64, bool)> {
    let (id, created) = match c.account_by_domain(&upsert.domain).await? {
        Some(existing) => {
            c.update_account(existing.id, upsert, now).await?;
            (existing.id, false)
        }
        None => {
            let name = upsert.name.clone().unwrap_or_else(|| upsert.domain.clone());
            (c.insert_account(upsert, &name, now).await?, true)
        }
    };
    if !created {
        for lead in c.leads_of_account(id).await? {
            reevaluate(c, version, def, lead.id, actor, now).await?;
        }
    }
    Ok((id, created))
}

/// Creates or updates an account by domain; its contacts are re-evaluated (forward only).
pub async fn upsert_account(
    state: &AppState,
    actor: Option<&User>,
    input: AccountInput,
) -> AppResult<(Account, bool)> {
    let user = policy::authorize(actor, Action::EditLeads)?;
    let upsert = input.validate()?;
    let now = state.clock.now();
    in_tx!(&state.db, c => {
        let (version, def) = current_definition(c).await?;
        let actor = Actor { user: Some(user), cause: Cause::Rule };
        let (id, created) = upsert_account_tx(c, version, &def, &upsert, &actor, now).await?;
        let row = c.account(id).await?.ok_or(AppError::Internal)?;
        let leads = c.count_account_leads(id).await?;
        Ok::<_, AppError>((account_view(row, leads), created))
    })
}

/// Creates or updates a lead inside a transaction and re-evaluates it. Returns the id and
/// whether it was created.
pub(crate) async fn upsert_lead_tx<C: LeadQueries>(
    c: &mut C,
    version: i64,
    def: &Definition,
    upsert: &super::model::LeadUpsert,
    actor: &Actor<'_>,
    now: DateTime<Utc>,
) -> AppResult<(i64, bool)> {
    let account_id = match &upsert.account_domain {
        Some(domain) => Some(match c.account_by_domain(domain).await? {
            Some(a) => a.id,
            None => {
                let a = super::model::AccountInput {
                    domain: domain.clone(),
                    ..Default::default()
                }
                .validate()?;
                c.insert_account(&a, domain, now).await?
            }
        }),
        None => None,
    };
    let (id, created) = match c.lead_by_email(&upsert.email).await? {
        Some(existing) => {
            c.update_lead(existing.id, upsert, account_id, now).await?;
            (existing.id, false)
        }
        None => {
            let first = def.stages.first().ok_or(AppError::Internal)?.key.clone();
            let id = c.insert_lead(upsert, account_id, &first, now).await?;
            c.insert_transition(&TransitionWrite {
                lead_id: id,
                from: None,
                to: &first,
                at: now,
                cause: actor.cause.as_str(),
                actor_id: actor.user.map(|u| u.id.0),
                definition_version: version,
                reason: None,
            })
            .await?;
            (id, true)
        }
    };
    reevaluate(c, version, def, id, actor, now).await?;
    if let Some(account_id) = account_id {
        roll_up(c, def, account_id).await?;
    }
    Ok((id, created))
}

/// Creates or updates a lead by email; the stage is re-evaluated before answering.
pub async fn upsert_lead(
    state: &AppState,
    actor: Option<&User>,
    input: LeadInput,
) -> AppResult<(Lead, bool)> {
    let user = policy::authorize(actor, Action::EditLeads)?;
    let upsert = input.validate()?;
    let now = state.clock.now();
    in_tx!(&state.db, c => {
        let (version, def) = current_definition(c).await?;
        let actor = Actor { user: Some(user), cause: Cause::Rule };
        let (id, created) = upsert_lead_tx(c, version, &def, &upsert, &actor, now).await?;
        let row = c.lead(id).await?.ok_or(AppError::Internal)?;
        Ok::<_, AppError>((lead_view(c, row).await?, created))
    })
}

async fn lead_view<C: LeadQueries + DefinitionQueries>(c: &mut C, row: LeadRow) -> AppResult<Lead> {
    let account = match row.account_id {
        Some(id) => c.account(id).await?.map(|a| AccountRef {
            id: a.id,
            domain: a.domain,
            name: a.name,
        }),
        None => None,
    };
    let owner = match row.owner_id {
        Some(id) => c.user_ref(id).await?,
        None => None,
    };
    Ok(Lead {
        id: row.id,
        email: row.email,
        first_name: row.first_name,
        last_name: row.last_name,
        job_title: row.job_title,
        persona: row.persona,
        consent: row.consent,
        source: row.source,
        country: row.country,
        account,
        owner,
        score: row.score,
        stage: row.stage,
        stage_entered_at: row.stage_entered_at,
        updated_at: row.updated_at,
    })
}

/// Records an activity for the lead with this email; returns the lead re-scored and re-staged.
pub async fn record_activity(
    state: &AppState,
    actor: Option<&User>,
    email: &str,
    kind: &str,
    occurred_at: Option<DateTime<Utc>>,
) -> AppResult<Lead> {
    let user = policy::authorize(actor, Action::EditLeads)?;
    let mut errors = Vec::new();
    let email = crate::auth::Email::parse(email)
        .map_err(|e| {
            errors.push(FieldError {
                field: "lead_email".into(),
                code: e.code,
            })
        })
        .ok();
    let kind = check_activity_kind(kind).map_err(|e| errors.push(e)).ok();
    let now = state.clock.now();
    let at = occurred_at.unwrap_or(now);
    if at > now + Duration::minutes(5) {
        errors.push(FieldError::new("occurred_at", "in_the_future"));
    }
    let (Some(email), Some(kind)) = (email, kind) else {
        return Err(AppError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    in_tx!(&state.db, c => {
        let (version, def) = current_definition(c).await?;
        let lead = c.lead_by_email(email.as_str()).await?.ok_or_else(|| AppError::field("lead_email", "unknown_lead"))?;
        c.insert_activity(lead.id, &kind, at, now).await?;
        reevaluate(c, version, &def, lead.id, &Actor { user: Some(user), cause: Cause::Rule }, now).await?;
        let row = c.lead(lead.id).await?.ok_or(AppError::Internal)?;
        lead_view(c, row).await
    })
}

/// Moves a lead by hand: backward moves need a reason; the user must be on the team that owns
/// the stage being left (or an admin).
pub async fn move_lead(
    state: &AppState,
    actor: Option<&User>,
    lead_id: i64,
    stage: &str,
    reason: Option<&str>,
) -> AppResult<Lead> {
    let user = policy::authorize(actor, Action::EditLeads)?;
    let now = state.clock.now();
    in_tx!(&state.db, c => {
        let (version, def) = current_definition(c).await?;
        let lead = c.lead(lead_id).await?.ok_or(AppError::NotFound)?;
        let from = stage_index_or_first(&def, &lead.stage);
        if !policy::can_move_lead_from(user, &def.stages[from]) {
            return Err(AppError::Forbidden);
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        let to = check_manual_move(&def, from, stage, reason).map_err(|e| AppError::Validation(vec![e]))?;
        move_stage(c, version, &def, &lead, from, to, &Actor { user: Some(user), cause: Cause::Manual }, reason, now).await?;
        let row = c.lead(lead_id).await?.ok_or(AppError::Internal)?;
        lead_view(c, row).await
    })
}

/// Everything known about one lead, as its screen explains it.
#[derive(Clone, Debug)]
pub struct LeadReport {
    /// The lead.
    pub lead: Lead,
    /// Stage history, oldest first.
    pub history: Vec<Transition>,
    /// Activities, newest first.
    pub activities: Vec<ActivityRecord>,
    /// The score under the current version's rules, line by line.
    pub breakdown: ScoreBreakdown,
    /// The version in force.
    pub version: i64,
    /// Its definition.
    pub definition: Definition,
    /// What the criteria see (score included), for the met/missed report.
    pub facts: LeadFacts,
}

/// One lead with its history, activities, score breakdown and the facts its criteria see,
/// all read on one connection under the current version.
pub async fn lead_report(state: &AppState, actor: Option<&User>, lead_id: i64) -> AppResult<LeadReport> {
    policy::authorize(actor, Action::UseApp)?;
    let now = state.clock.now();
    with_conn!(&state.db, c => {
        let (version, definition) = current_definition(c).await?;
        let row = c.lead(lead_id).await?.ok_or(AppError::NotFound)?;
        let (facts, breakdown) = lead_facts_now(c, &definition, lead_id, now).await?;
        let history = c
            .transitions(lead_id)
            .await?
            .into_iter()
            .map(|t| Transition {
                from: t.from_stage,
                to: t.to_stage,
                at: t.at,
                cause: t.cause,
                actor: t.actor,
                definition_version: t.definition_version,
                reason: t.reason,
            })
            .collect();
        let activities = c
            .activities(lead_id)
            .await?
            .into_iter()
            .map(|(id, kind, occurred_at)| ActivityRecord { id, kind, occurred_at })
            .collect();
        let lead = lead_view(c, row).await?;
        Ok(LeadReport { lead, history, activities, breakdown, version, definition, facts })
    })
}

/// One lead with its stage history, activities and score breakdown (the API's view of
/// [`lead_report`]).
pub async fn lead_detail(
    state: &AppState,
    actor: Option<&User>,
    lead_id: i64,
) -> AppResult<(Lead, Vec<Transition>, Vec<ActivityRecord>, ScoreBreakdown)> {
    let r = lead_report(state, actor, lead_id).await?;
    Ok((r.lead, r.history, r.activities, r.breakdown))
}

/// A page of leads as a URL or the API asks for it: the parameters are checked against the
/// current definition (every bad one named), then listed. Returns the total and the page.
pub async fn search_leads(
    state: &AppState,
    actor: Option<&User>,
    query: &LeadListQuery,
) -> AppResult<(i64, Vec<Lead>)> {
    policy::authorize(actor, Action::UseApp)?;
    let def = definition(state).await?;
    let filter = query.validate(&def)?;
    if filter.stages.as_ref().is_some_and(Vec::is_empty) {
        return Ok((0, Vec::new()));
    }
    list_leads(state, actor, filter).await
}

/// One account with every contact (for its screen's stage groups).
pub async fn account_detail(
    state: &AppState,
    actor: Option<&User>,
    id: i64,
) -> AppResult<(Account, Vec<Lead>)> {
    policy::authorize(actor, Action::UseApp)?;
    with_conn!(&state.db, c => {
        let row = c.account(id).await?.ok_or(AppError::NotFound)?;
        let rows = c.leads_of_account(id).await?;
        let mut leads = Vec::with_capacity(rows.len());
        for row in rows {
            leads.push(lead_view(c, row).await?);
        }
        let count = i64::try_from(leads.len()).unwrap_or(i64::MAX);
        Ok((account_view(row, count), leads))
    })
}

/// A page of accounts as a URL asks for it (page size [`PAGE_SIZE`]).
pub async fn search_accounts(
    state: &AppState,
    actor: Option<&User>,
    query: &AccountListQuery,
) -> AppResult<(i64, Vec<Account>)> {
    policy::authorize(actor, Action::UseApp)?;
    let tier = query.tier()?;
    list_accounts(
        state,
        actor,
        query.search(),
        query.target_only,
        tier,
        query.page(),
        PAGE_SIZE,
    )
    .await
}

/// A page of leads.
pub async fn list_leads(
    state: &AppState,
    actor: Option<&User>,
    filter: LeadFilter,
) -> AppResult<(i64, Vec<Lead>)> {
    policy::authorize(actor, Action::UseApp)?;
    with_conn!(&state.db, c => {
        let (total, rows) = c.list_leads(&filter).await?;
        let mut items = Vec::with_capacity(rows.len());
        for row in rows {
            items.push(lead_view(c, row).await?);
        }
        Ok((total, items))
    })
}

/// One account with its roll-up stage and contact count.
pub async fn account(state: &AppState, actor: Option<&User>, id: i64) -> AppResult<Account> {
    policy::authorize(actor, Action::UseApp)?;
    with_conn!(&state.db, c => {
        let row = c.account(id).await?.ok_or(AppError::NotFound)?;
        let leads = c.count_account_leads(id).await?;
        Ok(account_view(row, leads))
    })
}

/// A page of accounts.
pub async fn list_accounts(
    state: &AppState,
    actor: Option<&User>,
    q: Option<&str>,
    target_only: bool,
    tier: Option<&str>,
    page: i64,
    per_page: i64,
) -> AppResult<(i64, Vec<Account>)> {
    policy::authorize(actor, Action::UseApp)?;
    with_conn!(&state.db, c => {
        let (total, rows) = c.list_accounts(q, target_only, tier, per_page, (page - 1).max(0) * per_page).await?;
        Ok((total, rows.into_iter().map(|(row, n)| account_view(row, n)).collect()))
    })
}

/// The current definition, for callers that need the stage order (owner-team filters).
pub async fn definition(state: &AppState) -> AppResult<Definition> {
    with_conn!(&state.db, c => Ok(current_definition(c).await?.1))
}
