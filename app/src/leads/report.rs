//! What the lead and account screens explain, computed purely from the definition in force:
//! which entry criteria of each stage a lead meets or misses, and an account's contacts
//! grouped by stage in funnel order.

use serde::{Deserialize, Serialize};

use super::model::Lead;
use crate::auth::Team;
use crate::definitions::criteria::{ConditionOutcome, Criteria, LeadFacts, evaluate, explain};
use crate::definitions::model::{Definition, EntryOn};

/// A stage as the lists show it: key, display name and owner team (for the team's colour).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageInfo {
    /// Stable key.
    pub key: String,
    /// Display name.
    pub name: String,
    /// The team that owns leads in this stage.
    pub owner_team: Team,
}

/// Every stage of `def` in funnel order.
pub fn stage_infos(def: &Definition) -> Vec<StageInfo> {
    def.stages
        .iter()
        .map(|s| StageInfo {
            key: s.key.clone(),
            name: s.name.clone(),
            owner_team: s.owner_team,
        })
        .collect()
}

/// One stage's entry criteria checked against one lead.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageCheck {
    /// The stage.
    pub stage: StageInfo,
    /// Its entry criteria (`None`: only people move leads there).
    pub criteria: Option<Criteria>,
    /// Whether the criteria hold as a whole (`None` without criteria).
    pub met: Option<bool>,
    /// Each condition, where it sits in the tree, and whether it held.
    pub outcomes: Vec<ConditionOutcome>,
    /// The stage opens only when the receiving team accepts a handoff.
    pub on_acceptance: bool,
}

/// Every stage's entry criteria against the lead's facts, in funnel order. Paths read like
/// the diff's (`stages.lead.entry.all[0]`) so the screen and the diff name the same rule.
pub fn stage_checks(def: &Definition, facts: &LeadFacts) -> Vec<StageCheck> {
    def.stages
        .iter()
        .zip(stage_infos(def))
        .map(|(stage, info)| StageCheck {
            met: stage.entry.as_ref().map(|c| evaluate(c, facts)),
            outcomes: stage
                .entry
                .as_ref()
                .map(|c| explain(c, facts, &format!("stages.{}.entry", stage.key)))
                .unwrap_or_default(),
            criteria: stage.entry.clone(),
            on_acceptance: stage
                .gate
                .as_ref()
                .is_some_and(|g| g.entry_on == EntryOn::Acceptance),
            stage: info,
        })
        .collect()
}

/// The contacts of one stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageGroup {
    /// Stage key.
    pub key: String,
    /// Display name (the key for a stage the definition no longer has).
    pub name: String,
    /// Owner team (`None` for a stage the definition no longer has).
    pub owner_team: Option<Team>,
    /// Its contacts, in the order given.
    pub leads: Vec<Lead>,
}

/// Contacts grouped by stage, furthest stage first (where the account stands is read at the
/// top); only stages with contacts; leads in stages the definition lacks come last.
pub fn group_by_stage(def: &Definition, leads: Vec<Lead>) -> Vec<StageGroup> {
    let mut groups: Vec<StageGroup> = def
        .stages
        .iter()
        .rev()
        .map(|s| StageGroup {
            key: s.key.clone(),
            name: s.name.clone(),
            owner_team: Some(s.owner_team),
            leads: Vec::new(),
        })
        .collect();
    for lead in leads {
        match groups.iter_mut().find(|g| g.key == lead.stage) {
            Some(group) => group.leads.push(lead),
            None => groups.push(StageGroup {
                key: lead.stage.clone(),
                name: lead.stage.clone(),
                owner_team: None,
                leads: vec![lead],
            }),
        }
    }
    groups.retain(|g| !g.leads.is_empty());
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definitions::criteria::AccountFacts;
    use crate::definitions::seed::version_one;

    fn lead(id: i64, stage: &str) -> Lead {
        Lead {
            id,
            email: format!("l{id}@example.com"),
            first_name: None,
            last_name: None,
            job_title: None,
            persona: None,
            consent: false,
            source: None,
            country: None,
            account: None,
            owner: None,
            score: 0,
            stage: stage.into(),
            stage_entered_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn contacts_are_grouped_furthest_stage_first_and_unknown_stages_last() {
        let groups = group_by_stage(
            &version_one(),
            vec![
                lead(1, "lead"),
                lead(2, "mql"),
                lead(3, "lead"),
                lead(4, "retired"),
            ],
        );
        let shape: Vec<(&str, Vec<i64>)> = groups
            .iter()
            .map(|g| (g.key.as_str(), g.leads.iter().map(|l| l.id).collect()))
            .collect();
        assert_eq!(
            shape,
            [("mql", vec![2]), ("lead", vec![1, 3]), ("retired", vec![4])]
        );
        assert_eq!(groups[0].owner_team, Some(Team::Sdr));
        assert_eq!(groups[2].owner_team, None);
    }

    #[test]
    fn each_stage_says_which_conditions_a_lead_meets_and_misses() {
        let facts = LeadFacts {
            email: Some("a@example.com".into()),
            consent: true,
            persona: Some("cmo".into()),
            score: 40,
            account: Some(AccountFacts {
                employees: Some(30),
                ..AccountFacts::default()
            }),
            ..LeadFacts::default()
        };
        let checks = stage_checks(&version_one(), &facts);
        let lead = checks.iter().find(|c| c.stage.key == "lead").unwrap();
        assert_eq!(lead.met, Some(false));
        let outcomes: Vec<(&str, bool)> = lead.outcomes.iter().map(|o| (o.path.as_str(), o.met)).collect();
        assert_eq!(
            outcomes,
            [
                ("stages.lead.entry.all[0]", false),
                ("stages.lead.entry.all[1]", true)
            ]
        );
        assert_eq!(checks[1].met, Some(true));
        let sql = checks.iter().find(|c| c.stage.key == "sql").unwrap();
        assert_eq!((sql.met, sql.on_acceptance), (None, true));
    }
}
