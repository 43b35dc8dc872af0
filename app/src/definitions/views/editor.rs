//! The proposal editor: start from the current version (or the proposal's latest revision),
//! edit stages, gates, entry criteria (a builder of conditions and nested groups, validated
//! as you type), scoring rules and reason codes, then save a proposal or a new revision.
//!
//! The form is rebuilt only when its structure changes (a condition added, a field or
//! operator switched); typing a value only updates the draft, so focus never jumps.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::criteria_builder::{Ctx, criteria_editor};
use crate::auth::Team;
use crate::components::{AppLayout, ErrorPanel, team_key};
use crate::definitions::api::{create_proposal, current_definition, proposal_view, revise_proposal};
use crate::definitions::model::{ACTIVITY_KINDS, Definition, EntryOn, Gate, ScoringRule, Stage};
use crate::definitions::proposal::{NewProposal, Revision, check_text};
use crate::definitions::validate::validate;
use crate::error::{AppError, definition_error_message};
use crate::i18n::use_i18n;
use crate::policy::Action;

/// What the editor starts from.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
struct Start {
    id: Option<i64>,
    revision: Option<i64>,
    base_version: i64,
    definition: Definition,
    title: String,
    rationale: String,
    requalify: bool,
}

/// `/proposals/new`: a draft of the next version from the current one.
#[component]
pub fn NewProposalPage() -> impl IntoView {
    view! {
        <AppLayout action=Action::DraftProposal title_key="proposals.new_title">
            <Loader edit=false />
        </AppLayout>
    }
}

/// `/proposals/:id/edit`: a new revision of an open proposal.
#[component]
pub fn EditProposalPage() -> impl IntoView {
    view! {
        <AppLayout action=Action::DraftProposal title_key="proposals.edit_title">
            <Loader edit=true />
        </AppLayout>
    }
}

