//! Applying one batch of parsed rows inside the caller's transaction.
//!
//! New leads and accounts — nearly every row of a first import — are planned in memory with
//! the same rules as a single upsert (facts, forward-only automation, the handoffs hook,
//! the account roll-up) and written with a handful of multi-row statements. A row that
//! changes an existing record goes through the single-record path
//! ([`upsert_lead_tx`], [`upsert_account_tx`]), and a row that changes nothing writes nothing,
//! which is what makes re-running an import safe and fast.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::RowError;
use super::bulk::{BulkQueries, NewAccount, NewLead};
use super::rows::LeadRow as ParsedLead;
use super::store::BatchCounts;
use crate::auth::User;
use crate::definitions::model::Definition;
use crate::error::{AppError, AppResult};
use crate::leads::lifecycle::{Cause, forward_move, stage_index_or_first};
use crate::leads::model::{AccountInput, AccountUpsert, LeadUpsert};
use crate::leads::service::{Actor, due_handoffs, facts, move_stage, upsert_account_tx, upsert_lead_tx};
use crate::leads::store::{AccountRow, LeadQueries, LeadRow, TransitionWrite};

/// One row of a batch: parsed, or every problem it has.
pub enum Parsed {
    /// A valid lead row.
    Lead(Box<ParsedLead>),
    /// A valid account row.
    Account(AccountInput),
    /// The row's problems; it is not imported.
    Failed(Vec<RowError>),
}

/// Stage moves that followed, `(from, to) → leads`.
pub type Moves = BTreeMap<(String, String), i64>;

/// What one batch did.
#[derive(Default)]
pub struct Applied {
    /// Counts to add to the job.
    pub counts: BatchCounts,
    /// Report lines: failed rows, and values that were not applied.
    pub report: Vec<RowError>,
    /// Stage moves.
    pub moves: Moves,
    /// Where the batch's time went, by phase (for the import benchmark's log line).
    pub timings: Timings,
}

/// Time spent per phase of applying batches.
#[derive(Default, Debug, Clone)]
pub struct Timings(pub BTreeMap<&'static str, std::time::Duration>);

impl Timings {
    fn lap(&mut self, phase: &'static str, since: &mut std::time::Instant) {
        let now = std::time::Instant::now();
        *self.0.entry(phase).or_default() += now - *since;
        *since = now;
    }

    /// Adds another batch's timings.
    pub fn add(&mut self, other: &Timings) {
        for (phase, d) in &other.0 {
            *self.0.entry(phase).or_default() += *d;
        }
    }
}

impl Applied {
    fn moved(&mut self, from: &str, to: &str) {
        if from != to {
            self.counts.stage_changes += 1;
            *self.moves.entry((from.to_owned(), to.to_owned())).or_default() += 1;
        }
    }
}

/// The definition in force and who is importing.
pub struct Context<'a> {
    /// Current version number.
    pub version: i64,
    /// Current definition.
    pub def: &'a Definition,
    /// The importing user.
    pub user: &'a User,
    /// The batch's time.
    pub now: DateTime<Utc>,
}

impl Context<'_> {
    fn actor(&self) -> Actor<'_> {
        Actor {
            user: Some(self.user),
            cause: Cause::Import,
        }
    }
}

fn differs<T: PartialEq>(new: &Option<T>, old: &Option<T>) -> bool {
    new.is_some() && new != old
}

/// Whether writing `u` would change the stored lead (an empty cell never erases).
fn lead_changes(u: &LeadUpsert, l: &LeadRow, account_id: Option<i64>) -> bool {
    differs(&u.first_name, &l.first_name)
        || differs(&u.last_name, &l.last_name)
        || differs(&u.job_title, &l.job_title)
        || differs(&u.persona, &l.persona)
        || u.consent.is_some_and(|c| c != l.consent)
        || differs(&u.source, &l.source)
        || differs(&u.country, &l.country)
        || differs(&account_id, &l.account_id)
}

/// Whether writing `u` would change the stored account.
fn account_changes(u: &AccountUpsert, a: &AccountRow) -> bool {
    u.name.as_ref().is_some_and(|n| *n != a.name)
        || differs(&u.employees, &a.employees)
        || differs(&u.industry, &a.industry)
        || differs(&u.country, &a.country)
        || differs(&u.annual_revenue, &a.annual_revenue)
        || u.is_target.is_some_and(|t| t != a.is_target)
        || differs(&u.tier, &a.tier)
}

