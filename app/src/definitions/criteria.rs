//! Entry criteria: the JSON rule trees of DESIGN.md ("Criteria"), the fields and operators they
//! may use, and their evaluation against a lead's facts.
//!
//! Semantics, chosen so that a criterion never holds "by accident" on missing data:
//! - `all` of an empty list holds, `any` of an empty list does not;
//! - a missing fact (no account, blank text) satisfies `is_not_set` and nothing else — not
//!   even `ne` or `not_in`: "persona is not CFO" means a persona is known and is not CFO;
//! - texts compare trimmed and case-insensitively; `contains` is a case-insensitive substring;
//! - a value of the wrong type (which [`super::validate`] rejects) never matches.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::model::Definition;

pub use super::facts::{AccountFacts, ActivityCount, FactValue, LeadFacts};
pub use fields::{
    FIELDS, FieldSpec, FieldType, MAX_ACTIVITY_WINDOW_DAYS, TIERS, activity_field, activity_field_name,
    field_spec, field_type, ops_for,
};

#[path = "fields.rs"]
mod fields;

/// A rule tree: every child holds, any child holds, or one condition on one field.
///
/// Reads and writes `{"all": [..]}`, `{"any": [..]}` or `{"field", "op", "value"?}`. Reading is
/// strict: an object mixing these shapes, an unexpected key or an unknown operator is an
/// error that names where it is, never silently ignored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Criteria {
    /// Holds when every child holds (an empty list always holds).
    All {
        /// The children.
        all: Vec<Criteria>,
    },
    /// Holds when at least one child holds (an empty list never holds).
    Any {
        /// The children.
        any: Vec<Criteria>,
    },
    /// One test on one field.
    Condition(Condition),
}

/// One test: `field op value`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// A field of [`FIELDS`] or an activity count `activity.<kind>.count_<N>d`.
    pub field: String,
    /// The operator.
    pub op: Op,
    /// What to compare with; a list for `in`/`not_in`, absent for `is_set`/`is_not_set`.
    /// `Some(Value::Null)` is treated exactly like `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

impl Condition {
    /// A condition on `field`.
    pub fn new(field: &str, op: Op, value: Option<Value>) -> Self {
        Self {
            field: field.to_owned(),
            op,
            value,
        }
    }
}

impl From<Condition> for Criteria {
    fn from(condition: Condition) -> Self {
        Self::Condition(condition)
    }
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Equal to the value.
    Eq,
    /// Known and different from the value.
    Ne,
    /// Greater than.
    Gt,
    /// Greater than or equal to.
    Gte,
    /// Less than.
    Lt,
    /// Less than or equal to.
    Lte,
    /// Equal to one of the listed values.
    In,
    /// Known and equal to none of the listed values.
    NotIn,
    /// Known (not missing, not blank).
    IsSet,
    /// Missing or blank.
    IsNotSet,
    /// Text containing the value, ignoring case.
    Contains,
}

impl Op {
    /// Every operator, in the order the criteria builder lists them.
    pub const ALL: [Op; 11] = [
        Op::Eq,
        Op::Ne,
        Op::Gt,
        Op::Gte,
        Op::Lt,
        Op::Lte,
        Op::In,
        Op::NotIn,
        Op::IsSet,
        Op::IsNotSet,
        Op::Contains,
    ];

    /// The JSON value (`gte`, `not_in`…).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "eq",
            Self::Ne => "ne",
            Self::Gt => "gt",
            Self::Gte => "gte",
            Self::Lt => "lt",
            Self::Lte => "lte",
            Self::In => "in",
            Self::NotIn => "not_in",
            Self::IsSet => "is_set",
            Self::IsNotSet => "is_not_set",
            Self::Contains => "contains",
        }
    }

    /// Parses the JSON value.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.as_str() == value.trim())
    }

    /// Whether the operator needs a value (all but `is_set` and `is_not_set`).
    pub fn takes_value(self) -> bool {
        !matches!(self, Self::IsSet | Self::IsNotSet)
    }

    /// Whether the value is a list (`in`, `not_in`).
    pub fn takes_list(self) -> bool {
        matches!(self, Self::In | Self::NotIn)
    }
}

