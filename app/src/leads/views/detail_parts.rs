//! The explaining parts of the lead screen: where the score comes from, which criteria hold,
//! how the lead moved, and what it did.

use chrono::{DateTime, Duration, Utc};
use leptos::prelude::*;

use super::{StageBadge, format_time, stage_badge};
use crate::components::team_key;
use crate::definitions::describe::{activity_label, describe_condition};
use crate::i18n::use_i18n;
use crate::leads::model::{ActivityRecord, Transition};
use crate::leads::report::{StageCheck, StageInfo};
use crate::leads::scoring::ScoreBreakdown;

/// The score line by line: activities counted, points each, caps, the decay window.
#[component]
pub fn ScoreCard(breakdown: ScoreBreakdown, stored: i64) -> impl IntoView {
    let i18n = use_i18n();
    let total = breakdown.total;
    let decay = breakdown.decay_days;
    view! {
        <section class="card" aria-labelledby="score-heading">
            <h2 id="score-heading">{move || i18n.t("leads.score.title")}</h2>
            {if breakdown.lines.is_empty() {
                view! { <p class="empty">{move || i18n.t("leads.score.empty")}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                    <table class="table compact" id="score-breakdown">
                        <thead>
                            <tr>
                                <th scope="col">{move || i18n.t("leads.score.activity")}</th>
                                <th scope="col" class="num">{move || i18n.t("leads.score.count")}</th>
                                <th scope="col" class="num">{move || i18n.t("leads.score.each")}</th>
                                <th scope="col" class="num">{move || i18n.t("leads.score.raw")}</th>
                                <th scope="col">{move || i18n.t("leads.score.cap")}</th>
                                <th scope="col" class="num">{move || i18n.t("leads.score.points")}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {breakdown.lines.into_iter().map(|line| {
                                let kind = line.kind.clone();
                                view! {
                                    <tr data-kind=line.kind.clone()>
                                        <td>{move || activity_label(&kind, i18n.locale())}</td>
                                        <td class="num">{line.count}</td>
                                        <td class="num">{format!("× {}", line.points_each)}</td>
                                        <td class="num">{line.raw}</td>
                                        <td>{line.capped_at.map(|cap| view! {
                                            <span class="cap-note">{move || i18n.t_with("leads.score.capped", &[("cap", &cap.to_string())])}</span>
                                        })}</td>
                                        <td class="num"><strong>{line.points}</strong></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                        <tfoot>
                            <tr>
                                <th scope="row" colspan="5">{move || i18n.t("leads.score.total")}</th>
                                <td class="num score-total" data-testid="score-total">{total}</td>
                            </tr>
                        </tfoot>
                    </table>
                    </div>
                }.into_any()
            }}
            <p class="muted small">
                {move || match decay {
                    Some(days) => i18n.t_with("leads.score.decay", &[("days", &days.to_string())]),
                    None => i18n.t("leads.score.no_decay"),
                }}
            </p>
            {(stored != total).then(|| view! {
                <p class="muted small" data-testid="score-stale">
                    {move || i18n.t_with("leads.score.recomputed", &[("stored", &stored.to_string()), ("total", &total.to_string())])}
                </p>
            })}
        </section>
    }
}

/// Every stage's entry criteria with each condition met (✓) or missed (✗).
#[component]
pub fn CriteriaReport(checks: Vec<StageCheck>, version: i64, current: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="criteria-heading">
            <h2 id="criteria-heading">{move || i18n.t_with("leads.criteria.title", &[("version", &version.to_string())])}</h2>
            <ol class="stage-checks" id="criteria-report">
                {checks.into_iter().map(|check| {
                    let here = check.stage.key == current;
                    let state = match check.met {
                        Some(true) => "met",
                        Some(false) => "missed",
                        None => "manual",
                    };
                    let gate = check.on_acceptance;
                    let owner = check.stage.owner_team;
                    view! {
                        <li class=format!("stage-check {state}") data-stage=check.stage.key.clone() data-met=state>
                            <div class="stage-check-head">
                                <StageBadge key=check.stage.key.clone() name=check.stage.name.clone() team=Some(owner) />
                                {here.then(|| view! { <span class="here-pill">{move || i18n.t("leads.criteria.current")}</span> })}
                                <span class=format!("check-state {state}")>
                                    {move || match state {
                                        "met" => format!("✓ {}", i18n.t("leads.criteria.meets")),
                                        "missed" => format!("✗ {}", i18n.t("leads.criteria.misses")),
                                        _ if gate => i18n.t_with("leads.criteria.on_acceptance", &[("team", &i18n.t(team_key(owner)))]),
                                        _ => i18n.t("leads.criteria.manual"),
                                    }}
                                </span>
                            </div>
                            {(!check.outcomes.is_empty()).then(|| view! {
                                <ul class="conditions">
                                    {check.outcomes.into_iter().map(|o| {
                                        let condition = o.condition.clone();
                                        let met = o.met;
                                        view! {
                                            <li class=if met { "condition-outcome met" } else { "condition-outcome missed" } data-path=o.path.clone()>
                                                <span class="mark" aria-hidden="true">{if met { "✓" } else { "✗" }}</span>
                                                <span class="visually-hidden">{move || i18n.t(if met { "leads.criteria.met" } else { "leads.criteria.missed" })}</span>
                                                <span>{move || describe_condition(&condition, i18n.locale())}</span>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

/// The stage history, newest first: from → to, cause and version, who, when and why.
#[component]
pub fn History(history: Vec<Transition>, stages: Vec<StageInfo>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="stage-history-heading">
            <h2 id="stage-history-heading">{move || i18n.t("leads.history.title")}</h2>
            <ol class="history-list" id="stage-history">
                {history.into_iter().rev().map(|t| {
                    let at = t.at;
                    let cause = t.cause.clone();
                    let version = t.definition_version.to_string();
                    view! {
                        <li data-cause=t.cause.clone() data-to=t.to.clone() class="history-item">
                            <div class="history-move">
                                {match t.from.clone() {
                                    Some(from) => view! { {stage_badge(&stages, &from)}<span aria-hidden="true">" → "</span> }.into_any(),
                                    None => view! { <span class="muted small">{move || i18n.t("leads.history.created")}</span><span aria-hidden="true">" → "</span> }.into_any(),
                                }}
                                {stage_badge(&stages, &t.to)}
                                <span class="history-cause">{move || i18n.t(&format!("leads.causes.{cause}"))}</span>
                            </div>
                            <div class="history-meta muted small">
                                <time datetime=at.to_rfc3339()>{move || format_time(at, i18n.locale())}</time>
                                <span>{move || i18n.t_with("leads.history.under_version", &[("version", &version)])}</span>
                                {t.actor.clone().map(|actor| view! { <span class="mono">{actor}</span> })}
                            </div>
                            {t.reason.clone().map(|reason| view! {
                                <p class="history-reason"><span class="visually-hidden">{move || i18n.t("fields.reason")}": "</span>{reason}</p>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

/// Activities newest first; those outside the decay window are marked as no longer counting.
#[component]
pub fn ActivityTimeline(
    activities: Vec<ActivityRecord>,
    decay_days: Option<u32>,
    as_of: DateTime<Utc>,
) -> impl IntoView {
    let i18n = use_i18n();
    let since = decay_days.map(|d| as_of - Duration::days(i64::from(d)));
    view! {
        <section class="card" aria-labelledby="activity-heading">
            <h2 id="activity-heading">{move || i18n.t("leads.activity.title")}</h2>
            {if activities.is_empty() {
                view! { <p class="empty">{move || i18n.t("leads.activity.empty")}</p> }.into_any()
            } else {
                view! {
                    <ol class="timeline" id="activity-timeline">
                        {activities.into_iter().map(|a| {
                            let at = a.occurred_at;
                            let kind = a.kind.clone();
                            let expired = since.is_some_and(|s| at <= s) || at > as_of;
                            view! {
                                <li class=if expired { "timeline-item expired" } else { "timeline-item" } data-kind=a.kind.clone()>
                                    <time datetime=at.to_rfc3339()>{move || format_time(at, i18n.locale())}</time>
                                    <span class="timeline-label">{move || activity_label(&kind, i18n.locale())}</span>
                                    {expired.then(|| view! { <span class="muted small">{move || i18n.t("leads.activity.not_counted")}</span> })}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}