/// Later values win, as a second upsert of the same record would.
fn merge_lead(into: &mut LeadUpsert, from: &LeadUpsert) -> bool {
    let mut changed = false;
    let mut take = |slot: &mut Option<String>, value: &Option<String>| {
        if differs(value, slot) {
            slot.clone_from(value);
            changed = true;
        }
    };
    take(&mut into.first_name, &from.first_name);
    take(&mut into.last_name, &from.last_name);
    take(&mut into.job_title, &from.job_title);
    take(&mut into.persona, &from.persona);
    take(&mut into.source, &from.source);
    take(&mut into.country, &from.country);
    take(&mut into.account_domain, &from.account_domain);
    if differs(&from.consent, &into.consent) {
        into.consent = from.consent;
        changed = true;
    }
    changed
}

fn merge_account(into: &mut AccountUpsert, from: &AccountUpsert) -> bool {
    let before = into.clone();
    let keep = |slot: &mut Option<String>, value: &Option<String>| {
        if value.is_some() {
            slot.clone_from(value);
        }
    };
    keep(&mut into.name, &from.name);
    keep(&mut into.industry, &from.industry);
    keep(&mut into.country, &from.country);
    keep(&mut into.tier, &from.tier);
    into.employees = from.employees.or(into.employees);
    into.annual_revenue = from.annual_revenue.or(into.annual_revenue);
    into.is_target = from.is_target.or(into.is_target);
    *into != before
}

fn bare_account(domain: &str) -> AccountUpsert {
    AccountUpsert {
        domain: domain.to_owned(),
        name: None,
        employees: None,
        industry: None,
        country: None,
        annual_revenue: None,
        is_target: None,
        tier: None,
    }
}

/// Accounts a batch creates, in first-seen order.
#[derive(Default)]
struct NewAccounts {
    list: Vec<AccountUpsert>,
    index: HashMap<String, usize>,
}

impl NewAccounts {
    /// Adds or merges; returns whether it was already there and changed.
    fn add(&mut self, account: &AccountUpsert) -> (bool, bool) {
        match self.index.get(&account.domain) {
            Some(&i) => (true, merge_account(&mut self.list[i], account)),
            None => {
                self.index.insert(account.domain.clone(), self.list.len());
                self.list.push(account.clone());
                (false, false)
            }
        }
    }

    fn get(&self, domain: &str) -> Option<&AccountUpsert> {
        self.index.get(domain).map(|&i| &self.list[i])
    }
}

/// A lead the batch creates.
struct Plan {
    upsert: LeadUpsert,
    requested: Option<usize>,
    stage: usize,
    score: i64,
}

/// An account as the criteria of a new lead see it.
fn account_view(
    domain: &str,
    existing: &HashMap<String, AccountRow>,
    new: &NewAccounts,
) -> Option<AccountRow> {
    if let Some(row) = existing.get(domain) {
        return Some(row.clone());
    }
    new.get(domain).map(|u| AccountRow {
        id: 0,
        domain: u.domain.clone(),
        name: u.name.clone().unwrap_or_else(|| u.domain.clone()),
        employees: u.employees,
        industry: u.industry.clone(),
        country: u.country.clone(),
        annual_revenue: u.annual_revenue,
        is_target: u.is_target.unwrap_or(false),
        tier: u.tier.clone(),
        stage: None,
    })
}

/// The stage a new lead reaches at once: the automation's, or further if the file asks.
fn plan_stage(ctx: &Context<'_>, plan: &mut Plan, account: Option<&AccountRow>) {
    let probe = LeadRow {
        id: 0,
        email: plan.upsert.email.clone(),
        first_name: plan.upsert.first_name.clone(),
        last_name: plan.upsert.last_name.clone(),
        job_title: plan.upsert.job_title.clone(),
        persona: plan.upsert.persona.clone(),
        consent: plan.upsert.consent.unwrap_or(false),
        source: plan.upsert.source.clone(),
        country: plan.upsert.country.clone(),
        account_id: None,
        owner_id: None,
        score: 0,
        stage: ctx.def.stages[0].key.clone(),
        stage_entered_at: ctx.now,
        past_human_decision: false,
        updated_at: ctx.now,
    };
    let (lead_facts, breakdown) = facts(ctx.def, &probe, account, &[], ctx.now);
    let automatic = forward_move(ctx.def, 0, &lead_facts).unwrap_or(0);
    plan.score = breakdown.total;
    plan.stage = plan.requested.map_or(automatic, |r| r.max(automatic));
}

