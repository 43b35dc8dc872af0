//! The approval screen (`/handoffs?tab=&id=`), the SDRs' and AEs' main daily screen: "My
//! queue", "Team queue" and (for leaders) "Escalated", soonest due first, with the selected
//! handoff's detail pane beside. Tab and selection live in the URL, so every row is a plain
//! link before hydration; after it, j/k move the selection, a accepts and r opens the
//! rejection form.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::pane::{DecisionActions, HandoffPaneView};
use super::{SlaState, countdown};
use crate::components::{AppLayout, ErrorPanel, team_key};
use crate::handoffs::api::{AcceptHandoff, BulkAccept, ReassignHandoff, RejectHandoff};
use crate::handoffs::model::Handoff;
use crate::handoffs::pages::{QueuePageData, QueueTab, queue_page};
use crate::i18n::use_i18n;
use crate::leads::views::stage_badge;
use crate::policy::Action;

/// `/handoffs`.
#[component]
pub fn HandoffsPage() -> impl IntoView {
    view! {
        <AppLayout action=Action::UseApp title_key="handoffs.title">
            <QueueScreen />
        </AppLayout>
    }
}

/// The link to a tab with a handoff selected.
pub fn queue_href(tab: QueueTab, id: Option<i64>) -> String {
    match id {
        Some(id) => format!("/handoffs?tab={}&id={id}", tab.as_str()),
        None => format!("/handoffs?tab={}", tab.as_str()),
    }
}

/// The tabs over the approval screens: the queues, then the scorecard.
#[component]
pub fn HandoffTabs(
    /// The tab shown (`None`: the scorecard).
    current: Option<QueueTab>,
    /// Whether the viewer leads their team's queue (sees "Escalated").
    leads_queue: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let tabs = QueueTab::ALL
        .into_iter()
        .filter(|t| *t != QueueTab::Escalated || leads_queue)
        .map(|t| {
            let key = format!("handoffs.tabs.{}", t.as_str());
            view! {
                <a href=queue_href(t, None) class="tab" data-tab=t.as_str()
                    aria-current=(current == Some(t)).then_some("page")>{move || i18n.t(&key)}</a>
            }
        })
        .collect_view();
    view! {
        <nav class="tabs" aria-label=move || i18n.t("handoffs.tabs.label")>
            {tabs}
            <a href="/handoffs/scorecard" class="tab" data-tab="scorecard"
                aria-current=current.is_none().then_some("page")>{move || i18n.t("handoffs.tabs.scorecard")}</a>
        </nav>
    }
}

