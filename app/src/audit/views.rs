//! The audit page: every recorded change, newest first, and whether the hash chain is intact.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::{AppLayout, ErrorPanel};
use crate::definitions::api::audit_overview;
use crate::i18n::use_i18n;
use crate::policy::Action;

/// `/audit?entity=proposal`.
#[component]
pub fn AuditPage() -> impl IntoView {
    view! {
        <AppLayout action=Action::UseApp title_key="audit.title">
            <AuditContent />
        </AppLayout>
    }
}

#[component]
fn AuditContent() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let entity = move || query.read().get("entity");
    let data = Resource::new(entity, audit_overview);
    view! {
        <Transition fallback=move || view! { <p class="muted">{i18n.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok((entries, verification)) => view! {
                        <div class=if verification.ok { "panel panel-ok" } else { "panel panel-error" } role="status" data-testid="chain-status">
                            {move || if verification.ok {
                                i18n.t_with("audit.chain_ok", &[("count", &verification.entries.to_string())])
                            } else {
                                i18n.t_with("audit.chain_broken", &[("seq", &verification.first_bad_seq.unwrap_or(0).to_string())])
                            }}
                        </div>
                        <section class="card">
                            {if entries.is_empty() {
                                view! { <p class="empty">{move || i18n.t("audit.empty")}</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap">
                                    <table class="table" id="audit-table">
                                        <thead><tr>
                                            <th scope="col">"#"</th>
                                            <th scope="col">{move || i18n.t("audit.at")}</th>
                                            <th scope="col">{move || i18n.t("audit.actor")}</th>
                                            <th scope="col">{move || i18n.t("audit.action")}</th>
                                            <th scope="col">{move || i18n.t("audit.record")}</th>
                                            <th scope="col">{move || i18n.t("audit.detail")}</th>
                                            <th scope="col">{move || i18n.t("audit.hash")}</th>
                                        </tr></thead>
                                        <tbody>
                                            {entries.into_iter().map(|e| {
                                                let action = e.action.clone();
                                                let link = (e.entity == "proposal").then(|| format!("/proposals/{}", e.entity_id));
                                                view! {
                                                    <tr>
                                                        <td class="num">{e.seq}</td>
                                                        <td>{e.at.format("%Y-%m-%d %H:%M:%S").to_string()}</td>
                                                        <td>{e.actor.clone()}</td>
                                                        <td>{move || i18n.t(&format!("audit.actions.{}", action.replace('.', "_")))}</td>
                                                        <td>{match link {
                                                            Some(href) => view! { <a href=href>{format!("{} {}", e.entity, e.entity_id)}</a> }.into_any(),
                                                            None => view! { <span>{format!("{} {}", e.entity, e.entity_id)}</span> }.into_any(),
                                                        }}</td>
                                                        <td class="mono small">{e.detail.to_string()}</td>
                                                        <td class="mono small" title=e.hash.clone()>{e.hash.chars().take(12).collect::<String>()}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    </div>
                                }.into_any()
                            }}
                        </section>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
