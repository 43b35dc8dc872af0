//! How a lead moves between stages (DESIGN.md, "The funnel" and "When a version is
//! published"): automatic moves go forward only, a definition change moves leads back only
//! when published with `requalify` and never past a human decision, handoffs open when a
//! lead enters a stage gated on its criteria, and a person moving a lead back gives a reason.

use serde::{Deserialize, Serialize};

use crate::definitions::stage::automatic_stage;
use crate::definitions::{Definition, EntryOn, LeadFacts};
use crate::error::FieldError;

/// Why a stage changed (API.md cause values plus `definition` for requalify moves back).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// The lead met a stage's entry criteria (after a change or a publish).
    Rule,
    /// A team accepted (or sent back) a handoff.
    Handoff,
    /// An import set the stage (`lifecycle_stage` column).
    Import,
    /// A person moved the lead by hand.
    Manual,
    /// A version published with `requalify` moved the lead back.
    Definition,
}

impl Cause {
    /// Every cause, in the order above.
    pub const ALL: [Cause; 5] = [
        Cause::Rule,
        Cause::Handoff,
        Cause::Import,
        Cause::Manual,
        Cause::Definition,
    ];

    /// The stored and API value (`rule`, `handoff`…).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rule => "rule",
            Self::Handoff => "handoff",
            Self::Import => "import",
            Self::Manual => "manual",
            Self::Definition => "definition",
        }
    }

    /// Parses the stored and API value; anything else is `None`.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == value)
    }
}

/// The automatic re-evaluation after a lead, its account or its activities changed: forward only.
///
/// `Some(target)` when the lead's automatic stage lies beyond `current`; never a move back
/// (that is a person's decision) and never into or past a stage that opens on acceptance
/// (sales must accept first).
pub fn forward_move(def: &Definition, current: usize, facts: &LeadFacts) -> Option<usize> {
    let computed = automatic_stage(def, facts);
    (computed > current).then_some(computed)
}

/// Re-evaluation when a version is published (DESIGN.md, "When a version is published").
///
/// - Forward, with [`Cause::Rule`], whenever the automatic stage lies beyond `current`.
/// - Back to the automatic stage, with [`Cause::Definition`], only when the version is
///   published with `requalify`, the lead is not past a human decision (an accepted
///   handoff), and it sits before the first stage gated on acceptance (without such a
///   stage, every stage counts as before it).
/// - Otherwise `None`.
pub fn publish_move(
    def: &Definition,
    current: usize,
    facts: &LeadFacts,
    requalify: bool,
    past_human_decision: bool,
) -> Option<(usize, Cause)> {
    decide_publish(
        first_acceptance_gate(def),
        current,
        automatic_stage(def, facts),
        requalify,
        past_human_decision,
    )
}

/// [`publish_move`] once the automatic stage and the first acceptance gate are known, so that
/// the impact preview evaluates each lead's criteria only once.
pub(crate) fn decide_publish(
    first_acceptance: usize,
    current: usize,
    computed: usize,
    requalify: bool,
    past_human_decision: bool,
) -> Option<(usize, Cause)> {
    if computed > current {
        Some((computed, Cause::Rule))
    } else if computed < current && requalify && !past_human_decision && current < first_acceptance {
        Some((computed, Cause::Definition))
    } else {
        None
    }
}

/// The index of the first stage whose gate opens on acceptance, or the number of stages when
/// there is none (so that every stage is "before" it).
pub(crate) fn first_acceptance_gate(def: &Definition) -> usize {
    def.stages
        .iter()
        .position(|s| s.gate.as_ref().is_some_and(|g| g.entry_on == EntryOn::Acceptance))
        .unwrap_or(def.stages.len())
}

/// Stages entered when moving from `from` to `to` (exclusive of `from`, inclusive of `to`) whose
/// gate opens a handoff at once (`entry_on: criteria`): the hook where the handoffs feature
/// opens a queue item. Empty for a move back or no move; indexes beyond the definition are
/// ignored.
pub fn handoffs_due(def: &Definition, from: usize, to: usize) -> Vec<usize> {
    def.stages
        .iter()
        .enumerate()
        .take(to.saturating_add(1))
        .skip(from.saturating_add(1))
        .filter(|(_, s)| s.gate.as_ref().is_some_and(|g| g.entry_on == EntryOn::Criteria))
        .map(|(i, _)| i)
        .collect()
}

/// Checks a manual move: the target must exist; a backward move needs a non-blank reason.
///
/// Returns the target's index. Errors: `stage`/`unknown_stage` for a key the definition
/// lacks, `stage`/`already_in_stage` for a move to the current stage, and
/// `reason`/`reason_required_for_backward_move` for a move back without a reason. A
/// forward move needs no reason (one is still recorded when given).
pub fn check_manual_move(
    def: &Definition,
    from: usize,
    to_key: &str,
    reason: Option<&str>,
) -> Result<usize, FieldError> {
    let to = def
        .stage_index(to_key.trim())
        .ok_or_else(|| FieldError::new("stage", "unknown_stage"))?;
    if to == from {
        return Err(FieldError::new("stage", "already_in_stage"));
    }
    if to < from && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(FieldError::new("reason", "reason_required_for_backward_move"));
    }
    Ok(to)
}

/// The index of the stage with this key, or 0 (the first stage) when the definition lacks it —
/// for instance a stage a later version removed. Callers re-evaluate from there, so such a lead
/// climbs back to wherever its criteria take it instead of being stranded.
pub fn stage_index_or_first(def: &Definition, key: &str) -> usize {
    def.stage_index(key).unwrap_or(0)
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
