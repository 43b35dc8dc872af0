//! The funnel definition: stages with entry criteria and handoff gates, scoring rules and
//! reason codes, and the pure rules around it — evaluation, validation, field-level diff,
//! rebase, the default version and plain-language descriptions. No database, no web types:
//! everything here runs the same on the server and in the browser.

pub mod api;
pub mod criteria;
pub mod describe;
mod describe_change;
pub mod diff;
mod facts;
pub mod merge;
pub mod model;
pub mod proposal;
pub mod seed;
pub mod stage;
pub mod validate;
pub mod views;

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;

#[cfg(test)]
mod proptests;

pub use criteria::{
    AccountFacts, ActivityCount, Condition, ConditionOutcome, Criteria, FactValue, FieldType, LeadFacts, Op,
};
pub use diff::Change;
pub use model::{Definition, EntryOn, Gate, ReasonCodes, Scoring, ScoringRule, Stage};
pub use validate::DefinitionError;
