//! Hashing of audit entries: SHA-256 over a canonical JSON serialization (object keys sorted,
//! timestamps as RFC 3339 with microseconds), chained through `prev_hash`.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{AuditEntry, Verification};

/// `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Truncates a timestamp to what both databases store exactly (microseconds).
pub fn storable(at: DateTime<Utc>) -> DateTime<Utc> {
    let micros = at.timestamp_micros();
    DateTime::from_timestamp_micros(micros).unwrap_or(at)
}

/// The canonical bytes of an entry: a JSON object with sorted keys (serde_json's `Value`
/// keeps object keys sorted), hashed together with the previous hash.
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    seq: i64,
    at: DateTime<Utc>,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    detail: &serde_json::Value,
    prev_hash: &str,
) -> String {
    let canonical = json!({
        "seq": seq,
        "at": at.to_rfc3339_opts(SecondsFormat::Micros, true),
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "detail": detail,
        "prev_hash": prev_hash,
    });
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// Checks links and hashes of `entries` (in `seq` order, from the first).
pub fn verify(entries: &[AuditEntry]) -> Verification {
    let mut prev = GENESIS.to_owned();
    for (i, e) in entries.iter().enumerate() {
        let expected_seq = i as i64 + 1;
        let hash = entry_hash(
            e.seq,
            e.at,
            &e.actor,
            &e.action,
            &e.entity,
            &e.entity_id,
            &e.detail,
            &e.prev_hash,
        );
        if e.seq != expected_seq || e.prev_hash != prev || e.hash != hash {
            return Verification {
                ok: false,
                entries: entries.len() as i64,
                first_bad_seq: Some(e.seq),
            };
        }
        prev = e.hash.clone();
    }
    Verification {
        ok: true,
        entries: entries.len() as i64,
        first_bad_seq: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_owned();
        let at = DateTime::from_timestamp(1_800_000_000, 123_456_000).unwrap();
        (1..=n)
            .map(|seq| {
                let detail = json!({"revision": seq, "team": "sales"});
                let hash = entry_hash(
                    seq,
                    at,
                    "a@b.co",
                    "proposal.approved",
                    "proposal",
                    "7",
                    &detail,
                    &prev,
                );
                let e = AuditEntry {
                    seq,
                    at,
                    actor: "a@b.co".into(),
                    action: "proposal.approved".into(),
                    entity: "proposal".into(),
                    entity_id: "7".into(),
                    detail,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                e
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        let v = verify(&chain(5));
        assert_eq!(
            v,
            Verification {
                ok: true,
                entries: 5,
                first_bad_seq: None
            }
        );
    }

    #[test]
    fn an_edited_detail_is_found_at_its_entry() {
        let mut entries = chain(5);
        entries[2].detail = json!({"revision": 3, "team": "marketing"});
        assert_eq!(verify(&entries).first_bad_seq, Some(3));
    }

    #[test]
    fn a_deleted_entry_breaks_the_chain_after_it() {
        let mut entries = chain(5);
        entries.remove(1);
        assert_eq!(verify(&entries).first_bad_seq, Some(3));
    }

    #[test]
    fn key_order_of_the_detail_does_not_change_the_hash() {
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let a: serde_json::Value = serde_json::from_str(r#"{"a":1,"b":2}"#).unwrap();
        let b: serde_json::Value = serde_json::from_str(r#"{"b":2,"a":1}"#).unwrap();
        assert_eq!(
            entry_hash(1, at, "x", "y", "z", "1", &a, GENESIS),
            entry_hash(1, at, "x", "y", "z", "1", &b, GENESIS)
        );
    }

    #[test]
    fn timestamps_are_truncated_to_microseconds() {
        let at = DateTime::from_timestamp(1_800_000_000, 123_456_789).unwrap();
        assert_eq!(storable(at).timestamp_subsec_nanos(), 123_456_000);
    }
}
