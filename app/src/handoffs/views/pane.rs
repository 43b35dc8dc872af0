//! The detail pane of the approval screen: the handoff, what the viewer may do with it
//! (accept, reject with a reason, reassign), and the lead as its page explains it — facts,
//! score breakdown, criteria met under which version, history, activities and earlier
//! handoffs with their reasons.

use leptos::prelude::*;

use super::{HandoffList, SlaBadge, reason_label, status_key};
use crate::components::team_key;
use crate::handoffs::api::{AcceptHandoff, BulkAccept, ReassignHandoff, RejectHandoff};
use crate::handoffs::model::HandoffStatus;
use crate::handoffs::pages::HandoffPane;
use crate::i18n::use_i18n;
use crate::leads::report::StageInfo;
use crate::leads::views::{
    ActivityTimeline, CriteriaReport, FactsCard, History, ScoreCard, person_name, stage_badge,
};

/// The approval screen's actions and the state they share with the keyboard.
#[derive(Clone, Copy)]
pub struct DecisionActions {
    /// Accept the selected handoff.
    pub accept: ServerAction<AcceptHandoff>,
    /// Reject it with a reason.
    pub reject: ServerAction<RejectHandoff>,
    /// Give it to someone else (leaders).
    pub reassign: ServerAction<ReassignHandoff>,
    /// Accept several (leaders).
    pub bulk: ServerAction<BulkAccept>,
    /// Bumped after each successful decision: the queue reloads.
    pub refresh: RwSignal<u32>,
    /// The rejection form is open (`r`).
    pub reject_open: RwSignal<bool>,
}

#[component]
pub fn HandoffPaneView(pane: HandoffPane, stages: Vec<StageInfo>, actions: DecisionActions) -> impl IntoView {
    let i18n = use_i18n();
    let h = pane.detail.handoff.clone();
    let lead = pane.lead.clone();
    let now = lead.as_of;
    let title = person_name(&lead.lead).unwrap_or_else(|| lead.lead.email.clone());
    let (from, to) = (h.from_team, h.to_team);
    let status = h.status;
    let perms = pane.detail.permissions;
    let requested_by = h.requested_by.clone();
    let assignee = h.assignee.clone().map(|a| a.name);
    let lead_stages: Vec<StageInfo> = lead.checks.iter().map(|c| c.stage.clone()).collect();
    view! {
        <section class="card pane-head" aria-labelledby="pane-heading" data-testid="handoff-pane" data-handoff-id=h.id
            data-status=status.as_str()>
            <div class="toolbar">
                <div>
                    <h2 id="pane-heading"><a href=format!("/leads/{}", h.lead.id) data-testid="pane-lead-link">{title}</a></h2>
                    <p class="muted lead-subtitle">
                        <span class="mono small">{h.lead.email.clone()}</span>
                        {stage_badge(&stages, &lead.lead.stage)}
                        <span class="score-pill">{move || i18n.t_with("leads.detail.score_pill", &[("score", &lead.lead.score.to_string())])}</span>
                    </p>
                </div>
                {if status == HandoffStatus::Pending {
                    view! { <SlaBadge due=h.sla_due_at now /> }.into_any()
                } else {
                    view! { <span class=format!("status-pill status-{}", status.as_str()) data-testid="pane-status">{move || i18n.t(&status_key(status))}</span> }.into_any()
                }}
            </div>
            <dl class="facts">
                <dt>{move || i18n.t("handoffs.columns.teams")}</dt>
                <dd>
                    <span class=format!("badge team-{}", from.as_str())>{move || i18n.t(team_key(from))}</span>
                    <span aria-hidden="true">" → "</span>
                    <span class=format!("badge team-{}", to.as_str())>{move || i18n.t(team_key(to))}</span>
                    " "{stage_badge(&stages, &h.stage)}
                </dd>
                <dt>{move || i18n.t("handoffs.columns.requested_by")}</dt>
                <dd>{move || requested_by.clone().unwrap_or_else(|| i18n.t("handoffs.list.by_rules"))}</dd>
                <dt>{move || i18n.t("fields.assignee_id")}</dt>
                <dd data-testid="pane-assignee">{move || assignee.clone().unwrap_or_else(|| i18n.t("handoffs.team_queue"))}</dd>
                {h.qualification_notes.clone().map(|n| view! {
                    <dt>{move || i18n.t("fields.qualification_notes")}</dt><dd>{n}</dd>
                })}
                {h.meeting_at.map(|m| view! {
                    <dt>{move || i18n.t("fields.meeting_at")}</dt>
                    <dd>{move || crate::leads::views::format_time(m, i18n.locale())}</dd>
                })}
            </dl>
            {if perms.decide {
                view! { <Decide pane=pane.clone() actions /> }.into_any()
            } else if status == HandoffStatus::Pending {
                view! {
                    <p class="panel muted small" data-testid="cannot-decide">
                        {move || i18n.t_with("handoffs.pane.cannot_decide", &[("team", &i18n.t(team_key(to)))])}
                    </p>
                }.into_any()
            } else {
                ().into_any()
            }}
            {perms.reassign.then(|| view! { <Reassign pane=pane.clone() actions /> })}
        </section>
        <section class="card" aria-labelledby="previous-heading">
            <h2 id="previous-heading">{move || i18n.t("handoffs.pane.previous")}</h2>
            <HandoffList handoffs=pane.detail.lead_handoffs.clone() current=h.id />
        </section>
        <FactsCard d=lead.clone() />
        <ScoreCard breakdown=lead.breakdown.clone() stored=lead.lead.score />
        <CriteriaReport checks=lead.checks.clone() version=lead.version current=lead.lead.stage.clone() />
        <History history=lead.history.clone() stages=lead_stages />
        <ActivityTimeline activities=lead.activities.clone() decay_days=lead.breakdown.decay_days as_of=lead.as_of />
    }
}

