//! Accord: the shared contract between marketing and sales, as a Leptos application.
//!
//! Domain modules (`auth`, later `definitions`, `leads`…) keep their pure types and rules in
//! `mod.rs`, server functions in `api.rs`, SQL in `store.rs` (server only) and components in
//! `views/`. Everything that decides who may do what lives in [`policy`].
#![recursion_limit = "256"]

rust_i18n::i18n!("locales", fallback = "en");

pub mod audit;
pub mod auth;
pub mod clock;
pub mod components;
pub mod definitions;
pub mod error;
pub mod funnel;
pub mod handoffs;
pub mod i18n;
pub mod ids;
pub mod imports;
pub mod leads;
pub mod policy;
pub mod shell;

#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;

pub use shell::{App, shell};

/// Entry point of the browser bundle: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
    // A marker for end-to-end tests and styles: interactive controls are live from here on.
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