impl Criteria {
    /// Every condition of the tree, depth first.
    pub fn conditions(&self) -> Vec<&Condition> {
        fn walk<'a>(c: &'a Criteria, out: &mut Vec<&'a Condition>) {
            match c {
                Criteria::All { all: children } | Criteria::Any { any: children } => {
                    children.iter().for_each(|child| walk(child, out))
                }
                Criteria::Condition(condition) => out.push(condition),
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }
}

/// Whether the lead meets the criteria.
pub fn evaluate(criteria: &Criteria, facts: &LeadFacts) -> bool {
    match criteria {
        Criteria::All { all } => all.iter().all(|c| evaluate(c, facts)),
        Criteria::Any { any } => any.iter().any(|c| evaluate(c, facts)),
        Criteria::Condition(condition) => condition_met(condition, &facts.value(&condition.field)),
    }
}

/// Whether one condition holds for a fact (see the module documentation for the rules).
pub fn condition_met(condition: &Condition, fact: &FactValue) -> bool {
    let value = condition.value.as_ref().filter(|v| !v.is_null());
    match (condition.op, value) {
        (Op::IsSet, _) => !fact.is_missing(),
        (Op::IsNotSet, _) => fact.is_missing(),
        _ if fact.is_missing() => false,
        (_, None) => false,
        (Op::Eq, Some(v)) => equals(fact, v) == Some(true),
        (Op::Ne, Some(v)) => equals(fact, v) == Some(false),
        (Op::Gt, Some(v)) => ordering(fact, v) == Some(Ordering::Greater),
        (Op::Gte, Some(v)) => matches!(ordering(fact, v), Some(Ordering::Greater | Ordering::Equal)),
        (Op::Lt, Some(v)) => ordering(fact, v) == Some(Ordering::Less),
        (Op::Lte, Some(v)) => matches!(ordering(fact, v), Some(Ordering::Less | Ordering::Equal)),
        (Op::In, Some(v)) => v
            .as_array()
            .is_some_and(|list| list.iter().any(|x| equals(fact, x) == Some(true))),
        (Op::NotIn, Some(v)) => v
            .as_array()
            .is_some_and(|list| list.iter().all(|x| equals(fact, x) == Some(false))),
        (Op::Contains, Some(v)) => match (fact, v) {
            (FactValue::Text(text), Value::String(needle)) => normalize(text).contains(&normalize(needle)),
            _ => false,
        },
    }
}

fn normalize(text: &str) -> String {
    text.trim().to_lowercase()
}

/// Whether the fact equals the value; `None` when they are of different types.
fn equals(fact: &FactValue, value: &Value) -> Option<bool> {
    match (fact, value) {
        (FactValue::Number(n), Value::Number(m)) => m.as_f64().map(|m| *n == m),
        (FactValue::Text(t), Value::String(s)) => Some(normalize(t) == normalize(s)),
        (FactValue::Bool(b), Value::Bool(c)) => Some(b == c),
        _ => None,
    }
}

/// How a numeric fact compares with a numeric value; `None` for anything else.
fn ordering(fact: &FactValue, value: &Value) -> Option<Ordering> {
    match (fact, value) {
        (FactValue::Number(n), Value::Number(m)) => n.partial_cmp(&m.as_f64()?),
        _ => None,
    }
}

/// One condition of a tree, where it is, and whether it held: the "why" behind a stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionOutcome {
    /// Where the condition is, in diff path syntax (`stages.lead.entry.all[0]`).
    pub path: String,
    /// The condition.
    pub condition: Condition,
    /// Whether it held for the lead.
    pub met: bool,
}

/// Every condition of the tree with its path under `base_path` and whether it held.
pub fn explain(criteria: &Criteria, facts: &LeadFacts, base_path: &str) -> Vec<ConditionOutcome> {
    fn walk(c: &Criteria, facts: &LeadFacts, path: &str, out: &mut Vec<ConditionOutcome>) {
        let (name, children) = match c {
            Criteria::All { all } => ("all", all),
            Criteria::Any { any } => ("any", any),
            Criteria::Condition(condition) => {
                out.push(ConditionOutcome {
                    path: path.to_owned(),
                    condition: condition.clone(),
                    met: condition_met(condition, &facts.value(&condition.field)),
                });
                return;
            }
        };
        for (i, child) in children.iter().enumerate() {
            walk(child, facts, &join(path, &format!("{name}[{i}]")), out);
        }
    }
    let mut out = Vec::new();
    walk(criteria, facts, base_path, &mut out);
    out
}

