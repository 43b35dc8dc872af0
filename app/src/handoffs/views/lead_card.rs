//! The lead page's handoff card: the lead's handoffs and opportunities, "Request handoff to
//! sales" for the SDR who may hand it over, and "Convert to opportunity" for an AE on an SQL
//! sales accepted — shown only when the policy allows (the server checks again).

use leptos::prelude::*;

use super::{HandoffList, format_money};
use crate::components::{ActionError, team_key};
use crate::error::AppError;
use crate::handoffs::model::Person;
use crate::handoffs::pages::{ConvertLeadForm, LeadHandoffs, RequestHandoffForm};
use crate::i18n::use_i18n;

/// The lead page's handoff actions; a success reloads the page's data.
#[derive(Clone, Copy)]
pub struct LeadHandoffActions {
    /// Request the handoff to sales.
    pub request: ServerAction<RequestHandoffForm>,
    /// Convert into an opportunity.
    pub convert: ServerAction<ConvertLeadForm>,
    /// Bumped after a success.
    pub refresh: RwSignal<u32>,
}

impl LeadHandoffActions {
    /// New actions whose successes bump `refresh`.
    pub fn new() -> Self {
        let actions = Self {
            request: ServerAction::new(),
            convert: ServerAction::new(),
            refresh: RwSignal::new(0),
        };
        Effect::new(move |_| {
            if matches!(actions.request.value().get(), Some(Ok(_)))
                || matches!(actions.convert.value().get(), Some(Ok(_)))
            {
                actions.refresh.update(|n| *n += 1);
            }
        });
        actions
    }
}

impl Default for LeadHandoffActions {
    fn default() -> Self {
        Self::new()
    }
}