/// Applies a batch of a lead file.
pub async fn leads<C: LeadQueries + BulkQueries>(
    c: &mut C,
    ctx: &Context<'_>,
    batch: Vec<(u64, Parsed)>,
) -> AppResult<Applied> {
    let mut out = Applied::default();
    let mut clock = std::time::Instant::now();
    out.counts.rows = batch.len() as i64;
    let mut valid = Vec::with_capacity(batch.len());
    for (row, parsed) in batch {
        match parsed {
            Parsed::Lead(lead) => valid.push((row, lead)),
            Parsed::Failed(errors) => {
                out.counts.failed += 1;
                out.report.extend(errors);
            }
            Parsed::Account(_) => return Err(AppError::Internal),
        }
    }

    // Accounts the rows name: changes to existing ones one by one (their contacts are
    // re-evaluated), new ones merged and created together below.
    let mut domains: Vec<&str> = valid
        .iter()
        .filter_map(|(_, l)| l.upsert.account_domain.as_deref())
        .collect();
    domains.sort_unstable();
    domains.dedup();
    let mut accounts: HashMap<String, AccountRow> = c
        .accounts_by_domains(&domains)
        .await?
        .into_iter()
        .map(|a| (a.domain.clone(), a))
        .collect();
    let mut new_accounts = NewAccounts::default();
    for (_, lead) in &valid {
        let Some(domain) = &lead.upsert.account_domain else {
            continue;
        };
        let company = lead.company.clone().unwrap_or_else(|| bare_account(domain));
        match accounts.get(domain) {
            Some(existing) if account_changes(&company, existing) => {
                let id = existing.id;
                if let Some(row) = update_account(c, ctx, &company, id, &mut out).await? {
                    accounts.insert(domain.clone(), row);
                }
            }
            Some(_) => {}
            None => {
                new_accounts.add(&company);
            }
        }
    }

    out.timings.lap("accounts", &mut clock);
    // Leads: new ones planned in memory, existing ones kept for the single-record path.
    let mut emails: Vec<&str> = valid.iter().map(|(_, l)| l.upsert.email.as_str()).collect();
    emails.sort_unstable();
    emails.dedup();
    let mut existing: HashMap<String, LeadRow> = c
        .leads_by_emails(&emails)
        .await?
        .into_iter()
        .map(|l| (l.email.clone(), l))
        .collect();
    let mut plans: Vec<Plan> = Vec::new();
    let mut planned: HashMap<String, usize> = HashMap::new();
    let mut updates = Vec::new();
    for (row, lead) in valid {
        let requested = lead
            .lifecycle_stage
            .as_deref()
            .and_then(|s| ctx.def.stage_index(s));
        if existing.contains_key(&lead.upsert.email) {
            updates.push((row, lead, requested));
        } else if let Some(&i) = planned.get(&lead.upsert.email) {
            let plan = &mut plans[i];
            let more = requested.is_some_and(|r| plan.requested.is_none_or(|p| r > p));
            if more {
                plan.requested = requested;
            }
            if merge_lead(&mut plan.upsert, &lead.upsert) || more {
                out.counts.updated += 1;
            } else {
                out.counts.unchanged += 1;
            }
        } else {
            planned.insert(lead.upsert.email.clone(), plans.len());
            plans.push(Plan {
                upsert: lead.upsert,
                requested,
                stage: 0,
                score: 0,
            });
            out.counts.created += 1;
        }
    }
    out.timings.lap("lookup leads", &mut clock);
    for plan in &mut plans {
        let account = plan
            .upsert
            .account_domain
            .as_deref()
            .and_then(|d| account_view(d, &accounts, &new_accounts));
        plan_stage(ctx, plan, account.as_ref());
    }

    // Roll-up of the accounts the new leads join: the furthest stage of their contacts.
    let mut furthest: HashMap<&str, usize> = HashMap::new();
    for plan in &plans {
        if let Some(domain) = plan.upsert.account_domain.as_deref() {
            let entry = furthest.entry(domain).or_insert(plan.stage);
            *entry = (*entry).max(plan.stage);
        }
    }
    let stage_key = |i: usize| ctx.def.stages[i].key.as_str();
    let creating: Vec<NewAccount<'_>> = new_accounts
        .list
        .iter()
        .map(|a| NewAccount {
            upsert: a,
            stage: furthest.get(a.domain.as_str()).map(|&i| stage_key(i)),
        })
        .collect();
    out.timings.lap("plan stages", &mut clock);
    let mut account_ids: HashMap<String, i64> =
        c.insert_accounts(&creating, ctx.now).await?.into_iter().collect();
    for (domain, row) in &accounts {
        account_ids.insert(domain.clone(), row.id);
        if let Some(&new) = furthest.get(domain.as_str()) {
            let current = row.stage.as_deref().and_then(|s| ctx.def.stage_index(s));
            if current.is_none_or(|cur| new > cur) {
                c.set_account_stage(row.id, Some(stage_key(new))).await?;
            }
        }
    }

    let new_leads: Vec<NewLead<'_>> = plans
        .iter()
        .map(|p| NewLead {
            upsert: &p.upsert,
            account_id: p
                .upsert
                .account_domain
                .as_ref()
                .and_then(|d| account_ids.get(d).copied()),
            stage: stage_key(p.stage),
            score: p.score,
        })
        .collect();
    out.timings.lap("insert accounts", &mut clock);
    let lead_ids: HashMap<String, i64> = c.insert_leads(&new_leads, ctx.now).await?.into_iter().collect();
    out.timings.lap("insert leads", &mut clock);
    let mut transitions = Vec::with_capacity(plans.len() * 2);
    let mut handoffs = Vec::new();
    let first = stage_key(0);
    for plan in &plans {
        let id = *lead_ids.get(&plan.upsert.email).ok_or(AppError::Internal)?;
        // One history row: the lead enters the funnel at the stage it qualifies for.
        transitions.push(transition(ctx, id, None, stage_key(plan.stage)));
        if plan.stage > 0 {
            handoffs.extend(due_handoffs(ctx.def, id, 0, plan.stage, ctx.now));
            out.moved(first, stage_key(plan.stage));
        }
    }
    c.insert_transitions(&transitions).await?;
    c.insert_handoffs(&handoffs).await?;
    out.timings.lap("history and handoffs", &mut clock);

    // Rows about leads that exist: written only when they change something.
    for (row, lead, requested) in updates {
        let email = lead.upsert.email.clone();
        let Some(before) = existing.get(&email).cloned() else {
            return Err(AppError::Internal);
        };
        let account_id = lead
            .upsert
            .account_domain
            .as_ref()
            .and_then(|d| account_ids.get(d).copied());
        let current = stage_index_or_first(ctx.def, &before.stage);
        if let (Some(target), Some(cell)) = (requested, &lead.lifecycle_stage)
            && target < current
        {
            out.report.push(RowError::new(
                row,
                "lifecycle_stage",
                cell,
                format!(
                    "not applied: the lead is already in {} and an import only moves leads forward",
                    before.stage
                ),
            ));
        }
        let forward = requested.filter(|&t| t > current);
        if !lead_changes(&lead.upsert, &before, account_id) && forward.is_none() {
            out.counts.unchanged += 1;
            continue;
        }
        let (id, _) = upsert_lead_tx(c, ctx.version, ctx.def, &lead.upsert, &ctx.actor(), ctx.now).await?;
        if let Some(target) = forward {
            let now_row = c.lead(id).await?.ok_or(AppError::Internal)?;
            let now_at = stage_index_or_first(ctx.def, &now_row.stage);
            if target > now_at {
                move_stage(
                    c,
                    ctx.version,
                    ctx.def,
                    &now_row,
                    now_at,
                    target,
                    &ctx.actor(),
                    None,
                    ctx.now,
                )
                .await?;
            }
        }
        let after = c.lead(id).await?.ok_or(AppError::Internal)?;
        out.moved(&before.stage, &after.stage);
        out.counts.updated += 1;
        existing.insert(email, after);
    }
    out.timings.lap("existing leads", &mut clock);
    Ok(out)
}

