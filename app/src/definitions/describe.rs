//! Definitions in plain language, in English and Japanese: criteria as sentences
//! ("Account employees ≥ 50 and Persona is set" / "従業員数が 50 以上 かつ ペルソナが設定されている"),
//! labels for fields, operators and choices, and validation problems. Every string comes from
//! `app/locales/definitions/{en,ja}.json` (keys under `def.`), worded after GLOSSARY.md.

use serde_json::Value;

use super::criteria::{Condition, Criteria, FieldType, Op, activity_field, field_spec, field_type};
use super::validate::DefinitionError;
use crate::i18n::{Locale, tr, tr_with};

pub use super::describe_change::describe_change;

/// The translation of `key`, or `fallback` when the locale files have none (user-defined
/// codes such as a new reason code have no translation).
fn tr_or(locale: Locale, key: &str, fallback: &str) -> String {
    let text = tr(locale, key);
    if text.ends_with(key) {
        fallback.to_owned()
    } else {
        text
    }
}

/// The label of a field: "Account employees" / "従業員数"; activity counts read as
/// "Form submissions in the last 30 days" / "過去30日のフォーム送信数". Unknown fields are
/// shown as written, so a person can still see what is wrong.
pub fn field_label(field: &str, locale: Locale) -> String {
    if field_spec(field).is_some() {
        return tr(locale, &format!("def.fields.{}", field.replace('.', "_")));
    }
    match activity_field(field) {
        Some((kind, 1)) => {
            let activity = tr(locale, &format!("def.activity_counts.{kind}"));
            tr_with(locale, "def.activity_count_one_day", &[("activity", &activity)])
        }
        Some((kind, days)) => {
            let activity = tr(locale, &format!("def.activity_counts.{kind}"));
            tr_with(
                locale,
                "def.activity_count",
                &[("activity", &activity), ("days", &days.to_string())],
            )
        }
        None => field.to_owned(),
    }
}

/// The short label of an operator for the criteria builder: "≥" / "以上", "is one of" / "いずれか".
pub fn op_label(op: Op, locale: Locale) -> String {
    tr(locale, &format!("def.ops.{}", op.as_str()))
}

/// The label of one activity kind: "Form submission" / "フォーム送信".
pub fn activity_label(kind: &str, locale: Locale) -> String {
    tr_or(locale, &format!("def.activities.{kind}"), kind)
}

/// The label of a reason code: "Not ICP" / "ICP外" for the default codes, the code itself
/// for codes a definition added.
pub fn reason_label(code: &str, locale: Locale) -> String {
    tr_or(locale, &format!("def.reasons.{code}"), code)
}

/// The label of one choice of a closed-list field (personas, sources, tiers); other values
/// as written.
pub fn choice_label(field: &str, value: &str, locale: Locale) -> String {
    let value = value.trim();
    match field {
        "lead.persona" => tr_or(locale, &format!("def.personas.{}", value.to_lowercase()), value),
        "lead.source" => tr_or(locale, &format!("def.sources.{}", value.to_lowercase()), value),
        "account.tier" => tr_with(locale, "def.tier_value", &[("tier", value)]),
        _ => value.to_owned(),
    }
}

/// The criteria as one sentence. Groups inside groups are parenthesized; an empty `all`
/// reads "always", an empty `any` "never".
pub fn describe_criteria(c: &Criteria, locale: Locale) -> String {
    describe_node(c, locale, false)
}

fn describe_node(c: &Criteria, locale: Locale, nested: bool) -> String {
    let (children, joiner, empty) = match c {
        Criteria::Condition(condition) => return describe_condition(condition, locale),
        Criteria::All { all } => (all, "def.and", "def.always"),
        Criteria::Any { any } => (any, "def.or", "def.never"),
    };
    match children.as_slice() {
        [] => tr(locale, empty),
        [only] => describe_node(only, locale, nested),
        _ => {
            let parts: Vec<String> = children
                .iter()
                .map(|child| describe_node(child, locale, true))
                .collect();
            let inner = parts.join(&tr(locale, joiner));
            if nested {
                tr_with(locale, "def.group", &[("inner", &inner)])
            } else {
                inner
            }
        }
    }
}

/// One condition as a phrase: "Account employees ≥ 50" / "従業員数が 50 以上".
pub fn describe_condition(condition: &Condition, locale: Locale) -> String {
    let field = field_label(&condition.field, locale);
    let value = condition.value.as_ref().filter(|v| !v.is_null());
    if let (Op::Eq | Op::Ne, Some(Value::Bool(flag))) = (condition.op, value)
        && field_type(&condition.field) == Some(FieldType::Bool)
    {
        let holds = (condition.op == Op::Eq) == *flag;
        let key = if holds {
            "def.conditions.bool_true"
        } else {
            "def.conditions.bool_false"
        };
        return tr_with(locale, key, &[("field", &field)]);
    }
    let value = value
        .map(|v| format_value(&condition.field, v, locale))
        .unwrap_or_default();
    tr_with(
        locale,
        &format!("def.conditions.{}", condition.op.as_str()),
        &[("field", &field), ("value", &value)],
    )
}

/// A criteria value for people: numbers grouped by thousands, choices by their label, lists
/// joined.
pub fn format_value(field: &str, value: &Value, locale: Locale) -> String {
    match value {
        Value::Number(n) => format_number(n),
        Value::String(s) => choice_label(field, s, locale),
        Value::Bool(b) => tr(locale, if *b { "def.yes" } else { "def.no" }),
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|item| format_value(field, item, locale))
                .collect();
            parts.join(&tr(locale, "def.list_separator"))
        }
        Value::Null => tr(locale, "def.none"),
        Value::Object(_) => value.to_string(),
    }
}

/// `12500` → `12,500` (the grouping both English and Japanese use); fractions as written.
pub fn format_number(n: &serde_json::Number) -> String {
    match n.as_i64() {
        Some(i) => {
            let digits = i.unsigned_abs().to_string();
            let mut grouped = String::new();
            for (i, ch) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i) % 3 == 0 {
                    grouped.push(',');
                }
                grouped.push(ch);
            }
            if i < 0 { format!("-{grouped}") } else { grouped }
        }
        None => n.to_string(),
    }
}

/// A validation problem for people: "stages.lead.entry.all[0].field: Unknown field." in the
/// user's language (the path stays as the API names it).
pub fn error_message(error: &DefinitionError, locale: Locale) -> String {
    let reason = tr_or(locale, &format!("def.errors.{}", error.code), &error.message);
    tr_with(
        locale,
        "def.error_message",
        &[("path", &error.path), ("reason", &reason)],
    )
}

#[cfg(test)]
#[path = "describe_tests.rs"]
mod tests;
