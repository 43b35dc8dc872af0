//! One line of a diff in plain language: "Lead · entry criteria: Account employees ≥ 50 →
//! Account employees ≥ 100" / "リード · 開始条件：従業員数が 50 以上 → 従業員数が 100 以上".

use serde_json::Value;

use super::criteria::Criteria;
use super::describe::{activity_label, describe_criteria, format_value, reason_label};
use super::diff::{Change, segments};
use super::model::{Definition, Gate, ScoringRule, Stage};
use crate::auth::Team;
use crate::i18n::{Locale, tr, tr_with};

/// The change as one line: what changed (stage name, part), the value before and after.
/// Criteria leaves are shown as the whole condition before and after, with the field's
/// label; stages and scoring rules that appear or disappear read "added" / "removed".
pub fn describe_change(
    change: &Change,
    def_before: &Definition,
    def_after: &Definition,
    locale: Locale,
) -> String {
    let ctx = Ctx {
        before: def_before,
        after: def_after,
        locale,
    };
    let path: Vec<&str> = change.path.split('.').collect();
    let (b, a) = (change.before.as_ref(), change.after.as_ref());
    match path.as_slice() {
        ["stages", "order"] => ctx.changed(
            &ctx.subject(&["stage_order"]),
            ctx.stage_names(b, true),
            ctx.stage_names(a, false),
        ),
        ["stages"] => ctx.changed(&ctx.subject(&["stages"]), ctx.stage_list(b), ctx.stage_list(a)),
        ["stages", _] => {
            let name = |v: Option<&Value>| {
                v.and_then(|v| v.get("name"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            match (b, a) {
                (None, _) => tr_with(locale, "def.change.stage_added", &[("name", &name(a))]),
                (_, None) => tr_with(locale, "def.change.stage_removed", &[("name", &name(b))]),
                _ => ctx.changed(&ctx.subject(&["stages"]), name(b), name(a)),
            }
        }
        ["stages", key, rest @ ..] => ctx.stage_change(key, rest, &change.path, b, a),
        ["scoring", "rules", "order"] => ctx.changed(
            &ctx.subject(&["scoring", "rule_order"]),
            ctx.kinds(b),
            ctx.kinds(a),
        ),
        ["scoring", "rules"] => ctx.changed(&ctx.subject(&["scoring", "rules"]), ctx.rules(b), ctx.rules(a)),
        ["scoring", "rules", kind] => {
            let subject = format!(
                "{}{}{}",
                ctx.subject(&["scoring"]),
                tr(locale, "def.change.separator"),
                activity_label(kind, locale)
            );
            match (b, a) {
                (None, _) => tr_with(
                    locale,
                    "def.change.added",
                    &[("subject", &subject), ("after", &ctx.rule(a))],
                ),
                (_, None) => tr_with(
                    locale,
                    "def.change.removed",
                    &[("subject", &subject), ("before", &ctx.rule(b))],
                ),
                _ => ctx.changed(&subject, ctx.rule(b), ctx.rule(a)),
            }
        }
        ["scoring", "rules", kind, field @ ("points" | "max_points")] => {
            let subject = format!(
                "{}{sep}{}{sep}{}",
                ctx.subject(&["scoring"]),
                activity_label(kind, locale),
                tr(locale, &format!("def.subjects.{field}")),
                sep = tr(locale, "def.change.separator")
            );
            ctx.changed(&subject, ctx.points(b), ctx.points(a))
        }
        ["scoring", "decay_days"] => {
            ctx.changed(&ctx.subject(&["scoring", "decay_days"]), ctx.days(b), ctx.days(a))
        }
        ["reason_codes", list @ ("reject" | "recycle" | "lost")] => {
            ctx.changed(&ctx.subject(&["reason_codes", list]), ctx.codes(b), ctx.codes(a))
        }
        _ => ctx.changed(&change.path, raw(b, locale), raw(a, locale)),
    }
}

fn raw(value: Option<&Value>, locale: Locale) -> String {
    value.map_or_else(|| tr(locale, "def.none"), Value::to_string)
}

struct Ctx<'a> {
    before: &'a Definition,
    after: &'a Definition,
    locale: Locale,
}

impl Ctx<'_> {
    fn changed(&self, subject: &str, before: String, after: String) -> String {
        tr_with(
            self.locale,
            "def.change.changed",
            &[("subject", subject), ("before", &before), ("after", &after)],
        )
    }

    /// Translated subject parts joined: "Scoring · decay window".
    fn subject(&self, parts: &[&str]) -> String {
        let parts: Vec<String> = parts
            .iter()
            .map(|p| tr(self.locale, &format!("def.subjects.{p}")))
            .collect();
        parts.join(&tr(self.locale, "def.change.separator"))
    }

    fn none(&self) -> String {
        tr(self.locale, "def.none")
    }

    fn stage_name(&self, key: &str, prefer_before: bool) -> String {
        let (first, second) = if prefer_before {
            (self.before, self.after)
        } else {
            (self.after, self.before)
        };
        first
            .stage(key)
            .or_else(|| second.stage(key))
            .map_or_else(|| key.to_owned(), |s| s.name.clone())
    }

    fn stage_names(&self, keys: Option<&Value>, prefer_before: bool) -> String {
        let keys: Vec<String> = keys
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default();
        let names: Vec<String> = keys.iter().map(|k| self.stage_name(k, prefer_before)).collect();
        names.join(&tr(self.locale, "def.list_separator"))
    }

    fn stage_list(&self, stages: Option<&Value>) -> String {
        let stages: Vec<Stage> = stages
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default();
        let names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
        names.join(&tr(self.locale, "def.list_separator"))
    }

    fn team(&self, value: Option<&Value>) -> String {
        match value.and_then(Value::as_str).and_then(Team::parse) {
            Some(team) => tr(self.locale, &format!("teams.{}", team.as_str())),
            None => raw(value, self.locale),
        }
    }

    fn hours(&self, value: Option<&Value>) -> String {
        match value.and_then(Value::as_u64) {
            Some(hours) => tr_with(self.locale, "def.hours", &[("hours", &hours.to_string())]),
            None => raw(value, self.locale),
        }
    }

    fn days(&self, value: Option<&Value>) -> String {
        match value.and_then(Value::as_u64) {
            Some(days) => tr_with(self.locale, "def.days", &[("days", &days.to_string())]),
            None => self.none(),
        }
    }

    fn points(&self, value: Option<&Value>) -> String {
        match value.and_then(Value::as_i64) {
            Some(points) => {
                let key = if points.abs() == 1 {
                    "def.point_one"
                } else {
                    "def.points"
                };
                tr_with(self.locale, key, &[("points", &points.to_string())])
            }
            None => self.none(),
        }
    }

    fn entry_on(&self, value: Option<&Value>) -> String {
        match value.and_then(Value::as_str) {
            Some(on @ ("criteria" | "acceptance")) => tr(self.locale, &format!("def.entry_on.{on}")),
            _ => raw(value, self.locale),
        }
    }

    fn gate(&self, value: Option<&Value>) -> String {
        let Some(gate) = value.and_then(|v| serde_json::from_value::<Gate>(v.clone()).ok()) else {
            return tr(self.locale, "def.no_gate");
        };
        let from = tr(self.locale, &format!("teams.{}", gate.from_team.as_str()));
        let to = tr(self.locale, &format!("teams.{}", gate.to_team.as_str()));
        let entry_on = tr(self.locale, &format!("def.entry_on.{}", gate.entry_on.as_str()));
        let hours = gate.sla_hours.to_string();
        tr_with(
            self.locale,
            "def.gate_summary",
            &[
                ("from", &from),
                ("to", &to),
                ("hours", &hours),
                ("entry_on", &entry_on),
            ],
        )
    }

    fn kinds(&self, value: Option<&Value>) -> String {
        let kinds: Vec<String> = value
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default();
        let labels: Vec<String> = kinds.iter().map(|k| activity_label(k, self.locale)).collect();
        labels.join(&tr(self.locale, "def.list_separator"))
    }

    fn rule(&self, value: Option<&Value>) -> String {
        let Some(rule) = value.and_then(|v| serde_json::from_value::<ScoringRule>(v.clone()).ok()) else {
            return self.none();
        };
        let points = self.points(Some(&Value::from(rule.points)));
        match rule.max_points {
            Some(max) => tr_with(
                self.locale,
                "def.rule_capped",
                &[("points", &points), ("max", &max.to_string())],
            ),
            None => points,
        }
    }

    fn rules(&self, value: Option<&Value>) -> String {
        let rules: Vec<ScoringRule> = value
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default();
        let parts: Vec<String> = rules
            .iter()
            .map(|r| {
                let rule = self.rule(serde_json::to_value(r).ok().as_ref());
                format!("{} {rule}", activity_label(&r.kind, self.locale))
            })
            .collect();
        parts.join(&tr(self.locale, "def.list_separator"))
    }

    fn codes(&self, value: Option<&Value>) -> String {
        let codes: Vec<String> = value
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default();
        if codes.is_empty() {
            return self.none();
        }
        let labels: Vec<String> = codes.iter().map(|c| reason_label(c, self.locale)).collect();
        labels.join(&tr(self.locale, "def.list_separator"))
    }

    /// A change inside one stage: `rest` is the path after `stages.<key>`.
    fn stage_change(
        &self,
        key: &str,
        rest: &[&str],
        path: &str,
        b: Option<&Value>,
        a: Option<&Value>,
    ) -> String {
        let part = |name: &str| {
            let sep = tr(self.locale, "def.change.separator");
            format!(
                "{}{sep}{}",
                self.stage_name(key, false),
                tr(self.locale, &format!("def.subjects.{name}"))
            )
        };
        match rest {
            ["name"] => self.changed(&part("name"), raw_text(b, self), raw_text(a, self)),
            ["owner_team"] => self.changed(&part("owner_team"), self.team(b), self.team(a)),
            ["gate"] => self.changed(&part("gate"), self.gate(b), self.gate(a)),
            ["gate", field @ ("from_team" | "to_team")] => {
                self.changed(&part(field), self.team(b), self.team(a))
            }
            ["gate", "sla_hours"] => self.changed(&part("sla_hours"), self.hours(b), self.hours(a)),
            ["gate", "entry_on"] => self.changed(&part("entry_on"), self.entry_on(b), self.entry_on(a)),
            ["entry", ..] => {
                let (before, after) = self.criteria_sides(key, path, b, a);
                self.changed(&part("entry"), before, after)
            }
            _ => self.changed(path, raw(b, self.locale), raw(a, self.locale)),
        }
    }

    /// Both sides of a change inside entry criteria, as sentences.
    fn criteria_sides(
        &self,
        key: &str,
        path: &str,
        b: Option<&Value>,
        a: Option<&Value>,
    ) -> (String, String) {
        let entry_path = format!("stages.{key}.entry");
        let inner = path
            .strip_prefix(&entry_path)
            .unwrap_or_default()
            .trim_start_matches('.');
        let segs = if inner.is_empty() {
            Vec::new()
        } else {
            segments(inner)
        };
        match segs.last().copied() {
            // A condition's field, operator or value: show the whole condition on both sides.
            Some("field" | "op" | "value") => {
                let node = &segs[..segs.len() - 1];
                let side = |def: &Definition| {
                    let entry = def.stage(key).and_then(|s| serde_json::to_value(&s.entry).ok());
                    let found = entry.as_ref().and_then(|e| lookup(e, node)).cloned();
                    self.criteria_text(found.as_ref())
                };
                (side(self.before), side(self.after))
            }
            // A whole list of children: read as the group it belongs to.
            Some(group @ ("all" | "any")) => {
                let wrap = |v: Option<&Value>| {
                    let mut map = serde_json::Map::new();
                    map.insert(
                        group.to_owned(),
                        v.cloned().unwrap_or_else(|| Value::Array(Vec::new())),
                    );
                    self.criteria_text(Some(&Value::Object(map)))
                };
                (wrap(b), wrap(a))
            }
            _ => (self.criteria_text(b), self.criteria_text(a)),
        }
    }

    fn criteria_text(&self, value: Option<&Value>) -> String {
        match value.filter(|v| !v.is_null()).map(Criteria::from_json) {
            None => tr(self.locale, "def.no_criteria"),
            Some(Ok(criteria)) => describe_criteria(&criteria, self.locale),
            Some(Err(_)) => raw(value, self.locale),
        }
    }
}

fn raw_text(value: Option<&Value>, ctx: &Ctx<'_>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        other => format_value("", other.unwrap_or(&Value::Null), ctx.locale),
    }
}

/// The value at a path of segments (`all`, `[0]`…) inside a JSON value.
fn lookup<'a>(root: &'a Value, segs: &[&str]) -> Option<&'a Value> {
    segs.iter().try_fold(root, |node, seg| {
        match seg.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            Some(index) => node.get(index.parse::<usize>().ok()?),
            None => node.get(*seg),
        }
    })
}
