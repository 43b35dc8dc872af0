//! The admin users page: every user, and a form to create one.

use leptos::prelude::*;

use crate::auth::api::{CreateUser, list_users};
use crate::auth::{Role, Team};
use crate::components::{ActionError, AppLayout, TeamBadge, role_key, team_key};
use crate::error::AppError;
use crate::i18n::{Locale, use_i18n};
use crate::policy::Action;

/// Lists users and creates new ones (admins only; the server functions enforce it too).
#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <AppLayout action=Action::ManageUsers title_key="users.title">
            <UsersAdmin />
        </AppLayout>
    }
}

#[component]
fn UsersAdmin() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateUser>::new();
    let users = Resource::new(move || create.version().get(), |_| list_users());
    let error = Signal::derive(move || {
        create
            .value()
            .get()
            .and_then(Result::err)
            .filter(|e| !matches!(e, AppError::Validation(_)))
    });
    let field_error = move |field: &'static str| {
        move || {
            create.value().get().and_then(Result::err).and_then(|e| {
                e.field_message(field, i18n.locale()).or_else(|| {
                    (field == "email" && e == AppError::Conflict("email_taken".into()))
                        .then(|| e.message(i18n.locale()))
                })
            })
        }
    };
    let created = move || create.value().get().and_then(Result::ok);
    // After a successful creation the form is emptied for the next user.
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get()
            && let Some(form) = form.get()
        {
            form.reset();
        }
    });
    view! {
        <div class="grid-2">
            <section class="card" aria-labelledby="users-list-heading">
                <h2 id="users-list-heading">{move || i18n.t("users.list_heading")}</h2>
                <Transition fallback=move || view! { <p class="muted">{i18n.t("common.loading")}</p> }>
                    {move || Suspend::new(async move {
                        match users.await {
                            Ok(list) if list.is_empty() => {
                                view! { <p class="empty">{move || i18n.t("users.empty")}</p> }.into_any()
                            }
                            Ok(list) => {
                                view! {
                                    <table class="table" id="users-table">
                                        <thead>
                                            <tr>
                                                <th scope="col">{move || i18n.t("fields.name")}</th>
                                                <th scope="col">{move || i18n.t("fields.email")}</th>
                                                <th scope="col">{move || i18n.t("fields.team")}</th>
                                                <th scope="col">{move || i18n.t("fields.role")}</th>
                                                <th scope="col">{move || i18n.t("fields.locale")}</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {list
                                                .into_iter()
                                                .map(|u| {
                                                    let role = u.role;
                                                    view! {
                                                        <tr>
                                                            <td>{u.name}</td>
                                                            <td class="mono">{u.email}</td>
                                                            <td><TeamBadge team=u.team /></td>
                                                            <td>{move || i18n.t(role_key(role))}</td>
                                                            <td>{u.locale.native_name()}</td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                }
                                .into_any()
                            }
                            Err(error) => view! { <crate::components::ErrorPanel error /> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            <section class="card" aria-labelledby="create-user-heading">
                <h2 id="create-user-heading">{move || i18n.t("users.create_heading")}</h2>
                <ActionForm action=create node_ref=form attr:id="create-user-form" attr:class="form">
                    <label class="field">
                        <span class="label">{move || i18n.t("fields.name")}</span>
                        <input type="text" name="name" required maxlength="120" />
                        <span class="field-error" role="alert">{field_error("name")}</span>
                    </label>
                    <label class="field">
                        <span class="label">{move || i18n.t("fields.email")}</span>
                        <input type="email" name="email" required />
                        <span class="field-error" role="alert">{field_error("email")}</span>
                    </label>
                    <div class="field-row">
                        <label class="field">
                            <span class="label">{move || i18n.t("fields.team")}</span>
                            <select name="team">
                                {Team::ALL
                                    .into_iter()
                                    .map(|t| view! { <option value=t.as_str()>{move || i18n.t(team_key(t))}</option> })
                                    .collect_view()}
                            </select>
                            <span class="field-error" role="alert">{field_error("team")}</span>
                        </label>
                        <label class="field">
                            <span class="label">{move || i18n.t("fields.role")}</span>
                            <select name="role">
                                {Role::ALL
                                    .into_iter()
                                    .map(|r| view! { <option value=r.as_str()>{move || i18n.t(role_key(r))}</option> })
                                    .collect_view()}
                            </select>
                            <span class="field-error" role="alert">{field_error("role")}</span>
                        </label>
                        <label class="field">
                            <span class="label">{move || i18n.t("fields.locale")}</span>
                            <select name="locale">
                                {Locale::ALL
                                    .into_iter()
                                    .map(|l| view! { <option value=l.as_str()>{l.native_name()}</option> })
                                    .collect_view()}
                            </select>
                        </label>
                    </div>
                    <label class="field">
                        <span class="label">{move || i18n.t("fields.password")}</span>
                        <input type="password" name="password" required minlength="10" autocomplete="new-password" />
                        <span class="hint">{move || i18n.t("users.password_hint")}</span>
                        <span class="field-error" role="alert">{field_error("password")}</span>
                    </label>
                    <ActionError error />
                    {move || {
                        created()
                            .map(|u| {
                                view! {
                                    <p class="form-success" role="status">
                                        {move || i18n.t_with("users.created", &[("name", &u.name)])}
                                    </p>
                                }
                            })
                    }}
                    <button type="submit" class="btn btn-primary" disabled=move || create.pending().get()>
                        {move || i18n.t("users.create")}
                    </button>
                </ActionForm>
            </section>
        </div>
    }
}
