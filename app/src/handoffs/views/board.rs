//! The opportunity board (`/opportunities`): a column per sales stage with its count, totals
//! and expected revenue per currency; sales moves an opportunity, marks it won, or lost with
//! a reason code. Every action is a plain form before hydration.

use leptos::prelude::*;

use super::{format_money, reason_label};
use crate::components::{AppLayout, ErrorPanel};
use crate::handoffs::model::{BoardColumn, Opportunity, OpportunityStage};
use crate::handoffs::pages::{BoardPageData, MoveOpportunity, board_page};
use crate::i18n::use_i18n;
use crate::policy::Action;

/// `/opportunities`.
#[component]
pub fn OpportunitiesPage() -> impl IntoView {
    view! {
        <AppLayout action=Action::UseApp title_key="handoffs.board.title">
            <BoardScreen />
        </AppLayout>
    }
}

fn stage_key(stage: OpportunityStage) -> String {
    format!("handoffs.opportunity_stage.{}", stage.as_str())
}

#[component]
fn BoardScreen() -> impl IntoView {
    let i18n = use_i18n();
    let mv = ServerAction::<MoveOpportunity>::new();
    let refresh = RwSignal::new(0u32);
    Effect::new(move |_| {
        if matches!(mv.value().get(), Some(Ok(_))) {
            refresh.update(|n| *n += 1);
        }
    });
    let data = Resource::new(move || refresh.get(), |_| board_page());
    view! {
        <div aria-live="polite">
            {move || match mv.value().get() {
                Some(Ok(o)) => {
                    let stage = o.stage;
                    Some(view! {
                        <p class="form-success" role="status" data-testid="board-done">
                            {move || i18n.t_with("handoffs.board.moved", &[("lead", &o.lead.email), ("stage", &i18n.t(&stage_key(stage)))])}
                        </p>
                    }.into_any())
                }
                Some(Err(e)) => Some(view! { <p class="form-error" role="alert" data-testid="board-error">{move || e.message(i18n.locale())}</p> }.into_any()),
                None => None,
            }}
        </div>
        <Transition fallback=move || view! { <p class="muted">{i18n.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(d) => view! { <Board d mv /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Board(d: BoardPageData, mv: ServerAction<MoveOpportunity>) -> impl IntoView {
    let i18n = use_i18n();
    let empty = d.board.columns.iter().all(|c| c.items.is_empty());
    view! {
        {empty.then(|| view! {
            <section class="card"><p class="empty" data-testid="board-empty">{move || i18n.t("handoffs.board.empty")}</p></section>
        })}
        {(!d.can_work).then(|| view! { <p class="muted small" data-testid="board-read-only">{move || i18n.t("handoffs.board.read_only")}</p> })}
        <div class="board" id="opportunity-board">
            {d.board.columns.into_iter().map(|c| {
                view! { <Column c can_work=d.can_work lost_reasons=d.lost_reasons.clone() mv /> }
            }).collect_view()}
        </div>
    }
}

#[component]
fn Column(
    c: BoardColumn,
    can_work: bool,
    lost_reasons: Vec<String>,
    mv: ServerAction<MoveOpportunity>,
) -> impl IntoView {
    let i18n = use_i18n();
    let stage = c.stage;
    let count = c.items.len();
    view! {
        <section class=format!("board-column stage-{}", stage.as_str()) data-stage=stage.as_str()
            aria-labelledby=format!("col-{}", stage.as_str())>
            <header class="board-column-head">
                <h2 id=format!("col-{}", stage.as_str())>{move || i18n.t(&stage_key(stage))}" "<span class="count-pill">{count}</span></h2>
                <dl class="board-totals" data-testid="column-totals">
                    {c.totals.into_iter().map(|t| {
                        let (amount, expected, currency) = (t.amount, t.expected_revenue, t.currency.clone());
                        let cur = currency.clone();
                        let code = currency.clone();
                        view! {
                            <div data-currency=code>
                                <dt>{move || i18n.t("handoffs.board.total")}</dt>
                                <dd>{move || format_money(amount, &currency, i18n.locale())}</dd>
                                <dt>{move || i18n.t("handoffs.board.expected")}</dt>
                                <dd data-testid="expected-revenue">{move || format_money(expected, &cur, i18n.locale())}</dd>
                            </div>
                        }
                    }).collect_view()}
                </dl>
            </header>
            <ul class="board-cards">
                {c.items.into_iter().map(|o| view! { <Card o can_work lost_reasons=lost_reasons.clone() mv /> }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Card(
    o: Opportunity,
    can_work: bool,
    lost_reasons: Vec<String>,
    mv: ServerAction<MoveOpportunity>,
) -> impl IntoView {
    let i18n = use_i18n();
    let (amount, expected, currency) = (o.amount, o.expected_revenue, o.currency.clone());
    let cur = currency.clone();
    let probability = (o.probability * 100.0).round() as i64;
    let close = o.close_date;
    let open = !o.stage.is_closed();
    let id = o.id;
    let current = o.stage;
    let lost = o.lost_reason.clone();
    view! {
        <li class="card board-card" data-opportunity-id=id data-stage=current.as_str() data-testid="opportunity-card">
            <a class="mono small" href=format!("/leads/{}", o.lead.id)>{o.lead.email.clone()}</a>
            <p class="board-amount"><strong>{move || format_money(amount, &currency, i18n.locale())}</strong></p>
            <p class="muted small">
                {move || i18n.t_with("handoffs.board.card_line", &[
                    ("probability", &probability.to_string()),
                    ("expected", &format_money(expected, &cur, i18n.locale())),
                ])}
            </p>
            <p class="muted small">{move || i18n.t_with("handoffs.board.closes", &[("date", &close.to_string())])}
                {o.owner.clone().map(|p| view! { " · " {p.name} })}</p>
            {lost.map(|r| view! { <p class="small">{move || i18n.t("fields.lost_reason")}": "{move || reason_label(&r, i18n.locale())}</p> })}
            {(can_work && open).then(|| view! {
                <ActionForm action=mv attr:class="inline-form">
                    <input type="hidden" name="id" value=id />
                    <label class="field">
                        <span class="visually-hidden">{move || i18n.t("handoffs.board.move_to")}</span>
                        <select name="stage" data-testid="move-stage">
                            {OpportunityStage::ALL.into_iter().filter(|s| !s.is_closed() && *s != current).map(|s| view! {
                                <option value=s.as_str()>{move || i18n.t(&stage_key(s))}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <button type="submit" class="btn btn-secondary btn-sm" data-testid="move-submit">{move || i18n.t("handoffs.board.move")}</button>
                </ActionForm>
                <div class="board-outcomes">
                    <ActionForm action=mv attr:class="inline-form">
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="stage" value="won" />
                        <button type="submit" class="btn btn-primary btn-sm" data-testid="mark-won">{move || i18n.t("handoffs.board.mark_won")}</button>
                    </ActionForm>
                    <details class="lost-box">
                        <summary class="btn btn-danger-outline btn-sm" data-testid="mark-lost">{move || i18n.t("handoffs.board.mark_lost")}</summary>
                        <ActionForm action=mv attr:class="form">
                            <input type="hidden" name="id" value=id />
                            <input type="hidden" name="stage" value="lost" />
                            <label class="field">
                                <span class="label">{move || i18n.t("fields.lost_reason")}</span>
                                <select name="lost_reason" required data-testid="lost-reason">
                                    <option value="">{move || i18n.t("handoffs.actions.pick_reason")}</option>
                                    {lost_reasons.into_iter().map(|code| {
                                        let c = code.clone();
                                        view! { <option value=code>{move || reason_label(&c, i18n.locale())}</option> }
                                    }).collect_view()}
                                </select>
                            </label>
                            <button type="submit" class="btn btn-danger btn-sm" data-testid="lost-submit">{move || i18n.t("handoffs.board.confirm_lost")}</button>
                        </ActionForm>
                    </details>
                </div>
            })}
        </li>
    }
}
