//! The sign-in page.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::auth::api::SignIn;
use crate::components::{ActionError, LocaleSwitch};
use crate::i18n::use_i18n;
use crate::shell::{SessionGate, use_current_user};

/// Email and password; errors (wrong password, throttled, malformed email) in the chosen
/// language. A signed-in user is sent home.
#[component]
pub fn SignInPage() -> impl IntoView {
    view! {
        <SessionGate>
            <SignInForm />
        </SessionGate>
    }
}

#[component]
fn SignInForm() -> impl IntoView {
    let i18n = use_i18n();
    if use_current_user().is_some() {
        return view! { <Redirect path="/" /> }.into_any();
    }
    let action = ServerAction::<SignIn>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let pending = action.pending();
    view! {
        <div class="centered auth-page">
            <div class="card narrow">
                <div class="auth-header">
                    <span class="brand-mark" aria-hidden="true">"A"</span>
                    <h1>{move || i18n.t("auth.sign_in_title")}</h1>
                    <p class="muted">{move || i18n.t("app.tagline")}</p>
                </div>
                <ActionForm action attr:id="sign-in-form" attr:class="form">
                    <label class="field">
                        <span class="label">{move || i18n.t("fields.email")}</span>
                        <input type="email" name="email" autocomplete="username" required autofocus />
                    </label>
                    <label class="field">
                        <span class="label">{move || i18n.t("fields.password")}</span>
                        <input type="password" name="password" autocomplete="current-password" required />
                    </label>
                    <ActionError error />
                    <button type="submit" class="btn btn-primary btn-block" disabled=move || pending.get()>
                        {move || i18n.t("auth.sign_in")}
                    </button>
                </ActionForm>
                <div class="auth-footer">
                    <LocaleSwitch />
                </div>
            </div>
        </div>
    }
    .into_any()
}
