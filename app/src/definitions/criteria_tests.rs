//! Evaluation and reading of criteria.

use serde_json::json;

use super::*;
use crate::definitions::seed::version_one;

fn crit(value: serde_json::Value) -> Criteria {
    serde_json::from_value(value).unwrap()
}

fn holds(criteria: serde_json::Value, facts: &LeadFacts) -> bool {
    evaluate(&crit(criteria), facts)
}

fn lead() -> LeadFacts {
    LeadFacts {
        email: Some("Aiko@Example.com".into()),
        consent: true,
        persona: Some("CMO".into()),
        job_title: Some("Chief Marketing Officer".into()),
        score: 72,
        source: Some("inbound".into()),
        country: Some("JP".into()),
        account: Some(AccountFacts {
            employees: Some(120),
            industry: Some("Software".into()),
            country: Some("JP".into()),
            annual_revenue: Some(12_500_000.0),
            is_target: true,
            tier: Some("1".into()),
        }),
        activity_counts: vec![ActivityCount {
            kind: "form_submit".into(),
            days: 30,
            count: 2,
        }],
    }
}

#[test]
fn number_comparisons_follow_their_operator() {
    let f = lead();
    for (op, value, expected) in [
        ("eq", 120, true),
        ("eq", 119, false),
        ("ne", 119, true),
        ("ne", 120, false),
        ("gt", 119, true),
        ("gt", 120, false),
        ("gte", 120, true),
        ("gte", 121, false),
        ("lt", 121, true),
        ("lt", 120, false),
        ("lte", 120, true),
        ("lte", 119, false),
    ] {
        let c = json!({"field": "account.employees", "op": op, "value": value});
        assert_eq!(holds(c, &f), expected, "{op} {value}");
    }
    assert!(holds(
        json!({"field": "account.annual_revenue", "op": "gte", "value": 1.25e7}),
        &f
    ));
    assert!(holds(
        json!({"field": "account.employees", "op": "in", "value": [50, 120]}),
        &f
    ));
    assert!(holds(
        json!({"field": "account.employees", "op": "not_in", "value": [50, 100]}),
        &f
    ));
    assert!(!holds(
        json!({"field": "account.employees", "op": "not_in", "value": [120]}),
        &f
    ));
}

#[test]
fn text_comparisons_ignore_case_and_surrounding_spaces() {
    let f = lead();
    assert!(holds(
        json!({"field": "lead.persona", "op": "eq", "value": " cmo "}),
        &f
    ));
    assert!(holds(
        json!({"field": "lead.persona", "op": "ne", "value": "cto"}),
        &f
    ));
    assert!(holds(
        json!({"field": "lead.persona", "op": "in", "value": ["cto", "cmo"]}),
        &f
    ));
    assert!(!holds(
        json!({"field": "lead.persona", "op": "not_in", "value": ["CMO"]}),
        &f
    ));
    assert!(holds(
        json!({"field": "lead.job_title", "op": "contains", "value": "MARKETING"}),
        &f
    ));
    assert!(!holds(
        json!({"field": "lead.job_title", "op": "contains", "value": "sales"}),
        &f
    ));
    assert!(holds(
        json!({"field": "lead.email", "op": "eq", "value": "aiko@example.COM"}),
        &f
    ));
}

#[test]
fn booleans_compare_with_json_booleans_only() {
    let f = lead();
    assert!(holds(
        json!({"field": "lead.consent", "op": "eq", "value": true}),
        &f
    ));
    assert!(holds(
        json!({"field": "account.is_target", "op": "ne", "value": false}),
        &f
    ));
    assert!(!holds(
        json!({"field": "lead.consent", "op": "eq", "value": "true"}),
        &f
    ));
}

#[test]
fn missing_values_meet_only_is_not_set() {
    let f = LeadFacts::default();
    for op in ["eq", "ne", "gt", "gte", "lt", "lte"] {
        assert!(
            !holds(json!({"field": "account.employees", "op": op, "value": 1}), &f),
            "{op}"
        );
    }
    assert!(!holds(
        json!({"field": "lead.persona", "op": "not_in", "value": ["cfo"]}),
        &f
    ));
    assert!(!holds(
        json!({"field": "lead.persona", "op": "contains", "value": ""}),
        &f
    ));
    assert!(!holds(json!({"field": "lead.persona", "op": "is_set"}), &f));
    assert!(holds(json!({"field": "lead.persona", "op": "is_not_set"}), &f));
    let blank = LeadFacts {
        email: Some("   ".into()),
        ..LeadFacts::default()
    };
    assert!(holds(json!({"field": "lead.email", "op": "is_not_set"}), &blank));
}

#[test]
fn a_value_of_the_wrong_type_never_matches() {
    let f = lead();
    assert!(!holds(
        json!({"field": "account.employees", "op": "eq", "value": "120"}),
        &f
    ));
    assert!(!holds(
        json!({"field": "account.employees", "op": "ne", "value": "7"}),
        &f
    ));
    assert!(!holds(
        json!({"field": "lead.persona", "op": "gt", "value": "a"}),
        &f
    ));
    assert!(!holds(
        json!({"field": "account.employees", "op": "in", "value": 120}),
        &f
    ));
    assert!(!holds(json!({"field": "account.employees", "op": "gte"}), &f));
}

#[test]
fn activity_counts_compare_as_numbers_and_default_to_zero() {
    let f = lead();
    assert!(holds(
        json!({"field": "activity.form_submit.count_30d", "op": "gte", "value": 2}),
        &f
    ));
    assert!(holds(
        json!({"field": "activity.demo_request.count_90d", "op": "eq", "value": 0}),
        &f
    ));
}