#[component]
fn QueueScreen() -> impl IntoView {
    let i18n = use_i18n();
    let url = use_query_map();
    let tab = Memo::new(move |_| QueueTab::parse(url.read().get("tab").as_deref()));
    let selected = Memo::new(move |_| url.read().get("id").and_then(|v| v.parse::<i64>().ok()));
    let actions = DecisionActions {
        accept: ServerAction::<AcceptHandoff>::new(),
        reject: ServerAction::<RejectHandoff>::new(),
        reassign: ServerAction::<ReassignHandoff>::new(),
        bulk: ServerAction::<BulkAccept>::new(),
        refresh: RwSignal::new(0),
        reject_open: RwSignal::new(false),
    };
    // Only a successful decision reloads the queue: after a failure the forms keep what
    // the user typed.
    Effect::new(move |_| {
        let ok = matches!(actions.accept.value().get(), Some(Ok(_)))
            || matches!(actions.reject.value().get(), Some(Ok(_)))
            || matches!(actions.reassign.value().get(), Some(Ok(_)))
            || matches!(actions.bulk.value().get(), Some(Ok(_)));
        if ok {
            actions.refresh.update(|n| *n += 1);
            actions.reject_open.set(false);
        }
    });
    let data = Resource::new(
        move || (tab.get(), selected.get(), actions.refresh.get()),
        |(tab, selected, _)| queue_page(tab.as_str().to_owned(), selected),
    );
    view! {
        <Transition fallback=move || view! { <p class="muted">{i18n.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(d) => view! { <QueueView d selected=selected.get_untracked() actions /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn QueueView(d: QueuePageData, selected: Option<i64>, actions: DecisionActions) -> impl IntoView {
    let i18n = use_i18n();
    let tab = d.tab;
    let shown = d.pane.as_ref().map(|p| p.detail.handoff.id).or(selected);
    let ids: Vec<i64> = d.items.iter().map(|h| h.id).collect();
    let can_decide = d.pane.as_ref().is_some_and(|p| p.detail.permissions.decide);
    keyboard(tab, ids, shown, can_decide, actions);
    let checked = RwSignal::new(BTreeSet::<i64>::new());
    let bulk = d.leads_queue && tab != QueueTab::Mine && !d.items.is_empty();
    view! {
        <div class="toolbar">
            <HandoffTabs current=Some(tab) leads_queue=d.leads_queue />
            <p class="muted small shortcut-hint" id="shortcut-hint" data-testid="shortcut-hint">
                {move || i18n.t("handoffs.shortcuts.intro")}" "
                <kbd class="kbd">"j"</kbd>" / "<kbd class="kbd">"k"</kbd>" "{move || i18n.t("handoffs.shortcuts.move")}" · "
                <kbd class="kbd">"a"</kbd>" "{move || i18n.t("handoffs.shortcuts.accept")}" · "
                <kbd class="kbd">"r"</kbd>" "{move || i18n.t("handoffs.shortcuts.reject")}
            </p>
        </div>
        <Outcome actions />
        <div class="queue-layout">
            <section class="card queue-list" aria-labelledby="queue-heading">
                <h2 id="queue-heading">
                    {move || i18n.t(&format!("handoffs.tabs.{}", tab.as_str()))}
                    " "<span class="count-pill" data-testid="queue-count">{d.items.len()}</span>
                </h2>
                {if d.items.is_empty() {
                    view! { <p class="empty" data-testid="queue-empty">{move || i18n.t(&format!("handoffs.empty.{}", tab.as_str()))}</p> }.into_any()
                } else {
                    view! { <QueueTable items=d.items.clone() d=d.clone() tab shown checked bulk /> }.into_any()
                }}
                {bulk.then(|| view! { <BulkBar checked actions /> })}
            </section>
            <div class="queue-pane">
                {match d.pane.clone() {
                    Some(pane) => view! { <HandoffPaneView pane stages=d.stages.clone() actions /> }.into_any(),
                    None => view! { <section class="card"><p class="empty">{move || i18n.t("handoffs.pane.none")}</p></section> }.into_any(),
                }}
            </div>
        </div>
    }
}

#[component]
fn QueueTable(
    items: Vec<Handoff>,
    d: QueuePageData,
    tab: QueueTab,
    shown: Option<i64>,
    checked: RwSignal<BTreeSet<i64>>,
    bulk: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let now = d.now;
    view! {
        <div class="table-wrap">
            <table class="table queue-table" id="queue-table">
                <thead>
                    <tr>
                        {bulk.then(|| view! { <th scope="col"><span class="visually-hidden">{move || i18n.t("handoffs.bulk.select")}</span></th> })}
                        <th scope="col">{move || i18n.t("handoffs.columns.lead")}</th>
                        <th scope="col">{move || i18n.t("handoffs.columns.sla")}</th>
                    </tr>
                </thead>
                <tbody>
                    {items.into_iter().map(|h| {
                        let id = h.id;
                        let here = shown == Some(id);
                        let (from, to) = (h.from_team, h.to_team);
                        let requested_by = h.requested_by.clone();
                        let email = h.lead.email.clone();
                        let (due, state) = (h.sla_due_at, SlaState::at(h.sla_due_at, now));
                        view! {
                            <tr data-handoff-id=id data-lead-id=h.lead.id data-due=h.sla_due_at.to_rfc3339()
                                class=if here { "selected" } else { "" } aria-selected=here.to_string()>
                                {bulk.then(|| view! {
                                    <td>
                                        <input type="checkbox" data-testid="bulk-check"
                                            aria-label=move || i18n.t_with("handoffs.bulk.select_one", &[("lead", &email)])
                                            prop:checked=move || checked.read().contains(&id)
                                            on:change=move |_| checked.update(|s| if !s.remove(&id) { s.insert(id); }) />
                                    </td>
                                })}
                                <td class="queue-lead">
                                    <a class="mono" href=queue_href(tab, Some(id)) data-testid="queue-row-link"
                                        aria-current=here.then_some("true")>{h.lead.email.clone()}</a>
                                    <div class="queue-route">
                                        {stage_badge(&d.stages, &h.stage)}
                                        <span class=format!("badge team-{}", from.as_str())>{move || i18n.t(team_key(from))}</span>
                                        <span aria-hidden="true">"→"</span>
                                        <span class="visually-hidden">{move || i18n.t("handoffs.columns.to")}</span>
                                        <span class=format!("badge team-{}", to.as_str())>{move || i18n.t(team_key(to))}</span>
                                    </div>
                                    <div class="muted small">
                                        {move || format!("{}: {}", i18n.t("handoffs.columns.requested_by"), requested_by.clone().unwrap_or_else(|| i18n.t("handoffs.list.by_rules")))}
                                    </div>
                                </td>
                                <td class="queue-sla">
                                    <span class=state.class() data-sla=state.as_str()>{move || i18n.t(state.label_key())}</span>
                                    <div class="small nowrap">{move || countdown(due, now, i18n.locale())}</div>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// "Accept selected" for leaders.
#[component]
fn BulkBar(checked: RwSignal<BTreeSet<i64>>, actions: DecisionActions) -> impl IntoView {
    let i18n = use_i18n();
    let count = move || checked.read().len();
    view! {
        <div class="bulk-bar">
            <button type="button" class="btn btn-secondary" data-testid="bulk-accept"
                disabled=move || count() == 0 || actions.bulk.pending().get()
                on:click=move |_| {
                    let ids: Vec<i64> = checked.get_untracked().into_iter().collect();
                    actions.bulk.dispatch(BulkAccept { ids });
                    checked.set(BTreeSet::new());
                }>
                {move || i18n.t_with("handoffs.bulk.accept", &[("count", &count().to_string())])}
            </button>
        </div>
    }
}

/// What the last decision did, or why it failed, in the user's language.
#[component]
fn Outcome(actions: DecisionActions) -> impl IntoView {
    let i18n = use_i18n();
    let done = move |key: &'static str, h: Handoff| {
        let href = format!("/leads/{}", h.lead.id);
        view! {
            <p class="form-success" role="status" data-testid="decision-done">
                {move || i18n.t_with(key, &[("lead", &h.lead.email)])}" "
                <a href=href.clone()>{move || i18n.t("handoffs.open_lead")}</a>
            </p>
        }
        .into_any()
    };
    let failed = move |e: crate::error::AppError| {
        view! { <p class="form-error" role="alert" data-testid="decision-error">{move || e.message(i18n.locale())}</p> }.into_any()
    };
    view! {
        <div class="outcome" aria-live="polite">
            {move || match actions.accept.value().get() {
                Some(Ok(h)) => Some(done("handoffs.done.accepted", h)),
                Some(Err(e)) => Some(failed(e)),
                None => None,
            }}
            {move || match actions.reject.value().get() {
                Some(Ok(h)) => Some(done("handoffs.done.rejected", h)),
                Some(Err(e)) => Some(failed(e)),
                None => None,
            }}
            {move || match actions.reassign.value().get() {
                Some(Ok(h)) => Some(done("handoffs.done.reassigned", h)),
                Some(Err(e)) => Some(failed(e)),
                None => None,
            }}
            {move || match actions.bulk.value().get() {
                Some(Ok(o)) => {
                    let (ok, failed) = (o.accepted.len().to_string(), o.failed.len().to_string());
                    let codes: Vec<crate::error::AppError> =
                        o.failed.iter().map(|f| crate::error::AppError::Conflict(f.code.clone())).collect();
                    Some(view! {
                        <div class="form-success" role="status" data-testid="bulk-done">
                            <p>{move || i18n.t_with("handoffs.done.bulk", &[("accepted", &ok), ("failed", &failed)])}</p>
                            {(!codes.is_empty()).then(|| view! {
                                <ul>{codes.into_iter().map(|e| view! { <li>{move || e.message(i18n.locale())}</li> }).collect_view()}</ul>
                            })}
                        </div>
                    }.into_any())
                }
                Some(Err(e)) => Some(failed(e)),
                None => None,
            }}
        </div>
    }
}

/// j/k move the selection, a accepts, r opens the rejection form — unless the user is
/// typing in a field or holds a modifier.
fn keyboard(tab: QueueTab, ids: Vec<i64>, shown: Option<i64>, can_decide: bool, actions: DecisionActions) {
    let navigate = use_navigate();
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || typing(&ev) {
            return;
        }
        let position = shown.and_then(|s| ids.iter().position(|i| *i == s));
        let go = |id: Option<&i64>| {
            if let Some(id) = id {
                navigate(&queue_href(tab, Some(*id)), Default::default());
            }
        };
        match ev.key().as_str() {
            "j" => go(match position {
                Some(p) => ids.get(p + 1),
                None => ids.first(),
            }),
            "k" => go(match position {
                Some(p) if p > 0 => ids.get(p - 1),
                Some(_) => None,
                None => ids.first(),
            }),
            "a" if can_decide && !actions.accept.pending().get_untracked() => {
                if let Some(id) = shown {
                    ev.prevent_default();
                    actions.accept.dispatch(AcceptHandoff { id });
                }
            }
            "r" if can_decide => {
                ev.prevent_default();
                actions.reject_open.set(true);
            }
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());
}

/// Whether the key went to a text field, a select or an editable element.
fn typing(ev: &leptos::ev::KeyboardEvent) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        ev.target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| {
                matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    || el.get_attribute("contenteditable").is_some()
            })
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        false
    }
}
