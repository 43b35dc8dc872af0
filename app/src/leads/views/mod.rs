//! Screens of the leads domain: the lead list, one lead, the account list and one account;
//! plus the small pieces they share (stage badges, dates, the pager).

mod accounts;
mod detail;
mod detail_parts;
mod list;

pub use accounts::{AccountPage, AccountsPage};
pub use detail::{FactsCard, LeadPage};
pub use detail_parts::{ActivityTimeline, CriteriaReport, History, ScoreCard};
pub use list::LeadsPage;

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use super::model::Lead;
use super::query::page_count;
use super::report::StageInfo;
use crate::auth::Team;
use crate::i18n::{Locale, tr, use_i18n};

/// A stage's badge in its owner team's colour, with the stage's name (colour never alone).
#[component]
pub fn StageBadge(
    /// Stage key.
    #[prop(into)]
    key: String,
    /// Display name.
    #[prop(into)]
    name: String,
    /// Owner team (`None` for a stage the definition no longer has).
    team: Option<Team>,
) -> impl IntoView {
    let class = match team {
        Some(team) => format!("badge stage-badge team-{}", team.as_str()),
        None => "badge stage-badge".to_owned(),
    };
    view! { <span class=class data-stage=key>{name}</span> }
}

/// The badge of the stage with this key, looked up in `stages`.
pub fn stage_badge(stages: &[StageInfo], key: &str) -> impl IntoView + use<> {
    let info = stages.iter().find(|s| s.key == key);
    let name = info.map_or_else(|| key.to_owned(), |s| s.name.clone());
    view! { <StageBadge key=key.to_owned() name team=info.map(|s| s.owner_team) /> }
}

/// A time in the user's language: `2026-11-02 09:00 UTC` / `2026年11月2日 09:00 UTC`.
pub fn format_time(at: DateTime<Utc>, locale: Locale) -> String {
    at.format(&tr(locale, "leads.time_format")).to_string()
}

/// A count grouped by thousands (`12,500`).
pub fn format_count(n: i64) -> String {
    crate::definitions::describe::format_number(&serde_json::Number::from(n))
}

/// "First Last", or nothing when neither is known.
pub fn person_name(lead: &Lead) -> Option<String> {
    let parts: Vec<&str> = [lead.first_name.as_deref(), lead.last_name.as_deref()]
        .into_iter()
        .flatten()
        .filter(|p| !p.trim().is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// "1–50 of 123" with previous and next links (plain links: they work before hydration and
/// keep every filter of the URL).
#[component]
pub fn Pager(
    /// Rows matching.
    total: i64,
    /// This page, from 1.
    page: i64,
    /// Rows per page.
    per_page: i64,
    /// Builds the link to a page.
    href: Callback<i64, String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let pages = page_count(total, per_page);
    let first = if total == 0 { 0 } else { (page - 1) * per_page + 1 };
    let last = (page * per_page).min(total);
    let prev = (page > 1).then(|| href.run(page - 1));
    let next = (page < pages).then(|| href.run(page + 1));
    view! {
        <nav class="pager" aria-label=move || i18n.t("leads.pager.label") data-testid="pager">
            <span class="pager-status" data-testid="pager-status">
                {move || i18n.t_with("leads.pager.status", &[
                    ("first", &format_count(first)),
                    ("last", &format_count(last)),
                    ("total", &format_count(total)),
                ])}
            </span>
            <span class="pager-links">
                {match prev {
                    Some(href) => view! { <a class="btn btn-secondary" href=href rel="prev" data-testid="pager-prev">{move || i18n.t("leads.pager.prev")}</a> }.into_any(),
                    None => view! { <span class="btn btn-secondary" aria-disabled="true">{move || i18n.t("leads.pager.prev")}</span> }.into_any(),
                }}
                <span class="pager-page">{move || i18n.t_with("leads.pager.page", &[("page", &page.to_string()), ("pages", &pages.to_string())])}</span>
                {match next {
                    Some(href) => view! { <a class="btn btn-secondary" href=href rel="next" data-testid="pager-next">{move || i18n.t("leads.pager.next")}</a> }.into_any(),
                    None => view! { <span class="btn btn-secondary" aria-disabled="true">{move || i18n.t("leads.pager.next")}</span> }.into_any(),
                }}
            </span>
        </nav>
    }
}

/// `<option>`s for the ABM tiers, `selected` marking the chosen one.
pub fn tier_options(selected: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    crate::definitions::criteria::TIERS
        .iter()
        .map(|t| {
            let chosen = selected.as_deref() == Some(*t);
            view! {
                <option value=*t selected=chosen>
                    {move || crate::definitions::describe::choice_label("account.tier", t, i18n.locale())}
                </option>
            }
        })
        .collect_view()
}
