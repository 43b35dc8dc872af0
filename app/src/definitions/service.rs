//! The two-party change process: validate → authorize (policy) → one transaction with the
//! audit entry. Shared by server functions and the JSON API.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::diff::{Change, diff};
use super::merge::rebase as three_way;
use super::model::Definition;
use super::proposal::{
    Approval, ApprovalPolicy, ApprovalState, Comment, Decision, NewProposal, Proposal, ProposalStatus,
    ProposalSummary, Revision, VersionDetail, VersionSummary, check_text,
};
use super::store::{DefinitionQueries, ProposalRow, ProposalWrite, VersionRow};
use super::validate::validate;
use crate::audit::{AuditEntry, AuditRecord, Verification, chain};
use crate::auth::{Team, User};
use crate::error::{AppError, AppResult};
use crate::policy::{self, Action, proposal_permissions};
use crate::state::AppState;
use crate::store::StoreError;
use crate::{in_tx, with_conn};

const POLICY_KEY: &str = "approval_policy";

fn to_json(def: &Definition) -> AppResult<String> {
    serde_json::to_string(def).map_err(|e| {
        tracing::error!(error = %e, "definition serialization failed");
        AppError::Internal
    })
}

fn from_json(text: &str) -> AppResult<Definition> {
    serde_json::from_str(text).map_err(|e| {
        tracing::error!(error = %e, "stored definition is unreadable");
        AppError::Internal
    })
}

fn check_definition(def: &Definition) -> AppResult<()> {
    validate(def).map_err(AppError::InvalidDefinition)
}

/// Seeds version 1 from the seed funnel on an empty database (idempotent, safe when several
/// servers start at once).
pub async fn ensure_seeded(state: &AppState) -> AppResult<()> {
    let now = state.clock.now();
    in_tx!(&state.db, c => {
        if c.current_version().await?.is_none() {
            let definition = super::seed::version_one();
            let row = VersionRow {
                version: 1,
                definition: to_json(&definition)?,
                title: "Initial funnel definition".into(),
                rationale: "The seed funnel: prospect → subscriber → lead → MQL → SQL → opportunity → customer.".into(),
                published_at: now,
                published_by: None,
                proposal_id: None,
                is_current: true,
            };
            c.publish_version(&row).await?;
            c.append_audit(&AuditRecord::new(None, "definition.seeded", "definition", 1, json!({"version": 1})), now).await?;
        }
        Ok::<(), AppError>(())
    })?;
    Ok(())
}

/// The approval policy in force.
pub async fn approval_policy(state: &AppState) -> AppResult<ApprovalPolicy> {
    with_conn!(&state.db, c => read_policy(c).await)
}

async fn read_policy<C: DefinitionQueries>(c: &mut C) -> AppResult<ApprovalPolicy> {
    Ok(match c.setting(POLICY_KEY).await? {
        Some(text) => serde_json::from_str(&text).unwrap_or_default(),
        None => ApprovalPolicy::default(),
    })
}

/// Changes which teams must approve (admins only; audited).
pub async fn set_approval_policy(
    state: &AppState,
    actor: Option<&User>,
    teams: &[Team],
) -> AppResult<ApprovalPolicy> {
    let user = policy::authorize(actor, Action::SetApprovalPolicy)?;
    let new = ApprovalPolicy::normalized(teams).ok_or_else(|| AppError::field("teams", "required"))?;
    let now = state.clock.now();
    in_tx!(&state.db, c => {
        let old = read_policy(c).await?;
        let text = serde_json::to_string(&new).map_err(|_| AppError::Internal)?;
        c.set_setting(POLICY_KEY, &text).await?;
        let detail = json!({"before": old.teams, "after": new.teams});
        c.append_audit(&AuditRecord::new(Some(user), "approval_policy.changed", "approval_policy", "teams", detail), now).await?;
        Ok::<(), AppError>(())
    })?;
    Ok(new)
}

fn version_summary_parts(row: &VersionRow) -> (i64, String, String, DateTime<Utc>) {
    (
        row.version,
        row.title.clone(),
        row.rationale.clone(),
        row.published_at,
    )
}

