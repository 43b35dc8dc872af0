//! Rebasing a proposal: re-applying what it changed (against its base version) onto the
//! version that is current now, unless both touched the same thing differently.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::diff::{Change, RULE_ORDER_PATH, STAGE_ORDER_PATH, apply_changes, diff, segments};
use super::model::Definition;

/// The proposal's changes (`base` → `proposed`) applied onto `current`.
///
/// A conflict is a path both sides changed to different results, where paths overlap when
/// equal or when one is a segment-wise prefix of the other (`stages.lead.entry` and
/// `stages.lead.entry.all[0].value`); identical changes on both sides are not conflicts.
/// Stage and scoring-rule order is merged rather than compared: stages added on either side
/// both survive, and only contradicting moves conflict. The result is not validated; the
/// caller validates it like any other definition.
///
/// Fails with the conflicting paths of both sides, sorted and without duplicates.
pub fn rebase(
    base: &Definition,
    current: &Definition,
    proposed: &Definition,
) -> Result<Definition, Vec<String>> {
    let ours = diff(base, proposed);
    let theirs = diff(base, current);
    let mut conflicts = BTreeSet::new();
    let mut to_apply = Vec::new();
    for change in &ours {
        if theirs.contains(change) {
            continue; // already in current
        }
        let is_order = change.path == STAGE_ORDER_PATH || change.path == RULE_ORDER_PATH;
        let clashes: Vec<&Change> = theirs
            .iter()
            .filter(|t| overlaps(&t.path, &change.path) && !(is_order && t.path == change.path))
            .collect();
        if !clashes.is_empty() {
            conflicts.insert(change.path.clone());
            conflicts.extend(clashes.iter().map(|t| t.path.clone()));
            continue;
        }
        if is_order {
            let (base_keys, current_keys) = if change.path == STAGE_ORDER_PATH {
                (stage_keys(base), stage_keys(current))
            } else {
                (rule_kinds(base), rule_kinds(current))
            };
            let ours_keys: Vec<String> = change
                .after
                .clone()
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default();
            match merge_order(&base_keys, &ours_keys, &current_keys) {
                Some(merged) => to_apply.push(Change {
                    path: change.path.clone(),
                    before: Some(json!(current_keys)),
                    after: Some(Value::from(merged)),
                }),
                None => {
                    conflicts.insert(change.path.clone());
                }
            }
            continue;
        }
        to_apply.push(change.clone());
    }
    if !conflicts.is_empty() {
        return Err(conflicts.into_iter().collect());
    }
    apply_changes(current, &to_apply).map_err(|(path, _)| vec![path])
}

fn stage_keys(def: &Definition) -> Vec<String> {
    def.stages.iter().map(|s| s.key.clone()).collect()
}

fn rule_kinds(def: &Definition) -> Vec<String> {
    def.scoring.rules.iter().map(|r| r.kind.clone()).collect()
}

