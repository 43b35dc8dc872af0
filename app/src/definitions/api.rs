//! Server functions of the definitions screens. Thin: authenticate, then call
//! [`super::service`], which authorizes through the policy module.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use super::diff::Change;
use super::model::Definition;
use super::proposal::{
    ApprovalPolicy, NewProposal, Proposal, ProposalSummary, Revision, VersionDetail, VersionSummary,
};
use crate::audit::{AuditEntry, Verification};
use crate::error::AppError;
use crate::policy::ProposalPermissions;

#[cfg(feature = "ssr")]
use crate::auth::api::ssr::context;

/// Everything the definitions page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverviewData {
    /// The version shown (the current one unless another was asked for).
    pub shown: VersionDetail,
    /// The current version number.
    pub current: i64,
    /// The history, newest first.
    pub versions: Vec<VersionSummary>,
    /// Which teams must approve.
    pub policy: ApprovalPolicy,
    /// Whether the viewer may change the policy.
    pub can_set_policy: bool,
}

/// The definitions page: a version (current by default), history and approval policy.
#[server(endpoint = "definitions_overview")]
pub async fn definitions_overview(version: Option<i64>) -> Result<OverviewData, AppError> {
    let (state, _, user) = context().await?;
    let shown = super::service::version(&state, user.as_ref(), version).await?;
    let (current, versions) = super::service::versions(&state, user.as_ref()).await?;
    let policy = super::service::approval_policy(&state).await?;
    let can_set_policy = user
        .as_ref()
        .is_some_and(|u| crate::policy::allows(u, crate::policy::Action::SetApprovalPolicy));
    Ok(OverviewData {
        shown,
        current,
        versions,
        policy,
        can_set_policy,
    })
}

/// Two versions and the changes between them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionDiffData {
    /// The earlier side.
    pub before: VersionDetail,
    /// The later side.
    pub after: VersionDetail,
    /// Field-level changes.
    pub changes: Vec<Change>,
}

/// The diff between versions `a` and `b`.
#[server(endpoint = "version_diff")]
pub async fn version_diff(a: i64, b: i64) -> Result<VersionDiffData, AppError> {
    let (state, _, user) = context().await?;
    let before = super::service::version(&state, user.as_ref(), Some(a)).await?;
    let after = super::service::version(&state, user.as_ref(), Some(b)).await?;
    let changes = super::diff::diff(&before.definition, &after.definition);
    Ok(VersionDiffData {
        before,
        after,
        changes,
    })
}

/// Changes which teams must approve (admins).
#[server(endpoint = "set_approval_policy")]
pub async fn set_approval_policy(
    marketing: Option<String>,
    sdr: Option<String>,
    sales: Option<String>,
) -> Result<ApprovalPolicy, AppError> {
    use crate::auth::Team;
    let (state, _, user) = context().await?;
    let teams: Vec<Team> = [
        (Team::Marketing, marketing),
        (Team::Sdr, sdr),
        (Team::Sales, sales),
    ]
    .into_iter()
    .filter_map(|(team, checked)| checked.is_some().then_some(team))
    .collect();
    super::service::set_approval_policy(&state, user.as_ref(), &teams).await
}

/// Proposals, newest first (`status` empty = all).
#[server(endpoint = "list_proposals")]
pub async fn list_proposals(status: Option<String>) -> Result<Vec<ProposalSummary>, AppError> {
    let (state, _, user) = context().await?;
    let status = match status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(
            super::proposal::ProposalStatus::parse(s)
                .ok_or_else(|| AppError::field("status", "invalid_choice"))?,
        ),
        None => None,
    };
    super::service::proposals(&state, user.as_ref(), status).await
}

/// A proposal as its approval screen shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProposalData {
    /// The proposal.
    pub proposal: Proposal,
    /// The definition of its base version (the "before" of the diff).
    pub base: Definition,
    /// What the viewer may do.
    pub permissions: ProposalPermissions,
}

