//! Who may do what: the one place every page, server function and API handler asks.
//!
//! Rules are pure functions of the user (and later, of the record), so they are tested
//! without a database and cannot drift between the UI and the API.

use crate::auth::{Role, Team, User};
use crate::definitions::proposal::{Proposal, ProposalStatus};
use crate::error::AppError;

/// Something a user may attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// See the app's pages and read shared data (any signed-in user).
    UseApp,
    /// List and create users.
    ManageUsers,
    /// Create API tokens for integrations.
    ManageTokens,
    /// Draft a proposal for the next definition version (anyone signed in).
    DraftProposal,
    /// Change which teams must approve proposals.
    SetApprovalPolicy,
    /// Create and update leads, accounts and activities (people and integrations).
    EditLeads,
}

/// Whether `user` may perform `action`.
pub fn allows(user: &User, action: Action) -> bool {
    match action {
        Action::UseApp | Action::DraftProposal | Action::EditLeads => true,
        Action::ManageUsers | Action::ManageTokens | Action::SetApprovalPolicy => user.role == Role::Admin,
    }
}

/// Authorizes an optional user: `Unauthorized` when nobody is signed in, `Forbidden` when
/// the user may not perform `action`.
pub fn authorize(user: Option<&User>, action: Action) -> Result<&User, AppError> {
    let user = user.ok_or(AppError::Unauthorized)?;
    if allows(user, action) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Whether `user` may move a lead out of `stage` by hand: the team that owns the stage being
/// left decides (admins may correct anything).
pub fn can_move_lead_from(user: &User, stage: &crate::definitions::model::Stage) -> bool {
    user.role == Role::Admin || user.team == stage.owner_team
}

/// Whether `user` may accept or reject a handoff to `to_team` assigned to `assignee`: only
/// the receiving team decides; a member decides what is assigned to them or sits in the
/// team queue, a leader (or an admin on that team) anything of the team.
pub fn can_decide_handoff(user: &User, to_team: Team, assignee: Option<i64>) -> bool {
    user.team == to_team && (user.role != Role::Member || assignee.is_none_or(|a| a == user.id.0))
}

/// Whether `user` may request a handoff through a gate from `from_team` (the SDR asking
/// sales to accept): only the handing-over team.
pub fn can_request_handoff(user: &User, from_team: Team) -> bool {
    user.team == from_team
}

/// Whether `user` leads `team`'s queue: reassigns its handoffs and accepts them in bulk.
pub fn can_lead_queue(user: &User, team: Team) -> bool {
    user.team == team && matches!(user.role, Role::Leader | Role::Admin)
}

/// Whether `user` may create and update opportunities: only sales works them.
pub fn can_work_opportunities(user: &User) -> bool {
    user.team == Team::Sales
}

/// What a user may do with one handoff; the approval screen shows exactly these buttons
/// and the services refuse everything else.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HandoffPermissions {
    /// Accept or reject it (pending, and the user decides for the receiving team).
    pub decide: bool,
    /// Give it to someone else of the team (pending, and the user leads the team).
    pub reassign: bool,
}

/// What `user` may do now with a handoff to `to_team`, assigned to `assignee`.
pub fn handoff_permissions(
    user: &User,
    to_team: Team,
    assignee: Option<i64>,
    pending: bool,
) -> HandoffPermissions {
    HandoffPermissions {
        decide: pending && can_decide_handoff(user, to_team, assignee),
        reassign: pending && can_lead_queue(user, to_team),
    }
}

/// What a user may do with one proposal; the approval screen shows exactly these buttons and
/// the services refuse everything else.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProposalPermissions {
    /// Approve the latest revision for `team` (only while that team's approval is pending).
    pub approve_for: Option<Team>,
    /// Reject the proposal (a leader of a required team).
    pub reject: bool,
    /// Save a new revision (the author).
    pub revise: bool,
    /// Withdraw it (the author or an admin).
    pub withdraw: bool,
    /// Publish it once approved (the author or a leader of a required team).
    pub publish: bool,
    /// Rebase it onto the current version (same people as publish).
    pub rebase: bool,
    /// Comment on it.
    pub comment: bool,
}

