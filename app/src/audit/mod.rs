//! The audit trail: an append-only, hash-chained record of every change to definitions,
//! proposals, approvals and users. Each entry stores the SHA-256 of the previous one, so any
//! edit or deletion breaks the chain and `verify` finds the first bad entry.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod views;

#[cfg(feature = "ssr")]
pub mod chain;

/// One entry as the API and the audit page show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When it happened (UTC, microsecond precision).
    pub at: DateTime<Utc>,
    /// Who did it (email), or `system`.
    pub actor: String,
    /// What was done, e.g. `proposal.approved`.
    pub action: String,
    /// The kind of record, e.g. `proposal`.
    pub entity: String,
    /// The record's id.
    pub entity_id: String,
    /// Facts of the change (revision, team, reason, version…).
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub detail: serde_json::Value,
    /// Hash of the previous entry (64 zeros for the first).
    pub prev_hash: String,
    /// SHA-256 over the canonical serialization of this entry with `prev_hash`.
    pub hash: String,
}

/// A change to record; the store assigns `seq`, `prev_hash` and `hash`.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditRecord {
    /// The acting user's id, if a user acted.
    pub actor_id: Option<i64>,
    /// The actor's email, or `system`.
    pub actor: String,
    /// What was done.
    pub action: String,
    /// The kind of record.
    pub entity: String,
    /// The record's id.
    pub entity_id: String,
    /// Facts of the change.
    pub detail: serde_json::Value,
}

impl AuditRecord {
    /// A record of `action` on `entity` `entity_id` by `actor` (a user) or the system.
    pub fn new(
        actor: Option<&crate::auth::User>,
        action: &str,
        entity: &str,
        entity_id: impl ToString,
        detail: serde_json::Value,
    ) -> Self {
        Self {
            actor_id: actor.map(|u| u.id.0),
            actor: actor.map(|u| u.email.clone()).unwrap_or_else(|| "system".into()),
            action: action.into(),
            entity: entity.into(),
            entity_id: entity_id.to_string(),
            detail,
        }
    }
}

/// The result of checking the whole chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Verification {
    /// Whether every entry's hash and link is intact.
    pub ok: bool,
    /// Entries checked.
    pub entries: i64,
    /// The first entry whose hash or link is wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_bad_seq: Option<i64>,
}
