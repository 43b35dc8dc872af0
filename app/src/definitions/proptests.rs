//! Property tests across the definitions module: serialization, evaluation, diff and rebase.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::criteria::{Condition, Criteria, FIELDS, LeadFacts, Op, evaluate};
use super::diff::{RULE_ORDER_PATH, STAGE_ORDER_PATH, apply, diff};
use super::facts::{AccountFacts, ActivityCount};
use super::merge::rebase;
use super::model::{ACTIVITY_KINDS, Definition, EntryOn, Gate, ReasonCodes, Scoring, ScoringRule, Stage};
use crate::auth::Team;

const STAGE_KEYS: &[&str] = &[
    "prospect",
    "subscriber",
    "lead",
    "mql",
    "sal",
    "sql",
    "opportunity",
    "customer",
];
const CODES: &[&str] = &[
    "not_icp",
    "no_budget",
    "duplicate",
    "nurture",
    "price",
    "timing",
    "student",
];

fn field() -> impl Strategy<Value = String> {
    let mut names: Vec<String> = FIELDS.iter().map(|f| f.name.to_owned()).collect();
    names.extend(
        [
            "activity.form_submit.count_30d",
            "activity.page_view.count_7d",
            "lead.unknown",
        ]
        .map(String::from),
    );
    prop::sample::select(names)
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-1000i64..100_000).prop_map(|n| json!(n)),
        (-400i32..400).prop_map(|n| json!(f64::from(n) / 4.0)),
        "[a-zA-Z _]{0,8}".prop_map(Value::String),
        prop::sample::select(vec!["cmo", "CTO", "inbound", "1", "jp"]).prop_map(|s| json!(s)),
        any::<bool>().prop_map(Value::Bool),
    ]
}

fn value() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        1 => Just(None),
        3 => scalar().prop_map(Some),
        1 => prop::collection::vec(scalar(), 0..4).prop_map(|v| Some(Value::Array(v))),
    ]
}

fn condition() -> impl Strategy<Value = Criteria> {
    (field(), prop::sample::select(Op::ALL.to_vec()), value())
        .prop_map(|(field, op, value)| Criteria::Condition(Condition { field, op, value }))
}

fn criteria() -> impl Strategy<Value = Criteria> {
    condition().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|all| Criteria::All { all }),
            prop::collection::vec(inner, 0..4).prop_map(|any| Criteria::Any { any }),
        ]
    })
}

fn facts() -> impl Strategy<Value = LeadFacts> {
    let text = || {
        prop::option::of(prop::sample::select(vec![
            "cmo", "CTO", "inbound", "1", "jp", " ", "Software",
        ]))
    };
    let account = (
        prop::option::of(0i64..2000),
        text(),
        prop::option::of(0i32..1000),
        any::<bool>(),
        text(),
    )
        .prop_map(|(employees, industry, revenue, is_target, tier)| AccountFacts {
            employees,
            industry: industry.map(String::from),
            country: None,
            annual_revenue: revenue.map(|r| f64::from(r) * 1000.0),
            is_target,
            tier: tier.map(String::from),
        });
    (
        text(),
        any::<bool>(),
        text(),
        -50i64..200,
        prop::option::of(account),
        0u32..5,
    )
        .prop_map(|(persona, consent, source, score, account, forms)| LeadFacts {
            email: Some("a@b.co".into()),
            consent,
            persona: persona.map(String::from),
            job_title: Some("VP Marketing".into()),
            score,
            source: source.map(String::from),
            country: Some("JP".into()),
            account,
            activity_counts: vec![ActivityCount {
                kind: "form_submit".into(),
                days: 30,
                count: forms,
            }],
        })
}

fn team() -> impl Strategy<Value = Team> {
    prop::sample::select(Team::ALL.to_vec())
}

fn gate() -> impl Strategy<Value = Gate> {
    (team(), team(), 1u32..=720, any::<bool>()).prop_map(|(from_team, to_team, sla_hours, on_accept)| Gate {
        from_team,
        to_team,
        sla_hours,
        entry_on: if on_accept {
            EntryOn::Acceptance
        } else {
            EntryOn::Criteria
        },
    })
}

fn stage_body() -> impl Strategy<Value = (String, Team, Option<Criteria>, Option<Gate>)> {
    (
        "[A-Z][a-z]{0,6}",
        team(),
        prop::option::of(criteria()),
        prop::option::of(gate()),
    )
}

fn codes() -> impl Strategy<Value = Vec<String>> {
    prop::sample::subsequence(CODES.to_vec(), 0..4)
        .prop_shuffle()
        .prop_map(|c| c.into_iter().map(String::from).collect())
}

