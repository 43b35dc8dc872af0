//! The approval screen: the diff front and centre, the rationale, each required team's
//! approval, the discussion, and exactly the actions the viewer may take.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::diff_list::DiffList;
use super::proposals::status_key;
use crate::components::{ActionError, AppLayout, ErrorPanel, TeamBadge};
use crate::definitions::api::{
    ApproveProposal, CommentProposal, ProposalData, ProposalImpact, PublishProposal, RebaseProposal,
    RejectProposal, WithdrawProposal, proposal_view,
};
use crate::definitions::proposal::{ApprovalState, ProposalStatus};
use crate::error::AppError;
use crate::i18n::use_i18n;
use crate::policy::Action;

/// `/proposals/:id`.
#[component]
pub fn ProposalPage() -> impl IntoView {
    view! {
        <AppLayout action=Action::UseApp title_key="proposals.approval_title">
            <ApprovalScreen />
        </AppLayout>
    }
}

#[derive(Clone, Copy)]
struct Actions {
    approve: ServerAction<ApproveProposal>,
    reject: ServerAction<RejectProposal>,
    withdraw: ServerAction<WithdrawProposal>,
    publish: ServerAction<PublishProposal>,
    rebase: ServerAction<RebaseProposal>,
    comment: ServerAction<CommentProposal>,
}

impl Actions {
    fn new() -> Self {
        Self {
            approve: ServerAction::new(),
            reject: ServerAction::new(),
            withdraw: ServerAction::new(),
            publish: ServerAction::new(),
            rebase: ServerAction::new(),
            comment: ServerAction::new(),
        }
    }

    /// Changes whenever any action finishes, so the proposal is loaded again.
    fn version(&self) -> usize {
        self.approve.version().get()
            + self.reject.version().get()
            + self.withdraw.version().get()
            + self.publish.version().get()
            + self.rebase.version().get()
            + self.comment.version().get()
    }

