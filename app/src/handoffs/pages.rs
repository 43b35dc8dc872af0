//! Server functions that feed the screens of handoffs (the approval screen, the lead page's
//! handoff forms, the opportunity board and the leader scorecard). Each returns what one
//! screen needs in one call, and the forms take plain form fields so they work as HTML posts
//! before the wasm loads. Thin: authenticate, then the services, which authorize.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{Handoff, HandoffDetailData, Opportunity, OpportunityBoardData, Person};
use super::scorecard::Scorecard;
use crate::auth::Team;
use crate::error::AppError;
use crate::leads::api::LeadPageData;
use crate::leads::report::StageInfo;

#[cfg(feature = "ssr")]
use crate::auth::api::ssr::context;

/// A tab of the approval screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueTab {
    /// Handoffs assigned to the viewer.
    #[default]
    Mine,
    /// Handoffs to the viewer's team.
    Team,
    /// The team's breached, escalated handoffs (leaders).
    Escalated,
}

impl QueueTab {
    /// Every tab, in the order the screen shows them.
    pub const ALL: [Self; 3] = [Self::Mine, Self::Team, Self::Escalated];

    /// The URL value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mine => "mine",
            Self::Team => "team",
            Self::Escalated => "escalated",
        }
    }

    /// The tab a URL names; "mine" for anything else.
    pub fn parse(value: Option<&str>) -> Self {
        Self::ALL
            .into_iter()
            .find(|t| Some(t.as_str()) == value)
            .unwrap_or_default()
    }
}

/// The selected handoff of the approval screen with everything the detail pane shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HandoffPane {
    /// The handoff, the lead's earlier ones, what the viewer may do and the reason codes.
    pub detail: HandoffDetailData,
    /// The lead's facts, score breakdown, criteria report, history and activities.
    pub lead: LeadPageData,
    /// The receiving team's people, for a leader's reassignment.
    pub people: Vec<Person>,
}

/// The approval screen: one tab's queue, soonest due first, and the selected handoff.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueuePageData {
    /// The tab shown.
    pub tab: QueueTab,
    /// Its pending handoffs, soonest due first.
    pub items: Vec<Handoff>,
    /// The server's clock when the page was read (the SLA countdown counts from here).
    pub now: DateTime<Utc>,
    /// The viewer leads their team's queue: the escalated tab and bulk accept.
    pub leads_queue: bool,
    /// The stages in funnel order (badges).
    pub stages: Vec<StageInfo>,
    /// The selected handoff (the one asked for, else the first of the queue).
    pub pane: Option<HandoffPane>,
}

/// One tab of the approval screen with the handoff `selected` (else the first) opened.
#[server(endpoint = "handoff_queue_page")]
pub async fn queue_page(tab: String, selected: Option<i64>) -> Result<QueuePageData, AppError> {
    use super::queue;
    let tab = QueueTab::parse(Some(tab.as_str()));
    let (state, _, user) = context().await?;
    let viewer = crate::policy::authorize(user.as_ref(), crate::policy::Action::UseApp)?;
    let leads_queue = crate::policy::can_lead_queue(viewer, viewer.team);
    let tab = if tab == QueueTab::Escalated && !leads_queue {
        QueueTab::Team
    } else {
        tab
    };
    let items = match tab {
        QueueTab::Mine => queue::my_queue(&state, user.as_ref()).await?,
        QueueTab::Team => queue::team_queue(&state, user.as_ref(), false).await?,
        QueueTab::Escalated => queue::team_queue(&state, user.as_ref(), true).await?,
    };
    let def = crate::leads::service::definition(&state).await?;
    let pane = match selected.or_else(|| items.first().map(|h| h.id)) {
        Some(id) => Some(ssr::handoff_pane(&state, user.as_ref(), id).await?),
        None => None,
    };
    Ok(QueuePageData {
        tab,
        items,
        now: state.clock.now(),
        leads_queue,
        stages: crate::leads::report::stage_infos(&def),
        pane,
    })
}

/// What the lead page offers around handoffs and opportunities, for the viewer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadHandoffs {
    /// Every handoff of the lead, oldest first.
    pub handoffs: Vec<Handoff>,
    /// The team the viewer may ask to accept the lead now (a gate on acceptance ahead of
    /// the lead, from the viewer's team, with nothing pending), and that team's people.
    pub request: Option<(Team, Vec<Person>)>,
    /// The viewer may convert the lead into an opportunity now.
    pub can_convert: bool,
    /// The lead's opportunities.
    pub opportunities: Vec<Opportunity>,
}

