//! The definitions page: the current (or a chosen) version as a table, the version history
//! with who proposed, approved and published each change, a diff between any two versions,
//! and (for admins) which teams must approve.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use super::diff_list::DiffList;
use super::table::DefinitionTable;
use crate::auth::Team;
use crate::components::{ActionError, AppLayout, ErrorPanel, team_key};
use crate::definitions::api::{SetApprovalPolicy, definitions_overview, version_diff};
use crate::definitions::proposal::{ApprovalPolicy, VersionSummary};
use crate::i18n::use_i18n;
use crate::policy::Action;

/// `/definitions?version=N&a=A&b=B`.
#[component]
pub fn DefinitionsPage() -> impl IntoView {
    view! {
        <AppLayout action=Action::UseApp title_key="definitions.title">
            <DefinitionsContent />
        </AppLayout>
    }
}

fn query_i64(value: Option<String>) -> Option<i64> {
    value.and_then(|v| v.parse().ok()).filter(|n: &i64| *n > 0)
}

#[component]
fn DefinitionsContent() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let shown = move || query_i64(query.read().get("version"));
    let overview = Resource::new(shown, definitions_overview);
    view! {
        <Transition fallback=move || view! { <p class="muted">{i18n.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(o) => {
                        let shown_version = o.shown.version;
                        let is_current = o.shown.current;
                        let published = o.shown.published_at.format("%Y-%m-%d %H:%M UTC").to_string();
                        let by = o.shown.published_by.as_ref().map(|u| u.name.clone());
                        let title = o.shown.title.clone();
                        view! {
                            <div class="toolbar">
                                <div>
                                    <h2 class="version-heading">
                                        {move || i18n.t_with("definitions.version_n", &[("n", &shown_version.to_string())])}
                                        {is_current.then(|| view! { <span class="badge status-current">{move || i18n.t("definitions.current")}</span> })}
                                    </h2>
                                    <p class="muted">
                                        {title.clone()}" · "{published.clone()}
                                        {by.clone().map(|n| format!(" · {n}"))}
                                    </p>
                                </div>
                                <a class="btn btn-primary" href="/proposals/new" data-testid="new-proposal">
                                    {move || i18n.t("proposals.new")}
                                </a>
                            </div>
                            <section class="card">
                                <DefinitionTable definition=o.shown.definition.clone() />
                            </section>
                            <div class="grid-2">
                                <History versions=o.versions.clone() current=o.current />
                                <div>
                                    <DiffPicker versions=o.versions.clone() />
                                    {o.can_set_policy.then(|| view! { <PolicyCard policy=o.policy.clone() /> })}
                                    {(!o.can_set_policy).then(|| view! { <PolicySummary policy=o.policy.clone() /> })}
                                </div>
                            </div>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
        <DiffSection />
    }
}

#[component]
fn History(versions: Vec<VersionSummary>, current: i64) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="history-heading">
            <h2 id="history-heading">{move || i18n.t("definitions.history")}</h2>
            <table class="table" id="history-table">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t("definitions.version")}</th>
                        <th scope="col">{move || i18n.t("fields.title")}</th>
                        <th scope="col">{move || i18n.t("definitions.published")}</th>
                        <th scope="col">{move || i18n.t("definitions.approvers")}</th>
                    </tr>
                </thead>
                <tbody>
                    {versions
                        .into_iter()
                        .map(|v| {
                            let n = v.version;
                            let approvers = v.approvers.iter().map(|u| u.name.clone()).collect::<Vec<_>>().join(", ");
                            let prev = (n > 1).then(|| format!("/definitions?a={}&b={n}", n - 1));
                            view! {
                                <tr>
                                    <td>
                                        <a href=format!("/definitions?version={n}")>{format!("v{n}")}</a>
                                        {(n == current).then(|| view! { <span class="badge status-current">{move || i18n.t("definitions.current")}</span> })}
                                    </td>
                                    <td>
                                        <div>{v.title.clone()}</div>
                                        <div class="muted small">{v.rationale.clone()}</div>
                                        {v.proposal_id.map(|p| view! { <a class="small" href=format!("/proposals/{p}")>{move || i18n.t_with("proposals.number", &[("id", &p.to_string())])}</a> })}
                                    </td>
                                    <td>
                                        <div>{v.published_at.format("%Y-%m-%d %H:%M").to_string()}</div>
                                        <div class="muted small">{v.published_by.as_ref().map(|u| u.name.clone()).unwrap_or_else(|| i18n.t("definitions.system"))}</div>
                                    </td>
                                    <td>
                                        <div>{approvers}</div>
                                        {prev.map(|href| view! { <a class="small" href=href>{move || i18n.t("definitions.diff_with_previous")}</a> })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn DiffPicker(versions: Vec<VersionSummary>) -> impl IntoView {
    let i18n = use_i18n();
    let numbers: Vec<i64> = versions.iter().map(|v| v.version).collect();
    let newest = numbers.first().copied().unwrap_or(1);
    let query = use_query_map();
    let a0 = query_i64(query.read_untracked().get("a")).unwrap_or((newest - 1).max(1));
    let b0 = query_i64(query.read_untracked().get("b")).unwrap_or(newest);
    let options = move |selected: i64| {
        numbers
            .iter()
            .map(|n| view! { <option value=n.to_string() selected=*n == selected>{format!("v{n}")}</option> })
            .collect_view()
    };
    view! {
        <section class="card" aria-labelledby="diff-heading">
            <h2 id="diff-heading">{move || i18n.t("definitions.compare")}</h2>
            <Form method="GET" action="/definitions" attr:class="form inline-form" attr:id="diff-form">
                <label class="field">
                    <span class="label">{move || i18n.t("definitions.from_version")}</span>
                    <select name="a">{options.clone()(a0)}</select>
                </label>
                <label class="field">
                    <span class="label">{move || i18n.t("definitions.to_version")}</span>
                    <select name="b">{options(b0)}</select>
                </label>
                <button type="submit" class="btn btn-secondary">{move || i18n.t("definitions.compare_button")}</button>
            </Form>
        </section>
    }
}

#[component]
fn DiffSection() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let pair = move || {
        let q = query.read();
        Some((query_i64(q.get("a"))?, query_i64(q.get("b"))?))
    };
    let diff = Resource::new(pair, |pair| async move {
        match pair {
            Some((a, b)) => version_diff(a, b).await.map(Some),
            None => Ok(None),
        }
    });
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match diff.await {
                    Ok(None) => ().into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(Some(d)) => {
                        let heading = (d.before.version, d.after.version);
                        view! {
                            <section class="card" id="version-diff" aria-labelledby="version-diff-heading">
                                <h2 id="version-diff-heading">
                                    {move || i18n.t_with("definitions.diff_heading", &[("a", &heading.0.to_string()), ("b", &heading.1.to_string())])}
                                </h2>
                                <DiffList changes=d.changes.clone() before=d.before.definition.clone() after=d.after.definition.clone() />
                            </section>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn PolicySummary(policy: ApprovalPolicy) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card">
            <h2>{move || i18n.t("definitions.policy")}</h2>
            <p>
                {move || {
                    let names: Vec<String> = policy.teams.iter().map(|t| i18n.t(team_key(*t))).collect();
                    i18n.t_with("definitions.policy_text", &[("teams", &names.join(", "))])
                }}
            </p>
        </section>
    }
}

#[component]
fn PolicyCard(policy: ApprovalPolicy) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SetApprovalPolicy>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let saved = move || action.value().get().and_then(Result::ok);
    view! {
        <section class="card" aria-labelledby="policy-heading">
            <h2 id="policy-heading">{move || i18n.t("definitions.policy")}</h2>
            <p class="muted small">{move || i18n.t("definitions.policy_hint")}</p>
            <ActionForm action attr:id="policy-form" attr:class="form">
                <fieldset class="checks">
                    <legend class="label">{move || i18n.t("fields.teams")}</legend>
                    {Team::ALL
                        .into_iter()
                        .map(|t| {
                            view! {
                                <label class="check">
                                    <input type="checkbox" name=t.as_str() value="on" checked=policy.teams.contains(&t) />
                                    {move || i18n.t(team_key(t))}
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <ActionError error />
                {move || saved().map(|_| view! { <p class="form-success" role="status">{i18n.t("definitions.policy_saved")}</p> })}
                <button type="submit" class="btn btn-secondary">{move || i18n.t("common.save")}</button>
            </ActionForm>
        </section>
    }
}