/// Whether two paths name the same thing or one contains the other.
pub fn overlaps(a: &str, b: &str) -> bool {
    let (a, b) = (segments(a), segments(b));
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

/// Three-way merge of a key sequence: theirs, without the keys ours removed, plus the keys
/// ours added, ordered so that every pair keeps the relative order of the side that changed
/// it (ours wins where theirs kept the base order, theirs where ours did). `None` when both
/// sides ordered a pair differently and the base cannot decide, or the constraints form a
/// cycle.
pub fn merge_order(base: &[String], ours: &[String], theirs: &[String]) -> Option<Vec<String>> {
    let pos = |list: &[String], key: &str| list.iter().position(|k| k == key);
    let mut keys: Vec<&String> = theirs
        .iter()
        .filter(|k| !base.contains(k) || ours.contains(k))
        .collect();
    for key in ours {
        if !base.contains(key) && !keys.contains(&key) {
            keys.push(key);
        }
    }
    let n = keys.len();
    let before_in = |list: &[String], x: &str, y: &str| Some(pos(list, x)? < pos(list, y)?);
    // precedes[i][j]: keys[i] must come before keys[j].
    let mut precedes = vec![vec![false; n]; n];
    for i in 0..n {
        for j in 0..n {
            if i == j {
                continue;
            }
            let (x, y) = (keys[i].as_str(), keys[j].as_str());
            let o = before_in(ours, x, y);
            let t = before_in(theirs, x, y);
            let x_first = match (o, t) {
                (Some(o), Some(t)) if o == t => Some(o),
                (Some(o), Some(t)) => match before_in(base, x, y) {
                    Some(b) if b == o => Some(t),
                    Some(_) => Some(o),
                    None => return None,
                },
                (o, t) => o.or(t),
            };
            precedes[i][j] = x_first == Some(true);
        }
    }
    // Topological sort, preferring theirs' order, then ours'.
    let rank = |i: usize| {
        (
            pos(theirs, keys[i]).unwrap_or(usize::MAX),
            pos(ours, keys[i]).unwrap_or(usize::MAX),
        )
    };
    let mut placed = vec![false; n];
    let mut merged = Vec::with_capacity(n);
    while merged.len() < n {
        let next = (0..n)
            .filter(|&j| !placed[j] && (0..n).all(|i| placed[i] || !precedes[i][j]))
            .min_by_key(|&j| rank(j))?;
        placed[next] = true;
        merged.push(keys[next].clone());
    }
    Some(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Team;
    use crate::definitions::criteria::{Condition, Criteria, Op};
    use crate::definitions::model::Stage;
    use crate::definitions::seed::version_one;

    fn keys(list: &[&str]) -> Vec<String> {
        list.iter().map(|k| (*k).to_owned()).collect()
    }

    fn set_employees(def: &mut Definition, n: i64) {
        def.stages[2].entry = Some(Criteria::All {
            all: vec![
                Condition::new("account.employees", Op::Gte, Some(json!(n))).into(),
                Condition::new("lead.persona", Op::IsSet, None).into(),
            ],
        });
    }

    fn new_stage(key: &str) -> Stage {
        Stage {
            key: key.into(),
            name: key.to_uppercase(),
            owner_team: Team::Sdr,
            entry: None,
            gate: None,
        }
    }

    #[test]
    fn changes_to_different_things_are_both_kept() {
        let base = version_one();
        let mut current = base.clone();
        current.scoring.decay_days = Some(60);
        let mut proposed = base.clone();
        set_employees(&mut proposed, 100);
        let rebased = rebase(&base, &current, &proposed).unwrap();
        assert_eq!(rebased.scoring.decay_days, Some(60));
        assert_eq!(rebased.stages[2].entry, proposed.stages[2].entry);
    }

    #[test]
    fn the_same_value_changed_differently_is_a_conflict_naming_the_path() {
        let base = version_one();
        let (mut current, mut proposed) = (base.clone(), base.clone());
        set_employees(&mut current, 80);
        set_employees(&mut proposed, 100);
        assert_eq!(
            rebase(&base, &current, &proposed),
            Err(vec!["stages.lead.entry.all[0].value".to_owned()])
        );
    }

    #[test]
    fn the_same_change_on_both_sides_is_not_a_conflict() {
        let base = version_one();
        let (mut current, mut proposed) = (base.clone(), base.clone());
        set_employees(&mut current, 100);
        set_employees(&mut proposed, 100);
        proposed.stages[0].name = "Suspect".into();
        let rebased = rebase(&base, &current, &proposed).unwrap();
        assert_eq!(rebased, proposed);
    }

    #[test]
    fn a_change_inside_a_node_the_other_side_replaced_is_a_conflict() {
        let base = version_one();
        let (mut current, mut proposed) = (base.clone(), base.clone());
        current.stages[2].entry = None;
        set_employees(&mut proposed, 100);
        assert_eq!(
            rebase(&base, &current, &proposed),
            Err(vec![
                "stages.lead.entry".to_owned(),
                "stages.lead.entry.all[0].value".to_owned()
            ])
        );
    }

    #[test]
    fn removing_a_stage_the_other_side_edited_is_a_conflict() {
        let base = version_one();
        let (mut current, mut proposed) = (base.clone(), base.clone());
        current.stages[5].name = "Deal".into();
        proposed.stages.remove(5);
        let conflicts = rebase(&base, &current, &proposed).unwrap_err();
        assert_eq!(conflicts, ["stages.opportunity", "stages.opportunity.name"]);
    }

    #[test]
    fn stages_added_on_both_sides_both_survive_in_place() {
        let base = version_one();
        let (mut current, mut proposed) = (base.clone(), base.clone());
        current.stages.insert(4, new_stage("sal"));
        proposed.stages.insert(7, new_stage("advocate"));
        let rebased = rebase(&base, &current, &proposed).unwrap();
        let order: Vec<_> = rebased.stages.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(
            order,
            [
                "prospect",
                "subscriber",
                "lead",
                "mql",
                "sal",
                "sql",
                "opportunity",
                "customer",
                "advocate"
            ]
        );
    }

    #[test]
    fn contradicting_moves_of_the_same_stages_conflict_on_the_order() {
        let base = version_one();
        let (mut current, mut proposed) = (base.clone(), base.clone());
        // Ours: subscriber before prospect. Theirs: subscriber after lead. Both: prospect before lead.
        current.stages.swap(1, 2);
        proposed.stages.swap(0, 1);
        assert_eq!(
            rebase(&base, &current, &proposed),
            Err(vec![STAGE_ORDER_PATH.to_owned()])
        );
    }

    #[test]
    fn paths_overlap_segment_wise() {
        assert!(overlaps("stages.lead", "stages.lead.name"));
        assert!(overlaps(
            "stages.lead.entry.all",
            "stages.lead.entry.all[0].value"
        ));
        assert!(!overlaps("stages.lead", "stages.leader.name"));
        assert!(!overlaps("stages.lead.entry.all[0]", "stages.lead.entry.all[1]"));
        assert!(!overlaps("stages.lead.entry.all[1]", "stages.lead.entry.all[10]"));
    }

    #[test]
    fn order_merge_keeps_each_sides_moves() {
        let base = keys(&["a", "b", "c"]);
        assert_eq!(
            merge_order(&base, &keys(&["b", "a", "c"]), &keys(&["a", "b", "c", "d"])),
            Some(keys(&["b", "a", "c", "d"]))
        );
        assert_eq!(
            merge_order(&base, &keys(&["a", "c"]), &keys(&["c", "a", "b"])),
            Some(keys(&["c", "a"]))
        );
        assert_eq!(
            merge_order(&base, &keys(&["a", "x", "b", "c"]), &keys(&["a", "y", "b", "c"])),
            Some(keys(&["a", "y", "x", "b", "c"]))
        );
        assert_eq!(
            merge_order(&base, &keys(&["b", "a", "c"]), &keys(&["a", "c", "b"])),
            None,
            "a cycle"
        );
        assert_eq!(merge_order(&[], &keys(&["x", "y"]), &keys(&["y", "x"])), None);
    }
}