/// The SDR hands the lead to sales from the lead page's form: qualification notes, the
/// meeting (`YYYY-MM-DDTHH:MM`, UTC) and optionally a chosen AE (empty: round-robin).
#[server(endpoint = "request_handoff_form")]
pub async fn request_handoff_form(
    lead_id: i64,
    to_team: String,
    notes: String,
    meeting_at: String,
    assignee: String,
) -> Result<Handoff, AppError> {
    let (state, _, user) = context().await?;
    let meeting_at = ssr::parse_meeting(&meeting_at)?;
    let assignee_id = match assignee.trim() {
        "" => None,
        a => Some(
            a.parse()
                .map_err(|_| AppError::field("assignee_id", "invalid_choice"))?,
        ),
    };
    let request = super::model::HandoffRequest {
        to_team,
        assignee_id,
        note: Some(notes),
        qualification_notes: None,
        meeting_at,
    };
    super::service::request_handoff(&state, user.as_ref(), lead_id, request).await
}

/// An AE converts the lead from the lead page's form (amount, currency, close date).
#[server(endpoint = "convert_lead_form")]
pub async fn convert_lead_form(
    lead_id: i64,
    amount: String,
    currency: String,
    close_date: String,
) -> Result<Opportunity, AppError> {
    let (state, _, user) = context().await?;
    let input = ssr::opportunity_input(&amount, &currency, &close_date)?;
    super::opportunities::convert_lead(&state, user.as_ref(), lead_id, input).await
}

/// The opportunity board and what the viewer may do on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoardPageData {
    /// Columns by stage with totals.
    pub board: OpportunityBoardData,
    /// The viewer works opportunities (sales).
    pub can_work: bool,
    /// The definition's `lost` reason codes.
    pub lost_reasons: Vec<String>,
}

/// The opportunity board.
#[server(endpoint = "board_page")]
pub async fn board_page() -> Result<BoardPageData, AppError> {
    let (state, _, user) = context().await?;
    let board = super::opportunities::opportunity_board(&state, user.as_ref()).await?;
    let can_work = user.as_ref().is_some_and(crate::policy::can_work_opportunities);
    let def = crate::leads::service::definition(&state).await?;
    Ok(BoardPageData {
        board,
        can_work,
        lost_reasons: def.reason_codes.lost,
    })
}

/// Moves an opportunity to `stage` from the board's forms (`lost` needs `lost_reason`).
#[server(endpoint = "move_opportunity")]
pub async fn move_opportunity(
    id: i64,
    stage: String,
    lost_reason: Option<String>,
) -> Result<Opportunity, AppError> {
    let (state, _, user) = context().await?;
    let patch = super::model::OpportunityPatch {
        stage: Some(stage),
        lost_reason: lost_reason.filter(|r| !r.trim().is_empty()),
        ..Default::default()
    };
    super::opportunities::update_opportunity(&state, user.as_ref(), id, patch).await
}

/// The leader scorecard for the period `from`–`to` (`YYYY-MM-DD`, inclusive; default the
/// last 30 days).
#[server(endpoint = "scorecard_page")]
pub async fn scorecard_page(from: Option<String>, to: Option<String>) -> Result<Scorecard, AppError> {
    let (state, _, user) = context().await?;
    ssr::scorecard(&state, user.as_ref(), from.as_deref(), to.as_deref()).await
}

/// Server-only helpers of these pages.
#[cfg(feature = "ssr")]
pub mod ssr {
    use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

    use super::{HandoffPane, LeadHandoffs};
    use crate::auth::{Team, User};
    use crate::definitions::model::{Definition, EntryOn};
    use crate::error::{AppError, AppResult};
    use crate::handoffs::model::{HandoffFilter, HandoffStatus, OpportunityInput, Person};
    use crate::handoffs::scorecard::{self, Record, Scorecard};
    use crate::handoffs::store::HandoffQueries;
    use crate::handoffs::{opportunities, queue, rules};
    use crate::leads::lifecycle::stage_index_or_first;
    use crate::policy::{self, Action};
    use crate::state::AppState;
    use crate::with_conn;

    /// Everyone on `team`, by name.
    pub async fn team_people(state: &AppState, team: Team) -> AppResult<Vec<Person>> {
        let rows = with_conn!(&state.db, c => c.team_people(team.as_str()).await?);
        Ok(rows
            .into_iter()
            .map(|(id, email, name)| Person { id, email, name })
            .collect())
    }

