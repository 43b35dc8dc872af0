//! The funnel page (`/`, the home page after sign-in): filters, the part of the funnel (whole,
//! or one team's), the version lens, key figures, the funnel and trend charts (SVG rendered on
//! the server), the stage table, the breakdown by definition version, exports and printing.
//! Every filter lives in the URL, so a view can be shared.

mod charts;

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use self::charts::{FunnelChart, TrendChart};
use crate::auth::Team;
use crate::components::{AppLayout, ErrorPanel, team_key};
use crate::funnel::model::{FunnelFilter, FunnelQuery, FunnelStage, LensSource, Money};
use crate::funnel::pages::{FunnelPageData, LensChoice, funnel_page};
use crate::handoffs::views::format_money;
use crate::i18n::{Locale, tr_with, use_i18n};
use crate::leads::views::{StageBadge, format_count, tier_options};
use crate::policy::Action;
use crate::shell::use_current_user;

/// `/?from=&to=&owner_team=&source=&target_only=&tier=&country=&industry=&version=&proposal=`.
#[component]
pub fn FunnelPage() -> impl IntoView {
    view! {
        <AppLayout action=Action::UseApp title_key="funnel.title">
            <FunnelScreen />
        </AppLayout>
    }
}

#[component]
fn FunnelScreen() -> impl IntoView {
    let i18n = use_i18n();
    let url = use_query_map();
    let query = Memo::new(move |_| {
        let map = url.read();
        FunnelQuery::from_url(|name| map.get(name))
    });
    let data = Resource::new(move || query.get(), funnel_page);
    view! {
        <p class="muted intro no-print">{move || i18n.t("funnel.intro")}</p>
        <Transition fallback=move || view! { <p class="muted">{i18n.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! {
                        <ErrorPanel error />
                        <p><a href="/">{move || i18n.t("funnel.filters.reset")}</a></p>
                    }.into_any(),
                    Ok(d) => view! { <FunnelView d /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A rate as a percentage, `—` when there is none.
pub(crate) fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{:.1} %", r * 100.0))
}

/// Hours as hours (under two days) or days, in the user's language.
fn duration(hours: Option<f64>, locale: Locale) -> String {
    match hours {
        None => "—".to_owned(),
        Some(h) if h < 48.0 => tr_with(locale, "funnel.units.hours", &[("n", &format!("{h:.1}"))]),
        Some(h) => tr_with(locale, "funnel.units.days", &[("n", &format!("{:.1}", h / 24.0))]),
    }
}

fn money_list(list: &[Money], locale: Locale) -> String {
    if list.is_empty() {
        return "—".to_owned();
    }
    list.iter()
        .map(|m| format_money(m.amount, &m.currency, locale))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Sums per currency.
fn add_money(into: &mut Vec<Money>, list: &[Money]) {
    for m in list {
        match into.iter_mut().find(|t| t.currency == m.currency) {
            Some(t) => t.amount += m.amount,
            None => into.push(m.clone()),
        }
    }
}

fn count(n: u64) -> String {
    format_count(i64::try_from(n).unwrap_or(i64::MAX))
}

/// The label of a lens choice (`v2`, `Proposal #5`).
fn lens_label(kind: &str, id: i64, locale: Locale) -> String {
    let key = if kind == "proposal" {
        "funnel.lens.proposal"
    } else {
        "funnel.lens.version"
    };
    tr_with(locale, key, &[("n", &id.to_string())])
}

#[component]
fn FunnelView(d: FunnelPageData) -> impl IntoView {
    let i18n = use_i18n();
    let FunnelPageData {
        funnel,
        filter,
        lenses,
        countries,
        industries,
    } = d;
    let lens = funnel.lens.clone();
    let has_lens = lens.is_some();
    let stages = funnel.stages.clone();
    let funnel_csv = filter.to_query(true).href("/api/v1/funnel.csv");
    // The filters the numbers below answer (while new ones load, the old stay on screen).
    let shown_filter = filter.to_query(true).href("");
    let leads_csv = {
        let q = filter.to_query(false);
        crate::leads::query::LeadListQuery {
            owner_team: q.owner_team,
            target_only: filter.target_only,
            tier: q.tier,
            source: q.source,
            country: q.country,
            industry: q.industry,
            ..Default::default()
        }
        .href("/api/v1/leads.csv")
    };
    let (from, to) = (funnel.from.to_string(), funnel.to.to_string());
    let caption_from = from.clone();
    let caption_to = to.clone();
    view! {
        <Filters filter=filter.clone() countries industries />
        <div class="toolbar funnel-toolbar no-print">
            <TeamTabs filter=filter.clone() />
            <div class="exports" role="group" aria-label=move || i18n.t("funnel.export.label")>
                <a class="btn btn-secondary" href=funnel_csv download="" data-testid="funnel-csv">{move || i18n.t("funnel.export.funnel_csv")}</a>
                <a class="btn btn-secondary" href=leads_csv download="" data-testid="leads-csv">{move || i18n.t("funnel.export.leads_csv")}</a>
                <button type="button" class="btn btn-secondary" data-testid="print"
                    on:click=move |_| { let _ = window().print(); }>
                    {move || i18n.t("funnel.export.print")}
                </button>
            </div>
        </div>
        <LensChips filter=filter.clone() lenses />
        {lens.map(|l| {
            let what = if l.kind == "proposal" {
                tr_with(i18n.locale(), "funnel.lens.banner_proposal", &[("n", &l.id.to_string())])
            } else {
                tr_with(i18n.locale(), "funnel.lens.banner_version", &[("n", &l.id.to_string())])
            };
            view! {
                <div class="panel panel-info" role="status" data-testid="lens-banner">
                    <p>{move || i18n.t_with("funnel.lens.banner", &[
                        ("what", &what),
                        ("title", &l.title),
                        ("moved", &count(l.moved)),
                        ("evaluated", &count(l.evaluated)),
                        ("kept", &count(l.kept_by_people)),
                    ])}</p>
                </div>
            }
        })}
        <Kpis stages=stages.clone() />
        <TeamLink team=filter.owner_team />
        <div class="funnel-charts">
            <FunnelChart stages=stages.clone() />
            <TrendChart stages=stages.clone() weeks=funnel.weeks.clone() />
        </div>
        <section class="card funnel-table-card">
            <div class="table-wrap">
                <table class="table funnel-table" data-testid="funnel-table" data-filter=shown_filter>
                    <caption>{move || i18n.t_with("funnel.table.caption", &[("from", &caption_from), ("to", &caption_to)])}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t("funnel.table.stage")}</th>
                            {if has_lens {
                                let label = funnel.lens.as_ref().map(|l| lens_label(&l.kind, l.id, i18n.locale())).unwrap_or_default();
                                view! {
                                    <th scope="col" class="num">{move || i18n.t("funnel.table.actual_now")}</th>
                                    <th scope="col" class="num">{move || i18n.t_with("funnel.table.under_lens", &[("lens", &label)])}</th>
                                    <th scope="col" class="num">{move || i18n.t("funnel.table.delta")}</th>
                                }.into_any()
                            } else {
                                view! { <th scope="col" class="num">{move || i18n.t("funnel.table.now")}</th> }.into_any()
                            }}
                            <th scope="col" class="num">{move || i18n.t("funnel.table.entered")}</th>
                            <th scope="col" class="num">{move || i18n.t("funnel.table.converted")}</th>
                            <th scope="col" class="num">{move || i18n.t("funnel.table.step")}</th>
                            <th scope="col" class="num">{move || i18n.t("funnel.table.cumulative")}</th>
                            <th scope="col" class="num">{move || i18n.t("funnel.table.median")}</th>
                            <th scope="col" class="num">{move || i18n.t("funnel.table.recycled")}</th>
                            <th scope="col" class="num">{move || i18n.t("funnel.table.handoffs")}</th>
                            <th scope="col" class="num">{move || i18n.t("funnel.table.breaches")}</th>
                            <th scope="col" class="num">{move || i18n.t("funnel.table.revenue")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {stages.iter().cloned().map(|s| view! { <StageRow s has_lens /> }).collect_view()}
                    </tbody>
                </table>
            </div>
            <p class="muted small">{move || i18n.t("funnel.table.history_note")}</p>
        </section>
        <VersionBreakdown stages />
    }
}

#[component]
fn StageRow(s: FunnelStage, has_lens: bool) -> impl IntoView {
    let i18n = use_i18n();
    let delta = s.current as i64 - s.actual_current as i64;
    let delta_class = match delta {
        0 => "num",
        d if d > 0 => "num delta delta-up",
        _ => "num delta delta-down",
    };
    let team = s.owner_team;
    let revenue = (s.pipeline.clone(), s.expected_revenue.clone());
    let median = s.median_hours_in_stage;
    let exits = s.exits_timed;
    let breaches = s.sla_breaches;
    view! {
        <tr class=format!("team-row team-{}", team.as_str()) data-stage=s.key.clone()>
            <th scope="row">
                <StageBadge key=s.key.clone() name=s.name.clone() team=Some(team) />
                <span class="muted small block">{move || i18n.t(team_key(team))}</span>
            </th>
            {if has_lens {
                view! {
                    <td class="num" data-testid="actual-now">{count(s.actual_current)}</td>
                    <td class="num" data-testid="lens-now">{count(s.current)}</td>
                    <td class=delta_class data-testid="delta">{if delta > 0 { format!("+{delta}") } else { delta.to_string() }}</td>
                }.into_any()
            } else {
                view! { <td class="num" data-testid="now">{count(s.current)}</td> }.into_any()
            }}
            <td class="num" data-testid="entered">{count(s.entered)}</td>
            <td class="num" data-testid="converted">{count(s.converted)}</td>
            <td class="num" data-testid="step">{percent(s.conversion_rate)}</td>
            <td class="num">{percent(s.cumulative_rate)}</td>
            <td class="num nowrap" title=move || i18n.t_with("funnel.table.median_over", &[("n", &count(exits))])>
                {move || duration(median, i18n.locale())}
            </td>
            <td class="num">{count(s.recycled)}</td>
            <td class="num" data-testid="open-handoffs">{count(s.open_handoffs)}</td>
            <td class={if breaches > 0 { "num breach" } else { "num" }}>{count(breaches)}</td>
            <td class="num small">
                {match revenue {
                    (Some(pipeline), Some(expected)) => view! {
                        <span class="block">{move || money_list(&pipeline, i18n.locale())}</span>
                        <span class="block muted">{move || money_list(&expected, i18n.locale())}</span>
                    }.into_any(),
                    _ => view! { <span class="muted">"—"</span> }.into_any(),
                }}
            </td>
        </tr>
    }
}

#[component]
fn Filters(filter: FunnelFilter, countries: Vec<String>, industries: Vec<String>) -> impl IntoView {
    let i18n = use_i18n();
    let lens = filter.lens;
    let source = filter.source.clone().unwrap_or_default();
    let country = filter.country.clone().unwrap_or_default();
    let industry = filter.industry.clone().unwrap_or_default();
    view! {
        <Form method="GET" action="/" attr:class="card form filters no-print" attr:id="funnel-filters" attr:role="search"
            attr:aria-label=move || i18n.t("funnel.filters.label")>
            <label class="field">
                <span class="label">{move || i18n.t("funnel.filters.from")}</span>
                <input type="date" name="from" value=filter.from.to_string() data-testid="period-from" />
            </label>
            <label class="field">
                <span class="label">{move || i18n.t("funnel.filters.to")}</span>
                <input type="date" name="to" value=filter.to.to_string() data-testid="period-to" />
            </label>
            <label class="field">
                <span class="label">{move || i18n.t("funnel.filters.source")}</span>
                <select name="source">
                    <option value="">{move || i18n.t("funnel.filters.any_source")}</option>
                    {crate::funnel::model::SOURCES.iter().map(|s| {
                        let key = format!("funnel.filters.{s}");
                        view! { <option value=*s selected=source == *s>{move || i18n.t(&key)}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span class="label">{move || i18n.t("funnel.filters.tier")}</span>
                <select name="tier">
                    <option value="">{move || i18n.t("funnel.filters.any_tier")}</option>
                    {tier_options(filter.tier.clone())}
                </select>
            </label>
            <label class="field">
                <span class="label">{move || i18n.t("funnel.filters.country")}</span>
                <select name="country" data-testid="country">
                    <option value="">{move || i18n.t("funnel.filters.any_country")}</option>
                    {countries.into_iter().map(|c| {
                        let selected = c == country;
                        view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span class="label">{move || i18n.t("funnel.filters.industry")}</span>
                <select name="industry">
                    <option value="">{move || i18n.t("funnel.filters.any_industry")}</option>
                    {industries.into_iter().map(|c| {
                        let selected = c == industry;
                        view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="check">
                <input type="checkbox" name="target_only" value="true" checked=filter.target_only data-testid="target-only" />
                <span>{move || i18n.t("funnel.filters.target_only")}</span>
            </label>
            {filter.owner_team.map(|t| view! { <input type="hidden" name="owner_team" value=t.as_str() /> })}
            {match lens {
                Some(LensSource::Version(v)) => Some(view! { <input type="hidden" name="version" value=v.to_string() /> }.into_any()),
                Some(LensSource::Proposal(p)) => Some(view! { <input type="hidden" name="proposal" value=p.to_string() /> }.into_any()),
                None => None,
            }}
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="apply-filters">{move || i18n.t("funnel.filters.apply")}</button>
                <a href="/" class="btn btn-link">{move || i18n.t("funnel.filters.reset")}</a>
            </div>
        </Form>
    }
}

/// Whole funnel / each team's part, keeping the other filters.
#[component]
fn TeamTabs(filter: FunnelFilter) -> impl IntoView {
    let i18n = use_i18n();
    let mine = use_current_user().map(|u| u.team);
    let link = move |team: Option<Team>| {
        let mut q = filter.to_query(true);
        q.owner_team = team.map(|t| t.as_str().to_owned());
        let current = filter.owner_team == team;
        (q.href("/"), current)
    };
    let (whole_href, whole_current) = link(None);
    view! {
        <nav class="tabs" aria-label=move || i18n.t("funnel.views.label")>
            <a class="tab" href=whole_href aria-current=whole_current.then_some("page") data-testid="view-whole">{move || i18n.t("funnel.views.whole")}</a>
            {Team::ALL.into_iter().map(|t| {
                let (href, current) = link(Some(t));
                let is_mine = mine == Some(t);
                view! {
                    <a class="tab" href=href aria-current=current.then_some("page") data-testid=format!("view-{}", t.as_str())>
                        {move || i18n.t(team_key(t))}
                        {is_mine.then(|| view! { <span class="muted small">"\u{a0}·\u{a0}"{move || i18n.t("funnel.views.mine")}</span> })}
                    </a>
                }
            }).collect_view()}
        </nav>
    }
}

/// Actual / each published version / each open proposal, keeping the filters.
#[component]
fn LensChips(filter: FunnelFilter, lenses: Vec<LensChoice>) -> impl IntoView {
    let i18n = use_i18n();
    let href = |lens: Option<LensSource>| {
        let f = FunnelFilter {
            lens,
            ..filter.clone()
        };
        f.to_query(true).href("/")
    };
    let actual = href(None);
    let chosen = filter.lens;
    view! {
        <nav class="lens-chips no-print" aria-label=move || i18n.t("funnel.lens.label") data-testid="lens">
            <span class="label">{move || i18n.t("funnel.lens.label")}</span>
            <a class="chip" href=actual aria-current=chosen.is_none().then_some("page")>{move || i18n.t("funnel.lens.actual")}</a>
            {lenses.into_iter().map(|l| {
                let source = if l.kind == "proposal" { LensSource::Proposal(l.id) } else { LensSource::Version(l.id) };
                let (kind, id) = (l.kind.clone(), l.id);
                view! {
                    <a class="chip" href=href(Some(source)) title=l.title.clone()
                        aria-current=(chosen == Some(source)).then_some("page")
                        data-lens=format!("{}-{}", l.kind, l.id)>
                        {move || lens_label(&kind, id, i18n.locale())}
                    </a>
                }
            }).collect_view()}
            <span class="muted small">{move || i18n.t("funnel.lens.hint")}</span>
        </nav>
    }
}

#[component]
fn Kpis(stages: Vec<FunnelStage>) -> impl IntoView {
    let i18n = use_i18n();
    let now: u64 = stages.iter().map(|s| s.current).sum();
    let first = stages.first().map(|s| (s.name.clone(), s.entered));
    let open: u64 = stages.iter().map(|s| s.open_handoffs).sum();
    let breaches: u64 = stages.iter().map(|s| s.sla_breaches).sum();
    let mut expected = Vec::new();
    let mut pipeline = Vec::new();
    for s in &stages {
        add_money(&mut expected, s.expected_revenue.as_deref().unwrap_or_default());
        add_money(&mut pipeline, s.pipeline.as_deref().unwrap_or_default());
    }
    let sales = stages.iter().any(|s| s.expected_revenue.is_some());
    view! {
        <section class="kpis" data-testid="kpis">
            <div class="kpi card">
                <span class="kpi-value" data-testid="kpi-now">{count(now)}</span>
                <span class="kpi-label">{move || i18n.t("funnel.kpi.in_funnel")}</span>
            </div>
            {first.map(|(name, entered)| view! {
                <div class="kpi card">
                    <span class="kpi-value">{count(entered)}</span>
                    <span class="kpi-label">{move || i18n.t_with("funnel.kpi.entered", &[("stage", &name)])}</span>
                </div>
            })}
            <div class="kpi card">
                <span class="kpi-value">{count(open)}</span>
                <span class="kpi-label">{move || i18n.t("funnel.kpi.open_handoffs")}</span>
            </div>
            <div class={if breaches > 0 { "kpi card kpi-alert" } else { "kpi card" }}>
                <span class="kpi-value">{count(breaches)}</span>
                <span class="kpi-label">{move || i18n.t("funnel.kpi.breaches")}</span>
            </div>
            {sales.then(|| view! {
                <div class="kpi card">
                    <span class="kpi-value kpi-money" data-testid="kpi-expected">{move || money_list(&expected, i18n.locale())}</span>
                    <span class="kpi-label">{move || i18n.t("funnel.kpi.expected")}</span>
                    <span class="kpi-label muted">{move || i18n.t_with("funnel.kpi.pipeline", &[("amount", &money_list(&pipeline, i18n.locale()))])}</span>
                </div>
            })}
        </section>
    }
}

/// Where a team's view leads next: its queue, its board, its waiting leads.
#[component]
fn TeamLink(team: Option<Team>) -> impl IntoView {
    let i18n = use_i18n();
    team.map(|t| {
        let href = match t {
            Team::Marketing => "/leads?stage=mql",
            Team::Sdr => "/handoffs",
            Team::Sales => "/opportunities",
        };
        let key = format!("funnel.team_links.{}", t.as_str());
        view! { <p class="no-print"><a href=href data-testid="team-link">{move || i18n.t(&key)}" →"</a></p> }
    })
}

#[component]
fn VersionBreakdown(stages: Vec<FunnelStage>) -> impl IntoView {
    let i18n = use_i18n();
    let any = stages.iter().any(|s| !s.by_version.is_empty());
    view! {
        <section class="card" data-testid="by-version">
            <h2>{move || i18n.t("funnel.versions.title")}</h2>
            {if any {
                view! {
                    <table class="table">
                        <thead><tr>
                            <th scope="col">{move || i18n.t("funnel.versions.stage")}</th>
                            <th scope="col">""</th>
                        </tr></thead>
                        <tbody>
                            {stages.into_iter().map(|s| {
                                let parts = s.by_version.clone();
                                view! {
                                    <tr>
                                        <th scope="row"><StageBadge key=s.key.clone() name=s.name.clone() team=Some(s.owner_team) /></th>
                                        <td>
                                            {parts.into_iter().map(|v| view! {
                                                <span class="chip static">{move || i18n.t_with("funnel.versions.version", &[
                                                    ("n", &v.version.to_string()),
                                                    ("entered", &count(v.entered)),
                                                    ("converted", &count(v.converted)),
                                                ])}</span>
                                            }).collect_view()}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            } else {
                view! { <p class="muted">{move || i18n.t("funnel.versions.none")}</p> }.into_any()
            }}
        </section>
    }
}
