//! The leader scorecard (`/handoffs/scorecard?from=&to=`): per gate, per receiving team and
//! per person — acceptance rate, rejection reasons, median time to decision, SLA breaches —
//! over the period in the URL. A gate rejecting more than 30 % says so and links to a new
//! definition proposal.

use chrono::Duration;
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use super::queue::HandoffTabs;
use super::{format_duration, reason_label};
use crate::components::{AppLayout, ErrorPanel, team_key};
use crate::handoffs::pages::scorecard_page;
use crate::handoffs::scorecard::{REJECTION_ALERT, Scorecard, Tally};
use crate::i18n::{Locale, use_i18n};
use crate::policy::Action;
use crate::shell::use_current_user;

/// `/handoffs/scorecard`.
#[component]
pub fn ScorecardPage() -> impl IntoView {
    view! {
        <AppLayout action=Action::UseApp title_key="handoffs.scorecard.title">
            <ScorecardScreen />
        </AppLayout>
    }
}

#[component]
fn ScorecardScreen() -> impl IntoView {
    let i18n = use_i18n();
    let url = use_query_map();
    let period = Memo::new(move |_| {
        let q = url.read();
        (q.get("from"), q.get("to"))
    });
    let data = Resource::new(move || period.get(), |(from, to)| scorecard_page(from, to));
    let leads_queue = use_current_user().is_some_and(|u| crate::policy::can_lead_queue(&u, u.team));
    view! {
        <div class="toolbar">
            <HandoffTabs current=None leads_queue />
        </div>
        <Transition fallback=move || view! { <p class="muted">{i18n.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(card) => view! { <ScorecardView card /> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{:.0} %", r * 100.0))
}

fn median(t: &Tally, locale: Locale) -> String {
    t.median_decision_secs.map_or_else(
        || "—".to_owned(),
        |s| format_duration(Duration::seconds(s), locale),
    )
}

fn reasons(t: &Tally, locale: Locale) -> String {
    if t.reasons.is_empty() {
        return "—".to_owned();
    }
    t.reasons
        .iter()
        .map(|(code, n)| format!("{} {n}", reason_label(code, locale)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The cells every line shares: decided, acceptance, reasons, median, breaches.
fn tally_cells(t: Tally) -> impl IntoView {
    let i18n = use_i18n();
    let (decided, pending, breaches) = (t.decided(), t.pending, t.breaches);
    let (acc, rej) = (t.acceptance_rate(), t.rejection_rate());
    let t2 = t.clone();
    view! {
        <td class="num">{decided}</td>
        <td class="num">{pending}</td>
        <td class="num" data-testid="acceptance-rate">{percent(acc)}</td>
        <td class="num" data-testid="rejection-rate">{percent(rej)}</td>
        <td class="small">{move || reasons(&t2, i18n.locale())}</td>
        <td class="num nowrap">{move || median(&t, i18n.locale())}</td>
        <td class="num" data-testid="breaches">{breaches}</td>
    }
}

fn tally_headers() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <th scope="col" class="num">{move || i18n.t("handoffs.scorecard.decided")}</th>
        <th scope="col" class="num">{move || i18n.t("handoffs.scorecard.pending")}</th>
        <th scope="col" class="num">{move || i18n.t("handoffs.scorecard.acceptance")}</th>
        <th scope="col" class="num">{move || i18n.t("handoffs.scorecard.rejection")}</th>
        <th scope="col">{move || i18n.t("handoffs.scorecard.reasons")}</th>
        <th scope="col" class="num">{move || i18n.t("handoffs.scorecard.median")}</th>
        <th scope="col" class="num">{move || i18n.t("handoffs.scorecard.breaches")}</th>
    }
}

#[component]
fn ScorecardView(card: Scorecard) -> impl IntoView {
    let i18n = use_i18n();
    let (from, to) = (card.from.to_string(), card.to.to_string());
    let threshold = format!("{:.0} %", REJECTION_ALERT * 100.0);
    let alerts: Vec<_> = card.gates.iter().filter(|g| g.alert).cloned().collect();
    let nothing = card.gates.is_empty();
    view! {
        <Form method="GET" action="/handoffs/scorecard" attr:class="card form filters" attr:id="scorecard-period">
            <label class="field">
                <span class="label">{move || i18n.t("handoffs.scorecard.from")}</span>
                <input type="date" name="from" value=from.clone() data-testid="period-from" />
            </label>
            <label class="field">
                <span class="label">{move || i18n.t("handoffs.scorecard.to")}</span>
                <input type="date" name="to" value=to.clone() data-testid="period-to" />
            </label>
            <div class="form-actions">
                <button type="submit" class="btn btn-secondary">{move || i18n.t("handoffs.scorecard.apply")}</button>
            </div>
        </Form>
        {alerts.into_iter().map(|g| {
            let rate = percent(g.tally.rejection_rate());
            let stage = g.stage.clone();
            let team = g.to_team;
            let threshold = threshold.clone();
            view! {
                <div class="panel panel-warning" role="status" data-testid="rejection-alert" data-stage=g.stage.clone()>
                    <p>
                        {move || i18n.t_with("handoffs.scorecard.alert", &[
                            ("stage", &stage.to_uppercase()),
                            ("team", &i18n.t(team_key(team))),
                            ("rate", &rate),
                            ("threshold", &threshold),
                        ])}
                    </p>
                    <a class="btn btn-primary" href="/proposals/new" data-testid="propose-change">{move || i18n.t("handoffs.scorecard.propose")}</a>
                </div>
            }
        }).collect_view()}
        {if nothing {
            view! { <section class="card"><p class="empty" data-testid="scorecard-empty">{move || i18n.t("handoffs.scorecard.empty")}</p></section> }.into_any()
        } else {
            view! {
                <section class="card" aria-labelledby="gates-heading">
                    <h2 id="gates-heading">{move || i18n.t("handoffs.scorecard.by_gate")}</h2>
                    <div class="table-wrap">
                        <table class="table compact" id="scorecard-gates">
                            <thead><tr>
                                <th scope="col">{move || i18n.t("handoffs.scorecard.gate")}</th>
                                {tally_headers()}
                            </tr></thead>
                            <tbody>
                                {card.gates.into_iter().map(|g| {
                                    let team = g.to_team;
                                    view! {
                                        <tr data-stage=g.stage.clone() data-alert=g.alert.to_string()>
                                            <th scope="row">
                                                <span class="mono">{g.stage.to_uppercase()}</span>" → "
                                                <span class=format!("badge team-{}", team.as_str())>{move || i18n.t(team_key(team))}</span>
                                                {g.alert.then(|| view! { " "<span class="sla-breach">{move || i18n.t("handoffs.scorecard.over")}</span> })}
                                            </th>
                                            {tally_cells(g.tally)}
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </section>
                <section class="card" aria-labelledby="teams-heading">
                    <h2 id="teams-heading">{move || i18n.t("handoffs.scorecard.by_team")}</h2>
                    <div class="table-wrap">
                        <table class="table compact" id="scorecard-teams">
                            <thead><tr>
                                <th scope="col">{move || i18n.t("fields.team")}</th>
                                {tally_headers()}
                            </tr></thead>
                            <tbody>
                                {card.teams.into_iter().map(|t| {
                                    let team = t.team;
                                    view! {
                                        <tr data-team=team.as_str()>
                                            <th scope="row"><span class=format!("badge team-{}", team.as_str())>{move || i18n.t(team_key(team))}</span></th>
                                            {tally_cells(t.tally)}
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </section>
                <section class="card" aria-labelledby="people-heading">
                    <h2 id="people-heading">{move || i18n.t("handoffs.scorecard.by_person")}</h2>
                    <div class="table-wrap">
                        <table class="table compact" id="scorecard-people">
                            <thead><tr>
                                <th scope="col">{move || i18n.t("fields.name")}</th>
                                {tally_headers()}
                            </tr></thead>
                            <tbody>
                                {card.people.into_iter().map(|p| {
                                    let team = p.team;
                                    view! {
                                        <tr data-person=p.person.email.clone()>
                                            <th scope="row">{p.person.name.clone()}" "
                                                <span class=format!("badge team-{}", team.as_str())>{move || i18n.t(team_key(team))}</span></th>
                                            {tally_cells(p.tally)}
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </section>
            }.into_any()
        }}
    }
}