/// `base.segment`, or `segment` alone at the root.
pub(crate) fn join(base: &str, segment: &str) -> String {
    if base.is_empty() {
        segment.to_owned()
    } else {
        format!("{base}.{segment}")
    }
}

/// Every activity window (kind, days) that any stage's criteria count, sorted and without
/// duplicates, so the store computes exactly the counts evaluation will ask for.
pub fn activity_windows(def: &Definition) -> Vec<(String, u32)> {
    let windows: BTreeSet<(String, u32)> = def
        .stages
        .iter()
        .filter_map(|stage| stage.entry.as_ref())
        .flat_map(|entry| entry.conditions())
        .filter_map(|condition| activity_field(&condition.field))
        .map(|(kind, days)| (kind.to_owned(), days))
        .collect();
    windows.into_iter().collect()
}

/// Why a JSON value is not a criteria tree: where (relative to the tree's root), a stable
/// code (`invalid_criteria`, `unknown_op`) and an English message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CriteriaParseError {
    /// Path inside the tree (`all[0].op`), empty at the root.
    pub path: String,
    /// `invalid_criteria` or `unknown_op`.
    pub code: &'static str,
    /// What is wrong, in English.
    pub message: String,
}

impl std::fmt::Display for CriteriaParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl Criteria {
    /// Reads a criteria tree from JSON, strictly (see [`Criteria`]).
    pub fn from_json(value: &Value) -> Result<Self, CriteriaParseError> {
        parse_node(value, "")
    }
}

fn parse_error(path: &str, code: &'static str, message: impl Into<String>) -> CriteriaParseError {
    CriteriaParseError {
        path: path.to_owned(),
        code,
        message: message.into(),
    }
}

fn parse_node(value: &Value, path: &str) -> Result<Criteria, CriteriaParseError> {
    let Value::Object(map) = value else {
        return Err(parse_error(
            path,
            "invalid_criteria",
            "a criterion must be an object",
        ));
    };
    for group in ["all", "any"] {
        let Some(children) = map.get(group) else { continue };
        if map.len() != 1 {
            return Err(parse_error(
                path,
                "invalid_criteria",
                format!("a `{group}` group takes no other keys"),
            ));
        }
        let Value::Array(children) = children else {
            return Err(parse_error(
                &join(path, group),
                "invalid_criteria",
                format!("`{group}` must be a list"),
            ));
        };
        let children = children
            .iter()
            .enumerate()
            .map(|(i, child)| parse_node(child, &join(path, &format!("{group}[{i}]"))))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(if group == "all" {
            Criteria::All { all: children }
        } else {
            Criteria::Any { any: children }
        });
    }
    if !map.contains_key("field") {
        return Err(parse_error(
            path,
            "invalid_criteria",
            "expected `all`, `any` or `field`",
        ));
    }
    if let Some(key) = map
        .keys()
        .find(|k| !matches!(k.as_str(), "field" | "op" | "value"))
    {
        return Err(parse_error(
            &join(path, key),
            "invalid_criteria",
            format!("unexpected key `{key}`"),
        ));
    }
    let Some(Value::String(field)) = map.get("field") else {
        return Err(parse_error(
            &join(path, "field"),
            "invalid_criteria",
            "`field` must be a string",
        ));
    };
    let op = match map.get("op") {
        Some(Value::String(op)) => Op::parse(op).ok_or_else(|| {
            let known = Op::ALL.map(Op::as_str).join(", ");
            parse_error(
                &join(path, "op"),
                "unknown_op",
                format!("unknown operator `{op}` (expected one of {known})"),
            )
        })?,
        _ => {
            return Err(parse_error(
                &join(path, "op"),
                "invalid_criteria",
                "`op` must be a string",
            ));
        }
    };
    let value = map.get("value").filter(|v| !v.is_null()).cloned();
    Ok(Criteria::Condition(Condition {
        field: field.clone(),
        op,
        value,
    }))
}

impl<'de> Deserialize<'de> for Criteria {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Self::from_json(&value).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[path = "criteria_tests.rs"]
mod tests;