/// A stage change made by the import.
fn transition<'a>(
    ctx: &Context<'_>,
    lead_id: i64,
    from: Option<&'a str>,
    to: &'a str,
) -> TransitionWrite<'a> {
    TransitionWrite {
        lead_id,
        from,
        to,
        at: ctx.now,
        cause: Cause::Import.as_str(),
        actor_id: Some(ctx.user.id.0),
        definition_version: ctx.version,
        reason: None,
    }
}

/// Changes an existing account through the single-record path (its contacts are
/// re-evaluated), counts the contacts' stage moves and returns the account as it is now.
async fn update_account<C: LeadQueries>(
    c: &mut C,
    ctx: &Context<'_>,
    upsert: &AccountUpsert,
    id: i64,
    out: &mut Applied,
) -> AppResult<Option<AccountRow>> {
    let before: Vec<(i64, String)> = c
        .leads_of_account(id)
        .await?
        .into_iter()
        .map(|l| (l.id, l.stage))
        .collect();
    upsert_account_tx(c, ctx.version, ctx.def, upsert, &ctx.actor(), ctx.now).await?;
    for (lead_id, from) in before {
        if let Some(after) = c.lead(lead_id).await? {
            out.moved(&from, &after.stage);
        }
    }
    Ok(c.account(id).await?)
}

