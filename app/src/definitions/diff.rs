//! The field-level difference between two definitions, and applying it back.
//!
//! Paths name what a person would point at, not array positions that shift: stages by key
//! (`stages.lead.name`, `stages.lead.entry.all[0].value`, `stages.mql.gate.sla_hours`),
//! scoring rules by activity kind (`scoring.rules.form_submit.points`), reason code lists as
//! wholes (`reason_codes.reject`).
//!
//! Adding or removing a stage is one change at `stages.<key>`, and an added stage goes last.
//! When the new sequence of keys is anything other than that, one more change at
//! `stages.order` carries the whole sequence before and after, so it also says where an added
//! stage went. Scoring rules work the same way (`scoring.rules.order`).
//!
//! Inside criteria, trees are followed while their shape agrees; where it does not (`all`
//! became `any`, a condition became a group, a group gained a child) there is one change for
//! the whole node. `None` stands for absent or `null`.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::criteria::join;
use super::model::{Definition, ScoringRule, Stage};
use super::validate::is_code;

/// Path of the change to the sequence of stage keys.
pub const STAGE_ORDER_PATH: &str = "stages.order";
/// Path of the change to the sequence of scoring rule kinds.
pub const RULE_ORDER_PATH: &str = "scoring.rules.order";

/// One changed value: where, what it was, what it became (`None` = absent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Change {
    /// `stages.lead.entry.all[0].value`, `scoring.decay_days`, `stages.order`…
    pub path: String,
    /// The value before; `null` when the thing was added.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub before: Option<Value>,
    /// The value after; `null` when the thing was removed.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub after: Option<Value>,
}

/// Every change from `before` to `after`: stages in the new funnel order (removed stages
/// last), then scoring, then reason codes. Empty exactly when the definitions are equal.
pub fn diff(before: &Definition, after: &Definition) -> Vec<Change> {
    let mut out = Vec::new();
    diff_stages(&before.stages, &after.stages, &mut out);
    diff_rules(&before.scoring.rules, &after.scoring.rules, &mut out);
    let (b, a) = (before.scoring.decay_days, after.scoring.decay_days);
    push(
        &mut out,
        "scoring.decay_days",
        b.map(|d| json!(d)),
        a.map(|d| json!(d)),
    );
    let (b, a) = (&before.reason_codes, &after.reason_codes);
    for (name, b, a) in [
        ("reject", &b.reject, &a.reject),
        ("recycle", &b.recycle, &a.recycle),
        ("lost", &b.lost, &a.lost),
    ] {
        push(
            &mut out,
            &format!("reason_codes.{name}"),
            Some(json!(b)),
            Some(json!(a)),
        );
    }
    out
}

/// Records a change when the two sides differ (`null` counts as absent).
fn push(out: &mut Vec<Change>, path: &str, before: Option<Value>, after: Option<Value>) {
    let (before, after) = (before.filter(|v| !v.is_null()), after.filter(|v| !v.is_null()));
    if before != after {
        out.push(Change {
            path: path.to_owned(),
            before,
            after,
        });
    }
}

fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Whether items can be addressed by key in paths: unique, path-safe and not `order`.
fn addressable(keys: &[&str]) -> bool {
    let unique: std::collections::HashSet<_> = keys.iter().collect();
    unique.len() == keys.len() && keys.iter().all(|k| is_code(k) && *k != "order")
}

/// Records an order change unless `after` is what removing and appending alone give
/// (`before` without the removed keys, then the added ones): a stage added at the end or a
/// stage removed is one change, not two.
fn push_order(out: &mut Vec<Change>, path: &str, before: &[&str], after: &[&str]) {
    let kept = before.iter().filter(|k| after.contains(k));
    let added = after.iter().filter(|k| !before.contains(k));
    if !kept.chain(added).eq(after.iter()) {
        push(out, path, Some(json!(before)), Some(json!(after)));
    }
}

fn diff_stages(before: &[Stage], after: &[Stage], out: &mut Vec<Change>) {
    let bk: Vec<&str> = before.iter().map(|s| s.key.as_str()).collect();
    let ak: Vec<&str> = after.iter().map(|s| s.key.as_str()).collect();
    if !addressable(&bk) || !addressable(&ak) {
        // Keys cannot name the stages (invalid definitions): compare the list as a whole.
        push(out, "stages", Some(to_json(&before)), Some(to_json(&after)));
        return;
    }
    push_order(out, STAGE_ORDER_PATH, &bk, &ak);
    for stage in after {
        let base = format!("stages.{}", stage.key);
        let Some(old) = before.iter().find(|s| s.key == stage.key) else {
            push(out, &base, None, Some(to_json(stage)));
            continue;
        };
        push(
            out,
            &join(&base, "name"),
            Some(json!(old.name)),
            Some(json!(stage.name)),
        );
        push(
            out,
            &join(&base, "owner_team"),
            Some(to_json(&old.owner_team)),
            Some(to_json(&stage.owner_team)),
        );
        diff_criteria(
            &join(&base, "entry"),
            &to_json(&old.entry),
            &to_json(&stage.entry),
            out,
        );
        let gate_path = join(&base, "gate");
        match (to_json(&old.gate), to_json(&stage.gate)) {
            (Value::Object(b), Value::Object(a)) => {
                for field in ["from_team", "to_team", "sla_hours", "entry_on"] {
                    push(
                        out,
                        &join(&gate_path, field),
                        b.get(field).cloned(),
                        a.get(field).cloned(),
                    );
                }
            }
            (b, a) => push(out, &gate_path, Some(b), Some(a)),
        }
    }
    for old in before.iter().filter(|s| !ak.contains(&s.key.as_str())) {
        push(out, &format!("stages.{}", old.key), Some(to_json(old)), None);
    }
}

