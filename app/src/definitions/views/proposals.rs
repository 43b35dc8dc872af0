//! The proposals list.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::{AppLayout, ErrorPanel};
use crate::definitions::api::list_proposals;
use crate::definitions::proposal::ProposalStatus;
use crate::i18n::use_i18n;
use crate::policy::Action;

/// The translation key of a proposal status.
pub fn status_key(status: ProposalStatus) -> &'static str {
    match status {
        ProposalStatus::Open => "proposals.status.open",
        ProposalStatus::Rejected => "proposals.status.rejected",
        ProposalStatus::Published => "proposals.status.published",
        ProposalStatus::Withdrawn => "proposals.status.withdrawn",
    }
}

/// `/proposals?status=open`.
#[component]
pub fn ProposalsPage() -> impl IntoView {
    view! {
        <AppLayout action=Action::UseApp title_key="proposals.title">
            <ProposalsContent />
        </AppLayout>
    }
}

#[component]
fn ProposalsContent() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let status = move || query.read().get("status").unwrap_or_default();
    let list = Resource::new(status, |s| list_proposals(Some(s)));
    let tabs = [
        ("", "proposals.all"),
        ("open", "proposals.status.open"),
        ("published", "proposals.status.published"),
        ("rejected", "proposals.status.rejected"),
        ("withdrawn", "proposals.status.withdrawn"),
    ];
    view! {
        <div class="toolbar">
            <nav class="tabs" aria-label=move || i18n.t("proposals.filter")>
                {tabs
                    .into_iter()
                    .map(|(value, key)| {
                        let href = if value.is_empty() { "/proposals".to_owned() } else { format!("/proposals?status={value}") };
                        view! {
                            <a href=href class="tab" aria-current=move || (status() == value).then_some("page")>
                                {move || i18n.t(key)}
                            </a>
                        }
                    })
                    .collect_view()}
            </nav>
            <a class="btn btn-primary" href="/proposals/new" data-testid="new-proposal">{move || i18n.t("proposals.new")}</a>
        </div>
        <section class="card">
            <Transition fallback=move || view! { <p class="muted">{i18n.t("common.loading")}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        Ok(items) if items.is_empty() => view! { <p class="empty">{move || i18n.t("proposals.empty")}</p> }.into_any(),
                        Ok(items) => view! {
                            <table class="table" id="proposals-table">
                                <thead>
                                    <tr>
                                        <th scope="col">"#"</th>
                                        <th scope="col">{move || i18n.t("fields.title")}</th>
                                        <th scope="col">{move || i18n.t("proposals.status_label")}</th>
                                        <th scope="col">{move || i18n.t("proposals.author")}</th>
                                        <th scope="col">{move || i18n.t("proposals.base")}</th>
                                        <th scope="col">{move || i18n.t("proposals.updated")}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {items.into_iter().map(|p| {
                                        let status = p.status;
                                        view! {
                                            <tr>
                                                <td class="num">{p.id}</td>
                                                <td><a href=format!("/proposals/{}", p.id)>{p.title.clone()}</a></td>
                                                <td><span class=format!("badge status-{}", status.as_str())>{move || i18n.t(status_key(status))}</span></td>
                                                <td>{p.author.name.clone()}</td>
                                                <td>{format!("v{} · r{}", p.base_version, p.revision)}</td>
                                                <td>{p.updated_at.format("%Y-%m-%d %H:%M").to_string()}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
