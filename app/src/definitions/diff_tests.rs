//! Diff paths and applying diffs back.

use serde_json::json;

use super::*;
use crate::auth::Team;
use crate::definitions::criteria::Criteria;
use crate::definitions::seed::version_one;

fn paths(changes: &[Change]) -> Vec<&str> {
    changes.iter().map(|c| c.path.as_str()).collect()
}

fn set_lead_entry(def: &mut Definition, entry: serde_json::Value) {
    def.stages[2].entry = Some(serde_json::from_value::<Criteria>(entry).unwrap());
}

fn round_trips(before: &Definition, after: &Definition) {
    assert_eq!(apply(before, &diff(before, after)).as_ref(), Ok(after));
}

#[test]
fn a_definition_has_no_changes_against_itself() {
    assert_eq!(diff(&version_one(), &version_one()), []);
}

#[test]
fn raising_the_employee_threshold_is_one_change_at_the_value() {
    let before = version_one();
    let mut after = before.clone();
    set_lead_entry(
        &mut after,
        json!({"all": [{"field": "account.employees", "op": "gte", "value": 100},
                       {"field": "lead.persona", "op": "is_set"}]}),
    );
    assert_eq!(
        diff(&before, &after),
        [Change {
            path: "stages.lead.entry.all[0].value".into(),
            before: Some(json!(50)),
            after: Some(json!(100)),
        }]
    );
    round_trips(&before, &after);
}

#[test]
fn stage_fields_and_gates_are_addressed_by_stage_key() {
    let before = version_one();
    let mut after = before.clone();
    after.stages[3].name = "Marketing qualified".into();
    after.stages[3].gate.as_mut().unwrap().sla_hours = 12;
    after.stages[5].owner_team = Team::Sdr;
    after.stages[5].gate = after.stages[4].gate.clone();
    assert_eq!(
        paths(&diff(&before, &after)),
        [
            "stages.mql.name",
            "stages.mql.gate.sla_hours",
            "stages.opportunity.owner_team",
            "stages.opportunity.gate"
        ]
    );
    round_trips(&before, &after);
}

#[test]
fn a_change_of_shape_is_one_change_at_the_node() {
    let before = version_one();
    let mut after = before.clone();
    set_lead_entry(
        &mut after,
        json!({"any": [{"field": "account.employees", "op": "gte", "value": 50},
                       {"field": "lead.persona", "op": "is_set"}]}),
    );
    after.stages[0].entry = None;
    after.stages[4].entry =
        Some(serde_json::from_value(json!({"field": "lead.score", "op": "gte", "value": 90})).unwrap());
    let changes = diff(&before, &after);
    assert_eq!(
        paths(&changes),
        ["stages.prospect.entry", "stages.lead.entry", "stages.sql.entry"]
    );
    assert_eq!(changes[0].after, None);
    assert_eq!(changes[2].before, None);
    round_trips(&before, &after);
}

#[test]
fn a_group_that_gains_a_child_changes_as_a_list() {
    let before = version_one();
    let mut after = before.clone();
    set_lead_entry(
        &mut after,
        json!({"all": [{"field": "account.employees", "op": "gte", "value": 50},
                       {"field": "lead.persona", "op": "is_set"},
                       {"field": "lead.country", "op": "eq", "value": "JP"}]}),
    );
    assert_eq!(paths(&diff(&before, &after)), ["stages.lead.entry.all"]);
    round_trips(&before, &after);
}

#[test]
fn a_condition_changes_field_by_field() {
    let before = version_one();
    let mut after = before.clone();
    set_lead_entry(
        &mut after,
        json!({"all": [{"field": "account.employees", "op": "gte", "value": 50},
                       {"field": "lead.persona", "op": "in", "value": ["cmo", "cto"]}]}),
    );
    let changes = diff(&before, &after);
    assert_eq!(
        paths(&changes),
        ["stages.lead.entry.all[1].op", "stages.lead.entry.all[1].value"]
    );
    assert_eq!(changes[1].before, None);
    round_trips(&before, &after);
    round_trips(&after, &before);
}

