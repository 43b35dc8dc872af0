//! The readable table of a definition: stages with owner badges, entry criteria in plain
//! words, handoff gates with SLAs; scoring rules; reason codes.

use leptos::prelude::*;

use crate::components::{TeamBadge, team_key};
use crate::definitions::describe::describe_criteria;
use crate::definitions::model::{Definition, EntryOn};
use crate::i18n::use_i18n;

/// The whole definition, read-only.
#[component]
pub fn DefinitionTable(definition: Definition) -> impl IntoView {
    let i18n = use_i18n();
    let stages = definition.stages.clone();
    let rules = definition.scoring.rules.clone();
    let decay = definition.scoring.decay_days;
    let codes = definition.reason_codes.clone();
    view! {
        <div class="table-wrap">
            <table class="table" id="stages-table">
                <caption class="visually-hidden">{move || i18n.t("definitions.stages")}</caption>
                <thead>
                    <tr>
                        <th scope="col">"#"</th>
                        <th scope="col">{move || i18n.t("definitions.stage")}</th>
                        <th scope="col">{move || i18n.t("definitions.owner")}</th>
                        <th scope="col">{move || i18n.t("definitions.entry")}</th>
                        <th scope="col">{move || i18n.t("definitions.gate")}</th>
                    </tr>
                </thead>
                <tbody>
                    {stages
                        .into_iter()
                        .enumerate()
                        .map(|(i, stage)| {
                            let entry = stage.entry.clone();
                            let gate = stage.gate.clone();
                            view! {
                                <tr data-stage=stage.key.clone()>
                                    <td class="num">{i + 1}</td>
                                    <td>
                                        <strong>{stage.name.clone()}</strong>
                                        <div class="mono muted small">{stage.key.clone()}</div>
                                    </td>
                                    <td><TeamBadge team=stage.owner_team /></td>
                                    <td class="criteria-text">
                                        {move || match &entry {
                                            Some(c) => describe_criteria(c, i18n.locale()),
                                            None => i18n.t("definitions.no_automatic_entry"),
                                        }}
                                    </td>
                                    <td>
                                        {move || match &gate {
                                            None => view! { <span class="muted">"—"</span> }.into_any(),
                                            Some(g) => {
                                                let on = match g.entry_on {
                                                    EntryOn::Criteria => "definitions.entry_on_criteria",
                                                    EntryOn::Acceptance => "definitions.entry_on_acceptance",
                                                };
                                                view! {
                                                    <div class="gate">
                                                        <span>{i18n.t(team_key(g.from_team))}" → "{i18n.t(team_key(g.to_team))}</span>
                                                        <span class="sla-pill">{i18n.t_with("definitions.sla_hours", &[("hours", &g.sla_hours.to_string())])}</span>
                                                        <div class="muted small">{i18n.t(on)}</div>
                                                    </div>
                                                }
                                                    .into_any()
                                            }
                                        }}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <div class="grid-2 equal">
            <section>
                <h3>{move || i18n.t("definitions.scoring")}</h3>
                <table class="table compact" id="scoring-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t("definitions.activity")}</th>
                            <th scope="col" class="num">{move || i18n.t("definitions.points")}</th>
                            <th scope="col" class="num">{move || i18n.t("definitions.max_points")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rules
                            .into_iter()
                            .map(|r| {
                                let kind = r.kind.clone();
                                view! {
                                    <tr>
                                        <td>{move || i18n.t(&format!("activity_kinds.{kind}"))}</td>
                                        <td class="num">{r.points}</td>
                                        <td class="num">{r.max_points.map(|m| m.to_string()).unwrap_or_else(|| "—".into())}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
                <p class="muted small">
                    {move || match decay {
                        Some(d) => i18n.t_with("definitions.decay_days", &[("days", &d.to_string())]),
                        None => i18n.t("definitions.no_decay"),
                    }}
                </p>
            </section>
            <section>
                <h3>{move || i18n.t("definitions.reason_codes")}</h3>
                <dl class="facts">
                    <dt>{move || i18n.t("definitions.reasons_reject")}</dt>
                    <dd class="mono">{codes.reject.join(", ")}</dd>
                    <dt>{move || i18n.t("definitions.reasons_recycle")}</dt>
                    <dd class="mono">{codes.recycle.join(", ")}</dd>
                    <dt>{move || i18n.t("definitions.reasons_lost")}</dt>
                    <dd class="mono">{codes.lost.join(", ")}</dd>
                </dl>
            </section>
        </div>
    }
}
