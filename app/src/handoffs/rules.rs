//! The pure rules of handoffs and opportunities: which gate a request targets, what a
//! rejection does, SLA breach by a given clock reading, round-robin assignment, stage
//! probabilities and money in minor units. No database, no web types.

use chrono::{DateTime, Duration, Utc};

use super::model::{HandoffStatus, OpportunityStage};
use crate::auth::{Role, Team};
use crate::definitions::model::{Definition, EntryOn, Gate};
use crate::error::{AppError, FieldError};

/// The currency of an opportunity created without one.
pub const DEFAULT_CURRENCY: &str = "JPY";

/// The key of the stage a converted lead enters.
pub const OPPORTUNITY_STAGE: &str = "opportunity";

/// The key of the stage a won opportunity's lead enters.
pub const CUSTOMER_STAGE: &str = "customer";

/// When the SLA of a handoff opened at `requested_at` through `gate` runs out.
pub fn sla_due_at(gate: &Gate, requested_at: DateTime<Utc>) -> DateTime<Utc> {
    requested_at + Duration::hours(i64::from(gate.sla_hours))
}

/// Whether a handoff is past its SLA at `now`: only an undecided one can be.
pub fn breached(status: HandoffStatus, sla_due_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    status == HandoffStatus::Pending && now > sla_due_at
}

/// Refuses a decision on a handoff that is no longer pending (HTTP 409 `handoff_decided`).
pub fn ensure_pending(status: HandoffStatus) -> Result<(), AppError> {
    if status == HandoffStatus::Pending {
        Ok(())
    } else {
        Err(AppError::Conflict("handoff_decided".into()))
    }
}

/// The stage a handoff request to `to_team` leads into, for a lead now at stage `current`:
/// the first later stage gated on acceptance whose gate hands over to `to_team`.
pub fn requested_stage(def: &Definition, current: usize, to_team: Team) -> Option<usize> {
    def.stages
        .iter()
        .enumerate()
        .skip(current + 1)
        .find(|(_, s)| {
            s.gate
                .as_ref()
                .is_some_and(|g| g.entry_on == EntryOn::Acceptance && g.to_team == to_team)
        })
        .map(|(i, _)| i)
}

/// What a rejection does to the lead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// Back to nurture: the lead returns to the stage before the gate (status `recycled`).
    Recycle,
    /// Disqualified: the lead returns to the stage before the gate (status `rejected`).
    Disqualify,
    /// Refused into an acceptance-gated stage: the lead stays with the requesting team
    /// (status `rejected`).
    SendBack,
}

impl Rejection {
    /// The handoff's status after this rejection.
    pub fn status(self) -> HandoffStatus {
        match self {
            Self::Recycle => HandoffStatus::Recycled,
            Self::Disqualify | Self::SendBack => HandoffStatus::Rejected,
        }
    }
}

/// Checks a rejection's reason code against the definition and says what it does. Into a
/// stage the lead already entered (`entry_on: criteria`), a `recycle` code recycles and a
/// `reject` code disqualifies; into an acceptance-gated stage, either kind sends it back.
pub fn rejection(def: &Definition, gate: &Gate, reason_code: &str) -> Result<Rejection, FieldError> {
    let code = reason_code.trim();
    if code.is_empty() {
        return Err(FieldError::new("reason_code", "required"));
    }
    let recycle = def.reason_codes.recycle.iter().any(|c| c == code);
    let reject = def.reason_codes.reject.iter().any(|c| c == code);
    match (gate.entry_on, recycle, reject) {
        (_, false, false) => Err(FieldError::new("reason_code", "invalid_choice")),
        (EntryOn::Acceptance, _, _) => Ok(Rejection::SendBack),
        (EntryOn::Criteria, true, _) => Ok(Rejection::Recycle),
        (EntryOn::Criteria, false, true) => Ok(Rejection::Disqualify),
    }
}