/// Every published version, newest first, with publisher and approvers.
pub async fn versions(state: &AppState, actor: Option<&User>) -> AppResult<(i64, Vec<VersionSummary>)> {
    policy::authorize(actor, Action::UseApp)?;
    with_conn!(&state.db, c => {
        let rows = c.versions().await?;
        let current = rows.iter().find(|r| r.is_current).map(|r| r.version).unwrap_or(0);
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let (version, title, rationale, published_at) = version_summary_parts(&row);
            let published_by = match row.published_by { Some(id) => c.user_ref(id).await?, None => None };
            let mut approvers = Vec::new();
            if let Some(pid) = row.proposal_id
                && let Some(p) = c.proposal(pid).await?
            {
                for a in c.approvals(pid, p.revision).await? {
                    if let Some(u) = c.user_ref(a.user_id).await? { approvers.push(u); }
                }
            }
            out.push(VersionSummary { version, title, rationale, published_at, published_by, proposal_id: row.proposal_id, approvers });
        }
        Ok((current, out))
    })
}

/// One version (`None` = the current one).
pub async fn version(
    state: &AppState,
    actor: Option<&User>,
    number: Option<i64>,
) -> AppResult<VersionDetail> {
    policy::authorize(actor, Action::UseApp)?;
    with_conn!(&state.db, c => {
        let row = match number { Some(n) => c.version(n).await?, None => c.current_version().await? }.ok_or(AppError::NotFound)?;
        let published_by = match row.published_by { Some(id) => c.user_ref(id).await?, None => None };
        Ok(VersionDetail {
            version: row.version,
            definition: from_json(&row.definition)?,
            published_at: row.published_at,
            published_by,
            title: row.title,
            rationale: row.rationale,
            current: row.is_current,
        })
    })
}

/// The field-level diff from version `a` to version `b`.
pub async fn diff_versions(state: &AppState, actor: Option<&User>, a: i64, b: i64) -> AppResult<Vec<Change>> {
    let before = version(state, actor, Some(a)).await?;
    let after = version(state, actor, Some(b)).await?;
    Ok(diff(&before.definition, &after.definition))
}

/// Drafts a proposal (validated; 422 names every bad path).
pub async fn create_proposal(
    state: &AppState,
    actor: Option<&User>,
    input: NewProposal,
) -> AppResult<Proposal> {
    let user = policy::authorize(actor, Action::DraftProposal)?;
    let errors = check_text(&input.title, &input.rationale);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    check_definition(&input.definition)?;
    let now = state.clock.now();
    let definition = to_json(&input.definition)?;
    let id = in_tx!(&state.db, c => {
        let base = c.version(input.base_version).await?.ok_or_else(|| AppError::field("base_version", "unknown_version"))?;
        let write = ProposalWrite {
            base_version: base.version,
            revision: 1,
            title: input.title.trim(),
            rationale: input.rationale.trim(),
            definition: &definition,
            author: user.id,
            at: now,
        };
        let id = c.insert_proposal(&write, input.requalify).await?;
        let changes = diff(&from_json(&base.definition)?, &input.definition);
        let detail = json!({"revision": 1, "base_version": base.version, "title": write.title, "changes": changes.len()});
        c.append_audit(&AuditRecord::new(Some(user), "proposal.created", "proposal", id, detail), now).await?;
        Ok::<i64, AppError>(id)
    })?;
    proposal(state, Some(user), id).await
}

/// A proposal with its diff against the base, approvals, comments and decision.
pub async fn proposal(state: &AppState, actor: Option<&User>, id: i64) -> AppResult<Proposal> {
    policy::authorize(actor, Action::UseApp)?;
    with_conn!(&state.db, c => load_proposal(c, id).await)
}

