//! Handoffs and opportunities as the API and the screens see them (API.md, "Handoffs and
//! opportunities"). Plain data: no database, no web types.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::Team;

/// Where a handoff stands. `expired` is reserved by the schema for a future sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum HandoffStatus {
    /// Waiting for the receiving team.
    Pending,
    /// The receiving team took the lead.
    Accepted,
    /// The receiving team refused it (disqualified, or sent back to the SDR).
    Rejected,
    /// Sent back to nurture (back to the stage before the gate).
    Recycled,
    /// Closed without a decision.
    Expired,
}

impl HandoffStatus {
    /// Every status.
    pub const ALL: [Self; 5] = [
        Self::Pending,
        Self::Accepted,
        Self::Rejected,
        Self::Recycled,
        Self::Expired,
    ];

    /// The stored and API value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Recycled => "recycled",
            Self::Expired => "expired",
        }
    }

    /// Parses the stored and API value.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value.trim())
    }
}

/// The lead a handoff is about (`{"id","email"}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HandoffLead {
    /// Lead id.
    pub id: i64,
    /// Lead email.
    pub email: String,
}

/// A person named on a handoff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Person {
    /// User id.
    pub id: i64,
    /// Email.
    pub email: String,
    /// Display name.
    pub name: String,
}

/// One handoff between teams, with its SLA and decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Handoff {
    /// Id.
    pub id: i64,
    /// The lead handed over.
    pub lead: HandoffLead,
    /// The gated stage the handoff leads into (`mql`, `sql`…).
    pub stage: String,
    /// The team handing over.
    pub from_team: Team,
    /// The team that decides.
    pub to_team: Team,
    /// Where it stands.
    pub status: HandoffStatus,
    /// Who requested it (email); absent when the funnel rules opened it.
    pub requested_by: Option<String>,
    /// Who should decide; absent = the team queue.
    pub assignee: Option<Person>,
    /// When it was opened.
    pub requested_at: DateTime<Utc>,
    /// When the SLA runs out (requested at + the gate's `sla_hours`).
    pub sla_due_at: DateTime<Utc>,
    /// Still pending after `sla_due_at` (by the app's clock).
    pub breached: bool,
    /// When it was escalated to the receiving team's leaders (a breached handoff).
    pub escalated_at: Option<DateTime<Utc>>,
    /// Who decided (email).
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was rejected or recycled (one of the definition's reason codes).
    pub reason_code: Option<String>,
    /// The decider's note.
    pub note: Option<String>,
    /// The requester's qualification notes (SDR → sales).
    pub qualification_notes: Option<String>,
    /// The meeting set with the AE (SDR → sales).
    pub meeting_at: Option<DateTime<Utc>>,
}

/// What an SDR sends to request a handoff into an acceptance-gated stage.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HandoffRequest {
    /// The receiving team (`sales`).
    pub to_team: String,
    /// A chosen member of that team; absent = round-robin, else the team queue.
    #[serde(default)]
    pub assignee_id: Option<i64>,
    /// Qualification notes (API.md's `note`).
    #[serde(default)]
    pub note: Option<String>,
    /// Qualification notes (alias of `note`; `note` wins when both are sent).
    #[serde(default)]
    pub qualification_notes: Option<String>,
    /// The meeting date set with the AE.
    #[serde(default)]
    pub meeting_at: Option<DateTime<Utc>>,
}

/// A rejection: a reason code from the definition and an optional note.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RejectInput {
    /// One of the definition's `reject` codes, or (into an automatically opened stage) a
    /// `recycle` code that sends the lead back to nurture.
    #[serde(default)]
    pub reason_code: String,
    /// Free text.
    #[serde(default)]
    pub note: Option<String>,
}

/// Which handoffs a queue shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoffFilter {
    /// A status; `escalated` means pending and escalated.
    pub status: Option<String>,
    /// The receiving team.
    pub to_team: Option<String>,
    /// Only those assigned to this user.
    pub assignee_id: Option<i64>,
    /// Only those of this lead.
    pub lead_id: Option<i64>,
}

/// An opportunity's sales stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum OpportunityStage {
    /// First conversations.
    Discovery,
    /// Shaping the solution.
    Solution,
    /// Demonstrated.
    Demo,
    /// Proposal sent.
    Proposal,
    /// Negotiating the contract.
    Closing,
    /// Signed (the lead and its account become customers).
    Won,
    /// Lost (with a reason code).
    Lost,
}

