//! Shared UI pieces: the signed-in layout, the language switch, badges and error panels.

use leptos::prelude::*;
use leptos_router::components::{A, Redirect};

use crate::auth::api::{SetLocale, SignOut};
use crate::auth::{Role, Team, User};
use crate::error::AppError;
use crate::i18n::{Locale, use_i18n};
use crate::policy::{self, Action};
use crate::shell::{SessionGate, use_current_user};

/// The signed-in layout: navigation on the left, the user and language on top. Renders a
/// redirect to the sign-in page when nobody is signed in, and a "not allowed" panel when the
/// user may not perform `action` (the server functions enforce the same rule).
#[component]
pub fn AppLayout(
    /// What the page requires.
    action: Action,
    /// The page title key.
    title_key: &'static str,
    /// The page.
    children: ChildrenFn,
) -> impl IntoView {
    let children = StoredValue::new(children);
    view! { <SessionGate>{move || layout_frame(action, title_key, children.get_value())}</SessionGate> }
}

fn layout_frame(action: Action, title_key: &'static str, children: ChildrenFn) -> AnyView {
    let i18n = use_i18n();
    let Some(user) = use_current_user() else {
        return view! { <Redirect path="/login" /> }.into_any();
    };
    let allowed = policy::allows(&user, action);
    let nav = policy::nav_entries(&user);
    view! {
        <div class="app">
            <aside class="sidebar">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"A"</span>
                    <span class="brand-name">"Accord"</span>
                </a>
                <nav aria-label=move || i18n.t("nav.label")>
                    <ul>
                        {nav
                            .into_iter()
                            .map(|entry| {
                                view! {
                                    <li>
                                        <A href=entry.path() exact=entry == policy::NavEntry::Home>
                                            {move || i18n.t(entry.label_key())}
                                        </A>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </nav>
            </aside>
            <div class="main">
                <header class="topbar">
                    <h1 class="page-title">{move || i18n.t(title_key)}</h1>
                    <div class="topbar-right">
                        <LocaleSwitch />
                        <UserChip user=user.clone() />
                        <SignOutButton />
                    </div>
                </header>
                <main class="content" id="content">
                    {if allowed {
                        children().into_any()
                    } else {
                        view! { <ErrorPanel error=AppError::Forbidden /> }.into_any()
                    }}
                </main>
            </div>
        </div>
    }
    .into_any()
}

/// Name, team and role of the signed-in user.
#[component]
pub fn UserChip(user: User) -> impl IntoView {
    let i18n = use_i18n();
    let role = user.role;
    view! {
        <div class="user-chip">
            <span class="avatar" aria-hidden="true">
                {user.name.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default()}
            </span>
            <span class="user-chip-text">
                <span class="user-name" data-testid="current-user">{user.name.clone()}</span>
                <span class="user-meta">
                    <TeamBadge team=user.team />
                    <span class="role" data-testid="user-role">{move || i18n.t(role_key(role))}</span>
                </span>
            </span>
        </div>
    }
}

/// The translation key of a role.
pub fn role_key(role: Role) -> &'static str {
    match role {
        Role::Member => "roles.member",
        Role::Leader => "roles.leader",
        Role::Admin => "roles.admin",
    }
}

/// The translation key of a team.
pub fn team_key(team: Team) -> &'static str {
    match team {
        Team::Marketing => "teams.marketing",
        Team::Sdr => "teams.sdr",
        Team::Sales => "teams.sales",
    }
}

/// A team's badge in the team's colour, with its name (colour never carries meaning alone).
#[component]
pub fn TeamBadge(team: Team) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class=format!("badge team-{}", team.as_str()) data-testid="user-team">
            {move || i18n.t(team_key(team))}
        </span>
    }
}

/// English / 日本語. Switches at once in the browser and stores the choice (on the user
/// when signed in, and in a cookie); works as a plain form post before hydration.
#[component]
pub fn LocaleSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SetLocale>::new();
    Effect::new(move |_| {
        if let Some(input) = action.input().get()
            && let Some(locale) = Locale::parse(&input.locale)
        {
            i18n.set_locale(locale);
        }
    });
    view! {
        <div class="locale-switch" role="group" aria-label=move || i18n.t("locale.label")>
            {Locale::ALL
                .into_iter()
                .map(|locale| {
                    view! {
                        <ActionForm action>
                            <input type="hidden" name="locale" value=locale.as_str() />
                            <button
                                type="submit"
                                class="locale-option"
                                lang=locale.as_str()
                                data-testid=format!("locale-{}", locale.as_str())
                                aria-pressed=move || (i18n.locale() == locale).to_string()
                            >
                                {locale.native_name()}
                            </button>
                        </ActionForm>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// Signs out through the server (the session is deleted there).
#[component]
pub fn SignOutButton() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignOut>::new();
    view! {
        <ActionForm action>
            <button type="submit" class="btn btn-secondary" data-testid="sign-out">
                {move || i18n.t("auth.sign_out")}
            </button>
        </ActionForm>
    }
}

/// A translated error panel.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="panel panel-error" role="alert">
            <p>{move || error.message(i18n.locale())}</p>
        </div>
    }
}

/// The error message of a finished action, if it failed, in the current language.
#[component]
pub fn ActionError(
    /// The failed action's error, if any.
    #[prop(into)]
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error.get().map(|e| {
            view! {
                <p class="form-error" role="alert">
                    {move || e.message(i18n.locale())}
                </p>
            }
        })
    }
}

/// Shown for unknown paths.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <SessionGate>
            <div class="centered">
                <div class="card narrow">
                    <h1>{move || i18n.t("errors.page_not_found")}</h1>
                    <p>
                        <a href="/">{move || i18n.t("nav.back_home")}</a>
                    </p>
                </div>
            </div>
        </SessionGate>
    }
}