/// The team a leader approves for, when their team is required. Admins never approve on a
/// team's behalf, whatever team they belong to.
pub fn approving_team(user: &User, required: &[Team]) -> Option<Team> {
    (user.role == Role::Leader && required.contains(&user.team)).then_some(user.team)
}

/// What `user` may do with `proposal` now.
pub fn proposal_permissions(user: &User, proposal: &Proposal) -> ProposalPermissions {
    if proposal.status != ProposalStatus::Open {
        return ProposalPermissions {
            comment: true,
            ..ProposalPermissions::default()
        };
    }
    let required: Vec<Team> = proposal.approvals.iter().map(|a| a.team).collect();
    let approver = approving_team(user, &required);
    let author = proposal.author.id == user.id;
    let admin = user.role == Role::Admin;
    let still_pending = |team: &Team| {
        proposal
            .approval(*team)
            .is_some_and(|a| a.status == crate::definitions::proposal::ApprovalState::Pending)
    };
    ProposalPermissions {
        approve_for: approver.filter(still_pending),
        reject: approver.is_some(),
        revise: author,
        withdraw: author || admin,
        publish: author || approver.is_some(),
        rebase: author || approver.is_some(),
        comment: true,
    }
}

/// The navigation entries a user should see: only pages they may open.
pub fn nav_entries(user: &User) -> Vec<NavEntry> {
    [
        NavEntry::Home,
        NavEntry::Handoffs,
        NavEntry::Leads,
        NavEntry::Accounts,
        NavEntry::Opportunities,
        NavEntry::Definitions,
        NavEntry::Proposals,
        NavEntry::Imports,
        NavEntry::Audit,
        NavEntry::Users,
    ]
    .into_iter()
    .filter(|entry| allows(user, entry.action()))
    .collect()
}

/// A page of the app shell's navigation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NavEntry {
    /// The signed-in home page.
    Home,
    /// The approval screens: handoff queues and the leader scorecard.
    Handoffs,
    /// The lead list and lead screens.
    Leads,
    /// The account list and account screens.
    Accounts,
    /// The opportunity board.
    Opportunities,
    /// The current definition, history and diffs.
    Definitions,
    /// Proposals for the next version.
    Proposals,
    /// The CSV import wizard.
    Imports,
    /// The audit trail.
    Audit,
    /// The admin users page.
    Users,
}

impl NavEntry {
    /// The action needed to open the page.
    pub fn action(self) -> Action {
        match self {
            Self::Home
            | Self::Handoffs
            | Self::Leads
            | Self::Accounts
            | Self::Opportunities
            | Self::Definitions
            | Self::Proposals
            | Self::Audit => Action::UseApp,
            Self::Users => Action::ManageUsers,
            Self::Imports => Action::EditLeads,
        }
    }

