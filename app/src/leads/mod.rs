//! Leads (contacts): how activities become a score, how a lead moves through the funnel
//! stages, and what publishing a definition would do to every lead. The rules here are pure —
//! no database, no web types — so they run the same on the server and in the browser and
//! are tested without either.

pub mod api;
pub mod impact;
pub mod lifecycle;
pub mod model;
pub mod query;
pub mod report;
pub mod scoring;
pub mod views;

#[cfg(feature = "ssr")]
pub mod bulk;
#[cfg(feature = "ssr")]
pub mod publish;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
