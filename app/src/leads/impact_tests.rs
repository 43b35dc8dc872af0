use serde_json::json;

use super::*;
use crate::definitions::seed::version_one;
use crate::definitions::{AccountFacts, Condition, Criteria, Op};

/// Facts reaching exactly `stage` of version one (0 prospect to 3 mql).
fn facts_for(stage: usize) -> LeadFacts {
    LeadFacts {
        email: Some("x@example.com".into()),
        consent: stage >= 1,
        persona: Some("cmo".into()),
        score: if stage >= 3 { 75 } else { 10 },
        account: Some(AccountFacts {
            employees: Some(if stage >= 2 { 200 } else { 20 }),
            ..AccountFacts::default()
        }),
        ..LeadFacts::default()
    }
}

fn lead(id: i64, stage: &str, reaches: usize) -> LeadSnapshot {
    LeadSnapshot {
        id,
        email: format!("lead{id}@example.com"),
        stage: stage.to_owned(),
        facts: facts_for(reaches),
        past_human_decision: false,
    }
}

/// Version one with the lead stage asking for 300 employees instead of 50.
fn stricter() -> Definition {
    let mut def = version_one();
    def.stages[2].entry = Some(Criteria::All {
        all: vec![
            Condition::new("account.employees", Op::Gte, Some(json!(300))).into(),
            Condition::new("lead.persona", Op::IsSet, None).into(),
        ],
    });
    def
}

fn run(def: &Definition, requalify: bool, sample: usize, leads: &[LeadSnapshot]) -> Impact {
    let mut builder = ImpactBuilder::new(def, requalify, sample);
    leads.iter().for_each(|l| builder.add(l));
    builder.finish()
}

fn summary(impact: &Impact) -> Vec<(&str, &str, u64, bool)> {
    impact
        .moves
        .iter()
        .map(|m| (m.from.as_str(), m.to.as_str(), m.count, m.applies_on_publish))
        .collect()
}

#[test]
fn leads_already_at_their_computed_stage_are_evaluated_but_do_not_move() {
    let leads = [lead(1, "lead", 2), lead(2, "mql", 3)];
    assert_eq!(
        run(&version_one(), true, 5, &leads),
        Impact {
            evaluated: 2,
            moves: vec![]
        }
    );
}

#[test]
fn forward_moves_are_grouped_counted_and_always_apply() {
    let leads = [lead(1, "lead", 3), lead(2, "lead", 3), lead(3, "subscriber", 3)];
    let impact = run(&version_one(), false, 5, &leads);
    assert_eq!(impact.evaluated, 3);
    assert_eq!(
        summary(&impact),
        [("lead", "mql", 2, true), ("subscriber", "mql", 1, true)]
    );
    let ids: Vec<_> = impact.moves[0].sample.iter().map(|s| s.id).collect();
    assert_eq!(ids, [1, 2]);
    assert_eq!(impact.moves[0].sample[0].email, "lead1@example.com");
}

#[test]
fn backward_moves_are_shown_but_apply_only_with_requalify() {
    // Under the stricter rule, 200 employees no longer make a lead.
    let leads = [lead(1, "mql", 3), lead(2, "lead", 2)];
    let without = run(&stricter(), false, 5, &leads);
    assert_eq!(
        summary(&without),
        [("lead", "subscriber", 1, false), ("mql", "subscriber", 1, false)]
    );
    let with = run(&stricter(), true, 5, &leads);
    assert_eq!(
        summary(&with),
        [("lead", "subscriber", 1, true), ("mql", "subscriber", 1, true)]
    );
}

#[test]
fn a_lead_past_a_human_decision_is_shown_but_never_moved_back() {
    let mut decided = lead(1, "mql", 2);
    decided.past_human_decision = true;
    let impact = run(&version_one(), true, 5, &[decided, lead(2, "mql", 2)]);
    assert_eq!(
        summary(&impact),
        [("mql", "lead", 1, true), ("mql", "lead", 1, false)]
    );
}

#[test]
fn leads_after_the_first_acceptance_gate_are_never_moved_back() {
    let impact = run(&version_one(), true, 5, &[lead(1, "opportunity", 3)]);
    assert_eq!(summary(&impact), [("opportunity", "mql", 1, false)]);
}

#[test]
fn samples_are_limited_to_the_first_leads_of_each_group() {
    let leads: Vec<_> = (1..=8).map(|id| lead(id, "lead", 3)).collect();
    let impact = run(&version_one(), false, 3, &leads);
    assert_eq!(impact.moves[0].count, 8);
    let ids: Vec<_> = impact.moves[0].sample.iter().map(|s| s.id).collect();
    assert_eq!(ids, [1, 2, 3]);
    assert!(run(&version_one(), false, 0, &leads).moves[0].sample.is_empty());
}

#[test]
fn moves_are_ordered_by_count_then_funnel_order() {
    let leads = [
        lead(1, "prospect", 3),
        lead(2, "subscriber", 3),
        lead(3, "lead", 3),
        lead(4, "lead", 3),
    ];
    assert_eq!(
        summary(&run(&version_one(), false, 5, &leads)),
        [
            ("lead", "mql", 2, true),
            ("prospect", "mql", 1, true),
            ("subscriber", "mql", 1, true)
        ]
    );
}

#[test]
fn a_lead_in_a_removed_stage_is_reported_from_its_old_key() {
    let leads = [lead(1, "sal", 3), lead(2, "sal", 0), lead(3, "sal", 0)];
    let impact = run(&version_one(), true, 5, &leads);
    assert_eq!(
        summary(&impact),
        [("sal", "prospect", 2, false), ("sal", "mql", 1, true)]
    );
}

#[test]
fn an_empty_definition_evaluates_leads_without_moving_them() {
    let mut def = version_one();
    def.stages.clear();
    assert_eq!(run(&def, true, 5, &[lead(1, "lead", 3)]).evaluated, 1);
}

#[test]
fn the_impact_serializes_as_the_api_shape() {
    let impact = run(&version_one(), false, 1, &[lead(7, "lead", 3)]);
    assert_eq!(
        serde_json::to_value(&impact).unwrap(),
        json!({"evaluated": 1, "moves": [{"from": "lead", "to": "mql", "count": 1,
               "applies_on_publish": true, "sample": [{"id": 7, "email": "lead7@example.com"}]}]})
    );
}
