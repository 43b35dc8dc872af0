//! Every kind of validation problem, with its exact path and code.

use serde_json::json;

use super::*;
use crate::auth::Team;
use crate::definitions::model::{EntryOn, Gate};
use crate::definitions::seed::version_one;

fn problems(def: &Definition) -> Vec<(String, String)> {
    match validate(def) {
        Ok(()) => Vec::new(),
        Err(errors) => errors.into_iter().map(|e| (e.path, e.code)).collect(),
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(p, c)| ((*p).to_owned(), (*c).to_owned()))
        .collect()
}

fn with_lead_entry(entry: serde_json::Value) -> Definition {
    let mut def = version_one();
    def.stages[2].entry = Some(serde_json::from_value(entry).unwrap());
    def
}

fn criteria_problems(entry: serde_json::Value) -> Vec<(String, String)> {
    problems(&with_lead_entry(entry))
}

#[test]
fn the_default_definition_has_no_problems() {
    assert_eq!(problems(&version_one()), []);
}

#[test]
fn a_definition_needs_a_stage() {
    let mut def = version_one();
    def.stages.clear();
    assert_eq!(problems(&def), pairs(&[("stages", "no_stages")]));
}

#[test]
fn bad_stage_keys_are_named_by_position() {
    let mut def = version_one();
    def.stages[1].key = String::new();
    def.stages[2].key = "Lead Stage".into();
    def.stages[4].key = "mql".into();
    def.stages[5].key = "order".into();
    assert_eq!(
        problems(&def),
        pairs(&[
            ("stages[1].key", "required"),
            ("stages[2].key", "invalid_key"),
            ("stages[4].key", "duplicate_key"),
            ("stages[5].key", "reserved_key"),
        ])
    );
}

#[test]
fn stage_names_must_be_present_and_short() {
    let mut def = version_one();
    def.stages[0].name = "  ".into();
    def.stages[1].name = "x".repeat(81);
    def.stages[2].name = "y".repeat(80);
    assert_eq!(
        problems(&def),
        pairs(&[
            ("stages.prospect.name", "required"),
            ("stages.subscriber.name", "too_long")
        ])
    );
}

#[test]
fn an_unknown_field_is_named_with_its_path() {
    let found = criteria_problems(json!({"all": [{"field": "account.headcount", "op": "gte", "value": 50}]}));
    assert_eq!(
        found,
        pairs(&[("stages.lead.entry.all[0].field", "unknown_field")])
    );
}

#[test]
fn an_operator_must_fit_the_field_type() {
    let found = criteria_problems(json!({"any": [
        {"field": "lead.consent", "op": "gt", "value": true},
        {"field": "lead.persona", "op": "lte", "value": "cmo"},
        {"field": "lead.score", "op": "contains", "value": "1"}
    ]}));
    assert_eq!(
        found,
        pairs(&[
            ("stages.lead.entry.any[0].op", "op_not_allowed"),
            ("stages.lead.entry.any[1].op", "op_not_allowed"),
            ("stages.lead.entry.any[2].op", "op_not_allowed"),
        ])
    );
}

#[test]
fn values_must_be_present_exactly_when_the_operator_needs_one() {
    let found = criteria_problems(json!({"all": [
        {"field": "account.employees", "op": "gte"},
        {"field": "lead.persona", "op": "is_set", "value": "cmo"}
    ]}));
    assert_eq!(
        found,
        pairs(&[
            ("stages.lead.entry.all[0].value", "value_required"),
            ("stages.lead.entry.all[1].value", "value_not_allowed"),
        ])
    );
}

#[test]
fn values_must_have_the_fields_type() {
    let found = criteria_problems(json!({"all": [
        {"field": "account.employees", "op": "gte", "value": "50"},
        {"field": "lead.consent", "op": "eq", "value": 1},
        {"field": "lead.country", "op": "eq", "value": 81},
        {"field": "lead.score", "op": "in", "value": 60},
        {"field": "lead.score", "op": "not_in", "value": []},
        {"field": "lead.score", "op": "in", "value": [60, "70"]}
    ]}));
    assert_eq!(
        found,
        pairs(&[
            ("stages.lead.entry.all[0].value", "wrong_value_type"),
            ("stages.lead.entry.all[1].value", "wrong_value_type"),
            ("stages.lead.entry.all[2].value", "wrong_value_type"),
            ("stages.lead.entry.all[3].value", "wrong_value_type"),
            ("stages.lead.entry.all[4].value", "wrong_value_type"),
            ("stages.lead.entry.all[5].value[1]", "wrong_value_type"),
        ])
    );
}

#[test]
fn closed_list_fields_accept_only_their_choices() {
    let found = criteria_problems(json!({"all": [
        {"field": "lead.persona", "op": "in", "value": ["CMO", "astronaut"]},
        {"field": "lead.source", "op": "eq", "value": "referral"},
        {"field": "account.tier", "op": "eq", "value": "4"},
        {"field": "lead.persona", "op": "contains", "value": "vp"}
    ]}));
    assert_eq!(
        found,
        pairs(&[
            ("stages.lead.entry.all[0].value[1]", "not_a_choice"),
            ("stages.lead.entry.all[1].value", "not_a_choice"),
            ("stages.lead.entry.all[2].value", "not_a_choice"),
        ])
    );
}