fn definition() -> impl Strategy<Value = Definition> {
    let stages = prop::sample::subsequence(STAGE_KEYS.to_vec(), 1..6)
        .prop_shuffle()
        .prop_flat_map(|keys| {
            let n = keys.len();
            prop::collection::vec(stage_body(), n).prop_map(move |bodies| {
                keys.iter()
                    .zip(bodies)
                    .map(|(key, (name, owner_team, entry, gate))| Stage {
                        key: (*key).to_owned(),
                        name,
                        owner_team,
                        entry,
                        gate,
                    })
                    .collect::<Vec<_>>()
            })
        });
    let rules = prop::sample::subsequence(ACTIVITY_KINDS.to_vec(), 0..5)
        .prop_shuffle()
        .prop_flat_map(|kinds| {
            let n = kinds.len();
            prop::collection::vec((-100i32..=100, prop::option::of(0i32..100)), n).prop_map(move |points| {
                kinds
                    .iter()
                    .zip(points)
                    .map(|(kind, (points, max_points))| ScoringRule {
                        kind: (*kind).to_owned(),
                        points,
                        max_points,
                    })
                    .collect::<Vec<_>>()
            })
        });
    (
        stages,
        rules,
        prop::option::of(1u32..=730),
        codes(),
        codes(),
        codes(),
    )
        .prop_map(|(stages, rules, decay_days, reject, recycle, lost)| Definition {
            stages,
            scoring: Scoring { rules, decay_days },
            reason_codes: ReasonCodes {
                reject,
                recycle,
                lost,
            },
        })
}

/// One edit of one part of a definition; edits with different targets never touch the same path.
#[derive(Clone, Debug)]
enum Edit {
    Name(usize, String),
    Entry(usize, Option<Criteria>),
    Sla(usize, u32),
    Owner(usize, Team),
    Remove(usize),
    Add(&'static str, usize),
    Points(usize, i32),
    Decay(Option<u32>),
    Reasons(usize, Vec<String>),
}

fn edit() -> impl Strategy<Value = Edit> {
    let i = || 0usize..8;
    prop_oneof![
        (i(), "[A-Z][a-z]{0,6}").prop_map(|(i, n)| Edit::Name(i, n)),
        (i(), prop::option::of(criteria())).prop_map(|(i, c)| Edit::Entry(i, c)),
        (i(), 1u32..=720).prop_map(|(i, h)| Edit::Sla(i, h)),
        (i(), team()).prop_map(|(i, t)| Edit::Owner(i, t)),
        i().prop_map(Edit::Remove),
        (prop::sample::select(vec!["new_a", "new_b"]), i()).prop_map(|(k, at)| Edit::Add(k, at)),
        (i(), -100i32..=100).prop_map(|(i, p)| Edit::Points(i, p)),
        prop::option::of(1u32..=730).prop_map(Edit::Decay),
        (0usize..3, codes()).prop_map(|(i, c)| Edit::Reasons(i, c)),
    ]
}

impl Edit {
    /// What the edit touches, so that two edits with different targets are disjoint.
    fn target(&self, def: &Definition) -> String {
        let stage = |i: usize| format!("stage:{}", def.stages[i % def.stages.len()].key);
        match self {
            Self::Name(i, _) | Self::Entry(i, _) | Self::Sla(i, _) | Self::Owner(i, _) | Self::Remove(i) => {
                stage(*i)
            }
            Self::Add(key, _) => format!("add:{key}"),
            Self::Points(i, _) => format!(
                "rule:{}",
                def.scoring
                    .rules
                    .get(*i % def.scoring.rules.len().max(1))
                    .map_or("", |r| r.kind.as_str())
            ),
            Self::Decay(_) => "decay".into(),
            Self::Reasons(i, _) => format!("reasons:{i}"),
        }
    }