    /// The page's path.
    pub fn path(self) -> &'static str {
        match self {
            Self::Home => "/",
            Self::Handoffs => "/handoffs",
            Self::Opportunities => "/opportunities",
            Self::Leads => "/leads",
            Self::Accounts => "/accounts",
            Self::Definitions => "/definitions",
            Self::Proposals => "/proposals",
            Self::Audit => "/audit",
            Self::Imports => "/imports",
            Self::Users => "/admin/users",
        }
    }

    /// The translation key of its label.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Home => "nav.home",
            Self::Handoffs => "nav.handoffs",
            Self::Opportunities => "nav.opportunities",
            Self::Leads => "nav.leads",
            Self::Accounts => "nav.accounts",
            Self::Definitions => "nav.definitions",
            Self::Proposals => "nav.proposals",
            Self::Audit => "nav.audit",
            Self::Imports => "nav.imports",
            Self::Users => "nav.users",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Team;
    use crate::i18n::Locale;
    use crate::ids::UserId;

    fn user(team: Team, role: Role) -> User {
        User {
            id: UserId(1),
            email: "u@example.com".into(),
            name: "U".into(),
            team,
            role,
            locale: Locale::En,
        }
    }

    #[test]
    fn nobody_signed_in_is_unauthorized_for_everything() {
        for action in [Action::UseApp, Action::ManageUsers, Action::ManageTokens] {
            assert_eq!(authorize(None, action).unwrap_err(), AppError::Unauthorized);
        }
    }

    #[test]
    fn only_admins_manage_users_and_tokens() {
        for team in Team::ALL {
            for role in [Role::Member, Role::Leader] {
                let u = user(team, role);
                assert_eq!(
                    authorize(Some(&u), Action::ManageUsers).unwrap_err(),
                    AppError::Forbidden
                );
                assert_eq!(
                    authorize(Some(&u), Action::ManageTokens).unwrap_err(),
                    AppError::Forbidden
                );
                assert!(authorize(Some(&u), Action::UseApp).is_ok());
            }
            let admin = user(team, Role::Admin);
            assert!(authorize(Some(&admin), Action::ManageUsers).is_ok());
        }
    }

    fn proposal(author: &User, status: ProposalStatus) -> Proposal {
        use crate::definitions::proposal::{Approval, ApprovalState};
        Proposal {
            id: 1,
            status,
            base_version: 1,
            revision: 1,
            title: "t".into(),
            rationale: "r".into(),
            author: author.into(),
            definition: crate::definitions::seed::version_one(),
            approvals: [Team::Marketing, Team::Sales]
                .into_iter()
                .map(|team| Approval {
                    team,
                    status: ApprovalState::Pending,
                    by: None,
                    revision: None,
                    at: None,
                })
                .collect(),
            diff: vec![],
            requalify: false,
            current_version: 1,
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
            published_version: None,
            decision: None,
            comments: vec![],
        }
    }

    #[test]
    fn leaders_of_required_teams_approve_for_their_own_team_only() {
        let author = User {
            id: UserId(9),
            ..user(Team::Sales, Role::Leader)
        };
        let p = proposal(&author, ProposalStatus::Open);
        assert_eq!(proposal_permissions(&author, &p).approve_for, Some(Team::Sales));
        assert_eq!(
            proposal_permissions(&user(Team::Marketing, Role::Leader), &p).approve_for,
            Some(Team::Marketing)
        );
        assert_eq!(
            proposal_permissions(&user(Team::Sdr, Role::Leader), &p).approve_for,
            None
        );
        assert_eq!(
            proposal_permissions(&user(Team::Marketing, Role::Member), &p).approve_for,
            None
        );
    }

    #[test]
    fn a_team_that_already_approved_is_not_offered_approval_again() {
        use crate::definitions::proposal::ApprovalState;
        let author = User {
            id: UserId(9),
            ..user(Team::Sales, Role::Leader)
        };
        let mut p = proposal(&author, ProposalStatus::Open);
        p.approvals[1].status = ApprovalState::Approved;
        let perms = proposal_permissions(&author, &p);
        assert_eq!(perms.approve_for, None);
        assert!(perms.reject && perms.publish);
    }

    #[test]
    fn an_admin_cannot_approve_on_a_teams_behalf_but_can_withdraw() {
        let author = User {
            id: UserId(9),
            ..user(Team::Sales, Role::Leader)
        };
        let p = proposal(&author, ProposalStatus::Open);
        let admin = user(Team::Marketing, Role::Admin);
        let perms = proposal_permissions(&admin, &p);
        assert_eq!(perms.approve_for, None);
        assert!(!perms.reject && !perms.publish && !perms.revise);
        assert!(perms.withdraw);
    }

    #[test]
    fn only_the_author_revises_and_a_closed_proposal_allows_nothing_but_comments() {
        let author = User {
            id: UserId(9),
            ..user(Team::Sales, Role::Leader)
        };
        let p = proposal(&author, ProposalStatus::Open);
        assert!(proposal_permissions(&author, &p).revise);
        assert!(!proposal_permissions(&user(Team::Marketing, Role::Leader), &p).revise);
        let closed = proposal(&author, ProposalStatus::Published);
        assert_eq!(
            proposal_permissions(&author, &closed),
            ProposalPermissions {
                comment: true,
                ..Default::default()
            }
        );
    }

    #[test]
    fn only_admins_change_the_approval_policy() {
        assert!(allows(&user(Team::Sales, Role::Admin), Action::SetApprovalPolicy));
        assert!(!allows(
            &user(Team::Sales, Role::Leader),
            Action::SetApprovalPolicy
        ));
        assert!(allows(&user(Team::Sdr, Role::Member), Action::DraftProposal));
    }

    #[test]
    fn only_the_receiving_team_decides_a_handoff() {
        for team in Team::ALL {
            for role in Role::ALL {
                let u = user(team, role);
                assert_eq!(
                    can_decide_handoff(&u, Team::Sdr, None),
                    team == Team::Sdr,
                    "{team:?} {role:?}"
                );
            }
        }
    }

    #[test]
    fn a_member_decides_only_what_is_assigned_to_them_or_queued_and_a_leader_anything() {
        let member = user(Team::Sales, Role::Member);
        assert!(can_decide_handoff(&member, Team::Sales, Some(1)));
        assert!(can_decide_handoff(&member, Team::Sales, None));
        assert!(!can_decide_handoff(&member, Team::Sales, Some(2)));
        assert!(can_decide_handoff(
            &user(Team::Sales, Role::Leader),
            Team::Sales,
            Some(2)
        ));
    }

    #[test]
    fn only_the_handing_over_team_requests_and_only_its_leaders_reassign() {
        assert!(can_request_handoff(&user(Team::Sdr, Role::Member), Team::Sdr));
        assert!(!can_request_handoff(
            &user(Team::Marketing, Role::Leader),
            Team::Sdr
        ));
        assert!(can_lead_queue(&user(Team::Sales, Role::Leader), Team::Sales));
        assert!(!can_lead_queue(&user(Team::Sales, Role::Member), Team::Sales));
        assert!(!can_lead_queue(&user(Team::Sdr, Role::Leader), Team::Sales));
    }

    #[test]
    fn only_sales_works_opportunities() {
        for role in Role::ALL {
            assert!(can_work_opportunities(&user(Team::Sales, role)));
            assert!(!can_work_opportunities(&user(Team::Sdr, role)));
            assert!(!can_work_opportunities(&user(Team::Marketing, role)));
        }
    }

    #[test]
    fn a_decided_handoff_offers_no_actions() {
        let leader = user(Team::Sales, Role::Leader);
        assert_eq!(
            handoff_permissions(&leader, Team::Sales, None, true),
            HandoffPermissions {
                decide: true,
                reassign: true
            }
        );
        assert_eq!(
            handoff_permissions(&leader, Team::Sales, None, false),
            HandoffPermissions::default()
        );
        let member = user(Team::Sales, Role::Member);
        assert_eq!(
            handoff_permissions(&member, Team::Sales, None, true),
            HandoffPermissions {
                decide: true,
                reassign: false
            }
        );
    }

    #[test]
    fn navigation_shows_the_users_page_to_admins_only() {
        assert_eq!(
            nav_entries(&user(Team::Sales, Role::Leader)),
            [
                NavEntry::Home,
                NavEntry::Handoffs,
                NavEntry::Leads,
                NavEntry::Accounts,
                NavEntry::Opportunities,
                NavEntry::Definitions,
                NavEntry::Proposals,
                NavEntry::Imports,
                NavEntry::Audit
            ]
        );
        assert_eq!(
            nav_entries(&user(Team::Sales, Role::Admin)),
            [
                NavEntry::Home,
                NavEntry::Handoffs,
                NavEntry::Leads,
                NavEntry::Accounts,
                NavEntry::Opportunities,
                NavEntry::Definitions,
                NavEntry::Proposals,
                NavEntry::Imports,
                NavEntry::Audit,
                NavEntry::Users
            ]
        );
    }
}