/// The shape of a criteria node as far as diffing goes.
enum Shape<'a> {
    Group(&'static str, &'a [Value]),
    Condition(&'a serde_json::Map<String, Value>),
    Other,
}

fn shape(value: &Value) -> Shape<'_> {
    match value {
        Value::Object(map) if map.len() == 1 => match map.iter().next() {
            Some((key, Value::Array(items))) if key == "all" => Shape::Group("all", items),
            Some((key, Value::Array(items))) if key == "any" => Shape::Group("any", items),
            _ => Shape::Other,
        },
        Value::Object(map) if map.contains_key("field") => Shape::Condition(map),
        _ => Shape::Other,
    }
}

fn diff_criteria(path: &str, before: &Value, after: &Value, out: &mut Vec<Change>) {
    if before == after {
        return;
    }
    match (shape(before), shape(after)) {
        (Shape::Group(bk, bs), Shape::Group(ak, as_)) if bk == ak => {
            let list_path = join(path, bk);
            if bs.len() == as_.len() {
                for (i, (b, a)) in bs.iter().zip(as_).enumerate() {
                    diff_criteria(&format!("{list_path}[{i}]"), b, a, out);
                }
            } else {
                push(out, &list_path, Some(json!(bs)), Some(json!(as_)));
            }
        }
        (Shape::Condition(b), Shape::Condition(a)) => {
            for field in ["field", "op", "value"] {
                push(
                    out,
                    &join(path, field),
                    b.get(field).cloned(),
                    a.get(field).cloned(),
                );
            }
        }
        _ => push(out, path, Some(before.clone()), Some(after.clone())),
    }
}

fn diff_rules(before: &[ScoringRule], after: &[ScoringRule], out: &mut Vec<Change>) {
    let bk: Vec<&str> = before.iter().map(|r| r.kind.as_str()).collect();
    let ak: Vec<&str> = after.iter().map(|r| r.kind.as_str()).collect();
    if !addressable(&bk) || !addressable(&ak) {
        push(
            out,
            "scoring.rules",
            Some(to_json(&before)),
            Some(to_json(&after)),
        );
        return;
    }
    push_order(out, RULE_ORDER_PATH, &bk, &ak);
    for rule in after {
        let base = format!("scoring.rules.{}", rule.kind);
        match before.iter().find(|r| r.kind == rule.kind) {
            Some(old) => {
                push(
                    out,
                    &join(&base, "points"),
                    Some(json!(old.points)),
                    Some(json!(rule.points)),
                );
                let (b, a) = (
                    old.max_points.map(|m| json!(m)),
                    rule.max_points.map(|m| json!(m)),
                );
                push(out, &join(&base, "max_points"), b, a);
            }
            None => push(out, &base, None, Some(to_json(rule))),
        }
    }
    for old in before.iter().filter(|r| !ak.contains(&r.kind.as_str())) {
        push(
            out,
            &format!("scoring.rules.{}", old.kind),
            Some(to_json(old)),
            None,
        );
    }
}

/// `def` with `changes` applied, as produced by [`diff`]: `apply(a, &diff(a, b)) == b`.
///
/// Additions and removals come first and order changes last, so an order change may name
/// stages the same batch adds. Fails with `"<path>: <why>"` when a change does not fit `def`
/// (a path that is not there, a value of the wrong shape).
pub fn apply(def: &Definition, changes: &[Change]) -> Result<Definition, String> {
    apply_changes(def, changes).map_err(|(path, why)| format!("{path}: {why}"))
}

/// [`apply`], failing with the path of the change that did not fit and why.
pub(crate) fn apply_changes(def: &Definition, changes: &[Change]) -> Result<Definition, (String, String)> {
    let mut def = def.clone();
    let is_order = |c: &&Change| c.path == STAGE_ORDER_PATH || c.path == RULE_ORDER_PATH;
    let (orders, others): (Vec<&Change>, Vec<&Change>) = changes.iter().partition(is_order);
    for change in others.into_iter().chain(orders) {
        apply_one(&mut def, change).map_err(|why| (change.path.clone(), why))?;
    }
    Ok(def)
}

fn parse<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, String> {
    serde_json::from_value(value).map_err(|e| e.to_string())
}