/// Who owns a lead once its handoff is accepted: the assignee when a leader (or an admin)
/// accepts on their behalf, otherwise whoever accepted.
pub fn owner_after_accept(accepted_by: i64, role: Role, assignee: Option<i64>) -> i64 {
    match (role, assignee) {
        (Role::Leader | Role::Admin, Some(assignee)) => assignee,
        _ => accepted_by,
    }
}

/// The next assignee in a round-robin over `candidates` (user ids): the first id after
/// `last`, wrapping around; `None` without candidates (the handoff goes to the team queue).
pub fn round_robin(candidates: &[i64], last: Option<i64>) -> Option<i64> {
    let mut sorted = candidates.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let next = last.and_then(|l| sorted.iter().copied().find(|&id| id > l));
    next.or_else(|| sorted.first().copied())
}

/// The probability an opportunity carries in `stage` unless someone sets another.
pub fn default_probability(stage: OpportunityStage) -> f64 {
    match stage {
        OpportunityStage::Discovery => 0.1,
        OpportunityStage::Solution => 0.2,
        OpportunityStage::Demo => 0.4,
        OpportunityStage::Proposal => 0.6,
        OpportunityStage::Closing => 0.8,
        OpportunityStage::Won => 1.0,
        OpportunityStage::Lost => 0.0,
    }
}

/// Decimal places of a currency's minor unit (yen and won have none).
pub fn minor_digits(currency: &str) -> u32 {
    match currency {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" => 0,
        _ => 2,
    }
}

/// An amount in minor units, or `None` when negative, not finite or too large.
pub fn to_minor(amount: f64, currency: &str) -> Option<i64> {
    let scaled = (amount * 10f64.powi(minor_digits(currency) as i32)).round();
    (amount.is_finite() && amount >= 0.0 && scaled < 9.0e15).then_some(scaled as i64)
}

/// Minor units back to a decimal amount.
pub fn from_minor(minor: i64, currency: &str) -> f64 {
    minor as f64 / 10f64.powi(minor_digits(currency) as i32)
}

/// Expected revenue in minor units: amount × probability, rounded.
pub fn expected_revenue_minor(amount_minor: i64, probability: f64) -> i64 {
    (amount_minor as f64 * probability).round() as i64
}

/// Checks a currency code: three ASCII letters, upper-cased.
pub fn check_currency(raw: Option<&str>) -> Result<String, FieldError> {
    let code = raw
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .unwrap_or(DEFAULT_CURRENCY);
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(code.to_ascii_uppercase())
    } else {
        Err(FieldError::new("currency", "invalid_currency"))
    }
}

/// Checks a probability: a fraction from 0 to 1.
pub fn check_probability(p: f64) -> Result<f64, FieldError> {
    if p.is_finite() && (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(FieldError::new("probability", "out_of_range"))
    }
}

/// Checks a stage change of an opportunity: closed ones never change (409
/// `opportunity_closed`); `lost` needs one of the definition's `lost` codes.
pub fn check_stage_change(
    def: &Definition,
    from: OpportunityStage,
    to: OpportunityStage,
    lost_reason: Option<&str>,
) -> Result<(), AppError> {
    if from.is_closed() {
        return Err(AppError::Conflict("opportunity_closed".into()));
    }
    if to == OpportunityStage::Lost {
        match lost_reason.map(str::trim).filter(|r| !r.is_empty()) {
            None => return Err(AppError::field("lost_reason", "required")),
            Some(r) if !def.reason_codes.lost.iter().any(|c| c == r) => {
                return Err(AppError::field("lost_reason", "invalid_choice"));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Whether a lead at stage `current` may be converted: it has passed the first acceptance
/// gate (sales accepted it) and is not yet at the opportunity stage. Returns the index of
/// the opportunity stage.
pub fn conversion_target(def: &Definition, current: usize) -> Option<usize> {
    let target = def.stage_index(OPPORTUNITY_STAGE)?;
    let accepted = crate::leads::lifecycle::first_acceptance_gate(def);
    (current >= accepted && current < target).then_some(target)
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