/// Accept, or reject with a reason code and a note. Both are plain forms before hydration;
/// the rejection sits in a disclosure, so it takes a deliberate second step (and `r`).
#[component]
fn Decide(pane: HandoffPane, actions: DecisionActions) -> impl IntoView {
    let i18n = use_i18n();
    let id = pane.detail.handoff.id;
    let reasons = pane.detail.reason_codes.clone();
    let reason_ref = NodeRef::<leptos::html::Select>::new();
    // `r` opens the form and puts the focus on the reason.
    Effect::new(move |_| {
        if actions.reject_open.get()
            && let Some(select) = reason_ref.get()
        {
            let _ = select.focus();
        }
    });
    view! {
        <div class="decision-bar">
            <ActionForm action=actions.accept attr:class="inline-form" attr:id="accept-form">
                <input type="hidden" name="id" value=id />
                <button type="submit" class="btn btn-primary" data-testid="accept" aria-keyshortcuts="a"
                    aria-describedby="shortcut-hint" disabled=move || actions.accept.pending().get()>
                    {move || i18n.t("handoffs.actions.accept")}" "<kbd class="kbd kbd-on-primary" aria-hidden="true">"a"</kbd>
                </button>
            </ActionForm>
            <details class="reject-box" data-testid="reject-box" prop:open=move || actions.reject_open.get()
                on:toggle=move |ev| actions.reject_open.set(details_open(&ev))>
                <summary class="btn btn-danger-outline" data-testid="reject-open" aria-keyshortcuts="r">
                    {move || i18n.t("handoffs.actions.reject")}" "<kbd class="kbd" aria-hidden="true">"r"</kbd>
                </summary>
                <ActionForm action=actions.reject attr:class="form reject-form" attr:id="reject-form">
                    <input type="hidden" name="id" value=id />
                    <label class="field">
                        <span class="label">{move || i18n.t("fields.reason_code")}</span>
                        <select name="reason_code" required data-testid="reject-reason" node_ref=reason_ref>
                            <option value="">{move || i18n.t("handoffs.actions.pick_reason")}</option>
                            {reasons.into_iter().map(|code| {
                                let c = code.clone();
                                view! { <option value=code>{move || reason_label(&c, i18n.locale())}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span class="label">{move || i18n.t("fields.note")}</span>
                        <textarea name="note" rows="3" maxlength="4000" data-testid="reject-note"></textarea>
                    </label>
                    <p class="hint small muted">{move || i18n.t("handoffs.actions.reject_hint")}</p>
                    <button type="submit" class="btn btn-danger" data-testid="reject-submit" disabled=move || actions.reject.pending().get()>
                        {move || i18n.t("handoffs.actions.confirm_reject")}
                    </button>
                </ActionForm>
            </details>
        </div>
    }
}

/// Whether the `<details>` a toggle event came from is open now.
fn details_open(ev: &leptos::ev::Event) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        ev.target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| el.has_attribute("open"))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        false
    }
}

/// A leader gives the handoff to someone else of the receiving team.
#[component]
fn Reassign(pane: HandoffPane, actions: DecisionActions) -> impl IntoView {
    let i18n = use_i18n();
    let id = pane.detail.handoff.id;
    let current = pane.detail.handoff.assignee.as_ref().map(|a| a.id);
    view! {
        <ActionForm action=actions.reassign attr:class="inline-form reassign-form" attr:id="reassign-form">
            <input type="hidden" name="id" value=id />
            <label class="field">
                <span class="label">{move || i18n.t("handoffs.actions.reassign_to")}</span>
                <select name="assignee_id" required data-testid="reassign-to">
                    {pane.people.into_iter().map(|p| {
                        let chosen = current == Some(p.id);
                        view! { <option value=p.id selected=chosen>{p.name}</option> }
                    }).collect_view()}
                </select>
            </label>
            <button type="submit" class="btn btn-secondary" data-testid="reassign-submit" disabled=move || actions.reassign.pending().get()>
                {move || i18n.t("handoffs.actions.reassign")}
            </button>
        </ActionForm>
    }
}