/// One proposal with the viewer's permissions.
#[server(endpoint = "proposal_view")]
pub async fn proposal_view(id: i64) -> Result<ProposalData, AppError> {
    let (state, _, user) = context().await?;
    let proposal = super::service::proposal(&state, user.as_ref(), id).await?;
    let base = super::service::version(&state, user.as_ref(), Some(proposal.base_version))
        .await?
        .definition;
    let permissions = user
        .as_ref()
        .map(|u| crate::policy::proposal_permissions(u, &proposal))
        .unwrap_or_default();
    Ok(ProposalData {
        proposal,
        base,
        permissions,
    })
}

/// The current version, to start a new proposal from.
#[server(endpoint = "current_definition")]
pub async fn current_definition() -> Result<VersionDetail, AppError> {
    let (state, _, user) = context().await?;
    super::service::version(&state, user.as_ref(), None).await
}

/// Drafts a proposal; returns its id.
#[server(endpoint = "create_proposal", input = Json)]
pub async fn create_proposal(input: NewProposal) -> Result<i64, AppError> {
    let (state, _, user) = context().await?;
    Ok(super::service::create_proposal(&state, user.as_ref(), input)
        .await?
        .id)
}

/// Saves a new revision.
#[server(endpoint = "revise_proposal", input = Json)]
pub async fn revise_proposal(id: i64, revision: Revision) -> Result<i64, AppError> {
    let (state, _, user) = context().await?;
    Ok(super::service::revise(&state, user.as_ref(), id, revision)
        .await?
        .revision)
}

/// Approves the given (latest) revision.
#[server(endpoint = "approve_proposal")]
pub async fn approve_proposal(id: i64, revision: i64) -> Result<(), AppError> {
    let (state, _, user) = context().await?;
    super::service::approve(&state, user.as_ref(), id, revision)
        .await
        .map(|_| ())
}

/// Rejects with a reason.
#[server(endpoint = "reject_proposal")]
pub async fn reject_proposal(id: i64, reason: String) -> Result<(), AppError> {
    let (state, _, user) = context().await?;
    super::service::reject(&state, user.as_ref(), id, &reason)
        .await
        .map(|_| ())
}

/// Withdraws.
#[server(endpoint = "withdraw_proposal")]
pub async fn withdraw_proposal(id: i64) -> Result<(), AppError> {
    let (state, _, user) = context().await?;
    super::service::withdraw(&state, user.as_ref(), id)
        .await
        .map(|_| ())
}

/// Comments.
#[server(endpoint = "comment_proposal")]
pub async fn comment_proposal(id: i64, body: String) -> Result<(), AppError> {
    let (state, _, user) = context().await?;
    super::service::comment(&state, user.as_ref(), id, &body)
        .await
        .map(|_| ())
}

/// Publishes; returns the new version number.
#[server(endpoint = "publish_proposal")]
pub async fn publish_proposal(id: i64) -> Result<i64, AppError> {
    let (state, _, user) = context().await?;
    crate::leads::publish::publish_and_apply(&state, user.as_ref(), id).await
}

/// The impact preview of a proposal.
#[server(endpoint = "proposal_impact")]
pub async fn proposal_impact(id: i64) -> Result<crate::leads::impact::Impact, AppError> {
    let (state, _, user) = context().await?;
    crate::leads::publish::proposal_impact(&state, user.as_ref(), id).await
}

/// Rebases onto the current version.
#[server(endpoint = "rebase_proposal")]
pub async fn rebase_proposal(id: i64) -> Result<(), AppError> {
    let (state, _, user) = context().await?;
    super::service::rebase(&state, user.as_ref(), id)
        .await
        .map(|_| ())
}

/// The audit page: entries (newest first) and the chain check.
#[server(endpoint = "audit_overview")]
pub async fn audit_overview(entity: Option<String>) -> Result<(Vec<AuditEntry>, Verification), AppError> {
    let (state, _, user) = context().await?;
    let entity = entity.filter(|e| !e.is_empty());
    let mut entries = super::service::audit(&state, user.as_ref(), entity.as_deref(), None).await?;
    let verification = super::service::verify_audit(&state, user.as_ref()).await?;
    entries.reverse();
    Ok((entries, verification))
}
