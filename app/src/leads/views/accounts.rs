//! Accounts: the list (search, ABM target and tier, roll-up stage, contacts) and one account
//! with its contacts grouped by stage.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{Pager, StageBadge, format_count, format_time, person_name, stage_badge, tier_options};
use crate::components::{AppLayout, ErrorPanel};
use crate::i18n::{Locale, tr, tr_with, use_i18n};
use crate::leads::api::{AccountPageData, AccountsPageData, account_page, accounts_page};
use crate::leads::query::AccountListQuery;
use crate::policy::Action;

/// "Target · Tier 1" / "ターゲット · ティア 1", or "No".
pub fn target_text(is_target: bool, tier: Option<&str>, locale: Locale) -> String {
    match (is_target, tier) {
        (false, _) => tr(locale, "common.no"),
        (true, None) => tr(locale, "leads.accounts.is_target"),
        (true, Some(tier)) => tr_with(locale, "leads.accounts.target_tier", &[("tier", tier)]),
    }
}

/// `/accounts?q=&target_only=&tier=&page=`.
#[component]
pub fn AccountsPage() -> impl IntoView {
    view! {
        <AppLayout action=Action::UseApp title_key="leads.accounts.title">
            <AccountsContent />
        </AppLayout>
    }
}

#[component]
fn AccountsContent() -> impl IntoView {
    let i18n = use_i18n();
    let url = use_query_map();
    let query = Memo::new(move |_| {
        let map = url.read();
        AccountListQuery::from_url(|name| map.get(name))
    });
    let data = Resource::new(move || query.get(), accounts_page);
    view! {
        <Transition fallback=move || view! { <p class="muted">{i18n.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                let q = query.get_untracked();
                match data.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(d) => view! { <AccountFilters q=q.clone() /> <AccountsTable q d /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AccountFilters(q: AccountListQuery) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Form method="GET" action="/accounts" attr:class="card form filters" attr:id="account-filters" attr:role="search">
            <label class="field grow">
                <span class="label">{move || i18n.t("leads.list.search")}</span>
                <input type="search" name="q" value=q.q.clone().unwrap_or_default()
                    placeholder=move || i18n.t("leads.accounts.search_hint") />
            </label>
            <label class="field">
                <span class="label">{move || i18n.t("fields.tier")}</span>
                <select name="tier">
                    <option value="">{move || i18n.t("leads.list.any_tier")}</option>
                    {tier_options(q.tier.clone())}
                </select>
            </label>
            <label class="check">
                <input type="checkbox" name="target_only" value="true" checked=q.target_only />
                {move || i18n.t("leads.list.target_only")}
            </label>
            <div class="form-actions">
                <button type="submit" class="btn btn-secondary">{move || i18n.t("leads.list.apply")}</button>
                <a href="/accounts" class="btn-link">{move || i18n.t("leads.list.clear")}</a>
            </div>
        </Form>
    }
}

#[component]
fn AccountsTable(q: AccountListQuery, d: AccountsPageData) -> impl IntoView {
    let i18n = use_i18n();
    if d.items.is_empty() {
        return view! {
            <section class="card">
                <p class="empty">{move || i18n.t("leads.accounts.empty")}" "<a href="/accounts">{move || i18n.t("leads.list.clear")}</a></p>
            </section>
        }
        .into_any();
    }
    let page = q.page();
    let href = Callback::new(move |p: i64| q.at_page(p).href("/accounts"));
    let stages = d.stages.clone();
    let total = d.total;
    view! {
        <section class="card">
            <p class="muted small list-count">{move || i18n.t_with("leads.accounts.total", &[("count", &format_count(total))])}</p>
            <div class="table-wrap">
                <table class="table" id="accounts-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t("fields.name")}</th>
                            <th scope="col">{move || i18n.t("fields.domain")}</th>
                            <th scope="col" class="num">{move || i18n.t("fields.employees")}</th>
                            <th scope="col">{move || i18n.t("fields.industry")}</th>
                            <th scope="col">{move || i18n.t("leads.accounts.target")}</th>
                            <th scope="col">{move || i18n.t("leads.accounts.rollup")}</th>
                            <th scope="col" class="num">{move || i18n.t("leads.accounts.contacts")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {d.items.into_iter().map(|a| {
                            let tier = a.tier.clone();
                            let target = a.is_target;
                            view! {
                                <tr data-account-id=a.id>
                                    <td><a href=format!("/accounts/{}", a.id)>{a.name.clone()}</a></td>
                                    <td class="mono">{a.domain.clone()}</td>
                                    <td class="num">{a.employees.map_or_else(|| "—".into(), format_count)}</td>
                                    <td>{a.industry.clone().unwrap_or_else(|| "—".into())}</td>
                                    <td>{move || target.then(|| view! {
                                        <span class="badge target-badge">{target_text(true, tier.as_deref(), i18n.locale())}</span>
                                    })}</td>
                                    <td>{a.stage.clone().map(|s| stage_badge(&stages, &s))}</td>
                                    <td class="num"><a href=format!("/leads?account={}", a.id)>{format_count(a.leads)}</a></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <Pager total page per_page=d.per_page href />
        </section>
    }
    .into_any()
}

/// `/accounts/:id`.
#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <AppLayout action=Action::UseApp title_key="leads.accounts.detail_title">
            <AccountScreen />
        </AppLayout>
    }
}

#[component]
fn AccountScreen() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let data = Resource::new(id, account_page);
    view! {
        <Transition fallback=move || view! { <p class="muted">{i18n.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(d) => view! { <AccountView d /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AccountView(d: AccountPageData) -> impl IntoView {
    let i18n = use_i18n();
    let a = d.account;
    let id = a.id;
    let tier = a.tier.clone();
    let target = a.is_target;
    let count = a.leads;
    view! {
        <div class="toolbar">
            <div>
                <h2 data-testid="account-name">{a.name.clone()}</h2>
                <p class="muted"><span class="mono">{a.domain.clone()}</span></p>
            </div>
            <a class="btn btn-secondary" href=format!("/leads?account={id}")>{move || i18n.t("leads.accounts.open_in_list")}</a>
        </div>
        <div class="grid-2">
            <div>
                {if d.groups.is_empty() {
                    view! { <section class="card"><p class="empty">{move || i18n.t("leads.accounts.no_contacts")}</p></section> }.into_any()
                } else {
                    d.groups.into_iter().map(|g| {
                        let n = g.leads.len().to_string();
                        view! {
                            <section class="card stage-group" data-stage=g.key.clone()>
                                <h2 class="stage-group-head">
                                    <StageBadge key=g.key.clone() name=g.name.clone() team=g.owner_team />
                                    <span class="muted small">{move || i18n.t_with("leads.accounts.contact_count", &[("count", &n)])}</span>
                                </h2>
                                <table class="table compact">
                                    <thead>
                                        <tr>
                                            <th scope="col">{move || i18n.t("fields.email")}</th>
                                            <th scope="col">{move || i18n.t("fields.name")}</th>
                                            <th scope="col">{move || i18n.t("fields.job_title")}</th>
                                            <th scope="col" class="num">{move || i18n.t("leads.fields.score")}</th>
                                            <th scope="col">{move || i18n.t("leads.fields.entered")}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {g.leads.into_iter().map(|l| {
                                            let entered = l.stage_entered_at;
                                            view! {
                                                <tr data-lead-id=l.id>
                                                    <td class="mono"><a href=format!("/leads/{}", l.id)>{l.email.clone()}</a></td>
                                                    <td>{person_name(&l).unwrap_or_else(|| "—".into())}</td>
                                                    <td>{l.job_title.clone().unwrap_or_else(|| "—".into())}</td>
                                                    <td class="num">{l.score}</td>
                                                    <td class="nowrap">{move || format_time(entered, i18n.locale())}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </section>
                        }
                    }).collect_view().into_any()
                }}
            </div>
            <div>
                <section class="card" aria-labelledby="account-facts-heading">
                    <h2 id="account-facts-heading">{move || i18n.t("leads.detail.facts")}</h2>
                    <dl class="facts" data-testid="account-facts">
                        <dt>{move || i18n.t("leads.accounts.rollup")}</dt>
                        <dd data-testid="account-rollup">{a.stage.clone().map(|s| stage_badge(&d.stages, &s))}</dd>
                        <dt>{move || i18n.t("fields.domain")}</dt>
                        <dd class="mono">{a.domain.clone()}</dd>
                        <dt>{move || i18n.t("fields.employees")}</dt>
                        <dd>{a.employees.map_or_else(|| "—".into(), format_count)}</dd>
                        <dt>{move || i18n.t("fields.industry")}</dt>
                        <dd>{a.industry.clone().unwrap_or_else(|| "—".into())}</dd>
                        <dt>{move || i18n.t("fields.country")}</dt>
                        <dd>{a.country.clone().unwrap_or_else(|| "—".into())}</dd>
                        <dt>{move || i18n.t("fields.annual_revenue")}</dt>
                        <dd>{a.annual_revenue.map_or_else(|| "—".into(), |r| format_count(r.round() as i64))}</dd>
                        <dt>{move || i18n.t("leads.accounts.target")}</dt>
                        <dd>{move || target_text(target, tier.as_deref(), i18n.locale())}</dd>
                        <dt>{move || i18n.t("leads.accounts.contacts")}</dt>
                        <dd>{format_count(count)}</dd>
                    </dl>
                </section>
            </div>
        </div>
    }
}
