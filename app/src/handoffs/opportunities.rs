//! Use cases of opportunities: an AE converts an accepted SQL into an opportunity, moves it
//! through the sales stages, and wins (the lead and its account become customers) or loses
//! it (with a reason code). Only sales works opportunities; everyone signed in reads them.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::model::{
    BoardColumn, CurrencyTotal, HandoffLead, Opportunity, OpportunityBoardData, OpportunityInput,
    OpportunityPatch, OpportunityStage, Person,
};
use super::rules;
use super::store::{HandoffQueries, OpportunityRow, OpportunityWrite};
use crate::audit::AuditRecord;
use crate::auth::User;
use crate::definitions::store::DefinitionQueries;
use crate::error::{AppError, AppResult, FieldError};
use crate::leads::lifecycle::{Cause, stage_index_or_first};
use crate::leads::service::{Actor, current_definition, move_stage};
use crate::leads::store::LeadQueries;
use crate::policy::{self, Action};
use crate::state::AppState;
use crate::{in_tx, with_conn};

/// An opportunity row as the API shows it.
pub(crate) fn opportunity_view(row: OpportunityRow) -> AppResult<Opportunity> {
    let stage = OpportunityStage::parse(&row.stage).ok_or(AppError::Internal)?;
    let expected = rules::expected_revenue_minor(row.amount_minor, row.probability);
    Ok(Opportunity {
        id: row.id,
        lead: HandoffLead {
            id: row.lead_id,
            email: row.lead_email,
        },
        account_id: row.account_id,
        owner: row.owner_email.map(|email| Person {
            id: row.owner_id,
            email,
            name: row.owner_name.unwrap_or_default(),
        }),
        stage,
        amount: rules::from_minor(row.amount_minor, &row.currency),
        expected_revenue: rules::from_minor(expected, &row.currency),
        currency: row.currency,
        close_date: row.close_date,
        probability: row.probability,
        lost_reason: row.lost_reason,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn parse_stage(raw: &str) -> Result<OpportunityStage, FieldError> {
    OpportunityStage::parse(raw).ok_or_else(|| FieldError::new("stage", "invalid_choice"))
}

/// Converts an SQL (a lead sales accepted) into an opportunity: amount, currency (default
/// JPY), close date and a probability defaulting from the starting stage. The lead enters
/// the `opportunity` stage (cause `manual`, by the AE) and the AE owns both.
pub async fn convert_lead(
    state: &AppState,
    actor: Option<&User>,
    lead_id: i64,
    input: OpportunityInput,
) -> AppResult<Opportunity> {
    let user = policy::authorize(actor, Action::UseApp)?;
    if !policy::can_work_opportunities(user) {
        return Err(AppError::Forbidden);
    }
    let mut errors = Vec::new();
    let currency = rules::check_currency(input.currency.as_deref())
        .map_err(|e| errors.push(e))
        .ok();
    let stage = match input.stage.as_deref() {
        None => Some(OpportunityStage::Discovery),
        Some(s) => parse_stage(s)
            .and_then(|s| {
                if s.is_closed() {
                    Err(FieldError::new("stage", "invalid_choice"))
                } else {
                    Ok(s)
                }
            })
            .map_err(|e| errors.push(e))
            .ok(),
    };
    let amount = match currency.as_deref() {
        Some(c) => rules::to_minor(input.amount, c).or_else(|| {
            errors.push(FieldError::new("amount", "out_of_range"));
            None
        }),
        None => None,
    };
    let probability = match (input.probability, stage) {
        (Some(p), _) => rules::check_probability(p).map_err(|e| errors.push(e)).ok(),
        (None, Some(s)) => Some(rules::default_probability(s)),
        (None, None) => None,
    };
    let (Some(currency), Some(stage), Some(amount), Some(probability), true) =
        (currency, stage, amount, probability, errors.is_empty())
    else {
        return Err(AppError::Validation(errors));
    };
    let now = state.clock.now();
    let id = in_tx!(&state.db, c => {
        let (version, def) = current_definition(c).await?;
        let lead = c.lead(lead_id).await?.ok_or(AppError::NotFound)?;
        let current = stage_index_or_first(&def, &lead.stage);
        let target = rules::conversion_target(&def, current)
            .ok_or_else(|| AppError::Conflict("not_convertible".into()))?;
        let write = OpportunityWrite {
            amount_minor: amount,
            currency: &currency,
            close_date: input.close_date,
            stage: stage.as_str(),
            probability,
            lost_reason: None,
            at: now,
        };
        let id = c.insert_opportunity(lead.id, lead.account_id, user.id.0, &write).await.map_err(|e| match e {
            crate::store::StoreError::Conflict(_) => AppError::Conflict("opportunity_open".into()),
            other => other.into(),
        })?;
        let actor = Actor { user: Some(user), cause: Cause::Manual };
        move_stage(c, version, &def, &lead, current, target, &actor, None, now).await?;
        c.set_lead_owner(lead.id, Some(user.id.0), now).await?;
        let detail = json!({"lead_id": lead.id, "amount": input.amount, "currency": currency,
            "close_date": input.close_date, "stage": stage, "probability": probability});
        c.append_audit(&AuditRecord::new(Some(user), "opportunity.created", "opportunity", id, detail), now).await?;
        Ok::<_, AppError>(id)
    })?;
    opportunity(state, actor, id).await
}

/// Changes an opportunity's stage, amount, probability or close date. A new stage without a
/// probability takes the stage's default; `lost` needs a `lost` reason code; `won` moves the
/// lead to `customer` (and its account with it, by roll-up). Won and lost are final (409
/// `opportunity_closed`).
pub async fn update_opportunity(
    state: &AppState,
    actor: Option<&User>,
    id: i64,
    patch: OpportunityPatch,
) -> AppResult<Opportunity> {
    let user = policy::authorize(actor, Action::UseApp)?;
    if !policy::can_work_opportunities(user) {
        return Err(AppError::Forbidden);
    }
    let mut errors = Vec::new();
    let new_stage = patch
        .stage
        .as_deref()
        .map(parse_stage)
        .transpose()
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let probability = patch
        .probability
        .map(rules::check_probability)
        .transpose()
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let now = state.clock.now();
    in_tx!(&state.db, c => {
        let (version, def) = current_definition(c).await?;
        let row = c.opportunity(id).await?.ok_or(AppError::NotFound)?;
        let from = OpportunityStage::parse(&row.stage).ok_or(AppError::Internal)?;
        let to = new_stage.unwrap_or(from);
        rules::check_stage_change(&def, from, to, patch.lost_reason.as_deref())?;
        let amount_minor = match patch.amount {
            Some(a) => rules::to_minor(a, &row.currency).ok_or_else(|| AppError::field("amount", "out_of_range"))?,
            None => row.amount_minor,
        };
        let probability = match (probability, new_stage) {
            (Some(p), _) => p,
            (None, Some(s)) if s != from => rules::default_probability(s),
            _ => row.probability,
        };
        let lost_reason = (to == OpportunityStage::Lost).then(|| patch.lost_reason.as_deref().map(str::trim)).flatten();
        let write = OpportunityWrite {
            amount_minor,
            currency: &row.currency,
            close_date: patch.close_date.unwrap_or(row.close_date),
            stage: to.as_str(),
            probability,
            lost_reason,
            at: now,
        };
        c.update_opportunity(id, &write).await?;
        if to == OpportunityStage::Won {
            win(c, version, &def, user, row.lead_id, now).await?;
        }
        let action = match to {
            OpportunityStage::Won => "opportunity.won",
            OpportunityStage::Lost => "opportunity.lost",
            _ => "opportunity.updated",
        };
        let detail = json!({"lead_id": row.lead_id, "from": from, "to": to, "amount_minor": amount_minor,
            "probability": probability, "lost_reason": lost_reason});
        c.append_audit(&AuditRecord::new(Some(user), action, "opportunity", id, detail), now).await?;
        Ok::<_, AppError>(())
    })?;
    opportunity(state, actor, id).await
}

/// A won deal: the lead moves to `customer` (its account rolls up with it).
async fn win<C: LeadQueries + HandoffQueries + DefinitionQueries>(
    c: &mut C,
    version: i64,
    def: &crate::definitions::model::Definition,
    user: &User,
    lead_id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let lead = c.lead(lead_id).await?.ok_or(AppError::NotFound)?;
    let Some(target) = def.stage_index(rules::CUSTOMER_STAGE) else {
        return Ok(());
    };
    let current = stage_index_or_first(def, &lead.stage);
    if current < target {
        let actor = Actor {
            user: Some(user),
            cause: Cause::Manual,
        };
        move_stage(c, version, def, &lead, current, target, &actor, Some("won"), now).await?;
    }
    Ok(())
}

/// One opportunity.
pub async fn opportunity(state: &AppState, actor: Option<&User>, id: i64) -> AppResult<Opportunity> {
    policy::authorize(actor, Action::UseApp)?;
    let row = with_conn!(&state.db, c => c.opportunity(id).await?);
    opportunity_view(row.ok_or(AppError::NotFound)?)
}

/// Every opportunity (optionally of one lead), by close date.
pub async fn list_opportunities(
    state: &AppState,
    actor: Option<&User>,
    lead_id: Option<i64>,
) -> AppResult<Vec<Opportunity>> {
    policy::authorize(actor, Action::UseApp)?;
    let rows = with_conn!(&state.db, c => c.opportunities(lead_id).await?);
    rows.into_iter().map(opportunity_view).collect()
}

/// The board: one column per stage with its opportunities and per-currency totals of
/// amount and expected revenue.
pub async fn opportunity_board(state: &AppState, actor: Option<&User>) -> AppResult<OpportunityBoardData> {
    let all = list_opportunities(state, actor, None).await?;
    Ok(board(all))
}

/// Groups opportunities into stage columns with totals (pure).
pub fn board(all: Vec<Opportunity>) -> OpportunityBoardData {
    let columns = OpportunityStage::ALL
        .into_iter()
        .map(|stage| {
            let items: Vec<Opportunity> = all.iter().filter(|o| o.stage == stage).cloned().collect();
            let mut totals: Vec<CurrencyTotal> = Vec::new();
            for o in &items {
                match totals.iter_mut().find(|t| t.currency == o.currency) {
                    Some(t) => {
                        t.amount += o.amount;
                        t.expected_revenue += o.expected_revenue;
                    }
                    None => totals.push(CurrencyTotal {
                        currency: o.currency.clone(),
                        amount: o.amount,
                        expected_revenue: o.expected_revenue,
                    }),
                }
            }
            BoardColumn { stage, items, totals }
        })
        .collect();
    OpportunityBoardData { columns }
}