/// The handoffs card of the lead page.
#[component]
pub fn LeadHandoffsCard(lead_id: i64, data: LeadHandoffs, actions: LeadHandoffActions) -> impl IntoView {
    let i18n = use_i18n();
    let done = move || {
        actions.request.value().get().and_then(Result::ok).map(|_| {
            view! { <p class="form-success" role="status" data-testid="request-done">{move || i18n.t("handoffs.request.done")}</p> }
        })
    };
    let converted = move || {
        actions.convert.value().get().and_then(Result::ok).map(|_| {
            view! {
                <p class="form-success" role="status" data-testid="convert-done">
                    {move || i18n.t("handoffs.convert.done")}" "
                    <a href="/opportunities">{move || i18n.t("handoffs.board.open")}</a>
                </p>
            }
        })
    };
    view! {
        {done}
        {converted}
        {data.request.clone().map(|(team, people)| view! { <RequestCard lead_id team people actions /> })}
        {data.can_convert.then(|| view! { <ConvertCard lead_id actions /> })}
        <section class="card" aria-labelledby="lead-handoffs-heading" data-testid="lead-handoffs">
            <h2 id="lead-handoffs-heading">{move || i18n.t("handoffs.list.title")}</h2>
            <HandoffList handoffs=data.handoffs.clone() />
            {(!data.opportunities.is_empty()).then(|| view! {
                <h3>{move || i18n.t("handoffs.board.title")}</h3>
                <ul class="plain-list" data-testid="lead-opportunities">
                    {data.opportunities.iter().map(|o| {
                        let (amount, currency, stage) = (o.amount, o.currency.clone(), o.stage);
                        view! {
                            <li data-opportunity-id=o.id data-stage=stage.as_str()>
                                <span class="status-pill">{move || i18n.t(&format!("handoffs.opportunity_stage.{}", stage.as_str()))}</span>" "
                                {move || format_money(amount, &currency, i18n.locale())}
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <p><a href="/opportunities">{move || i18n.t("handoffs.board.open")}</a></p>
            })}
        </section>
    }
}

fn other_error(e: Option<AppError>) -> Option<AppError> {
    e.filter(|e| !matches!(e, AppError::Validation(_)))
}

fn field_error(e: Option<AppError>, field: &str, locale: crate::i18n::Locale) -> Option<String> {
    e.and_then(|e| e.field_message(field, locale))
}

#[component]
fn RequestCard(
    lead_id: i64,
    team: crate::auth::Team,
    people: Vec<Person>,
    actions: LeadHandoffActions,
) -> impl IntoView {
    let i18n = use_i18n();
    let failed = move || actions.request.value().get().and_then(Result::err);
    let team_name = move || i18n.t(team_key(team));
    view! {
        <section class="card" aria-labelledby="request-heading" data-testid="request-card">
            <h2 id="request-heading">{move || i18n.t_with("handoffs.request.title", &[("team", &team_name())])}</h2>
            <ActionForm action=actions.request attr:class="form" attr:id="request-form">
                <input type="hidden" name="lead_id" value=lead_id />
                <input type="hidden" name="to_team" value=team.as_str() />
                <label class="field">
                    <span class="label">{move || i18n.t("fields.qualification_notes")}</span>
                    <textarea name="notes" rows="4" maxlength="4000" required data-testid="request-notes"></textarea>
                    <span class="hint">{move || i18n.t("handoffs.request.notes_hint")}</span>
                    <span class="field-error" role="alert">{move || field_error(failed(), "note", i18n.locale())}</span>
                </label>
                <div class="field-row">
                    <label class="field">
                        <span class="label">{move || i18n.t("handoffs.request.meeting")}</span>
                        <input type="datetime-local" name="meeting_at" data-testid="request-meeting" />
                        <span class="field-error" role="alert">{move || field_error(failed(), "meeting_at", i18n.locale())}</span>
                    </label>
                    <label class="field">
                        <span class="label">{move || i18n.t("handoffs.request.assignee")}</span>
                        <select name="assignee" data-testid="request-assignee">
                            <option value="">{move || i18n.t("handoffs.request.round_robin")}</option>
                            {people.into_iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
                        </select>
                        <span class="field-error" role="alert">{move || field_error(failed(), "assignee_id", i18n.locale())}</span>
                    </label>
                </div>
                <ActionError error=Signal::derive(move || other_error(failed())) />
                <button type="submit" class="btn btn-primary" data-testid="request-submit" disabled=move || actions.request.pending().get()>
                    {move || i18n.t_with("handoffs.request.submit", &[("team", &team_name())])}
                </button>
            </ActionForm>
        </section>
    }
}

/// The currencies the conversion form offers (the API takes any ISO 4217 code).
const CURRENCIES: [&str; 4] = ["JPY", "USD", "EUR", "GBP"];

#[component]
fn ConvertCard(lead_id: i64, actions: LeadHandoffActions) -> impl IntoView {
    let i18n = use_i18n();
    let failed = move || actions.convert.value().get().and_then(Result::err);
    view! {
        <section class="card" aria-labelledby="convert-heading" data-testid="convert-card">
            <h2 id="convert-heading">{move || i18n.t("handoffs.convert.title")}</h2>
            <ActionForm action=actions.convert attr:class="form" attr:id="convert-form">
                <input type="hidden" name="lead_id" value=lead_id />
                <div class="field-row">
                    <label class="field">
                        <span class="label">{move || i18n.t("fields.amount")}</span>
                        <input type="number" name="amount" min="0" step="any" required inputmode="decimal" data-testid="convert-amount" />
                        <span class="field-error" role="alert">{move || field_error(failed(), "amount", i18n.locale())}</span>
                    </label>
                    <label class="field">
                        <span class="label">{move || i18n.t("fields.currency")}</span>
                        <select name="currency" data-testid="convert-currency">
                            {CURRENCIES.into_iter().map(|c| view! { <option value=c>{c}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span class="label">{move || i18n.t("fields.close_date")}</span>
                        <input type="date" name="close_date" required data-testid="convert-close" />
                        <span class="field-error" role="alert">{move || field_error(failed(), "close_date", i18n.locale())}</span>
                    </label>
                </div>
                <p class="hint small muted">{move || i18n.t("handoffs.convert.hint")}</p>
                <ActionError error=Signal::derive(move || other_error(failed())) />
                <button type="submit" class="btn btn-primary" data-testid="convert-submit" disabled=move || actions.convert.pending().get()>
                    {move || i18n.t("handoffs.convert.submit")}
                </button>
            </ActionForm>
        </section>
    }
}