    /// One handoff with its lead's report and the receiving team's people.
    pub async fn handoff_pane(state: &AppState, viewer: Option<&User>, id: i64) -> AppResult<HandoffPane> {
        let detail = queue::handoff_detail(state, viewer, id).await?;
        let lead = crate::leads::api::lead_page_data(state, viewer, detail.handoff.lead.id).await?;
        let people = if detail.permissions.reassign {
            team_people(state, detail.handoff.to_team).await?
        } else {
            Vec::new()
        };
        Ok(HandoffPane { detail, lead, people })
    }

    /// The meeting of a request form: empty, or `YYYY-MM-DDTHH:MM` (seconds optional) in UTC.
    pub fn parse_meeting(raw: &str) -> AppResult<Option<DateTime<Utc>>> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
            .map(|t| Some(t.and_utc()))
            .ok_or_else(|| AppError::field("meeting_at", "invalid_date"))
    }

    /// An opportunity from the conversion form's text fields.
    pub fn opportunity_input(amount: &str, currency: &str, close_date: &str) -> AppResult<OpportunityInput> {
        let mut errors = Vec::new();
        let amount = amount
            .trim()
            .replace(',', "")
            .parse::<f64>()
            .ok()
            .filter(|a| a.is_finite() && *a >= 0.0);
        if amount.is_none() {
            errors.push(crate::error::FieldError::new("amount", "out_of_range"));
        }
        let close = NaiveDate::parse_from_str(close_date.trim(), "%Y-%m-%d").ok();
        if close.is_none() {
            errors.push(crate::error::FieldError::new("close_date", "invalid_date"));
        }
        let (Some(amount), Some(close_date)) = (amount, close) else {
            return Err(AppError::Validation(errors));
        };
        Ok(OpportunityInput {
            amount,
            currency: Some(currency.trim().to_uppercase()).filter(|c| !c.is_empty()),
            close_date,
            probability: None,
            stage: None,
        })
    }

    /// What the lead page offers `viewer` around handoffs for the lead at `stage`.
    pub async fn lead_handoffs(
        state: &AppState,
        viewer: Option<&User>,
        lead_id: i64,
        stage: &str,
        def: &Definition,
    ) -> AppResult<LeadHandoffs> {
        let user = policy::authorize(viewer, Action::UseApp)?;
        let filter = HandoffFilter {
            lead_id: Some(lead_id),
            ..HandoffFilter::default()
        };
        let mut handoffs = queue::list_handoffs(state, viewer, &filter).await?;
        handoffs.sort_by_key(|h| h.id);
        let current = stage_index_or_first(def, stage);
        let pending = handoffs.iter().any(|h| h.status == HandoffStatus::Pending);
        let gate = def
            .stages
            .iter()
            .skip(current + 1)
            .filter_map(|s| s.gate.as_ref())
            .find(|g| g.entry_on == EntryOn::Acceptance);
        let request = match gate {
            Some(g) if !pending && policy::can_request_handoff(user, g.from_team) => {
                Some((g.to_team, team_people(state, g.to_team).await?))
            }
            _ => None,
        };
        let opportunities = opportunities::list_opportunities(state, viewer, Some(lead_id)).await?;
        let open = opportunities.iter().any(|o| !o.stage.is_closed());
        let can_convert =
            policy::can_work_opportunities(user) && !open && rules::conversion_target(def, current).is_some();
        Ok(LeadHandoffs {
            handoffs,
            request,
            can_convert,
            opportunities,
        })
    }

    /// The scorecard of the period the URL asks for.
    pub async fn scorecard(
        state: &AppState,
        viewer: Option<&User>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> AppResult<Scorecard> {
        policy::authorize(viewer, Action::UseApp)?;
        queue::escalate_breached(state).await?;
        let now = state.clock.now();
        let (from, to) = scorecard::period(from, to, now.date_naive());
        let (start, end) = scorecard::period_bounds(from, to);
        let rows = with_conn!(&state.db, c => c.scorecard_rows(start, end).await?);
        let records = rows
            .into_iter()
            .filter_map(|r| {
                Some(Record {
                    to_team: Team::parse(&r.to_team)?,
                    status: HandoffStatus::parse(&r.status)?,
                    decider: match (r.decided_by, r.decider_email) {
                        (Some(id), Some(email)) => Some(Person {
                            id,
                            email,
                            name: r.decider_name.unwrap_or_default(),
                        }),
                        _ => None,
                    },
                    stage: r.stage,
                    requested_at: r.requested_at,
                    sla_due_at: r.sla_due_at,
                    decided_at: r.decided_at,
                    reason_code: r.reason_code,
                })
            })
            .collect::<Vec<_>>();
        let def = crate::leads::service::definition(state).await?;
        let order: Vec<String> = def.stages.iter().map(|s| s.key.clone()).collect();
        Ok(scorecard::scorecard(&records, from, to, &order, now))
    }
}
