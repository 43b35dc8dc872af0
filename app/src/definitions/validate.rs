//! Checks that a definition can be published: every problem at once, each with the path of
//! the offending value (`stages.lead.entry.all[0].value`) and a stable code the UI translates
//! (`def.errors.<code>`).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::criteria::{Criteria, CriteriaParseError, FieldType, field_spec, field_type, join, ops_for};
use super::model::{ACTIVITY_KINDS, Definition, ReasonCodes, Scoring, Stage};

/// The deepest a criteria tree may nest (the root counts as level 1).
pub const MAX_CRITERIA_DEPTH: usize = 8;
/// The longest stage name, in characters.
pub const MAX_STAGE_NAME_CHARS: usize = 80;
/// The longest SLA a gate may give, in hours (30 days).
pub const MAX_SLA_HOURS: u32 = 720;
/// The longest scoring decay window, in days (two years).
pub const MAX_DECAY_DAYS: u32 = 730;
/// The most points one activity may add or take away.
pub const MAX_POINTS: i32 = 100;
/// Stage keys that would collide with diff paths (`stages.order`).
pub const RESERVED_STAGE_KEYS: &[&str] = &["order"];

/// One problem in a definition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DefinitionError {
    /// Where: `stages.lead.entry.all[0].value`, `stages[2].key`, `scoring.rules[0].kind`…
    pub path: String,
    /// Why, as a stable snake_case code (`unknown_field`, `out_of_range`…).
    pub code: String,
    /// Why, in English, for logs and API clients.
    pub message: String,
}

