//! The signed-in home page: who you are and what your team owns.

use leptos::prelude::*;

use crate::components::{AppLayout, TeamBadge, role_key};
use crate::i18n::use_i18n;
use crate::policy::Action;
use crate::shell::use_current_user;

/// Greets the user with their name, team and role.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <AppLayout action=Action::UseApp title_key="home.title">
            <HomeContent />
        </AppLayout>
    }
}

#[component]
fn HomeContent() -> impl IntoView {
    let i18n = use_i18n();
    let user = use_current_user();
    user.map(|user| {
        let name = user.name.clone();
        let role = user.role;
        let team = user.team;
        view! {
            <section class="card">
                <h2>{move || i18n.t_with("home.welcome", &[("name", &name)])}</h2>
                <dl class="facts">
                    <dt>{move || i18n.t("fields.email")}</dt>
                    <dd class="mono">{user.email.clone()}</dd>
                    <dt>{move || i18n.t("fields.team")}</dt>
                    <dd><TeamBadge team /></dd>
                    <dt>{move || i18n.t("fields.role")}</dt>
                    <dd>{move || i18n.t(role_key(role))}</dd>
                </dl>
                <p class="muted">{move || i18n.t(&format!("home.team_intro.{}", team.as_str()))}</p>
            </section>
        }
    })
}
