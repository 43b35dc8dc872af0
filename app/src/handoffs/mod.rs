//! Handoffs between teams and the opportunities sales works (DESIGN.md "Handoff",
//! "Opportunity"): MQL → SDR opened by the funnel rules, SDR → sales requested by the SDR
//! and entered only on acceptance, SLA breach and escalation by the app's clock, and
//! opportunities from an accepted SQL to won or lost. Pure rules in [`rules`], SQL in
//! `store`, use cases in `service`, `queue` and `opportunities`, server functions in [`api`].

pub mod api;
pub mod model;
pub mod pages;
pub mod rules;
pub mod scorecard;
pub mod views;

#[cfg(feature = "ssr")]
pub mod opportunities;
#[cfg(feature = "ssr")]
pub mod queue;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