/// Applies a batch of an account file.
pub async fn accounts<C: LeadQueries + BulkQueries>(
    c: &mut C,
    ctx: &Context<'_>,
    batch: Vec<(u64, Parsed)>,
) -> AppResult<Applied> {
    let mut out = Applied::default();
    out.counts.rows = batch.len() as i64;
    let mut valid = Vec::with_capacity(batch.len());
    for (row, parsed) in batch {
        match parsed {
            Parsed::Account(input) => match input.validate() {
                Ok(upsert) => valid.push(upsert),
                Err(e) => {
                    out.counts.failed += 1;
                    out.report
                        .push(RowError::new(row, "*", "", e.message(crate::i18n::Locale::En)));
                }
            },
            Parsed::Failed(errors) => {
                out.counts.failed += 1;
                out.report.extend(errors);
            }
            Parsed::Lead(_) => return Err(AppError::Internal),
        }
    }
    let mut domains: Vec<&str> = valid.iter().map(|a| a.domain.as_str()).collect();
    domains.sort_unstable();
    domains.dedup();
    let mut existing: HashMap<String, AccountRow> = c
        .accounts_by_domains(&domains)
        .await?
        .into_iter()
        .map(|a| (a.domain.clone(), a))
        .collect();
    let mut new_accounts = NewAccounts::default();
    let mut changed = Vec::new();
    for upsert in valid {
        match existing.get(&upsert.domain) {
            Some(row) if account_changes(&upsert, row) => changed.push(upsert),
            Some(_) => out.counts.unchanged += 1,
            None => match new_accounts.add(&upsert) {
                (false, _) => out.counts.created += 1,
                (true, true) => out.counts.updated += 1,
                (true, false) => out.counts.unchanged += 1,
            },
        }
    }
    let creating: Vec<NewAccount<'_>> = new_accounts
        .list
        .iter()
        .map(|a| NewAccount {
            upsert: a,
            stage: None,
        })
        .collect();
    c.insert_accounts(&creating, ctx.now).await?;
    for upsert in changed {
        let Some(row) = existing.get(&upsert.domain) else {
            return Err(AppError::Internal);
        };
        let id = row.id;
        if !account_changes(&upsert, row) {
            out.counts.unchanged += 1;
            continue;
        }
        if let Some(row) = update_account(c, ctx, &upsert, id, &mut out).await? {
            existing.insert(upsert.domain.clone(), row);
        }
        out.counts.updated += 1;
    }
    Ok(out)
}

#[cfg(test)]
#[path = "apply_tests.rs"]
mod tests;