#[test]
fn empty_groups_hold_for_all_and_fail_for_any() {
    let f = lead();
    assert!(holds(json!({"all": []}), &f));
    assert!(!holds(json!({"any": []}), &f));
}

#[test]
fn nested_groups_combine_like_the_design_example() {
    let c = json!({"all": [
        {"field": "account.employees", "op": "gte", "value": 100},
        {"any": [{"field": "lead.persona", "op": "in", "value": ["cmo", "vp_marketing"]},
                 {"field": "lead.score", "op": "gte", "value": 80}]}
    ]});
    assert!(holds(c.clone(), &lead()));
    let cto = LeadFacts {
        persona: Some("cto".into()),
        ..lead()
    };
    assert!(!holds(c.clone(), &cto));
    let hot_cto = LeadFacts { score: 85, ..cto };
    assert!(holds(c, &hot_cto));
}

#[test]
fn explain_lists_every_condition_with_its_path() {
    let c = crit(json!({"all": [
        {"field": "account.employees", "op": "gte", "value": 500},
        {"any": [{"field": "lead.persona", "op": "is_set"}]}
    ]}));
    let outcomes = explain(&c, &lead(), "stages.lead.entry");
    let summary: Vec<_> = outcomes.iter().map(|o| (o.path.as_str(), o.met)).collect();
    assert_eq!(
        summary,
        [
            ("stages.lead.entry.all[0]", false),
            ("stages.lead.entry.all[1].any[0]", true)
        ]
    );
    let root = crit(json!({"field": "lead.consent", "op": "eq", "value": true}));
    assert_eq!(explain(&root, &lead(), "")[0].path, "");
}

#[test]
fn activity_windows_lists_each_counted_window_once() {
    let mut def = version_one();
    assert!(activity_windows(&def).is_empty());
    def.stages[1].entry = Some(crit(json!({"any": [
        {"field": "activity.form_submit.count_30d", "op": "gte", "value": 1},
        {"field": "activity.webinar_attended.count_90d", "op": "gte", "value": 1},
        {"field": "activity.form_submit.count_30d", "op": "gte", "value": 3}
    ]})));
    assert_eq!(
        activity_windows(&def),
        [
            ("form_submit".to_owned(), 30),
            ("webinar_attended".to_owned(), 90)
        ]
    );
}

#[test]
fn activity_fields_must_be_spelled_canonically() {
    assert_eq!(
        activity_field("activity.form_submit.count_30d"),
        Some(("form_submit", 30))
    );
    assert_eq!(
        activity_field("activity.page_view.count_365d"),
        Some(("page_view", 365))
    );
    for bad in [
        "activity.form_submit.count_0d",
        "activity.form_submit.count_366d",
        "activity.form_submit.count_030d",
        "activity.form_submit.count_+3d",
        "activity.form_submit.count_d",
        "activity.phone_call.count_30d",
        "activity.form_submit.count_30",
    ] {
        assert_eq!(activity_field(bad), None, "{bad}");
    }
    assert_eq!(
        field_type("activity.email_click.count_7d"),
        Some(FieldType::Number)
    );
    assert_eq!(field_type("account.tier"), Some(FieldType::Text));
    assert_eq!(field_type("lead.shoe_size"), None);
    assert_eq!(
        activity_field_name("form_submit", 30),
        "activity.form_submit.count_30d"
    );
}

#[test]
fn operators_round_trip_through_their_names() {
    for op in Op::ALL {
        assert_eq!(Op::parse(op.as_str()), Some(op));
        assert_eq!(serde_json::to_value(op).unwrap(), json!(op.as_str()));
    }
    assert_eq!(Op::parse("between"), None);
    assert!(Op::In.takes_list() && !Op::Eq.takes_list());
    assert!(!Op::IsSet.takes_value() && Op::Contains.takes_value());
    assert!(ops_for(FieldType::Bool).iter().all(|op| !op.takes_list()));
}

#[test]
fn reading_names_where_the_tree_is_malformed() {
    let err = Criteria::from_json(&json!({"all": [{"field": "lead.score", "op": "between", "value": 1}]}))
        .unwrap_err();
    assert_eq!((err.path.as_str(), err.code), ("all[0].op", "unknown_op"));
    let err = Criteria::from_json(&json!({"all": [], "any": []})).unwrap_err();
    assert_eq!((err.path.as_str(), err.code), ("", "invalid_criteria"));
    let err =
        Criteria::from_json(&json!({"any": [{"field": "lead.score", "op": "gte", "valu": 1}]})).unwrap_err();
    assert_eq!(err.path, "any[0].valu");
    let err = Criteria::from_json(&json!({"all": {"field": "lead.score"}})).unwrap_err();
    assert_eq!(err.path, "all");
    assert!(Criteria::from_json(&json!([1])).is_err());
    assert!(Criteria::from_json(&json!({"op": "eq"})).is_err());
    let message = serde_json::from_value::<Criteria>(json!({"field": "x", "op": "nope"}))
        .unwrap_err()
        .to_string();
    assert!(message.contains("op: unknown operator `nope`"), "{message}");
}

#[test]
fn a_null_value_reads_as_no_value() {
    let c = crit(json!({"field": "lead.persona", "op": "is_set", "value": null}));
    assert_eq!(c, Condition::new("lead.persona", Op::IsSet, None).into());
    assert_eq!(
        serde_json::to_value(&c).unwrap(),
        json!({"field": "lead.persona", "op": "is_set"})
    );
}