#[test]
fn empty_groups_and_deep_nesting_are_refused() {
    assert_eq!(
        criteria_problems(json!({"all": []})),
        pairs(&[("stages.lead.entry.all", "empty_group")])
    );
    let mut deep = json!({"field": "lead.score", "op": "gte", "value": 1});
    for _ in 0..8 {
        deep = json!({"all": [deep]});
    }
    let found = criteria_problems(deep);
    let path = format!("stages.lead.entry{}", ".all[0]".repeat(8));
    assert_eq!(found, pairs(&[(path.trim_start_matches('.'), "too_deep")]));
    let mut ok = json!({"field": "lead.score", "op": "gte", "value": 1});
    for _ in 0..7 {
        ok = json!({"any": [ok]});
    }
    assert_eq!(criteria_problems(ok), []);
}

#[test]
fn gates_need_a_sane_sla_two_teams_and_an_earlier_stage() {
    let mut def = version_one();
    def.stages[0].gate = Some(Gate {
        from_team: Team::Sales,
        to_team: Team::Marketing,
        sla_hours: 1,
        entry_on: EntryOn::Criteria,
    });
    if let Some(gate) = def.stages[3].gate.as_mut() {
        gate.sla_hours = 0;
        gate.to_team = Team::Marketing;
    }
    if let Some(gate) = def.stages[4].gate.as_mut() {
        gate.sla_hours = 721;
    }
    assert_eq!(
        problems(&def),
        pairs(&[
            ("stages.prospect.gate", "gate_on_first_stage"),
            ("stages.mql.gate.sla_hours", "out_of_range"),
            ("stages.mql.gate.to_team", "same_team"),
            ("stages.sql.gate.sla_hours", "out_of_range"),
        ])
    );
}

#[test]
fn scoring_rules_need_known_unique_kinds_and_bounded_points() {
    let mut def = version_one();
    def.scoring.rules[0].kind = "phone_call".into();
    def.scoring.rules[2].kind = "content_download".into();
    def.scoring.rules[3].points = 101;
    def.scoring.rules[4].points = -101;
    def.scoring.rules[5].max_points = Some(-1);
    def.scoring.decay_days = Some(0);
    assert_eq!(
        problems(&def),
        pairs(&[
            ("scoring.rules[0].kind", "unknown_activity"),
            ("scoring.rules[2].kind", "duplicate_kind"),
            ("scoring.rules[3].points", "out_of_range"),
            ("scoring.rules[4].points", "out_of_range"),
            ("scoring.rules[5].max_points", "out_of_range"),
            ("scoring.decay_days", "out_of_range"),
        ])
    );
    def = version_one();
    def.scoring.decay_days = Some(731);
    assert_eq!(problems(&def), pairs(&[("scoring.decay_days", "out_of_range")]));
    def.scoring.decay_days = None;
    assert_eq!(problems(&def), []);
}

#[test]
fn reason_codes_need_a_non_empty_list_of_unique_codes() {
    let mut def = version_one();
    def.reason_codes.reject.push("Not ICP".into());
    def.reason_codes.recycle.clear();
    def.reason_codes.lost.push("price".into());
    assert_eq!(
        problems(&def),
        pairs(&[
            ("reason_codes.reject[6]", "invalid_code"),
            ("reason_codes.recycle", "empty_list"),
            ("reason_codes.lost[5]", "duplicate_code"),
        ])
    );
}

#[test]
fn all_problems_are_reported_together() {
    let mut def = with_lead_entry(json!({"all": [{"field": "nope", "op": "eq", "value": 1}]}));
    def.stages[0].name.clear();
    def.scoring.decay_days = Some(9999);
    def.reason_codes.lost.clear();
    assert_eq!(validate(&def).unwrap_err().len(), 4);
}

#[test]
fn parsing_names_the_path_of_an_unknown_operator() {
    let mut value = serde_json::to_value(version_one()).unwrap();
    value["stages"][3]["entry"] = json!({"all": [{"field": "lead.score", "op": "at_least", "value": 60}]});
    let errors = parse_definition(&value).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        (errors[0].path.as_str(), errors[0].code.as_str()),
        ("stages.mql.entry.all[0].op", "unknown_op")
    );
}

#[test]
fn parsing_reports_validation_problems_and_other_malformed_input() {
    let mut value = serde_json::to_value(version_one()).unwrap();
    value["stages"][2]["entry"]["all"][0]["value"] = json!("fifty");
    let errors = parse_definition(&value).unwrap_err();
    assert_eq!(errors[0].path, "stages.lead.entry.all[0].value");
    assert_eq!(errors[0].code, "wrong_value_type");
    value["stages"][0]["owner_team"] = json!("finance");
    let errors = parse_definition(&value).unwrap_err();
    assert_eq!(errors[0].code, "malformed");
    assert!(errors[0].message.contains("finance"), "{}", errors[0].message);
    let good = serde_json::to_value(version_one()).unwrap();
    assert_eq!(parse_definition(&good), Ok(version_one()));
}