#[test]
fn added_removed_and_moved_stages() {
    let before = version_one();
    let mut after = before.clone();
    let mut sal = after.stages[4].clone();
    sal.key = "sal".into();
    sal.name = "SAL".into();
    after.stages.insert(4, sal);
    after.stages.retain(|s| s.key != "customer");
    after.stages.swap(0, 1);
    let changes = diff(&before, &after);
    assert_eq!(paths(&changes), ["stages.order", "stages.sal", "stages.customer"]);
    assert_eq!(
        changes[0].after,
        Some(json!([
            "subscriber",
            "prospect",
            "lead",
            "mql",
            "sal",
            "sql",
            "opportunity"
        ]))
    );
    assert_eq!(
        (changes[1].before.is_none(), changes[2].after.is_none()),
        (true, true)
    );
    round_trips(&before, &after);
    round_trips(&after, &before);
}

#[test]
fn scoring_rules_are_addressed_by_kind_and_reason_lists_as_wholes() {
    let before = version_one();
    let mut after = before.clone();
    after.scoring.rules[0].points = 15;
    after.scoring.rules[1].max_points = None;
    after.scoring.rules.retain(|r| r.kind != "page_view");
    after.scoring.decay_days = None;
    after.reason_codes.reject.push("student".into());
    let changes = diff(&before, &after);
    assert_eq!(
        paths(&changes),
        [
            "scoring.rules.form_submit.points",
            "scoring.rules.content_download.max_points",
            "scoring.rules.page_view",
            "scoring.decay_days",
            "reason_codes.reject",
        ]
    );
    round_trips(&before, &after);
    round_trips(&after, &before);
}

#[test]
fn stages_that_keys_cannot_address_change_as_a_whole() {
    let before = version_one();
    let mut after = before.clone();
    after.stages[1].key = "prospect".into();
    assert_eq!(paths(&diff(&before, &after)), ["stages"]);
    round_trips(&before, &after);
}

#[test]
fn applying_a_change_that_does_not_fit_names_its_path() {
    let change = Change {
        path: "stages.nope.name".into(),
        before: None,
        after: Some(json!("x")),
    };
    let err = apply(&version_one(), &[change]).unwrap_err();
    assert!(err.starts_with("stages.nope.name:"), "{err}");
    let change = Change {
        path: "stages.lead.entry.all[5].value".into(),
        before: None,
        after: Some(json!(1)),
    };
    assert!(apply(&version_one(), &[change]).is_err());
}

#[test]
fn paths_split_into_segments() {
    assert_eq!(
        segments("stages.lead.entry.all[0].value"),
        ["stages", "lead", "entry", "all", "[0]", "value"]
    );
    assert_eq!(segments("all[1][2]"), ["all", "[1]", "[2]"]);
    assert_eq!(segments("stages"), ["stages"]);
}

#[test]
fn a_stage_added_last_or_removed_is_a_single_change() {
    let before = version_one();
    let mut after = before.clone();
    let mut advocate = after.stages[6].clone();
    advocate.key = "advocate".into();
    after.stages.push(advocate);
    assert_eq!(paths(&diff(&before, &after)), ["stages.advocate"]);
    round_trips(&before, &after);
    let mut after = before.clone();
    after.stages.remove(1);
    assert_eq!(paths(&diff(&before, &after)), ["stages.subscriber"]);
    round_trips(&before, &after);
}

#[test]
fn a_stage_inserted_in_the_middle_also_changes_the_order() {
    let before = version_one();
    let mut after = before.clone();
    let mut sal = after.stages[4].clone();
    sal.key = "sal".into();
    after.stages.insert(4, sal);
    assert_eq!(paths(&diff(&before, &after)), ["stages.order", "stages.sal"]);
    round_trips(&before, &after);
}