#[component]
fn Loader(edit: bool) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let start = Resource::new(id, move |id| async move {
        match (edit, id) {
            (true, Some(id)) => {
                let v = proposal_view(id).await?;
                if !v.permissions.revise {
                    return Err(AppError::Forbidden);
                }
                let p = v.proposal;
                Ok(Start {
                    id: Some(p.id),
                    revision: Some(p.revision),
                    base_version: p.base_version,
                    definition: p.definition,
                    title: p.title,
                    rationale: p.rationale,
                    requalify: p.requalify,
                })
            }
            _ => {
                let current = current_definition().await?;
                Ok(Start {
                    id: None,
                    revision: None,
                    base_version: current.version,
                    definition: current.definition,
                    title: String::new(),
                    rationale: String::new(),
                    requalify: false,
                })
            }
        }
    });
    view! {
        <Transition fallback=move || view! { <p class="muted">{i18n.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match start.await {
                    Ok(start) => view! { <Editor start /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Editor(start: Start) -> impl IntoView {
    let i18n = use_i18n();
    let draft = RwSignal::new(start.definition.clone());
    let structure = RwSignal::new(0u32);
    let title = RwSignal::new(start.title.clone());
    let rationale = RwSignal::new(start.rationale.clone());
    let requalify = RwSignal::new(start.requalify);
    let errors = Memo::new(move |_| validate(&draft.get()).err().unwrap_or_default());
    let text_errors = Memo::new(move |_| check_text(&title.get(), &rationale.get()));
    let ctx = Ctx {
        draft,
        structure,
        errors,
    };
    let (id, revision, base_version) = (start.id, start.revision, start.base_version);

    let navigate = use_navigate();
    let save = leptos::prelude::Action::new(move |_: &()| {
        let definition = draft.get_untracked();
        let (t, r, q) = (
            title.get_untracked(),
            rationale.get_untracked(),
            requalify.get_untracked(),
        );
        async move {
            match (id, revision) {
                (Some(id), Some(revision)) => {
                    revise_proposal(
                        id,
                        Revision {
                            revision,
                            definition,
                            title: Some(t),
                            rationale: Some(r),
                        },
                    )
                    .await?;
                    Ok(id)
                }
                _ => {
                    create_proposal(NewProposal {
                        base_version,
                        title: t,
                        rationale: r,
                        definition,
                        requalify: q,
                    })
                    .await
                }
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(id)) = save.value().get() {
            navigate(&format!("/proposals/{id}"), Default::default());
        }
    });
    let server_error = move || save.value().get().and_then(Result::err);
    let submitted = RwSignal::new(false);
    let blocked = move || !errors.get().is_empty() || !text_errors.get().is_empty();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if !blocked() {
            save.dispatch(());
        }
    };
    let text_error = move |field: &'static str| {
        move || {
            submitted.get().then(|| {
                text_errors
                    .get()
                    .into_iter()
                    .find(|e| e.field == field)
                    .map(|e| e.message(i18n.locale()))
            })
        }
    };

    view! {
        <form class="form editor" id="proposal-editor" on:submit=on_submit novalidate>
            <section class="card">
                <p class="muted small">{move || i18n.t_with("proposals.editing_from", &[("base", &base_version.to_string())])}</p>
                <label class="field">
                    <span class="label">{move || i18n.t("fields.title")}</span>
                    <input type="text" name="title" maxlength="200" prop:value=start.title.clone()
                        on:input=move |ev| title.set(event_target_value(&ev)) />
                    <span class="field-error" role="alert">{text_error("title")}</span>
                </label>
                <label class="field">
                    <span class="label">{move || i18n.t("fields.rationale")}</span>
                    <textarea name="rationale" rows="3" prop:value=start.rationale.clone()
                        on:input=move |ev| rationale.set(event_target_value(&ev))></textarea>
                    <span class="hint">{move || i18n.t("proposals.rationale_hint")}</span>
                    <span class="field-error" role="alert">{text_error("rationale")}</span>
                </label>
                {id.is_none().then(|| view! {
                    <label class="check">
                        <input type="checkbox" name="requalify" prop:checked=start.requalify
                            on:change=move |ev| requalify.set(event_target_checked(&ev)) />
                        {move || i18n.t("proposals.requalify")}
                    </label>
                })}
            </section>

            <div class="panel" class:panel-error=move || !errors.get().is_empty() role="status" aria-live="polite" data-testid="problems">
                {move || {
                    let list = errors.get();
                    if list.is_empty() {
                        view! { <p class="ok-text">{i18n.t("proposals.no_problems")}</p> }.into_any()
                    } else {
                        view! {
                            <p>{i18n.t_with("proposals.problems", &[("count", &list.len().to_string())])}</p>
                            <ul>{list.iter().map(|e| view! { <li>{definition_error_message(e, i18n.locale())}</li> }).collect_view()}</ul>
                        }.into_any()
                    }
                }}
            </div>

            <h2>{move || i18n.t("definitions.stages")}</h2>
            {move || {
                structure.track();
                let def = draft.get_untracked();
                let count = def.stages.len();
                def.stages.into_iter().enumerate().map(|(i, stage)| stage_editor(ctx, i, count, stage)).collect_view()
            }}
            <AddStage ctx />

            <ScoringEditor ctx />
            <ReasonCodesEditor ctx />

            {move || server_error().map(|e| view! { <p class="form-error" role="alert">{e.message(i18n.locale())}</p> })}
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="save-proposal" disabled=move || save.pending().get()>
                    {move || if id.is_some() { i18n.t("proposals.save_revision") } else { i18n.t("proposals.create") }}
                </button>
                <a class="btn btn-secondary" href=id.map(|i| format!("/proposals/{i}")).unwrap_or_else(|| "/definitions".into())>
                    {move || i18n.t("common.cancel")}
                </a>
            </div>
        </form>
    }
}

fn stage_editor(ctx: Ctx, i: usize, count: usize, stage: Stage) -> AnyView {
    let i18n = use_i18n();
    let Ctx { draft, structure, .. } = ctx;
    let key = stage.key.clone();
    let path = format!("stages.{key}");
    let bump = move || structure.update(|n| *n += 1);
    let owner = stage.owner_team;
    let gate = stage.gate.clone();
    view! {
        <section class="card stage-editor" data-stage=key.clone()>
            <div class="stage-editor-head">
                <span class="mono muted">{key.clone()}</span>
                <label class="field grow">
                    <span class="label">{move || i18n.t("definitions.stage_name")}</span>
                    <input type="text" prop:value=stage.name.clone()
                        on:input=move |ev| draft.update(|d| d.stages[i].name = event_target_value(&ev)) />
                </label>
                <label class="field">
                    <span class="label">{move || i18n.t("definitions.owner")}</span>
                    <select on:change=move |ev| {
                        if let Some(team) = Team::parse(&event_target_value(&ev)) {
                            draft.update(|d| d.stages[i].owner_team = team);
                        }
                    }>
                        {Team::ALL.into_iter().map(|t| view! { <option value=t.as_str() selected=t == owner>{move || i18n.t(team_key(t))}</option> }).collect_view()}
                    </select>
                </label>
                <div class="stage-move">
                    <button type="button" class="btn btn-icon" disabled=i == 0 aria-label=move || i18n.t("definitions.move_up")
                        on:click=move |_| { draft.update(|d| d.stages.swap(i, i - 1)); bump(); }>"↑"</button>
                    <button type="button" class="btn btn-icon" disabled=i + 1 == count aria-label=move || i18n.t("definitions.move_down")
                        on:click=move |_| { draft.update(|d| d.stages.swap(i, i + 1)); bump(); }>"↓"</button>
                    <button type="button" class="btn btn-icon" aria-label=move || i18n.t("definitions.remove_stage")
                        on:click=move |_| { draft.update(|d| { d.stages.remove(i); }); bump(); }>"✕"</button>
                </div>
            </div>
            <h3 class="small-heading">{move || i18n.t("definitions.entry")}</h3>
            {criteria_editor(ctx, i, stage.entry.clone(), format!("{path}.entry"))}
            <h3 class="small-heading">{move || i18n.t("definitions.gate")}</h3>
            {gate_editor(ctx, i, gate)}
        </section>
    }
    .into_any()
}

fn gate_editor(ctx: Ctx, i: usize, gate: Option<Gate>) -> AnyView {
    let i18n = use_i18n();
    let Ctx { draft, structure, .. } = ctx;
    let bump = move || structure.update(|n| *n += 1);
    let Some(g) = gate else {
        return view! {
            <p class="muted small">
                {move || i18n.t("definitions.no_gate")}" "
                <button type="button" class="btn btn-link" on:click=move |_| {
                    draft.update(|d| {
                        let owner = d.stages[i].owner_team;
                        let from = if i > 0 { d.stages[i - 1].owner_team } else { owner };
                        d.stages[i].gate = Some(Gate { from_team: from, to_team: owner, sla_hours: 24, entry_on: EntryOn::Criteria });
                    });
                    bump();
                }>{move || i18n.t("definitions.add_gate")}</button>
            </p>
        }
        .into_any();
    };
    let team_select = move |current: Team, set: fn(&mut Gate, Team)| {
        view! {
            <select on:change=move |ev| {
                if let Some(t) = Team::parse(&event_target_value(&ev)) {
                    draft.update(|d| if let Some(g) = d.stages[i].gate.as_mut() { set(g, t) });
                }
            }>
                {Team::ALL.into_iter().map(|t| view! { <option value=t.as_str() selected=t == current>{move || i18n.t(team_key(t))}</option> }).collect_view()}
            </select>
        }
    };
    view! {
        <div class="field-row gate-editor">
            <label class="field"><span class="label">{move || i18n.t("definitions.from_team")}</span>{team_select(g.from_team, |g, t| g.from_team = t)}</label>
            <label class="field"><span class="label">{move || i18n.t("definitions.to_team")}</span>{team_select(g.to_team, |g, t| g.to_team = t)}</label>
            <label class="field">
                <span class="label">{move || i18n.t("definitions.sla")}</span>
                <input type="number" min="1" max="720" prop:value=g.sla_hours.to_string() on:input=move |ev| {
                    let hours = event_target_value(&ev).trim().parse::<u32>().unwrap_or(0);
                    draft.update(|d| if let Some(g) = d.stages[i].gate.as_mut() { g.sla_hours = hours });
                } />
            </label>
            <label class="field">
                <span class="label">{move || i18n.t("definitions.entry_on")}</span>
                <select on:change=move |ev| {
                    let on = if event_target_value(&ev) == "acceptance" { EntryOn::Acceptance } else { EntryOn::Criteria };
                    draft.update(|d| if let Some(g) = d.stages[i].gate.as_mut() { g.entry_on = on });
                }>
                    <option value="criteria" selected=g.entry_on == EntryOn::Criteria>{move || i18n.t("definitions.entry_on_criteria")}</option>
                    <option value="acceptance" selected=g.entry_on == EntryOn::Acceptance>{move || i18n.t("definitions.entry_on_acceptance")}</option>
                </select>
            </label>
            <button type="button" class="btn btn-link" on:click=move |_| { draft.update(|d| d.stages[i].gate = None); bump(); }>
                {move || i18n.t("definitions.remove_gate")}
            </button>
        </div>
    }
    .into_any()
}

#[component]
fn AddStage(ctx: Ctx) -> impl IntoView {
    let i18n = use_i18n();
    let key = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    view! {
        <div class="card add-stage field-row">
            <label class="field">
                <span class="label">{move || i18n.t("definitions.new_stage_key")}</span>
                <input type="text" prop:value=move || key.get() on:input=move |ev| key.set(event_target_value(&ev)) />
            </label>
            <label class="field grow">
                <span class="label">{move || i18n.t("definitions.stage_name")}</span>
                <input type="text" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            <button type="button" class="btn btn-secondary" on:click=move |_| {
                let (k, n) = (key.get_untracked().trim().to_owned(), name.get_untracked().trim().to_owned());
                if k.is_empty() { return; }
                ctx.draft.update(|d| d.stages.push(Stage { key: k, name: n, owner_team: Team::Sales, entry: None, gate: None }));
                key.set(String::new());
                name.set(String::new());
                ctx.structure.update(|s| *s += 1);
            }>{move || i18n.t("definitions.add_stage")}</button>
        </div>
    }
}

#[component]
fn ScoringEditor(ctx: Ctx) -> impl IntoView {
    let i18n = use_i18n();
    let Ctx {
        draft,
        structure,
        errors,
    } = ctx;
    let bump = move || structure.update(|n| *n += 1);
    let rule_errors = move |i: usize| {
        move || {
            let prefix = format!("scoring.rules[{i}]");
            errors
                .get()
                .into_iter()
                .filter(|e| e.path.starts_with(&prefix))
                .map(|e| definition_error_message(&e, i18n.locale()))
                .collect::<Vec<_>>()
                .join(" ")
        }
    };
    view! {
        <section class="card" aria-labelledby="scoring-heading">
            <h2 id="scoring-heading">{move || i18n.t("definitions.scoring")}</h2>
            {move || {
                structure.track();
                let def = draft.get_untracked();
                view! {
                    <table class="table compact" id="scoring-editor">
                        <thead><tr>
                            <th scope="col">{i18n.t("definitions.activity")}</th>
                            <th scope="col">{i18n.t("definitions.points")}</th>
                            <th scope="col">{i18n.t("definitions.max_points")}</th>
                            <th scope="col"><span class="visually-hidden">{i18n.t("common.remove")}</span></th>
                        </tr></thead>
                        <tbody>
                            {def.scoring.rules.iter().cloned().enumerate().map(|(i, r)| view! {
                                <tr>
                                    <td>
                                        <select on:change=move |ev| draft.update(|d| d.scoring.rules[i].kind = event_target_value(&ev))>
                                            {ACTIVITY_KINDS.iter().map(|k| view! { <option value=*k selected=*k == r.kind>{move || i18n.t(&format!("activity_kinds.{k}"))}</option> }).collect_view()}
                                        </select>
                                        <div class="field-error" role="alert">{rule_errors(i)}</div>
                                    </td>
                                    <td><input type="number" class="narrow-input" prop:value=r.points.to_string() on:input=move |ev| {
                                        let v = event_target_value(&ev).trim().parse::<i32>().unwrap_or(i32::MIN);
                                        draft.update(|d| d.scoring.rules[i].points = v);
                                    } /></td>
                                    <td><input type="number" class="narrow-input" prop:value=r.max_points.map(|m| m.to_string()).unwrap_or_default() on:input=move |ev| {
                                        let raw = event_target_value(&ev);
                                        let v = if raw.trim().is_empty() { None } else { Some(raw.trim().parse::<i32>().unwrap_or(-1)) };
                                        draft.update(|d| d.scoring.rules[i].max_points = v);
                                    } /></td>
                                    <td><button type="button" class="btn btn-icon" aria-label=i18n.t("common.remove")
                                        on:click=move |_| { draft.update(|d| { d.scoring.rules.remove(i); }); bump(); }>"✕"</button></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <div class="field-row">
                        <button type="button" class="btn btn-secondary" on:click=move |_| {
                            draft.update(|d| {
                                let used: Vec<String> = d.scoring.rules.iter().map(|r| r.kind.clone()).collect();
                                let kind = ACTIVITY_KINDS.iter().find(|k| !used.iter().any(|u| u == *k)).unwrap_or(&ACTIVITY_KINDS[0]);
                                d.scoring.rules.push(ScoringRule { kind: (*kind).to_owned(), points: 5, max_points: None });
                            });
                            bump();
                        }>{i18n.t("definitions.add_rule")}</button>
                        <label class="field">
                            <span class="label">{i18n.t("definitions.decay")}</span>
                            <input type="number" class="narrow-input" min="1" max="730" prop:value=def.scoring.decay_days.map(|d| d.to_string()).unwrap_or_default()
                                on:input=move |ev| {
                                    let raw = event_target_value(&ev);
                                    let v = if raw.trim().is_empty() { None } else { Some(raw.trim().parse::<u32>().unwrap_or(0)) };
                                    draft.update(|d| d.scoring.decay_days = v);
                                } />
                        </label>
                    </div>
                }
            }}
        </section>
    }
}

#[component]
fn ReasonCodesEditor(ctx: Ctx) -> impl IntoView {
    let i18n = use_i18n();
    let Ctx { draft, errors, .. } = ctx;
    let initial = draft.get_untracked().reason_codes;
    let area = move |label: &'static str, list: &'static str, value: Vec<String>| {
        let list_errors = move || {
            let prefix = format!("reason_codes.{list}");
            errors
                .get()
                .into_iter()
                .filter(|e| e.path.starts_with(&prefix))
                .map(|e| definition_error_message(&e, i18n.locale()))
                .collect::<Vec<_>>()
                .join(" ")
        };
        view! {
            <label class="field">
                <span class="label">{move || i18n.t(label)}</span>
                <textarea rows="5" class="mono" prop:value=value.join("\n") on:input=move |ev| {
                    let codes: Vec<String> = event_target_value(&ev).lines().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect();
                    draft.update(|d| match list {
                        "reject" => d.reason_codes.reject = codes,
                        "recycle" => d.reason_codes.recycle = codes,
                        _ => d.reason_codes.lost = codes,
                    });
                }></textarea>
                <span class="field-error" role="alert">{list_errors}</span>
            </label>
        }
    };
    view! {
        <section class="card" aria-labelledby="reasons-heading">
            <h2 id="reasons-heading">{move || i18n.t("definitions.reason_codes")}</h2>
            <p class="muted small">{move || i18n.t("definitions.reason_codes_hint")}</p>
            <div class="field-row">
                {area("definitions.reasons_reject", "reject", initial.reject)}
                {area("definitions.reasons_recycle", "recycle", initial.recycle)}
                {area("definitions.reasons_lost", "lost", initial.lost)}
            </div>
        </section>
    }
}
