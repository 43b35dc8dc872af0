//! Server functions of the leads and accounts screens. Thin: authenticate, then call
//! [`super::service`], which authorizes through the policy module.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use super::model::{Account, AccountRef, ActivityRecord, Lead, Transition};
use super::query::{AccountListQuery, LeadListQuery};
use super::report::{StageCheck, StageGroup, StageInfo};
use super::scoring::ScoreBreakdown;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::auth::api::ssr::context;

/// One page of the lead list, with what its filters offer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeadsPageData {
    /// Leads matching the filters.
    pub total: i64,
    /// Rows per page.
    pub per_page: i64,
    /// This page's leads.
    pub items: Vec<Lead>,
    /// The stages in funnel order (filter choices, badges).
    pub stages: Vec<StageInfo>,
    /// Accounts to filter by (the first 200 by name).
    pub accounts: Vec<AccountRef>,
}

/// The lead list as the URL asks for it.
#[server(endpoint = "leads_page", input = Json)]
pub async fn leads_page(query: LeadListQuery) -> Result<LeadsPageData, AppError> {
    let (state, _, user) = context().await?;
    let (total, items) = super::service::search_leads(&state, user.as_ref(), &query).await?;
    let (_, accounts) =
        super::service::list_accounts(&state, user.as_ref(), None, false, None, 1, 200).await?;
    let def = super::service::definition(&state).await?;
    Ok(LeadsPageData {
        total,
        per_page: query.per_page.unwrap_or(super::query::PAGE_SIZE),
        items,
        stages: super::report::stage_infos(&def),
        accounts: accounts
            .into_iter()
            .map(|a| AccountRef {
                id: a.id,
                domain: a.domain,
                name: a.name,
            })
            .collect(),
    })
}

/// Everything the lead screen shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeadPageData {
    /// The lead.
    pub lead: Lead,
    /// Its account, in full.
    pub account: Option<Account>,
    /// Stage history, oldest first.
    pub history: Vec<Transition>,
    /// Activities, newest first.
    pub activities: Vec<ActivityRecord>,
    /// The score, line by line, under the current version.
    pub breakdown: ScoreBreakdown,
    /// The version in force.
    pub version: i64,
    /// Each stage's entry criteria, met or missed.
    pub checks: Vec<StageCheck>,
    /// When the report was computed (decay windows are measured from here).
    pub as_of: DateTime<Utc>,
    /// Whether the viewer may move the lead by hand (the server checks again on the move).
    pub can_move: bool,
    /// The lead's handoffs and opportunities, and which handoff forms the viewer gets.
    pub handoffs: crate::handoffs::pages::LeadHandoffs,
}

/// One lead with its score breakdown, criteria report and history.
#[server(endpoint = "lead_page")]
pub async fn lead_page(id: i64) -> Result<LeadPageData, AppError> {
    let (state, _, user) = context().await?;
    lead_page_data(&state, user.as_ref(), id).await
}

/// What the lead screen shows, for `user` (also the approval screen's detail pane).
#[cfg(feature = "ssr")]
pub async fn lead_page_data(
    state: &crate::state::AppState,
    user: Option<&crate::auth::User>,
    id: i64,
) -> Result<LeadPageData, AppError> {
    use super::lifecycle::stage_index_or_first;
    let report = super::service::lead_report(state, user, id).await?;
    let account = match &report.lead.account {
        Some(a) => Some(super::service::account(state, user, a.id).await?),
        None => None,
    };
    let def = &report.definition;
    let current = def.stages.get(stage_index_or_first(def, &report.lead.stage));
    let can_move = match (user, current) {
        (Some(u), Some(stage)) => crate::policy::can_move_lead_from(u, stage),
        _ => false,
    };
    let handoffs =
        crate::handoffs::pages::ssr::lead_handoffs(state, user, id, &report.lead.stage, def).await?;
    Ok(LeadPageData {
        checks: super::report::stage_checks(def, &report.facts),
        lead: report.lead,
        account,
        history: report.history,
        activities: report.activities,
        breakdown: report.breakdown,
        version: report.version,
        as_of: state.clock.now(),
        can_move,
        handoffs,
    })
}

/// Moves a lead by hand to `stage`; a move back needs a `reason`.
#[server(endpoint = "move_lead")]
pub async fn move_lead(id: i64, stage: String, reason: Option<String>) -> Result<Lead, AppError> {
    let (state, _, user) = context().await?;
    super::service::move_lead(&state, user.as_ref(), id, &stage, reason.as_deref()).await
}

/// One page of the account list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountsPageData {
    /// Accounts matching the filters.
    pub total: i64,
    /// Rows per page.
    pub per_page: i64,
    /// This page's accounts.
    pub items: Vec<Account>,
    /// The stages in funnel order (roll-up badges).
    pub stages: Vec<StageInfo>,
}

/// The account list as the URL asks for it.
#[server(endpoint = "accounts_page", input = Json)]
pub async fn accounts_page(query: AccountListQuery) -> Result<AccountsPageData, AppError> {
    let (state, _, user) = context().await?;
    let (total, items) = super::service::search_accounts(&state, user.as_ref(), &query).await?;
    let def = super::service::definition(&state).await?;
    Ok(AccountsPageData {
        total,
        per_page: super::query::PAGE_SIZE,
        items,
        stages: super::report::stage_infos(&def),
    })
}

/// Everything the account screen shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountPageData {
    /// The account.
    pub account: Account,
    /// Its contacts by stage, furthest first.
    pub groups: Vec<StageGroup>,
    /// The stages in funnel order (roll-up badge).
    pub stages: Vec<StageInfo>,
}

/// One account with its contacts grouped by stage.
#[server(endpoint = "account_page")]
pub async fn account_page(id: i64) -> Result<AccountPageData, AppError> {
    let (state, _, user) = context().await?;
    let (account, leads) = super::service::account_detail(&state, user.as_ref(), id).await?;
    let def = super::service::definition(&state).await?;
    Ok(AccountPageData {
        account,
        groups: super::report::group_by_stage(&def, leads),
        stages: super::report::stage_infos(&def),
    })
}
