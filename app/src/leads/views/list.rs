//! The lead list: filters, sortable columns and pages, all in the URL so a view can be shared
//! and survives a reload.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use super::{Pager, format_count, format_time, person_name, stage_badge, tier_options};
use crate::auth::Team;
use crate::components::AppLayout;
use crate::components::{ErrorPanel, team_key};
use crate::i18n::use_i18n;
use crate::leads::api::{LeadsPageData, leads_page};
use crate::leads::query::{LeadListQuery, LeadSort, SortDir};
use crate::policy::Action;

/// `/leads?stage=&owner_team=&account=&q=&target_only=&tier=&sort=&dir=&page=`.
#[component]
pub fn LeadsPage() -> impl IntoView {
    view! {
        <AppLayout action=Action::UseApp title_key="leads.list.title">
            <LeadsContent />
        </AppLayout>
    }
}

#[component]
fn LeadsContent() -> impl IntoView {
    let i18n = use_i18n();
    let url = use_query_map();
    let query = Memo::new(move |_| {
        let map = url.read();
        LeadListQuery::from_url(|name| map.get(name))
    });
    let data = Resource::new(move || query.get(), leads_page);
    view! {
        <Transition fallback=move || view! { <p class="muted">{i18n.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                let q = query.get_untracked();
                match data.await {
                    Err(error) => view! {
                        <ErrorPanel error />
                        <p><a href="/leads">{move || i18n.t("leads.list.clear")}</a></p>
                    }.into_any(),
                    Ok(d) => view! { <Filters q=q.clone() d=d.clone() /> <Results q d /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Filters(q: LeadListQuery, d: LeadsPageData) -> impl IntoView {
    let i18n = use_i18n();
    let stage = q.stage.clone().unwrap_or_default();
    let team = q.owner_team.clone().unwrap_or_default();
    let account = q.account;
    view! {
        <Form method="GET" action="/leads" attr:class="card form filters" attr:id="lead-filters" attr:role="search">
            <label class="field grow">
                <span class="label">{move || i18n.t("leads.list.search")}</span>
                <input type="search" name="q" value=q.q.clone().unwrap_or_default()
                    placeholder=move || i18n.t("leads.list.search_hint") />
            </label>
            <label class="field">
                <span class="label">{move || i18n.t("fields.stage")}</span>
                <select name="stage">
                    <option value="">{move || i18n.t("leads.list.any_stage")}</option>
                    {d.stages.iter().map(|s| {
                        let selected = s.key == stage;
                        view! { <option value=s.key.clone() selected=selected>{s.name.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span class="label">{move || i18n.t("fields.owner_team")}</span>
                <select name="owner_team">
                    <option value="">{move || i18n.t("leads.list.any_team")}</option>
                    {Team::ALL.into_iter().map(|t| view! {
                        <option value=t.as_str() selected=team == t.as_str()>{move || i18n.t(team_key(t))}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span class="label">{move || i18n.t("leads.fields.account")}</span>
                <select name="account">
                    <option value="">{move || i18n.t("leads.list.any_account")}</option>
                    {d.accounts.iter().map(|a| view! {
                        <option value=a.id selected=account == Some(a.id)>{a.name.clone()}</option>
                    }).collect_view()}
                </select>
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
            {q.sort.clone().map(|s| view! { <input type="hidden" name="sort" value=s /> })}
            {q.dir.clone().map(|s| view! { <input type="hidden" name="dir" value=s /> })}
            <div class="form-actions">
                <button type="submit" class="btn btn-secondary" data-testid="apply-filters">{move || i18n.t("leads.list.apply")}</button>
                <a href="/leads" class="btn-link">{move || i18n.t("leads.list.clear")}</a>
            </div>
        </Form>
    }
}

#[component]
fn Results(q: LeadListQuery, d: LeadsPageData) -> impl IntoView {
    let i18n = use_i18n();
    let page = q.page();
    let pager_q = q.clone();
    let href = Callback::new(move |p: i64| pager_q.at_page(p).href("/leads"));
    let total = d.total;
    if d.items.is_empty() {
        return view! {
            <section class="card">
                <p class="empty" data-testid="leads-empty">
                    {move || i18n.t("leads.list.empty")}" "
                    <a href="/leads">{move || i18n.t("leads.list.clear")}</a>
                </p>
            </section>
        }
        .into_any();
    }
    let stages = d.stages.clone();
    let header = move |column: LeadSort, key: &'static str, numeric: bool| {
        let sorted = q.sort() == Some(column);
        let dir = q.dir();
        let aria = match (sorted, dir) {
            (false, _) => "none",
            (true, SortDir::Asc) => "ascending",
            (true, SortDir::Desc) => "descending",
        };
        let arrow = match (sorted, dir) {
            (false, _) => "",
            (true, SortDir::Asc) => " ▲",
            (true, SortDir::Desc) => " ▼",
        };
        let href = q.sorted_by(column).href("/leads");
        view! {
            <th scope="col" aria-sort=aria class=if numeric { "num sortable" } else { "sortable" }>
                <a href=href data-sort=column.as_str()>{move || i18n.t(key)}{arrow}</a>
            </th>
        }
    };
    view! {
        <section class="card">
            <p class="muted small list-count" data-testid="lead-total">
                {move || i18n.t_with("leads.list.total", &[("count", &format_count(total))])}
            </p>
            <div class="table-wrap">
                <table class="table" id="leads-table">
                    <thead>
                        <tr>
                            {header(LeadSort::Email, "fields.email", false)}
                            {header(LeadSort::Name, "fields.name", false)}
                            {header(LeadSort::Account, "leads.fields.account", false)}
                            {header(LeadSort::Stage, "fields.stage", false)}
                            {header(LeadSort::Score, "leads.fields.score", true)}
                            {header(LeadSort::Updated, "leads.fields.updated", false)}
                        </tr>
                    </thead>
                    <tbody>
                        {d.items.into_iter().map(|lead| {
                            let updated = lead.updated_at;
                            view! {
                                <tr data-lead-id=lead.id data-stage=lead.stage.clone() data-score=lead.score>
                                    <td class="mono"><a href=format!("/leads/{}", lead.id)>{lead.email.clone()}</a></td>
                                    <td>{person_name(&lead).unwrap_or_else(|| "—".into())}</td>
                                    <td>{lead.account.clone().map(|a| view! { <a href=format!("/accounts/{}", a.id)>{a.name}</a> })}</td>
                                    <td>{stage_badge(&stages, &lead.stage)}</td>
                                    <td class="num">{lead.score}</td>
                                    <td class="nowrap">{move || format_time(updated, i18n.locale())}</td>
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