    /// The error of the most recent failed action.
    fn error(&self) -> Option<AppError> {
        [
            self.approve.value().get().and_then(Result::err),
            self.reject.value().get().and_then(Result::err),
            self.withdraw.value().get().and_then(Result::err),
            self.publish.value().get().and_then(Result::err),
            self.rebase.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    }
}

#[component]
fn ApprovalScreen() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let actions = Actions::new();
    let view_data = Resource::new(move || (id(), actions.version()), |(id, _)| proposal_view(id));
    view! {
        <Transition fallback=move || view! { <p class="muted">{i18n.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match view_data.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(v) => view! { <Screen v actions /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Screen(v: ProposalData, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let p = v.proposal.clone();
    let perms = v.permissions;
    let id = p.id;
    let revision = p.revision;
    let status = p.status;
    let ready = p.fully_approved() && !p.stale_base();
    let error = Signal::derive(move || actions.error());
    let published = move || actions.publish.value().get().and_then(Result::ok);
    view! {
        <div class="toolbar">
            <div>
                <h2 class="proposal-title" data-testid="proposal-title">{p.title.clone()}</h2>
                <p class="muted">
                    <span class=format!("badge status-{}", status.as_str()) data-testid="proposal-status">{move || i18n.t(status_key(status))}</span>
                    " "
                    {move || i18n.t_with("proposals.meta", &[
                        ("id", &id.to_string()),
                        ("revision", &revision.to_string()),
                        ("base", &v.proposal.base_version.to_string()),
                        ("author", &v.proposal.author.name),
                    ])}
                </p>
            </div>
            {perms.revise.then(|| view! {
                <a class="btn btn-secondary" href=format!("/proposals/{id}/edit") data-testid="edit-proposal">{move || i18n.t("proposals.edit")}</a>
            })}
        </div>

        {(status == ProposalStatus::Open && p.stale_base()).then(|| {
            let current = p.current_version;
            view! {
                <div class="panel panel-warning" role="status" data-testid="stale-base">
                    <p>{move || i18n.t_with("proposals.stale_base", &[("current", &current.to_string())])}</p>
                    {perms.rebase.then(|| view! {
                        <ActionForm action=actions.rebase>
                            <input type="hidden" name="id" value=id />
                            <button type="submit" class="btn btn-secondary" data-testid="rebase">{move || i18n.t("proposals.rebase")}</button>
                        </ActionForm>
                    })}
                </div>
            }
        })}
        <ActionError error />
        {move || published().map(|n| view! {
            <p class="form-success" role="status">{i18n.t_with("proposals.published_as", &[("version", &n.to_string())])}</p>
        })}

        <div class="grid-2">
            <div>
                <section class="card" aria-labelledby="changes-heading">
                    <h2 id="changes-heading">{move || i18n.t_with("proposals.changes", &[("base", &p.base_version.to_string())])}</h2>
                    <DiffList changes=p.diff.clone() before=v.base.clone() after=p.definition.clone() />
                </section>
                {(status == ProposalStatus::Open).then(|| view! { <ImpactPanel id /> })}
                <section class="card" aria-labelledby="rationale-heading">
                    <h2 id="rationale-heading">{move || i18n.t("fields.rationale")}</h2>
                    <p class="rationale">{p.rationale.clone()}</p>
                    {p.requalify.then(|| view! { <p class="muted small">{move || i18n.t("proposals.requalify_on")}</p> })}
                    {p.decision.clone().map(|d| view! {
                        <p class="muted small" data-testid="decision">
                            {move || i18n.t_with("proposals.decided", &[("name", &d.by.name), ("at", &d.at.format("%Y-%m-%d %H:%M").to_string())])}
                            {d.reason.clone().map(|r| format!(" — {r}"))}
                        </p>
                    })}
                </section>
                <Comments p=p.clone() actions can_comment=perms.comment />
            </div>
            <div>
                <section class="card" aria-labelledby="approvals-heading">
                    <h2 id="approvals-heading">{move || i18n.t("proposals.approvals")}</h2>
                    <ul class="approvals" data-testid="approvals">
                        {p.approvals.clone().into_iter().map(|a| {
                            let approved = a.status == ApprovalState::Approved;
                            view! {
                                <li class="approval" data-team=a.team.as_str() data-status=if approved { "approved" } else { "pending" }>
                                    <TeamBadge team=a.team />
                                    {if approved {
                                        let who = a.by.as_ref().map(|u| u.name.clone()).unwrap_or_default();
                                        view! { <span class="approval-state ok">"✓ "{move || i18n.t_with("proposals.approved_by", &[("name", &who)])}</span> }.into_any()
                                    } else {
                                        view! { <span class="approval-state pending">"○ "{move || i18n.t("proposals.pending")}</span> }.into_any()
                                    }}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <div class="action-stack">
                        {perms.approve_for.map(|team| view! {
                            <ActionForm action=actions.approve>
                                <input type="hidden" name="id" value=id />
                                <input type="hidden" name="revision" value=revision />
                                <button type="submit" class="btn btn-primary btn-block" data-testid="approve">
                                    {move || i18n.t_with("proposals.approve_for", &[("team", &i18n.t(crate::components::team_key(team)))])}
                                </button>
                            </ActionForm>
                        })}
                        {perms.publish.then(|| view! {
                            <details class="confirm" data-testid="publish-details">
                                <summary class=if ready { "btn btn-primary btn-block" } else { "btn btn-secondary btn-block" }>
                                    {move || i18n.t("proposals.publish")}
                                </summary>
                                <p class="small">{move || if ready { i18n.t("proposals.publish_confirm") } else { i18n.t("proposals.publish_not_ready") }}</p>
                                <ActionForm action=actions.publish>
                                    <input type="hidden" name="id" value=id />
                                    <button type="submit" class="btn btn-primary btn-block" data-testid="publish-confirm">
                                        {move || i18n.t("proposals.publish_now")}
                                    </button>
                                </ActionForm>
                            </details>
                        })}
                        {perms.reject.then(|| view! {
                            <details class="confirm">
                                <summary class="btn btn-danger-outline btn-block" data-testid="reject">{move || i18n.t("proposals.reject")}</summary>
                                <ActionForm action=actions.reject attr:class="form">
                                    <input type="hidden" name="id" value=id />
                                    <label class="field">
                                        <span class="label">{move || i18n.t("fields.reason")}</span>
                                        <textarea name="reason" required rows="3"></textarea>
                                    </label>
                                    <button type="submit" class="btn btn-danger btn-block" data-testid="reject-confirm">{move || i18n.t("proposals.reject_now")}</button>
                                </ActionForm>
                            </details>
                        })}
                        {perms.withdraw.then(|| view! {
                            <details class="confirm">
                                <summary class="btn btn-secondary btn-block">{move || i18n.t("proposals.withdraw")}</summary>
                                <ActionForm action=actions.withdraw>
                                    <input type="hidden" name="id" value=id />
                                    <button type="submit" class="btn btn-danger btn-block">{move || i18n.t("proposals.withdraw_now")}</button>
                                </ActionForm>
                            </details>
                        })}
                    </div>
                </section>
            </div>
        </div>
    }
}

/// What publishing would do to today's leads, computed without writing. It is computed in
/// the browser after hydration (it scans every lead), so the page itself renders at once.
#[component]
fn ImpactPanel(id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ProposalImpact>::new();
    Effect::new(move |_| {
        action.dispatch(ProposalImpact { id });
    });
    let body = move || match action.value().get() {
        None => view! { <p class="muted">{i18n.t("impact.computing")}</p> }.into_any(),
        Some(Err(error)) => view! { <ErrorPanel error /> }.into_any(),
        Some(Ok(imp)) => {
            let evaluated = imp.evaluated.to_string();
            if imp.moves.is_empty() {
                return view! { <p class="empty">{i18n.t_with("impact.no_moves", &[("count", &evaluated)])}</p> }
                    .into_any();
            }
            let rows = imp
                .moves
                .into_iter()
                .map(|m| {
                    let samples = m.sample.iter().map(|s| s.email.clone()).collect::<Vec<_>>().join(", ");
                    let applies = if m.applies_on_publish { i18n.t("impact.applies") } else { i18n.t("impact.not_applied") };
                    view! {
                        <tr data-from=m.from.clone() data-to=m.to.clone()>
                            <td><span class="mono">{m.from.clone()}</span>" → "<span class="mono">{m.to.clone()}</span></td>
                            <td class="num">{m.count}</td>
                            <td>{applies}</td>
                            <td class="small muted">{samples}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <p class="muted small">{i18n.t_with("impact.evaluated", &[("count", &evaluated)])}</p>
                <table class="table compact" id="impact-table">
                    <thead>
                        <tr>
                            <th scope="col">{i18n.t("impact.move")}</th>
                            <th scope="col" class="num">{i18n.t("impact.leads")}</th>
                            <th scope="col">{i18n.t("impact.on_publish")}</th>
                            <th scope="col">{i18n.t("impact.examples")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            }
            .into_any()
        }
    };
    view! {
        <section class="card" aria-labelledby="impact-heading" data-testid="impact">
            <h2 id="impact-heading">{move || i18n.t("impact.title")}</h2>
            {body}
        </section>
    }
}

#[component]
fn Comments(p: crate::definitions::proposal::Proposal, actions: Actions, can_comment: bool) -> impl IntoView {
    let i18n = use_i18n();
    let id = p.id;
    let error = Signal::derive(move || actions.comment.value().get().and_then(Result::err));
    view! {
        <section class="card" aria-labelledby="comments-heading">
            <h2 id="comments-heading">{move || i18n.t("proposals.comments")}</h2>
            {if p.comments.is_empty() {
                view! { <p class="empty">{move || i18n.t("proposals.no_comments")}</p> }.into_any()
            } else {
                view! {
                    <ol class="comments" data-testid="comments">
                        {p.comments.into_iter().map(|c| view! {
                            <li class="comment">
                                <div class="comment-meta">
                                    <strong>{c.author.name.clone()}</strong>" "<TeamBadge team=c.author.team />
                                    <span class="muted small">" "{c.at.format("%Y-%m-%d %H:%M").to_string()}</span>
                                </div>
                                <p>{c.body.clone()}</p>
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
            {can_comment.then(|| view! {
                <ActionForm action=actions.comment attr:class="form" attr:id="comment-form">
                    <input type="hidden" name="id" value=id />
                    <label class="field">
                        <span class="label">{move || i18n.t("proposals.add_comment")}</span>
                        <textarea name="body" rows="3" required></textarea>
                    </label>
                    <ActionError error />
                    <button type="submit" class="btn btn-secondary">{move || i18n.t("proposals.post_comment")}</button>
                </ActionForm>
            })}
        </section>
    }
}
