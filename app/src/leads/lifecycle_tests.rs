use proptest::prelude::*;

use super::*;
use crate::auth::Team;
use crate::definitions::seed::version_one;
use crate::definitions::{AccountFacts, Gate};

// version_one: prospect 0, subscriber 1, lead 2, mql 3 (criteria gate), sql 4 (acceptance
// gate), opportunity 5, customer 6.
const SUBSCRIBER: usize = 1;
const LEAD: usize = 2;
const MQL: usize = 3;
const SQL: usize = 4;
const OPPORTUNITY: usize = 5;

/// Facts reaching exactly `stage` of version one (0 to 3).
fn facts_for(stage: usize) -> LeadFacts {
    LeadFacts {
        email: Some("aiko@example.com".into()),
        consent: stage >= SUBSCRIBER,
        persona: Some("cmo".into()),
        score: if stage >= MQL { 75 } else { 10 },
        account: Some(AccountFacts {
            employees: Some(if stage >= LEAD { 200 } else { 20 }),
            ..AccountFacts::default()
        }),
        ..LeadFacts::default()
    }
}

#[test]
fn the_fixture_reaches_the_stage_it_names() {
    let def = version_one();
    for stage in 0..=MQL {
        assert_eq!(automatic_stage(&def, &facts_for(stage)), stage);
    }
}

#[test]
fn causes_read_and_write_their_api_values() {
    for cause in Cause::ALL {
        assert_eq!(Cause::parse(cause.as_str()), Some(cause));
        assert_eq!(serde_json::to_value(cause).unwrap(), cause.as_str());
    }
    assert_eq!(Cause::parse("requalify"), None);
    assert_eq!(Cause::Definition.as_str(), "definition");
}

#[test]
fn a_lead_meeting_more_criteria_moves_forward() {
    assert_eq!(
        forward_move(&version_one(), SUBSCRIBER, &facts_for(MQL)),
        Some(MQL)
    );
}

#[test]
fn an_automatic_move_never_goes_backward() {
    let def = version_one();
    assert_eq!(forward_move(&def, LEAD, &facts_for(SUBSCRIBER)), None);
    assert_eq!(forward_move(&def, OPPORTUNITY, &LeadFacts::default()), None);
    assert_eq!(forward_move(&def, MQL, &facts_for(MQL)), None);
}

#[test]
fn an_automatic_move_stops_before_a_stage_that_opens_on_acceptance() {
    let mut def = version_one();
    def.stages[SQL].entry = def.stages[MQL].entry.clone();
    assert_eq!(forward_move(&def, 0, &facts_for(MQL)), Some(MQL));
}

#[test]
fn publishing_moves_forward_with_cause_rule_whatever_requalify_says() {
    let def = version_one();
    for requalify in [false, true] {
        for past in [false, true] {
            assert_eq!(
                publish_move(&def, LEAD, &facts_for(MQL), requalify, past),
                Some((MQL, Cause::Rule))
            );
        }
    }
}

#[test]
fn publishing_without_requalify_never_moves_back() {
    assert_eq!(
        publish_move(&version_one(), MQL, &facts_for(LEAD), false, false),
        None
    );
}

#[test]
fn publishing_with_requalify_moves_a_lead_before_the_first_acceptance_gate_back() {
    assert_eq!(
        publish_move(&version_one(), MQL, &facts_for(SUBSCRIBER), true, false),
        Some((SUBSCRIBER, Cause::Definition))
    );
}

#[test]
fn publishing_never_moves_back_a_lead_past_a_human_decision() {
    assert_eq!(
        publish_move(&version_one(), MQL, &facts_for(LEAD), true, true),
        None
    );
}

#[test]
fn publishing_never_moves_back_a_lead_at_or_after_the_first_acceptance_gate() {
    let def = version_one();
    assert_eq!(publish_move(&def, SQL, &facts_for(LEAD), true, false), None);
    assert_eq!(
        publish_move(&def, OPPORTUNITY, &facts_for(LEAD), true, false),
        None
    );
}

#[test]
fn without_an_acceptance_gate_every_stage_counts_as_before_it() {
    let mut def = version_one();
    def.stages[SQL].gate = None;
    assert_eq!(
        publish_move(&def, OPPORTUNITY, &facts_for(LEAD), true, false),
        Some((LEAD, Cause::Definition))
    );
}