impl DefinitionError {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Every problem of the definition, or `Ok` when it may be published.
pub fn validate(def: &Definition) -> Result<(), Vec<DefinitionError>> {
    let mut errors = Vec::new();
    validate_stages(&def.stages, &mut errors);
    validate_scoring(&def.scoring, &mut errors);
    validate_reason_codes(&def.reason_codes, &mut errors);
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// Reads a definition from JSON and validates it, reporting problems with paths: a
/// malformed criteria tree or an unknown operator names where it is
/// (`stages.mql.entry.all[1].op`, code `unknown_op`), anything else that does not fit the
/// shape is one `malformed` error with the parser's message.
pub fn parse_definition(value: &Value) -> Result<Definition, Vec<DefinitionError>> {
    match serde_json::from_value::<Definition>(value.clone()) {
        Ok(def) => validate(&def).map(|()| def),
        Err(error) => {
            let mut errors = Vec::new();
            let stages = value.get("stages").and_then(Value::as_array);
            for (i, stage) in stages.into_iter().flatten().enumerate() {
                let base = match stage.get("key").and_then(Value::as_str) {
                    Some(key) if is_code(key) => format!("stages.{key}"),
                    _ => format!("stages[{i}]"),
                };
                if let Some(entry) = stage.get("entry").filter(|e| !e.is_null())
                    && let Err(CriteriaParseError { path, code, message }) = Criteria::from_json(entry)
                {
                    errors.push(DefinitionError::new(
                        join(&join(&base, "entry"), &path),
                        code,
                        message,
                    ));
                }
            }
            if errors.is_empty() {
                errors.push(DefinitionError::new("", "malformed", error.to_string()));
            }
            Err(errors)
        }
    }
}

/// Lowercase ASCII letters, digits and `_`, not empty: the shape of stage keys and reason codes.
pub(crate) fn is_code(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn validate_stages(stages: &[Stage], errors: &mut Vec<DefinitionError>) {
    if stages.is_empty() {
        errors.push(DefinitionError::new(
            "stages",
            "no_stages",
            "a definition needs at least one stage",
        ));
    }
    let mut seen = HashSet::new();
    for (i, stage) in stages.iter().enumerate() {
        let key_path = format!("stages[{i}].key");
        let key_ok = if stage.key.is_empty() {
            errors.push(DefinitionError::new(&key_path, "required", "a stage needs a key"));
            false
        } else if !is_code(&stage.key) {
            let message = format!("stage key `{}` may only use a-z, 0-9 and _", stage.key);
            errors.push(DefinitionError::new(&key_path, "invalid_key", message));
            false
        } else if RESERVED_STAGE_KEYS.contains(&stage.key.as_str()) {
            let message = format!("stage key `{}` is reserved", stage.key);
            errors.push(DefinitionError::new(&key_path, "reserved_key", message));
            false
        } else if !seen.insert(stage.key.as_str()) {
            let message = format!("stage key `{}` is used twice", stage.key);
            errors.push(DefinitionError::new(&key_path, "duplicate_key", message));
            false
        } else {
            true
        };
        let base = if key_ok {
            format!("stages.{}", stage.key)
        } else {
            format!("stages[{i}]")
        };
        let name = stage.name.trim();
        if name.is_empty() {
            errors.push(DefinitionError::new(
                join(&base, "name"),
                "required",
                "a stage needs a name",
            ));
        } else if name.chars().count() > MAX_STAGE_NAME_CHARS {
            let message = format!("a stage name has at most {MAX_STAGE_NAME_CHARS} characters");
            errors.push(DefinitionError::new(join(&base, "name"), "too_long", message));
        }
        if let Some(entry) = &stage.entry {
            errors.extend(validate_criteria(entry, &join(&base, "entry")));
        }
        if let Some(gate) = &stage.gate {
            let gate_path = join(&base, "gate");
            if i == 0 {
                let message = "the first stage has no earlier team to hand off from";
                errors.push(DefinitionError::new(&gate_path, "gate_on_first_stage", message));
            }
            if !(1..=MAX_SLA_HOURS).contains(&gate.sla_hours) {
                let message = format!("the SLA must be between 1 and {MAX_SLA_HOURS} hours");
                errors.push(DefinitionError::new(
                    join(&gate_path, "sla_hours"),
                    "out_of_range",
                    message,
                ));
            }
            if gate.from_team == gate.to_team {
                let message = "a handoff goes from one team to another";
                errors.push(DefinitionError::new(
                    join(&gate_path, "to_team"),
                    "same_team",
                    message,
                ));
            }
        }
    }
}

/// Every problem of one criteria tree, with paths under `path` (`stages.lead.entry`).
pub fn validate_criteria(c: &Criteria, path: &str) -> Vec<DefinitionError> {
    let mut errors = Vec::new();
    check_node(c, path, 1, &mut errors);
    errors
}

fn check_node(c: &Criteria, path: &str, depth: usize, errors: &mut Vec<DefinitionError>) {
    if depth > MAX_CRITERIA_DEPTH {
        let message = format!("criteria nest at most {MAX_CRITERIA_DEPTH} levels deep");
        errors.push(DefinitionError::new(path, "too_deep", message));
        return;
    }
    let (name, children) = match c {
        Criteria::All { all } => ("all", all),
        Criteria::Any { any } => ("any", any),
        Criteria::Condition(condition) => {
            check_condition(condition, path, errors);
            return;
        }
    };
    if children.is_empty() {
        let message = format!("an `{name}` group needs at least one criterion");
        errors.push(DefinitionError::new(join(path, name), "empty_group", message));
    }
    for (i, child) in children.iter().enumerate() {
        check_node(child, &join(path, &format!("{name}[{i}]")), depth + 1, errors);
    }
}

fn check_condition(condition: &super::criteria::Condition, path: &str, errors: &mut Vec<DefinitionError>) {
    let field = condition.field.as_str();
    let Some(ty) = field_type(field) else {
        let message = format!("unknown field `{field}`");
        errors.push(DefinitionError::new(
            join(path, "field"),
            "unknown_field",
            message,
        ));
        return;
    };
    let op = condition.op;
    if !ops_for(ty).contains(&op) {
        let message = format!("`{}` does not apply to `{field}`", op.as_str());
        errors.push(DefinitionError::new(join(path, "op"), "op_not_allowed", message));
        return;
    }
    let value_path = join(path, "value");
    let value = condition.value.as_ref().filter(|v| !v.is_null());
    let value = match (op.takes_value(), value) {
        (true, Some(value)) => value,
        (true, None) => {
            let message = format!("`{}` needs a value", op.as_str());
            errors.push(DefinitionError::new(&value_path, "value_required", message));
            return;
        }
        (false, Some(_)) => {
            let message = format!("`{}` takes no value", op.as_str());
            errors.push(DefinitionError::new(&value_path, "value_not_allowed", message));
            return;
        }
        (false, None) => return,
    };
    let choices = field_spec(field)
        .and_then(|spec| spec.choices)
        .filter(|_| op != super::criteria::Op::Contains);
    if op.takes_list() {
        match value.as_array() {
            Some(items) if !items.is_empty() => {
                for (i, item) in items.iter().enumerate() {
                    check_scalar(item, ty, choices, &format!("{value_path}[{i}]"), errors);
                }
            }
            _ => {
                let message = format!("`{}` needs a non-empty list", op.as_str());
                errors.push(DefinitionError::new(&value_path, "wrong_value_type", message));
            }
        }
    } else {
        check_scalar(value, ty, choices, &value_path, errors);
    }
}

fn check_scalar(
    value: &Value,
    ty: FieldType,
    choices: Option<&[&str]>,
    path: &str,
    errors: &mut Vec<DefinitionError>,
) {
    let type_ok = match ty {
        FieldType::Number => value.is_number(),
        FieldType::Text => value.is_string(),
        FieldType::Bool => value.is_boolean(),
    };
    if !type_ok {
        let expected = match ty {
            FieldType::Number => "a number",
            FieldType::Text => "a text",
            FieldType::Bool => "true or false",
        };
        errors.push(DefinitionError::new(
            path,
            "wrong_value_type",
            format!("expected {expected}, got {value}"),
        ));
        return;
    }
    if let (Some(choices), Some(text)) = (choices, value.as_str()) {
        let normalized = text.trim().to_lowercase();
        if !choices.contains(&normalized.as_str()) {
            let message = format!("`{text}` is not one of {}", choices.join(", "));
            errors.push(DefinitionError::new(path, "not_a_choice", message));
        }
    }
}

fn validate_scoring(scoring: &Scoring, errors: &mut Vec<DefinitionError>) {
    let mut kinds = HashSet::new();
    for (i, rule) in scoring.rules.iter().enumerate() {
        let base = format!("scoring.rules[{i}]");
        if !ACTIVITY_KINDS.contains(&rule.kind.as_str()) {
            let message = format!("unknown activity kind `{}`", rule.kind);
            errors.push(DefinitionError::new(
                join(&base, "kind"),
                "unknown_activity",
                message,
            ));
        } else if !kinds.insert(rule.kind.as_str()) {
            let message = format!("`{}` has more than one rule", rule.kind);
            errors.push(DefinitionError::new(
                join(&base, "kind"),
                "duplicate_kind",
                message,
            ));
        }
        if !(-MAX_POINTS..=MAX_POINTS).contains(&rule.points) {
            let message = format!("points must be between -{MAX_POINTS} and {MAX_POINTS}");
            errors.push(DefinitionError::new(
                join(&base, "points"),
                "out_of_range",
                message,
            ));
        }
        if rule.max_points.is_some_and(|max| max < 0) {
            let message = "a cap cannot be negative";
            errors.push(DefinitionError::new(
                join(&base, "max_points"),
                "out_of_range",
                message,
            ));
        }
    }
    if scoring
        .decay_days
        .is_some_and(|days| !(1..=MAX_DECAY_DAYS).contains(&days))
    {
        let message = format!("the decay window must be between 1 and {MAX_DECAY_DAYS} days");
        errors.push(DefinitionError::new(
            "scoring.decay_days",
            "out_of_range",
            message,
        ));
    }
}

fn validate_reason_codes(codes: &ReasonCodes, errors: &mut Vec<DefinitionError>) {
    for (name, list) in [
        ("reject", &codes.reject),
        ("recycle", &codes.recycle),
        ("lost", &codes.lost),
    ] {
        let base = format!("reason_codes.{name}");
        if list.is_empty() {
            let message = "people must have at least one reason to pick";
            errors.push(DefinitionError::new(&base, "empty_list", message));
        }
        let mut seen = HashSet::new();
        for (i, code) in list.iter().enumerate() {
            let path = format!("{base}[{i}]");
            if !is_code(code) {
                let message = format!("reason code `{code}` may only use a-z, 0-9 and _");
                errors.push(DefinitionError::new(path, "invalid_code", message));
            } else if !seen.insert(code.as_str()) {
                let message = format!("reason code `{code}` is listed twice");
                errors.push(DefinitionError::new(path, "duplicate_code", message));
            }
        }
    }
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