    fn apply(&self, mut def: Definition) -> Definition {
        let n = def.stages.len();
        match self.clone() {
            Self::Name(i, name) => def.stages[i % n].name = name,
            Self::Entry(i, entry) => def.stages[i % n].entry = entry,
            Self::Sla(i, hours) => match def.stages[i % n].gate.as_mut() {
                Some(gate) => gate.sla_hours = hours,
                None => {
                    def.stages[i % n].gate = Some(Gate {
                        from_team: Team::Marketing,
                        to_team: Team::Sdr,
                        sla_hours: hours,
                        entry_on: EntryOn::Criteria,
                    })
                }
            },
            Self::Owner(i, team) => def.stages[i % n].owner_team = team,
            Self::Remove(i) => {
                def.stages.remove(i % n);
            }
            Self::Add(key, at) => {
                let stage = Stage {
                    key: key.into(),
                    name: key.to_uppercase(),
                    owner_team: Team::Sales,
                    entry: None,
                    gate: None,
                };
                def.stages.insert(at % (n + 1), stage);
            }
            Self::Points(i, points) => {
                let len = def.scoring.rules.len();
                if len > 0 {
                    def.scoring.rules[i % len].points = points;
                }
            }
            Self::Decay(days) => def.scoring.decay_days = days,
            Self::Reasons(i, codes) => match i {
                0 => def.reason_codes.reject = codes,
                1 => def.reason_codes.recycle = codes,
                _ => def.reason_codes.lost = codes,
            },
        }
        def
    }
}

fn without_order(changes: Vec<super::diff::Change>) -> Vec<super::diff::Change> {
    changes
        .into_iter()
        .filter(|c| c.path != STAGE_ORDER_PATH && c.path != RULE_ORDER_PATH)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn criteria_survive_a_json_round_trip(c in criteria()) {
        let value = serde_json::to_value(&c).unwrap();
        let back: Criteria = serde_json::from_value(value.clone()).unwrap();
        prop_assert_eq!(serde_json::to_value(&back).unwrap(), value);
        prop_assert_eq!(back, c);
    }

    #[test]
    fn definitions_survive_a_json_text_round_trip(def in definition()) {
        let text = serde_json::to_string(&def).unwrap();
        let back: Definition = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(serde_json::to_string(&back).unwrap(), text);
        prop_assert_eq!(back, def);
    }

    #[test]
    fn all_of_one_criterion_is_that_criterion(c in criteria(), f in facts()) {
        prop_assert_eq!(evaluate(&Criteria::All { all: vec![c.clone()] }, &f), evaluate(&c, &f));
        prop_assert_eq!(evaluate(&Criteria::Any { any: vec![c.clone()] }, &f), evaluate(&c, &f));
    }

    #[test]
    fn any_of_two_is_either_and_all_of_two_is_both(a in criteria(), b in criteria(), f in facts()) {
        let (ea, eb) = (evaluate(&a, &f), evaluate(&b, &f));
        prop_assert_eq!(evaluate(&Criteria::Any { any: vec![a.clone(), b.clone()] }, &f), ea || eb);
        prop_assert_eq!(evaluate(&Criteria::All { all: vec![a, b] }, &f), ea && eb);
    }

    #[test]
    fn diff_is_empty_exactly_when_definitions_are_equal(a in definition(), b in definition(), e in edit()) {
        prop_assert!(diff(&a, &a).is_empty());
        prop_assert_eq!(diff(&a, &b).is_empty(), a == b);
        let edited = e.apply(a.clone());
        prop_assert_eq!(diff(&a, &edited).is_empty(), a == edited);
    }

    #[test]
    fn applying_a_diff_turns_one_definition_into_the_other(a in definition(), b in definition(), e in edit()) {
        prop_assert_eq!(apply(&a, &diff(&a, &b)), Ok(b.clone()));
        let edited = e.apply(a.clone());
        prop_assert_eq!(apply(&a, &diff(&a, &edited)), Ok(edited));
    }

    #[test]
    fn rebasing_onto_an_unchanged_base_gives_the_proposal(base in definition(), proposed in definition()) {
        prop_assert_eq!(rebase(&base, &base, &proposed), Ok(proposed));
    }

    #[test]
    fn rebasing_an_unchanged_proposal_gives_the_current_version(base in definition(), current in definition()) {
        prop_assert_eq!(rebase(&base, &current, &base), Ok(current));
    }

    #[test]
    fn the_same_change_on_both_sides_rebases_to_it(base in definition(), both in definition()) {
        prop_assert_eq!(rebase(&base, &both, &both), Ok(both));
    }

    #[test]
    fn disjoint_changes_are_all_kept(base in definition(), ours in edit(), theirs in edit()) {
        if ours.target(&base) == theirs.target(&base) {
            return Ok(()); // the same part edited twice: a conflict, not this property
        }
        let proposed = ours.apply(base.clone());
        let current = theirs.apply(base.clone());
        let merged = rebase(&base, &current, &proposed).unwrap();
        let got = without_order(diff(&base, &merged));
        let mut expected = without_order(diff(&base, &proposed));
        expected.extend(without_order(diff(&base, &current)));
        for change in &expected {
            prop_assert!(got.contains(change), "missing {:?}", change);
        }
        for change in &got {
            prop_assert!(expected.contains(change), "unexpected {:?}", change);
        }
    }
}
