//! The impact preview of a proposal (DESIGN.md, "Proposal"; API.md, `GET
//! /api/v1/proposals/{id}/impact`): how many leads would move between which stages if the
//! proposed definition were current, in both directions, and whether publishing will
//! actually move them.
//!
//! The store streams every lead through an [`ImpactBuilder`]; per lead the work is one
//! evaluation of the proposed criteria and a hash-map update, with no allocation except for
//! the few leads kept as samples.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::lifecycle::{decide_publish, first_acceptance_gate};
use crate::definitions::stage::automatic_stage;
use crate::definitions::{Definition, LeadFacts};

/// What the impact preview needs to know about one lead.
#[derive(Clone, Debug, PartialEq)]
pub struct LeadSnapshot {
    /// The lead's id.
    pub id: i64,
    /// The lead's email, shown in samples.
    pub email: String,
    /// The key of the lead's stage today.
    pub stage: String,
    /// The facts the proposed criteria are evaluated against (activity counts for the
    /// windows of the *proposed* definition).
    pub facts: LeadFacts,
    /// Whether a person decided on the lead (an accepted handoff): a definition change never
    /// moves such a lead back.
    pub past_human_decision: bool,
}

/// A lead shown as an example of a move.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleLead {
    /// The lead's id.
    pub id: i64,
    /// The lead's email.
    pub email: String,
}

/// Leads that would move from one stage to another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpactMove {
    /// The stage key today.
    pub from: String,
    /// The stage key computed under the proposal.
    pub to: String,
    /// How many leads.
    pub count: u64,
    /// Whether publishing will move them: forward moves always, backward ones only when
    /// published with `requalify` and only for leads before the first acceptance gate and
    /// not past a human decision.
    pub applies_on_publish: bool,
    /// The first few leads of the group, in the order they were evaluated.
    pub sample: Vec<SampleLead>,
}

/// What publishing a proposal would do to the leads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Impact {
    /// How many leads were evaluated.
    pub evaluated: u64,
    /// The moves, largest group first.
    pub moves: Vec<ImpactMove>,
}

/// One (from, to, applies) group while leads stream in.
#[derive(Debug, Default)]
struct Group {
    count: u64,
    sample: Vec<SampleLead>,
}

/// An accumulator so that a million leads can be streamed through without holding them.
///
/// A lead whose stage key the proposal no longer has (a removed stage) is treated as being
/// at the proposal's first stage for deciding what publishing does (as
/// [`super::lifecycle::stage_index_or_first`] does), but it is always reported — from its
/// old key to its computed stage — because its stage today differs from whatever the
/// proposal computes; such a move applies on publish only when it is a forward move.
#[derive(Debug)]
pub struct ImpactBuilder {
    proposed: Definition,
    requalify: bool,
    sample_size: usize,
    first_acceptance: usize,
    evaluated: u64,
    /// Keyed by (from slot, to index, applies): a slot below the number of stages is a stage
    /// index of the proposal; slot `stages + i` is `removed[i]`.
    groups: HashMap<(usize, usize, bool), Group>,
    /// Stage keys of leads that the proposal does not have, in order of first appearance.
    removed: Vec<String>,
}

impl ImpactBuilder {
    /// A builder for the `proposed` definition, published with or without `requalify`,
    /// keeping up to `sample_size` sample leads per move.
    pub fn new(proposed: &Definition, requalify: bool, sample_size: usize) -> Self {
        Self {
            proposed: proposed.clone(),
            requalify,
            sample_size,
            first_acceptance: first_acceptance_gate(proposed),
            evaluated: 0,
            groups: HashMap::new(),
            removed: Vec::new(),
        }
    }

    /// Evaluates one lead under the proposal and records its move, if any.
    pub fn add(&mut self, lead: &LeadSnapshot) {
        self.evaluated += 1;
        if self.proposed.stages.is_empty() {
            return;
        }
        let known = self.proposed.stage_index(&lead.stage);
        let current = known.unwrap_or(0);
        let computed = automatic_stage(&self.proposed, &lead.facts);
        if known.is_some() && computed == current {
            return;
        }
        let applies = decide_publish(
            self.first_acceptance,
            current,
            computed,
            self.requalify,
            lead.past_human_decision,
        )
        .is_some();
        let from = match known {
            Some(index) => index,
            None => self.removed_slot(&lead.stage),
        };
        let group = self.groups.entry((from, computed, applies)).or_default();
        group.count += 1;
        if group.sample.len() < self.sample_size {
            group.sample.push(SampleLead {
                id: lead.id,
                email: lead.email.clone(),
            });
        }
    }

    /// The impact: moves ordered by count (largest first), then by from and to stage in
    /// funnel order (removed stages after the others), then those that apply first.
    pub fn finish(self) -> Impact {
        let stages = self.proposed.stages.len();
        let mut groups: Vec<_> = self.groups.into_iter().collect();
        groups.sort_by(|((f1, t1, a1), g1), ((f2, t2, a2), g2)| {
            g2.count
                .cmp(&g1.count)
                .then(f1.cmp(f2))
                .then(t1.cmp(t2))
                .then(a2.cmp(a1))
        });
        let moves = groups
            .into_iter()
            .map(|((from, to, applies), group)| ImpactMove {
                from: if from < stages {
                    self.proposed.stages[from].key.clone()
                } else {
                    self.removed[from - stages].clone()
                },
                to: self.proposed.stages[to].key.clone(),
                count: group.count,
                applies_on_publish: applies,
                sample: group.sample,
            })
            .collect();
        Impact {
            evaluated: self.evaluated,
            moves,
        }
    }

    /// The from slot of a stage key the proposal lacks.
    fn removed_slot(&mut self, key: &str) -> usize {
        let stages = self.proposed.stages.len();
        match self.removed.iter().position(|k| k == key) {
            Some(i) => stages + i,
            None => {
                self.removed.push(key.to_owned());
                stages + self.removed.len() - 1
            }
        }
    }
}

#[cfg(test)]
#[path = "impact_tests.rs"]
mod tests;
