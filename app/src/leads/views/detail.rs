//! One lead: its facts, score breakdown, which stage criteria it meets or misses, stage
//! history, activities, and (for the team that owns its stage) a manual move.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::detail_parts::{ActivityTimeline, CriteriaReport, History, ScoreCard};
use super::{format_count, format_time, person_name, stage_badge};
use crate::components::{ActionError, AppLayout, ErrorPanel};
use crate::definitions::describe::choice_label;
use crate::error::AppError;
use crate::handoffs::views::{LeadHandoffActions, LeadHandoffsCard};
use crate::i18n::use_i18n;
use crate::leads::api::{LeadPageData, MoveLead, lead_page};
use crate::leads::model::Account;
use crate::leads::report::StageInfo;
use crate::policy::Action;

/// `/leads/:id`.
#[component]
pub fn LeadPage() -> impl IntoView {
    view! {
        <AppLayout action=Action::UseApp title_key="leads.detail.title">
            <LeadScreen />
        </AppLayout>
    }
}

#[component]
fn LeadScreen() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let mv = ServerAction::<MoveLead>::new();
    let handoff_actions = LeadHandoffActions::new();
    let data = Resource::new(
        move || (id(), mv.version().get(), handoff_actions.refresh.get()),
        |(id, _, _)| lead_page(id),
    );
    view! {
        <Transition fallback=move || view! { <p class="muted">{i18n.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(d) => view! { <LeadView d mv handoff_actions /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn LeadView(
    d: LeadPageData,
    mv: ServerAction<MoveLead>,
    handoff_actions: LeadHandoffActions,
) -> impl IntoView {
    let i18n = use_i18n();
    let lead = d.lead.clone();
    let stages: Vec<StageInfo> = d.checks.iter().map(|c| c.stage.clone()).collect();
    let title = person_name(&lead).unwrap_or_else(|| lead.email.clone());
    let entered = lead.stage_entered_at;
    let score = lead.score;
    let moved = move || mv.value().get().and_then(Result::ok);
    let names = stages.clone();
    view! {
        <div class="toolbar">
            <div>
                <h2 class="lead-title" data-testid="lead-title">{title}</h2>
                <p class="muted lead-subtitle">
                    {stage_badge(&stages, &lead.stage)}
                    <span>{move || i18n.t_with("leads.detail.in_stage_since", &[("at", &format_time(entered, i18n.locale()))])}</span>
                    <span class="score-pill" data-testid="lead-score">{move || i18n.t_with("leads.detail.score_pill", &[("score", &score.to_string())])}</span>
                </p>
            </div>
            <a class="btn-link" href="/leads">{move || i18n.t("leads.detail.back")}</a>
        </div>
        {move || moved().map(|lead| {
            let name = names.iter().find(|s| s.key == lead.stage).map_or(lead.stage.clone(), |s| s.name.clone());
            view! { <p class="form-success" role="status" data-testid="move-done">{i18n.t_with("leads.move.done", &[("stage", &name)])}</p> }
        })}
        <div class="grid-2">
            <div>
                <ScoreCard breakdown=d.breakdown.clone() stored=d.lead.score />
                <CriteriaReport checks=d.checks.clone() version=d.version current=d.lead.stage.clone() />
                <History history=d.history.clone() stages=stages.clone() />
                <ActivityTimeline activities=d.activities.clone() decay_days=d.breakdown.decay_days as_of=d.as_of />
            </div>
            <div>
                <LeadHandoffsCard lead_id=d.lead.id data=d.handoffs.clone() actions=handoff_actions />
                {d.can_move.then(|| view! { <MoveCard d=d.clone() stages=stages.clone() mv /> })}
                <FactsCard d=d.clone() />
                {d.account.clone().map(|a| view! { <AccountCard a stages=stages.clone() /> })}
            </div>
        </div>
    }
}

/// The lead's facts (also shown in the approval screen's detail pane).
#[component]
pub fn FactsCard(d: LeadPageData) -> impl IntoView {
    let i18n = use_i18n();
    let l = d.lead;
    let dash = || "—".to_owned();
    let persona = l.persona.clone();
    let source = l.source.clone();
    let consent = l.consent;
    let updated = l.updated_at;
    view! {
        <section class="card" aria-labelledby="facts-heading">
            <h2 id="facts-heading">{move || i18n.t("leads.detail.facts")}</h2>
            <dl class="facts" data-testid="lead-facts">
                <dt>{move || i18n.t("fields.email")}</dt>
                <dd class="mono">{l.email.clone()}</dd>
                <dt>{move || i18n.t("fields.first_name")}</dt>
                <dd>{l.first_name.clone().unwrap_or_else(dash)}</dd>
                <dt>{move || i18n.t("fields.last_name")}</dt>
                <dd>{l.last_name.clone().unwrap_or_else(dash)}</dd>
                <dt>{move || i18n.t("fields.job_title")}</dt>
                <dd>{l.job_title.clone().unwrap_or_else(dash)}</dd>
                <dt>{move || i18n.t("fields.persona")}</dt>
                <dd>{move || persona.as_deref().map_or_else(dash, |p| choice_label("lead.persona", p, i18n.locale()))}</dd>
                <dt>{move || i18n.t("leads.fields.consent")}</dt>
                <dd>{move || i18n.t(if consent { "common.yes" } else { "common.no" })}</dd>
                <dt>{move || i18n.t("fields.source")}</dt>
                <dd>{move || source.as_deref().map_or_else(dash, |s| choice_label("lead.source", s, i18n.locale()))}</dd>
                <dt>{move || i18n.t("fields.country")}</dt>
                <dd>{l.country.clone().unwrap_or_else(dash)}</dd>
                <dt>{move || i18n.t("leads.fields.owner")}</dt>
                <dd>{l.owner.clone().map_or_else(dash, |o| o.name)}</dd>
                <dt>{move || i18n.t("leads.fields.updated")}</dt>
                <dd>{move || format_time(updated, i18n.locale())}</dd>
            </dl>
        </section>
    }
}

#[component]
fn AccountCard(a: Account, stages: Vec<StageInfo>) -> impl IntoView {
    let i18n = use_i18n();
    let tier = a.tier.clone();
    let target = a.is_target;
    view! {
        <section class="card" aria-labelledby="account-heading" data-testid="lead-account">
            <h2 id="account-heading">{move || i18n.t("leads.fields.account")}</h2>
            <p><a href=format!("/accounts/{}", a.id) data-testid="account-link"><strong>{a.name.clone()}</strong></a>
               " "<span class="mono muted small">{a.domain.clone()}</span></p>
            <dl class="facts">
                <dt>{move || i18n.t("fields.employees")}</dt>
                <dd>{a.employees.map_or_else(|| "—".into(), format_count)}</dd>
                <dt>{move || i18n.t("fields.industry")}</dt>
                <dd>{a.industry.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>{move || i18n.t("leads.accounts.target")}</dt>
                <dd>{move || super::accounts::target_text(target, tier.as_deref(), i18n.locale())}</dd>
                <dt>{move || i18n.t("leads.accounts.rollup")}</dt>
                <dd>{a.stage.clone().map(|s| stage_badge(&stages, &s))}</dd>
            </dl>
        </section>
    }
}

/// The full text of the error on `field`, if the move failed on it.
fn field_error(error: Option<AppError>, field: &str, locale: crate::i18n::Locale) -> Option<String> {
    match error? {
        AppError::Validation(fields) => fields
            .iter()
            .find(|f| f.field == field)
            .map(|f| f.message(locale)),
        _ => None,
    }
}

#[component]
fn MoveCard(d: LeadPageData, stages: Vec<StageInfo>, mv: ServerAction<MoveLead>) -> impl IntoView {
    let i18n = use_i18n();
    let id = d.lead.id;
    let current = d.lead.stage.clone();
    let position = stages.iter().position(|s| s.key == current).unwrap_or(0);
    let failed = move || mv.value().get().and_then(Result::err);
    let other_error = Signal::derive(move || failed().filter(|e| !matches!(e, AppError::Validation(_))));
    view! {
        <section class="card move-card" aria-labelledby="move-heading">
            <h2 id="move-heading">{move || i18n.t("leads.move.title")}</h2>
            <ActionForm action=mv attr:class="form" attr:id="move-form">
                <input type="hidden" name="id" value=id />
                <label class="field">
                    <span class="label">{move || i18n.t("leads.move.to")}</span>
                    <select name="stage" required data-testid="move-stage">
                        {stages.iter().enumerate().filter(|(_, s)| s.key != current).map(|(i, s)| {
                            let direction = if i < position { "leads.move.back" } else { "leads.move.forward" };
                            let name = s.name.clone();
                            view! { <option value=s.key.clone()>{move || i18n.t_with(direction, &[("stage", &name)])}</option> }
                        }).collect_view()}
                    </select>
                    <span class="field-error" role="alert">{move || field_error(failed(), "stage", i18n.locale())}</span>
                </label>
                <label class="field">
                    <span class="label">{move || i18n.t("fields.reason")}</span>
                    <textarea name="reason" rows="3" maxlength="500" data-testid="move-reason"
                        aria-invalid=move || field_error(failed(), "reason", i18n.locale()).is_some().to_string()></textarea>
                    <span class="hint">{move || i18n.t("leads.move.reason_hint")}</span>
                    <span class="field-error" role="alert" data-testid="reason-error">{move || field_error(failed(), "reason", i18n.locale())}</span>
                </label>
                <ActionError error=other_error />
                <button type="submit" class="btn btn-primary" data-testid="move-submit" disabled=move || mv.pending().get()>
                    {move || i18n.t("leads.move.submit")}
                </button>
            </ActionForm>
        </section>
    }
}
