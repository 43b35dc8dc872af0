//! Plain-language descriptions in both languages.

use serde_json::json;

use super::*;
use crate::definitions::diff::diff;
use crate::definitions::seed::version_one;

fn crit(value: serde_json::Value) -> Criteria {
    serde_json::from_value(value).unwrap()
}

fn assert_translated(text: &str) {
    assert!(
        !text.contains("def.") && !text.contains("%{") && !text.is_empty(),
        "untranslated: {text}"
    );
}

#[test]
fn the_lead_criteria_read_as_a_sentence_in_both_languages() {
    let lead = version_one().stage("lead").unwrap().entry.clone().unwrap();
    assert_eq!(
        describe_criteria(&lead, Locale::En),
        "Account employees ≥ 50 and Persona is set"
    );
    assert_eq!(
        describe_criteria(&lead, Locale::Ja),
        "従業員数が 50 以上 かつ ペルソナが設定されている"
    );
}

#[test]
fn nested_groups_are_parenthesized_and_choices_use_their_labels() {
    let c = crit(json!({"all": [
        {"field": "account.employees", "op": "gte", "value": 10000},
        {"any": [{"field": "lead.persona", "op": "in", "value": ["cmo", "vp_marketing"]},
                 {"field": "activity.form_submit.count_30d", "op": "gte", "value": 2}]}
    ]}));
    assert_eq!(
        describe_criteria(&c, Locale::En),
        "Account employees ≥ 10,000 and (Persona is one of CMO, VP Marketing or Form submissions in the last 30 days ≥ 2)"
    );
    let ja = describe_criteria(&c, Locale::Ja);
    assert!(ja.contains("過去30日のフォーム送信数が 2 以上"), "{ja}");
    assert!(ja.contains("（") && ja.contains(" または "), "{ja}");
}

#[test]
fn booleans_and_empty_groups_read_naturally() {
    let consent = crit(json!({"field": "lead.consent", "op": "eq", "value": true}));
    assert_eq!(describe_criteria(&consent, Locale::En), "Consent: yes");
    assert_eq!(describe_criteria(&consent, Locale::Ja), "同意：はい");
    let not_target = crit(json!({"field": "account.is_target", "op": "ne", "value": true}));
    assert_eq!(
        describe_criteria(&not_target, Locale::En),
        "Target account (ABM): no"
    );
    assert_eq!(describe_criteria(&crit(json!({"all": []})), Locale::En), "always");
    assert_eq!(
        describe_criteria(&crit(json!({"any": []})), Locale::Ja),
        "常に満たさない"
    );
}

#[test]
fn every_field_operator_and_choice_has_a_label_in_both_languages() {
    for locale in Locale::ALL {
        for spec in crate::definitions::criteria::FIELDS {
            assert_translated(&field_label(spec.name, locale));
            for value in spec.choices.unwrap_or_default() {
                let label = choice_label(spec.name, value, locale);
                assert_translated(&label);
            }
        }
        for kind in crate::definitions::model::ACTIVITY_KINDS {
            assert_translated(&activity_label(kind, locale));
            assert_translated(&field_label(&format!("activity.{kind}.count_7d"), locale));
            assert_translated(&field_label(&format!("activity.{kind}.count_1d"), locale));
        }
        for op in Op::ALL {
            assert_translated(&op_label(op, locale));
            let text = describe_condition(&Condition::new("lead.score", op, Some(json!(60))), locale);
            assert_translated(&text);
        }
        for code in version_one().reason_codes.reject {
            assert_translated(&reason_label(&code, locale));
        }
    }
    assert_eq!(
        field_label("activity.form_submit.count_30d", Locale::En),
        "Form submissions in the last 30 days"
    );
    assert_eq!(
        field_label("activity.form_submit.count_30d", Locale::Ja),
        "過去30日のフォーム送信数"
    );
    assert_eq!(field_label("lead.shoe_size", Locale::Ja), "lead.shoe_size");
    assert_eq!(reason_label("student", Locale::Ja), "student");
}

#[test]
fn a_threshold_change_describes_both_conditions_with_the_field_label() {
    let before = version_one();
    let mut after = before.clone();
    after.stages[2].entry = Some(crit(json!({"all": [
        {"field": "account.employees", "op": "gte", "value": 100},
        {"field": "lead.persona", "op": "is_set"}
    ]})));
    let change = &diff(&before, &after)[0];
    assert_eq!(
        describe_change(change, &before, &after, Locale::En),
        "Lead · entry criteria: Account employees ≥ 50 → Account employees ≥ 100"
    );
    assert_eq!(
        describe_change(change, &before, &after, Locale::Ja),
        "Lead · 開始条件：従業員数が 50 以上 → 従業員数が 100 以上"
    );
}

