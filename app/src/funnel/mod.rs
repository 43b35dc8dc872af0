//! The funnel per stage owner (issue 6): leads in each stage now, entries, conversion, time
//! in stage, open handoffs and expected revenue, through any definition version. The
//! arithmetic is pure ([`metrics`]); the numbers come from aggregates the database keeps
//! current (migration `0007_funnel_aggregates`), so the page answers fast at a million leads.

pub mod metrics;
pub mod model;
pub mod pages;
pub mod views;

#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