fn apply_one(def: &mut Definition, change: &Change) -> Result<(), String> {
    let after = change.after.clone();
    match change.path.as_str() {
        "stages" => def.stages = parse(after.unwrap_or_else(|| json!([])))?,
        STAGE_ORDER_PATH => reorder(&mut def.stages, after, |s| &s.key)?,
        "scoring.rules" => def.scoring.rules = parse(after.unwrap_or_else(|| json!([])))?,
        RULE_ORDER_PATH => reorder(&mut def.scoring.rules, after, |r| &r.kind)?,
        "scoring.decay_days" => def.scoring.decay_days = after.map(parse).transpose()?,
        "reason_codes.reject" => def.reason_codes.reject = parse(after.unwrap_or_else(|| json!([])))?,
        "reason_codes.recycle" => def.reason_codes.recycle = parse(after.unwrap_or_else(|| json!([])))?,
        "reason_codes.lost" => def.reason_codes.lost = parse(after.unwrap_or_else(|| json!([])))?,
        path => {
            if let Some(rest) = path.strip_prefix("stages.") {
                apply_keyed(&mut def.stages, rest, after, |s| &s.key)
            } else if let Some(rest) = path.strip_prefix("scoring.rules.") {
                apply_keyed(&mut def.scoring.rules, rest, after, |r| &r.kind)
            } else {
                Err("no such path".to_owned())
            }?
        }
    }
    Ok(())
}

/// Adds, removes, replaces or edits inside the item named by the first segment of `rest`.
fn apply_keyed<T, K>(items: &mut Vec<T>, rest: &str, after: Option<Value>, key: K) -> Result<(), String>
where
    T: Serialize + serde::de::DeserializeOwned,
    K: Fn(&T) -> &String,
{
    let (name, tail) = match rest.split_once('.') {
        Some((name, tail)) => (name, Some(tail)),
        None => (rest, None),
    };
    let index = items.iter().position(|item| key(item) == name);
    match (tail, index, after) {
        (None, Some(i), None) => {
            items.remove(i);
        }
        (None, Some(i), Some(value)) => items[i] = parse(value)?,
        (None, None, Some(value)) => {
            let item: T = parse(value)?;
            if key(&item) != name {
                return Err(format!("the added item is not named `{name}`"));
            }
            items.push(item);
        }
        (Some(tail), Some(i), after) => {
            let mut value = to_json(&items[i]);
            set_path(&mut value, tail, after)?;
            items[i] = parse(value)?;
        }
        (_, None, _) => return Err(format!("`{name}` is not there")),
    }
    Ok(())
}

/// Puts the items in the order of the key list `after`, which must name each exactly once.
fn reorder<T, K: Fn(&T) -> &String>(items: &mut [T], after: Option<Value>, key: K) -> Result<(), String> {
    let order: Vec<String> = parse(after.ok_or("an order cannot be removed")?)?;
    let mut sorted: Vec<String> = items.iter().map(|item| key(item).clone()).collect();
    let mut wanted = order.clone();
    sorted.sort();
    wanted.sort();
    if sorted != wanted {
        return Err(format!(
            "the order {order:?} does not name exactly the items {sorted:?}"
        ));
    }
    items.sort_by_key(|item| order.iter().position(|k| k == key(item)));
    Ok(())
}

/// The segments of a path: `entry.all[0].value` → `entry`, `all`, `[0]`, `value`.
pub(crate) fn segments(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for piece in path.split('.') {
        let mut rest = piece;
        while let Some(open) = rest.get(1..).and_then(|r| r.find('[')).map(|i| i + 1) {
            out.push(&rest[..open]);
            rest = &rest[open..];
        }
        out.push(rest);
    }
    out
}

/// Sets (or, with `None`, removes) the value at a relative path inside a JSON value.
fn set_path(root: &mut Value, path: &str, after: Option<Value>) -> Result<(), String> {
    let segs = segments(path);
    let (last, parents) = segs.split_last().ok_or("empty path")?;
    let mut node = root;
    for seg in parents {
        node = step(node, seg)?;
    }
    match (index_of(last), node) {
        (Some(i), Value::Array(items)) => match (items.get_mut(i), after) {
            (Some(slot), Some(value)) => *slot = value,
            _ => return Err(format!("cannot add or remove {last} in place")),
        },
        (None, Value::Object(map)) => match after {
            Some(value) => {
                map.insert((*last).to_owned(), value);
            }
            None => {
                map.remove(*last);
            }
        },
        _ => return Err(format!("`{last}` is not there")),
    }
    Ok(())
}

fn index_of(segment: &str) -> Option<usize> {
    segment.strip_prefix('[')?.strip_suffix(']')?.parse().ok()
}

fn step<'a>(node: &'a mut Value, seg: &str) -> Result<&'a mut Value, String> {
    let next = match index_of(seg) {
        Some(i) => node.as_array_mut().and_then(|items| items.get_mut(i)),
        None => node.as_object_mut().and_then(|map| map.get_mut(seg)),
    };
    next.ok_or_else(|| format!("`{seg}` is not there"))
}

#[cfg(test)]
#[path = "diff_tests.rs"]
mod tests;