#[test]
fn every_kind_of_change_is_described_without_untranslated_keys() {
    let before = version_one();
    let mut after = before.clone();
    after.stages[3].name = "Marketing qualified lead".into();
    after.stages[3].gate.as_mut().unwrap().sla_hours = 48;
    after.stages[3].gate.as_mut().unwrap().entry_on = crate::definitions::model::EntryOn::Acceptance;
    after.stages[5].owner_team = crate::auth::Team::Sdr;
    after.stages[5].gate = after.stages[4].gate.clone();
    after.stages[0].entry = None;
    after.stages[1].entry = Some(crit(
        json!({"any": [{"field": "lead.consent", "op": "eq", "value": true}]}),
    ));
    after.stages[2].entry = Some(crit(json!({"all": [
        {"field": "account.employees", "op": "gte", "value": 50},
        {"field": "lead.persona", "op": "is_set"},
        {"field": "lead.source", "op": "eq", "value": "inbound"}
    ]})));
    let mut advocate = after.stages[6].clone();
    advocate.key = "advocate".into();
    advocate.name = "Advocate".into();
    after.stages.push(advocate);
    after.scoring.rules[0].points = 12;
    after.scoring.rules[1].max_points = None;
    after.scoring.rules.pop();
    after.scoring.decay_days = Some(60);
    after.reason_codes.lost.push("student".into());
    let changes = diff(&before, &after);
    assert!(changes.len() >= 14, "{changes:?}");
    for locale in Locale::ALL {
        for change in &changes {
            let text = describe_change(change, &before, &after, locale);
            assert_translated(&text);
            assert!(!text.contains("null"), "{text}");
        }
    }
    let en: Vec<String> = changes
        .iter()
        .map(|c| describe_change(c, &before, &after, Locale::En))
        .collect();
    assert!(
        en.contains(&"Marketing qualified lead · handoff SLA: 24 h → 48 h".to_owned()),
        "{en:?}"
    );
    assert!(
        en.contains(&"Scoring · Page view: removed (was 1 point, at most 20)".to_owned()),
        "{en:?}"
    );
    assert!(en.contains(&"Stage “Advocate” added".to_owned()), "{en:?}");
    assert!(
        en.contains(&"Scoring · decay window: 90 days → 60 days".to_owned()),
        "{en:?}"
    );
    assert!(
        en.iter()
            .any(|t| t.starts_with("Prospect · entry criteria: Email is set → none")),
        "{en:?}"
    );
    let ja: Vec<String> = changes
        .iter()
        .map(|c| describe_change(c, &before, &after, Locale::Ja))
        .collect();
    assert!(
        ja.contains(&"Marketing qualified lead · 引き継ぎのSLA（対応期限）：24時間 → 48時間".to_owned()),
        "{ja:?}"
    );
}

#[test]
fn validation_problems_read_in_the_users_language() {
    let error = DefinitionError::new(
        "stages.lead.entry.all[0].field",
        "unknown_field",
        "unknown field `x`",
    );
    assert_eq!(
        error_message(&error, Locale::En),
        "stages.lead.entry.all[0].field: Unknown field."
    );
    assert_eq!(
        error_message(&error, Locale::Ja),
        "stages.lead.entry.all[0].field：不明な項目です。"
    );
    let odd = DefinitionError::new("x", "brand_new_code", "something new");
    assert_eq!(error_message(&odd, Locale::En), "x: something new");
}

#[test]
fn numbers_are_grouped_by_thousands() {
    for (n, text) in [
        (json!(0), "0"),
        (json!(999), "999"),
        (json!(1000), "1,000"),
        (json!(-1234567), "-1,234,567"),
        (json!(1.5), "1.5"),
    ] {
        let serde_json::Value::Number(n) = n else {
            unreachable!()
        };
        assert_eq!(format_number(&n), text);
    }
}

#[test]
fn every_validation_code_has_a_message_in_both_languages() {
    let codes = [
        "no_stages",
        "required",
        "invalid_key",
        "reserved_key",
        "duplicate_key",
        "too_long",
        "unknown_field",
        "op_not_allowed",
        "value_required",
        "value_not_allowed",
        "wrong_value_type",
        "not_a_choice",
        "too_deep",
        "empty_group",
        "gate_on_first_stage",
        "out_of_range",
        "same_team",
        "unknown_activity",
        "duplicate_kind",
        "empty_list",
        "invalid_code",
        "duplicate_code",
        "invalid_criteria",
        "unknown_op",
        "malformed",
    ];
    for locale in Locale::ALL {
        for code in codes {
            let text = error_message(&DefinitionError::new("p", code, "english fallback"), locale);
            assert_translated(&text);
            assert!(
                !text.contains("english fallback"),
                "{code} has no {locale:?} message"
            );
        }
    }
}