async fn load_proposal<C: DefinitionQueries>(c: &mut C, id: i64) -> AppResult<Proposal> {
    let row = c.proposal(id).await?.ok_or(AppError::NotFound)?;
    let policy = read_policy(c).await?;
    let base = c.version(row.base_version).await?.ok_or(AppError::Internal)?;
    let current_version = c.current_version().await?.map(|v| v.version).unwrap_or(0);
    let definition = from_json(&row.definition)?;
    let approved = c.approvals(id, row.revision).await?;
    let mut approvals = Vec::new();
    for team in &policy.teams {
        let found = approved.iter().find(|a| a.team == team.as_str());
        approvals.push(match found {
            Some(a) => Approval {
                team: *team,
                status: ApprovalState::Approved,
                by: c.user_ref(a.user_id).await?,
                revision: Some(a.revision),
                at: Some(a.approved_at),
            },
            None => Approval {
                team: *team,
                status: ApprovalState::Pending,
                by: None,
                revision: None,
                at: None,
            },
        });
    }
    let mut comments = Vec::new();
    for cm in c.comments(id).await? {
        if let Some(author) = c.user_ref(cm.author_id).await? {
            comments.push(Comment {
                id: cm.id,
                author,
                body: cm.body,
                at: cm.created_at,
            });
        }
    }
    let decision = match (row.decided_by, row.decided_at) {
        (Some(by), Some(at)) => c.user_ref(by).await?.map(|by| Decision {
            by,
            at,
            reason: row.decision_reason.clone(),
        }),
        _ => None,
    };
    let author = c.user_ref(row.author_id).await?.ok_or(AppError::Internal)?;
    Ok(Proposal {
        id: row.id,
        status: ProposalStatus::parse(&row.status).ok_or(AppError::Internal)?,
        base_version: row.base_version,
        revision: row.revision,
        diff: diff(&from_json(&base.definition)?, &definition),
        title: row.title,
        rationale: row.rationale,
        author,
        definition,
        approvals,
        requalify: row.requalify,
        current_version,
        created_at: row.created_at,
        updated_at: row.updated_at,
        published_version: row.published_version,
        decision,
        comments,
    })
}

/// Proposals, newest first, optionally by status.
pub async fn proposals(
    state: &AppState,
    actor: Option<&User>,
    status: Option<ProposalStatus>,
) -> AppResult<Vec<ProposalSummary>> {
    policy::authorize(actor, Action::UseApp)?;
    with_conn!(&state.db, c => {
        let rows = c.proposals(status.map(ProposalStatus::as_str)).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let author = c.user_ref(r.author_id).await?.ok_or(AppError::Internal)?;
            out.push(ProposalSummary {
                id: r.id,
                status: ProposalStatus::parse(&r.status).ok_or(AppError::Internal)?,
                title: r.title,
                author,
                base_version: r.base_version,
                revision: r.revision,
                updated_at: r.updated_at,
            });
        }
        Ok(out)
    })
}

/// Loads the proposal inside the transaction and checks that `allowed` holds for `user`.
async fn open_for<C: DefinitionQueries>(
    c: &mut C,
    user: &User,
    id: i64,
    allowed: impl Fn(&crate::policy::ProposalPermissions) -> bool,
) -> AppResult<(Proposal, ProposalRow)> {
    let proposal = load_proposal(c, id).await?;
    let row = c.proposal(id).await?.ok_or(AppError::NotFound)?;
    if proposal.status != ProposalStatus::Open {
        return Err(AppError::Conflict("proposal_closed".into()));
    }
    if !allowed(&proposal_permissions(user, &proposal)) {
        return Err(AppError::Forbidden);
    }
    Ok((proposal, row))
}

/// Saves a new revision; every approval of earlier revisions is dismissed.
pub async fn revise(state: &AppState, actor: Option<&User>, id: i64, input: Revision) -> AppResult<Proposal> {
    let user = policy::authorize(actor, Action::UseApp)?;
    check_definition(&input.definition)?;
    let now = state.clock.now();
    in_tx!(&state.db, c => {
        let (p, row) = open_for(c, user, id, |p| p.revise).await?;
        if input.revision != p.revision {
            return Err(AppError::Conflict("stale_revision".into()));
        }
        let title = input.title.as_deref().unwrap_or(&row.title).trim().to_owned();
        let rationale = input.rationale.as_deref().unwrap_or(&row.rationale).trim().to_owned();
        let errors = check_text(&title, &rationale);
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let definition = to_json(&input.definition)?;
        let write = ProposalWrite {
            base_version: p.base_version, revision: p.revision + 1, title: &title, rationale: &rationale,
            definition: &definition, author: user.id, at: now,
        };
        c.revise_proposal(id, &write).await?;
        let changes = diff(&p.definition, &input.definition);
        let dismissed: Vec<Team> = p.approvals.iter().filter(|a| a.status == ApprovalState::Approved).map(|a| a.team).collect();
        let detail = json!({"revision": write.revision, "changes": changes, "dismissed_approvals": dismissed});
        c.append_audit(&AuditRecord::new(Some(user), "proposal.revised", "proposal", id, detail), now).await?;
        Ok::<(), AppError>(())
    })?;
    proposal(state, Some(user), id).await
}