#[test]
fn publishing_leaves_a_lead_already_at_its_stage_alone() {
    assert_eq!(
        publish_move(&version_one(), LEAD, &facts_for(LEAD), true, false),
        None
    );
}

#[test]
fn entering_mql_opens_a_handoff_but_sql_does_not() {
    let def = version_one();
    assert_eq!(handoffs_due(&def, LEAD, MQL), vec![MQL]);
    assert_eq!(handoffs_due(&def, 0, MQL), vec![MQL]);
    assert_eq!(handoffs_due(&def, MQL, SQL), Vec::<usize>::new());
    assert_eq!(handoffs_due(&def, 0, LEAD), Vec::<usize>::new());
}

#[test]
fn moving_back_or_staying_opens_no_handoff() {
    let def = version_one();
    assert_eq!(handoffs_due(&def, SQL, 0), Vec::<usize>::new());
    assert_eq!(handoffs_due(&def, MQL, MQL), Vec::<usize>::new());
    assert_eq!(handoffs_due(&def, 0, usize::MAX), vec![MQL]);
}

#[test]
fn every_criteria_gate_crossed_opens_its_own_handoff() {
    let mut def = version_one();
    def.stages[LEAD].gate = Some(Gate {
        from_team: Team::Marketing,
        to_team: Team::Marketing,
        sla_hours: 8,
        entry_on: EntryOn::Criteria,
    });
    assert_eq!(handoffs_due(&def, SUBSCRIBER, MQL), vec![LEAD, MQL]);
}

#[test]
fn a_manual_move_to_an_unknown_stage_is_refused() {
    assert_eq!(
        check_manual_move(&version_one(), LEAD, "sal", Some("why")),
        Err(FieldError::new("stage", "unknown_stage"))
    );
}

#[test]
fn a_manual_move_to_the_current_stage_is_refused() {
    assert_eq!(
        check_manual_move(&version_one(), LEAD, "lead", Some("why")),
        Err(FieldError::new("stage", "already_in_stage"))
    );
}

#[test]
fn a_manual_move_back_needs_a_reason_that_is_not_blank() {
    let def = version_one();
    let refused = Err(FieldError::new("reason", "reason_required_for_backward_move"));
    assert_eq!(check_manual_move(&def, MQL, "lead", None), refused);
    assert_eq!(check_manual_move(&def, MQL, "lead", Some("   ")), refused);
    assert_eq!(check_manual_move(&def, MQL, "lead", Some("not ready")), Ok(LEAD));
}

#[test]
fn a_manual_move_forward_needs_no_reason() {
    assert_eq!(
        check_manual_move(&version_one(), MQL, "opportunity", None),
        Ok(OPPORTUNITY)
    );
}

#[test]
fn an_unknown_stage_key_maps_to_the_first_stage() {
    let def = version_one();
    assert_eq!(stage_index_or_first(&def, "mql"), MQL);
    assert_eq!(stage_index_or_first(&def, "sal"), 0);
}

fn any_facts() -> impl Strategy<Value = LeadFacts> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::option::of(0i64..500),
        any::<bool>(),
        -50i64..150,
    )
        .prop_map(|(email, consent, employees, persona, score)| LeadFacts {
            email: email.then(|| "a@b.co".to_owned()),
            consent,
            persona: persona.then(|| "cto".to_owned()),
            score,
            account: employees.map(|n| AccountFacts {
                employees: Some(n),
                ..AccountFacts::default()
            }),
            ..LeadFacts::default()
        })
}

proptest! {
    #[test]
    fn forward_move_is_never_a_move_back_or_a_stay(current in 0usize..9, facts in any_facts()) {
        let def = version_one();
        if let Some(target) = forward_move(&def, current, &facts) {
            prop_assert!(target > current);
            prop_assert!(target < SQL, "never into a stage that opens on acceptance");
        }
    }

    #[test]
    fn publishing_moves_back_only_under_the_requalify_rules(
        current in 0usize..7,
        facts in any_facts(),
        requalify in any::<bool>(),
        past in any::<bool>(),
    ) {
        let def = version_one();
        if let Some((target, cause)) = publish_move(&def, current, &facts, requalify, past) {
            prop_assert_ne!(target, current);
            if target < current {
                prop_assert_eq!(cause, Cause::Definition);
                prop_assert!(requalify && !past && current < SQL);
            } else {
                prop_assert_eq!(cause, Cause::Rule);
            }
        }
    }
}