impl OpportunityStage {
    /// Every stage, open ones in order, then the outcomes.
    pub const ALL: [Self; 7] = [
        Self::Discovery,
        Self::Solution,
        Self::Demo,
        Self::Proposal,
        Self::Closing,
        Self::Won,
        Self::Lost,
    ];

    /// The stored and API value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Discovery => "discovery",
            Self::Solution => "solution",
            Self::Demo => "demo",
            Self::Proposal => "proposal",
            Self::Closing => "closing",
            Self::Won => "won",
            Self::Lost => "lost",
        }
    }

    /// Parses the stored and API value.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value.trim())
    }

    /// Won or lost: nothing changes any more.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Won | Self::Lost)
    }
}

/// An opportunity (SQO) as the API answers it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Opportunity {
    /// Id.
    pub id: i64,
    /// The lead it came from.
    pub lead: HandoffLead,
    /// The lead's account.
    pub account_id: Option<i64>,
    /// The AE who owns it.
    pub owner: Option<Person>,
    /// Sales stage.
    pub stage: OpportunityStage,
    /// Amount in the currency (a decimal number).
    pub amount: f64,
    /// ISO 4217 code.
    pub currency: String,
    /// Expected close date.
    pub close_date: NaiveDate,
    /// Chance of winning, 0 to 1.
    pub probability: f64,
    /// Amount × probability.
    pub expected_revenue: f64,
    /// Why it was lost.
    pub lost_reason: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// What an AE sends to convert an SQL into an opportunity.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OpportunityInput {
    /// Amount in the currency, ≥ 0.
    pub amount: f64,
    /// ISO 4217 code (default [`super::rules::DEFAULT_CURRENCY`]).
    #[serde(default)]
    pub currency: Option<String>,
    /// Expected close date.
    pub close_date: NaiveDate,
    /// Chance of winning, 0 to 1 (default: the stage's default).
    #[serde(default)]
    pub probability: Option<f64>,
    /// Starting stage (default `discovery`).
    #[serde(default)]
    pub stage: Option<String>,
}

/// A partial update of an opportunity; absent fields keep their values.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OpportunityPatch {
    /// New stage; without `probability`, the probability follows the stage's default.
    #[serde(default)]
    pub stage: Option<String>,
    /// New amount.
    #[serde(default)]
    pub amount: Option<f64>,
    /// New probability.
    #[serde(default)]
    pub probability: Option<f64>,
    /// Required when the stage becomes `lost`: one of the definition's `lost` codes.
    #[serde(default)]
    pub lost_reason: Option<String>,
    /// New expected close date.
    #[serde(default)]
    pub close_date: Option<NaiveDate>,
}

/// Sums of one currency in one board column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CurrencyTotal {
    /// ISO 4217 code.
    pub currency: String,
    /// Sum of amounts.
    pub amount: f64,
    /// Sum of expected revenue.
    pub expected_revenue: f64,
}

/// One stage column of the opportunity board.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BoardColumn {
    /// The stage.
    pub stage: OpportunityStage,
    /// Its opportunities, by close date.
    pub items: Vec<Opportunity>,
    /// Totals per currency.
    pub totals: Vec<CurrencyTotal>,
}

/// The opportunity board: one column per stage, in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OpportunityBoardData {
    /// Columns, discovery → lost.
    pub columns: Vec<BoardColumn>,
}

/// One handoff with the lead's earlier handoffs and what the viewer may do with it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HandoffDetailData {
    /// The handoff.
    pub handoff: Handoff,
    /// Every handoff of the same lead, oldest first (this one included).
    pub lead_handoffs: Vec<Handoff>,
    /// The buttons to show.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub permissions: crate::policy::HandoffPermissions,
    /// The reason codes a rejection may use here (recycle codes only into a stage entered
    /// on its criteria).
    pub reason_codes: Vec<String>,
}

/// What a bulk accept did, handoff by handoff.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BulkAcceptOutcome {
    /// The handoffs accepted.
    pub accepted: Vec<Handoff>,
    /// The ones refused, with the error code (`handoff_decided`, `forbidden`, `not_found`…).
    pub failed: Vec<BulkFailure>,
}

/// One handoff a bulk accept could not accept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BulkFailure {
    /// The handoff.
    pub id: i64,
    /// Why, as the API's error code.
    pub code: String,
}