/// Approves the latest revision for the approver's own team.
pub async fn approve(state: &AppState, actor: Option<&User>, id: i64, revision: i64) -> AppResult<Proposal> {
    let user = policy::authorize(actor, Action::UseApp)?;
    let now = state.clock.now();
    in_tx!(&state.db, c => {
        let (p, _) = open_for(c, user, id, |p| p.reject).await?;
        if revision != p.revision {
            return Err(AppError::Conflict("stale_revision".into()));
        }
        if p.approval(user.team).is_some_and(|a| a.status == ApprovalState::Approved) {
            return Err(AppError::Conflict("already_approved".into()));
        }
        let team = user.team;
        c.insert_approval(id, revision, team, user.id, now).await?;
        let detail = json!({"revision": revision, "team": team});
        c.append_audit(&AuditRecord::new(Some(user), "proposal.approved", "proposal", id, detail), now).await?;
        Ok::<(), AppError>(())
    })?;
    proposal(state, Some(user), id).await
}

/// Rejects the proposal with a reason (a leader of a required team).
pub async fn reject(state: &AppState, actor: Option<&User>, id: i64, reason: &str) -> AppResult<Proposal> {
    let user = policy::authorize(actor, Action::UseApp)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::field("reason", "required"));
    }
    let now = state.clock.now();
    in_tx!(&state.db, c => {
        let (p, _) = open_for(c, user, id, |p| p.reject).await?;
        c.close_proposal(id, ProposalStatus::Rejected.as_str(), user.id, now, Some(reason), None).await?;
        let detail = json!({"revision": p.revision, "team": user.team, "reason": reason});
        c.append_audit(&AuditRecord::new(Some(user), "proposal.rejected", "proposal", id, detail), now).await?;
        Ok::<(), AppError>(())
    })?;
    proposal(state, Some(user), id).await
}

/// Withdraws the proposal (its author or an admin).
pub async fn withdraw(state: &AppState, actor: Option<&User>, id: i64) -> AppResult<Proposal> {
    let user = policy::authorize(actor, Action::UseApp)?;
    let now = state.clock.now();
    in_tx!(&state.db, c => {
        let (p, _) = open_for(c, user, id, |p| p.withdraw).await?;
        c.close_proposal(id, ProposalStatus::Withdrawn.as_str(), user.id, now, None, None).await?;
        c.append_audit(&AuditRecord::new(Some(user), "proposal.withdrawn", "proposal", id, json!({"revision": p.revision})), now).await?;
        Ok::<(), AppError>(())
    })?;
    proposal(state, Some(user), id).await
}

/// Comments on a proposal.
pub async fn comment(state: &AppState, actor: Option<&User>, id: i64, body: &str) -> AppResult<Proposal> {
    let user = policy::authorize(actor, Action::UseApp)?;
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::field("body", "required"));
    } else if body.chars().count() > 5_000 {
        return Err(AppError::field("body", "too_long"));
    }
    let now = state.clock.now();
    in_tx!(&state.db, c => {
        c.proposal(id).await?.ok_or(AppError::NotFound)?;
        let cid = c.insert_comment(id, user.id, body, now).await?;
        c.append_audit(&AuditRecord::new(Some(user), "proposal.commented", "proposal", id, json!({"comment_id": cid})), now).await?;
        Ok::<(), AppError>(())
    })?;
    proposal(state, Some(user), id).await
}

