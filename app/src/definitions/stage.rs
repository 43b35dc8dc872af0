//! A lead's automatic stage under a definition (DESIGN.md, "The funnel"): the furthest stage
//! whose entry criteria, and those of every earlier stage, hold.

use super::criteria::{LeadFacts, evaluate};
use super::model::{Definition, EntryOn};

/// The index of the furthest stage a lead reaches automatically.
///
/// Stages are walked in order and the walk stops at the first stage that
/// - has no entry criteria (only a person moves leads there),
/// - has criteria the lead does not meet, or
/// - is guarded by a gate that opens on acceptance (sales must accept first).
///
/// The first stage is the floor: every known lead is at least at index 0, even when it does
/// not meet the first stage's criteria (and for an empty definition, which validation forbids).
/// The caller decides what to do with a lead already further along: automatic moves go
/// forward only.
pub fn automatic_stage(def: &Definition, facts: &LeadFacts) -> usize {
    let mut reached = 0;
    for (i, stage) in def.stages.iter().enumerate() {
        if stage
            .gate
            .as_ref()
            .is_some_and(|g| g.entry_on == EntryOn::Acceptance)
        {
            break;
        }
        match &stage.entry {
            Some(criteria) if evaluate(criteria, facts) => reached = i,
            _ => break,
        }
    }
    reached
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definitions::criteria::AccountFacts;
    use crate::definitions::seed::version_one;

    fn facts(email: bool, consent: bool, employees: i64, persona: bool, score: i64) -> LeadFacts {
        LeadFacts {
            email: email.then(|| "aiko@example.com".to_owned()),
            consent,
            persona: persona.then(|| "cmo".to_owned()),
            score,
            account: Some(AccountFacts {
                employees: Some(employees),
                ..AccountFacts::default()
            }),
            ..LeadFacts::default()
        }
    }

    fn stage_key(f: &LeadFacts) -> String {
        let def = version_one();
        def.stages[automatic_stage(&def, f)].key.clone()
    }

    #[test]
    fn a_lead_meeting_every_criterion_stops_at_mql_because_sql_needs_acceptance() {
        assert_eq!(stage_key(&facts(true, true, 200, true, 95)), "mql");
    }

    #[test]
    fn each_missing_criterion_stops_the_walk_at_the_stage_before() {
        assert_eq!(stage_key(&facts(true, true, 200, true, 10)), "lead");
        assert_eq!(stage_key(&facts(true, true, 20, true, 95)), "subscriber");
        assert_eq!(stage_key(&facts(true, false, 200, true, 95)), "prospect");
    }

    #[test]
    fn the_first_stage_is_the_floor_even_when_its_criteria_fail() {
        assert_eq!(stage_key(&facts(false, true, 200, true, 95)), "prospect");
        assert_eq!(stage_key(&LeadFacts::default()), "prospect");
    }

    #[test]
    fn a_stage_without_criteria_is_never_entered_automatically() {
        let mut def = version_one();
        def.stages[2].entry = None;
        assert_eq!(
            def.stages[automatic_stage(&def, &facts(true, true, 200, true, 95))].key,
            "subscriber"
        );
    }

    #[test]
    fn an_empty_definition_yields_the_floor() {
        let mut def = version_one();
        def.stages.clear();
        assert_eq!(automatic_stage(&def, &LeadFacts::default()), 0);
    }
}
