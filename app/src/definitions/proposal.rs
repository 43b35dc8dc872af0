//! Proposals, versions and approvals as the API and the screens show them, and the pure rules
//! of the two-party process (which teams must approve, whether a proposal may publish).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::diff::Change;
use super::model::Definition;
use crate::auth::{Team, User};
use crate::ids::UserId;

/// A proposal's life: open until rejected, withdrawn or published.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ProposalStatus {
    /// Being discussed; may be revised, approved, published.
    Open,
    /// Rejected by a leader of a required team (with a reason).
    Rejected,
    /// Became a version.
    Published,
    /// Withdrawn by its author.
    Withdrawn,
}

impl ProposalStatus {
    /// Stored and API value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Rejected => "rejected",
            Self::Published => "published",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// Parses the stored value.
    pub fn parse(value: &str) -> Option<Self> {
        [Self::Open, Self::Rejected, Self::Published, Self::Withdrawn]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

/// A person named on a record (author, approver, publisher).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserRef {
    /// Id.
    pub id: UserId,
    /// Display name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Team.
    pub team: Team,
}

impl From<&User> for UserRef {
    fn from(u: &User) -> Self {
        Self {
            id: u.id,
            name: u.name.clone(),
            email: u.email.clone(),
            team: u.team,
        }
    }
}

/// Whether a required team has approved the latest revision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ApprovalState {
    /// Not yet (or an earlier approval was dismissed by a revision).
    Pending,
    /// Approved the latest revision.
    Approved,
}

/// One required team's approval slot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Approval {
    /// The team.
    pub team: Team,
    /// Its state for the latest revision.
    pub status: ApprovalState,
    /// Who approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<UserRef>,
    /// Which revision was approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
    /// When.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
}

/// A comment on a proposal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Comment {
    /// Id.
    pub id: i64,
    /// Author.
    pub author: UserRef,
    /// Text.
    pub body: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// The decision that closed a proposal, if any.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Decision {
    /// Who rejected, withdrew or published.
    pub by: UserRef,
    /// When.
    pub at: DateTime<Utc>,
    /// The rejection reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A proposed next version, with everything the approval screen shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Proposal {
    /// Id.
    pub id: i64,
    /// Status.
    pub status: ProposalStatus,
    /// The version it changes.
    pub base_version: i64,
    /// The latest revision (from 1).
    pub revision: i64,
    /// Title.
    pub title: String,
    /// Why.
    pub rationale: String,
    /// Author.
    pub author: UserRef,
    /// The full proposed definition.
    pub definition: Definition,
    /// One slot per required team.
    pub approvals: Vec<Approval>,
    /// Field-level changes against the base version.
    pub diff: Vec<Change>,
    /// Publishing also moves back leads that no longer qualify.
    pub requalify: bool,
    /// The version current right now (the base is stale when they differ).
    pub current_version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last revised.
    pub updated_at: DateTime<Utc>,
    /// The version it became, once published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_version: Option<i64>,
    /// Who closed it and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// The discussion, oldest first.
    pub comments: Vec<Comment>,
}

impl Proposal {
    /// Every required team approved the latest revision.
    pub fn fully_approved(&self) -> bool {
        self.approvals.iter().all(|a| a.status == ApprovalState::Approved)
    }

    /// Another version was published since the base.
    pub fn stale_base(&self) -> bool {
        self.base_version != self.current_version
    }

    /// The approval slot of `team`, if it is required.
    pub fn approval(&self, team: Team) -> Option<&Approval> {
        self.approvals.iter().find(|a| a.team == team)
    }
}

/// A row of the proposals list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProposalSummary {
    /// Id.
    pub id: i64,
    /// Status.
    pub status: ProposalStatus,
    /// Title.
    pub title: String,
    /// Author.
    pub author: UserRef,
    /// Base version.
    pub base_version: i64,
    /// Latest revision.
    pub revision: i64,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A published version in the history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VersionSummary {
    /// Number (1, 2…).
    pub version: i64,
    /// Title of the change.
    pub title: String,
    /// Why.
    pub rationale: String,
    /// When it went live.
    pub published_at: DateTime<Utc>,
    /// Who published it (none for the seeded version 1).
    pub published_by: Option<UserRef>,
    /// The proposal it came from.
    pub proposal_id: Option<i64>,
    /// Who approved the published revision, per team.
    pub approvers: Vec<UserRef>,
}

/// A published version with its definition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VersionDetail {
    /// Number.
    pub version: i64,
    /// The definition in force from `published_at`.
    pub definition: Definition,
    /// When it went live.
    pub published_at: DateTime<Utc>,
    /// Who published it.
    pub published_by: Option<UserRef>,
    /// Title.
    pub title: String,
    /// Why.
    pub rationale: String,
    /// Whether it is the current version.
    pub current: bool,
}

/// Which teams must approve every proposal (admins change it; the change is audited).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApprovalPolicy {
    /// Teams whose leader must approve (at least one).
    pub teams: Vec<Team>,
}

impl Default for ApprovalPolicy {
    fn default() -> Self {
        Self {
            teams: vec![Team::Marketing, Team::Sales],
        }
    }
}

impl ApprovalPolicy {
    /// Orders teams as in the funnel and removes duplicates; refuses an empty set.
    pub fn normalized(teams: &[Team]) -> Option<Self> {
        let teams: Vec<Team> = Team::ALL.into_iter().filter(|t| teams.contains(t)).collect();
        (!teams.is_empty()).then_some(Self { teams })
    }
}

/// A new proposal as drafted in the editor or posted to the API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewProposal {
    /// The version it changes (normally the current one).
    pub base_version: i64,
    /// Title.
    pub title: String,
    /// Why.
    pub rationale: String,
    /// The full proposed definition.
    pub definition: Definition,
    /// Also move back leads that no longer qualify on publish.
    #[serde(default)]
    pub requalify: bool,
}

/// A revision of an open proposal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Revision {
    /// The revision being revised (must be the latest).
    pub revision: i64,
    /// The new definition.
    pub definition: Definition,
    /// New title, if changed.
    #[serde(default)]
    pub title: Option<String>,
    /// New rationale, if changed.
    #[serde(default)]
    pub rationale: Option<String>,
}

/// The title and rationale rules shared by proposals and revisions.
pub fn check_text(title: &str, rationale: &str) -> Vec<crate::error::FieldError> {
    use crate::error::FieldError;
    let mut errors = Vec::new();
    if title.trim().is_empty() {
        errors.push(FieldError::new("title", "required"));
    } else if title.trim().chars().count() > 200 {
        errors.push(FieldError::new("title", "too_long"));
    }
    if rationale.trim().is_empty() {
        errors.push(FieldError::new("rationale", "required"));
    } else if rationale.chars().count() > 10_000 {
        errors.push(FieldError::new("rationale", "too_long"));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_needs_marketing_and_sales() {
        assert_eq!(ApprovalPolicy::default().teams, [Team::Marketing, Team::Sales]);
    }

    #[test]
    fn a_policy_is_ordered_deduplicated_and_never_empty() {
        let p = ApprovalPolicy::normalized(&[Team::Sales, Team::Sdr, Team::Sales]).unwrap();
        assert_eq!(p.teams, [Team::Sdr, Team::Sales]);
        assert!(ApprovalPolicy::normalized(&[]).is_none());
    }

    #[test]
    fn title_and_rationale_are_required() {
        let fields: Vec<_> = check_text(" ", "").into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "rationale"]);
        assert!(check_text("Raise ICP threshold", "Sales sees too many small accounts").is_empty());
    }
}