/// Publishes a fully approved proposal on an up-to-date base as the next version, in one
/// transaction: exactly one version is current before and after.
pub async fn publish(state: &AppState, actor: Option<&User>, id: i64) -> AppResult<i64> {
    let user = policy::authorize(actor, Action::UseApp)?;
    let now = state.clock.now();
    let version = in_tx!(&state.db, c => {
        let (p, row) = open_for(c, user, id, |p| p.publish).await?;
        if !p.fully_approved() {
            let missing: Vec<Team> = p.approvals.iter().filter(|a| a.status != ApprovalState::Approved).map(|a| a.team).collect();
            return Err(AppError::ApprovalsMissing(missing));
        }
        let current = c.current_version().await?.ok_or(AppError::Internal)?;
        if current.version != p.base_version {
            return Err(AppError::Conflict("stale_base".into()));
        }
        let version = current.version + 1;
        c.publish_version(&VersionRow {
            version,
            definition: row.definition.clone(),
            title: row.title.clone(),
            rationale: row.rationale.clone(),
            published_at: now,
            published_by: Some(user.id.0),
            proposal_id: Some(id),
            is_current: true,
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AppError::Conflict("stale_base".into()),
            other => other.into(),
        })?;
        c.close_proposal(id, ProposalStatus::Published.as_str(), user.id, now, None, Some(version)).await?;
        let approvers: Vec<_> = p.approvals.iter().filter_map(|a| a.by.as_ref().map(|u| json!({"team": a.team, "by": u.email}))).collect();
        let detail = json!({"version": version, "revision": p.revision, "approvals": approvers, "requalify": p.requalify});
        c.append_audit(&AuditRecord::new(Some(user), "proposal.published", "proposal", id, detail), now).await?;
        c.append_audit(&AuditRecord::new(Some(user), "definition.published", "definition", version, json!({"proposal_id": id})), now).await?;
        Ok::<i64, AppError>(version)
    })?;
    tracing::info!(proposal = id, version, "definition version published");
    Ok(version)
}

/// Re-applies the proposal's changes onto the current version (three-way); a new revision
/// whose approvals start over. 409 `rebase_conflict` names the paths both sides changed.
pub async fn rebase(state: &AppState, actor: Option<&User>, id: i64) -> AppResult<Proposal> {
    let user = policy::authorize(actor, Action::UseApp)?;
    let now = state.clock.now();
    in_tx!(&state.db, c => {
        let (p, row) = open_for(c, user, id, |p| p.rebase).await?;
        let current = c.current_version().await?.ok_or(AppError::Internal)?;
        if current.version == p.base_version {
            return Err(AppError::Conflict("already_current".into()));
        }
        let base = c.version(p.base_version).await?.ok_or(AppError::Internal)?;
        let rebased = three_way(&from_json(&base.definition)?, &from_json(&current.definition)?, &p.definition)
            .map_err(AppError::RebaseConflict)?;
        check_definition(&rebased)?;
        let definition = to_json(&rebased)?;
        let write = ProposalWrite {
            base_version: current.version, revision: p.revision + 1, title: &row.title, rationale: &row.rationale,
            definition: &definition, author: user.id, at: now,
        };
        c.revise_proposal(id, &write).await?;
        let detail = json!({"revision": write.revision, "from_base": p.base_version, "to_base": current.version});
        c.append_audit(&AuditRecord::new(Some(user), "proposal.rebased", "proposal", id, detail), now).await?;
        Ok::<(), AppError>(())
    })?;
    proposal(state, Some(user), id).await
}

/// Audit entries, optionally for one record.
pub async fn audit(
    state: &AppState,
    actor: Option<&User>,
    entity: Option<&str>,
    entity_id: Option<&str>,
) -> AppResult<Vec<AuditEntry>> {
    policy::authorize(actor, Action::UseApp)?;
    with_conn!(&state.db, c => Ok(c.audit_entries(entity, entity_id).await?))
}

/// Checks the whole chain.
pub async fn verify_audit(state: &AppState, actor: Option<&User>) -> AppResult<Verification> {
    let entries = audit(state, actor, None, None).await?;
    Ok(chain::verify(&entries))
}

/// Records an audit entry in its own transaction (for changes outside this domain, such as
/// user creation).
pub async fn record(state: &AppState, record: AuditRecord) -> AppResult<()> {
    let now = state.clock.now();
    in_tx!(&state.db, c => {
        c.append_audit(&record, now).await?;
        Ok::<(), AppError>(())
    })
}
