//! The fields criteria may test, their types, and the operators each type accepts: the
//! vocabulary shared by validation, evaluation and the criteria builder.

use serde::{Deserialize, Serialize};

use super::Op;
use crate::definitions::model::{ACTIVITY_KINDS, PERSONAS, SOURCES};

/// The type of a field's values, which decides the operators and values it accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// Numbers (JSON numbers).
    Number,
    /// Texts (JSON strings).
    Text,
    /// Yes/no (JSON booleans).
    Bool,
}

/// A field criteria may test, with its type and, for closed lists, the allowed values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    /// The field's name in criteria.
    pub name: &'static str,
    /// Its type.
    pub ty: FieldType,
    /// The only values it takes, when it is a closed list.
    pub choices: Option<&'static [&'static str]>,
}

const fn spec(name: &'static str, ty: FieldType, choices: Option<&'static [&'static str]>) -> FieldSpec {
    FieldSpec { name, ty, choices }
}

/// The tiers a target account may have.
pub const TIERS: &[&str] = &["1", "2", "3"];

/// Every lead and account field criteria may test (activity counts come on top, see
/// [`activity_field`]).
pub const FIELDS: &[FieldSpec] = &[
    spec("lead.email", FieldType::Text, None),
    spec("lead.consent", FieldType::Bool, None),
    spec("lead.persona", FieldType::Text, Some(PERSONAS)),
    spec("lead.job_title", FieldType::Text, None),
    spec("lead.score", FieldType::Number, None),
    spec("lead.source", FieldType::Text, Some(SOURCES)),
    spec("lead.country", FieldType::Text, None),
    spec("account.employees", FieldType::Number, None),
    spec("account.industry", FieldType::Text, None),
    spec("account.country", FieldType::Text, None),
    spec("account.annual_revenue", FieldType::Number, None),
    spec("account.is_target", FieldType::Bool, None),
    spec("account.tier", FieldType::Text, Some(TIERS)),
];

/// The longest activity window a criterion may count over, in days.
pub const MAX_ACTIVITY_WINDOW_DAYS: u32 = 365;

/// The spec of a lead or account field (not activity counts).
pub fn field_spec(field: &str) -> Option<&'static FieldSpec> {
    FIELDS.iter().find(|f| f.name == field)
}

/// The type of any field criteria may test, `None` for unknown fields.
pub fn field_type(field: &str) -> Option<FieldType> {
    match field_spec(field) {
        Some(spec) => Some(spec.ty),
        None => activity_field(field).map(|_| FieldType::Number),
    }
}

/// Splits an activity-count field `activity.<kind>.count_<N>d` into its kind and window.
/// Only canonical spellings qualify (no sign, no leading zero, 1 ≤ N ≤ 365), so that one
/// window has one name.
pub fn activity_field(field: &str) -> Option<(&'static str, u32)> {
    let (kind, window) = field.strip_prefix("activity.")?.split_once('.')?;
    let kind = ACTIVITY_KINDS.iter().copied().find(|k| *k == kind)?;
    let digits = window.strip_prefix("count_")?.strip_suffix('d')?;
    if digits.is_empty()
        || digits.len() > 3
        || digits.starts_with('0')
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let days: u32 = digits.parse().ok()?;
    (days <= MAX_ACTIVITY_WINDOW_DAYS).then_some((kind, days))
}

/// The field name of an activity count, the inverse of [`activity_field`].
pub fn activity_field_name(kind: &str, days: u32) -> String {
    format!("activity.{kind}.count_{days}d")
}

/// The operators a field type accepts, in builder order.
pub fn ops_for(ty: FieldType) -> &'static [Op] {
    use Op::*;
    match ty {
        FieldType::Number => &[Eq, Ne, Gt, Gte, Lt, Lte, In, NotIn, IsSet, IsNotSet],
        FieldType::Text => &[Eq, Ne, In, NotIn, Contains, IsSet, IsNotSet],
        FieldType::Bool => &[Eq, Ne, IsSet, IsNotSet],
    }
}
