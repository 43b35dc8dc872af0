//! Version 1: the default funnel of DESIGN.md ("The funnel"), published when a workspace starts
//! so that there is always a current definition to propose changes against.

use serde_json::json;

use super::criteria::{Condition, Criteria, Op};
use super::model::{Definition, EntryOn, Gate, ReasonCodes, Scoring, ScoringRule, Stage};
use crate::auth::Team;

/// The default definition: seven stages from prospect to customer, MQL handed from marketing
/// to SDRs on its criteria (24 h SLA), SQL handed from SDRs to sales on acceptance (48 h),
/// the default scoring rules (90-day decay) and reason codes.
pub fn version_one() -> Definition {
    Definition {
        stages: vec![
            stage(
                "prospect",
                "Prospect",
                Team::Marketing,
                Some(all(vec![when("lead.email", Op::IsSet, None)])),
                None,
            ),
            stage(
                "subscriber",
                "Subscriber",
                Team::Marketing,
                Some(all(vec![when("lead.consent", Op::Eq, Some(json!(true)))])),
                None,
            ),
            stage(
                "lead",
                "Lead",
                Team::Marketing,
                Some(all(vec![
                    when("account.employees", Op::Gte, Some(json!(50))),
                    when("lead.persona", Op::IsSet, None),
                ])),
                None,
            ),
            stage(
                "mql",
                "MQL",
                Team::Sdr,
                Some(all(vec![when("lead.score", Op::Gte, Some(json!(60)))])),
                Some(gate(Team::Marketing, Team::Sdr, 24, EntryOn::Criteria)),
            ),
            stage(
                "sql",
                "SQL",
                Team::Sales,
                None,
                Some(gate(Team::Sdr, Team::Sales, 48, EntryOn::Acceptance)),
            ),
            stage("opportunity", "Opportunity", Team::Sales, None, None),
            stage("customer", "Customer", Team::Sales, None, None),
        ],
        scoring: Scoring {
            rules: vec![
                rule("form_submit", 10, None),
                rule("content_download", 8, Some(40)),
                rule("email_click", 3, Some(15)),
                rule("event_attended", 15, None),
                rule("webinar_attended", 12, None),
                rule("demo_request", 30, None),
                rule("meeting_booked", 20, None),
                rule("page_view", 1, Some(20)),
            ],
            decay_days: Some(90),
        },
        reason_codes: ReasonCodes {
            reject: codes(&[
                "not_icp",
                "no_budget",
                "no_authority",
                "bad_timing",
                "duplicate",
                "bad_contact_data",
            ]),
            recycle: codes(&["nurture", "not_ready", "no_response"]),
            lost: codes(&["price", "competitor", "no_decision", "timing", "product_fit"]),
        },
    }
}

fn stage(key: &str, name: &str, owner_team: Team, entry: Option<Criteria>, gate: Option<Gate>) -> Stage {
    Stage {
        key: key.to_owned(),
        name: name.to_owned(),
        owner_team,
        entry,
        gate,
    }
}

fn all(children: Vec<Criteria>) -> Criteria {
    Criteria::All { all: children }
}

fn when(field: &str, op: Op, value: Option<serde_json::Value>) -> Criteria {
    Condition::new(field, op, value).into()
}

fn gate(from_team: Team, to_team: Team, sla_hours: u32, entry_on: EntryOn) -> Gate {
    Gate {
        from_team,
        to_team,
        sla_hours,
        entry_on,
    }
}

fn rule(kind: &str, points: i32, max_points: Option<i32>) -> ScoringRule {
    ScoringRule {
        kind: kind.to_owned(),
        points,
        max_points,
    }
}

fn codes(list: &[&str]) -> Vec<String> {
    list.iter().map(|c| (*c).to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definitions::validate::validate;

    #[test]
    fn version_one_is_a_valid_definition() {
        assert_eq!(validate(&version_one()), Ok(()));
    }

    #[test]
    fn version_one_has_the_seven_default_stages_in_funnel_order() {
        let keys: Vec<_> = version_one().stages.iter().map(|s| s.key.clone()).collect();
        assert_eq!(
            keys,
            [
                "prospect",
                "subscriber",
                "lead",
                "mql",
                "sql",
                "opportunity",
                "customer"
            ]
        );
    }

    #[test]
    fn mql_opens_on_criteria_and_sql_on_acceptance() {
        let def = version_one();
        let mql = def.stage("mql").unwrap().gate.clone().unwrap();
        assert_eq!(
            (mql.from_team, mql.to_team, mql.sla_hours, mql.entry_on),
            (Team::Marketing, Team::Sdr, 24, EntryOn::Criteria)
        );
        let sql = def.stage("sql").unwrap().gate.clone().unwrap();
        assert_eq!(
            (sql.from_team, sql.to_team, sql.sla_hours, sql.entry_on),
            (Team::Sdr, Team::Sales, 48, EntryOn::Acceptance)
        );
        assert!(def.stage("sql").unwrap().entry.is_none());
    }

    #[test]
    fn lead_entry_reads_as_the_documented_json() {
        let entry = serde_json::to_value(&version_one().stage("lead").unwrap().entry).unwrap();
        assert_eq!(
            entry,
            json!({"all": [{"field": "account.employees", "op": "gte", "value": 50},
                           {"field": "lead.persona", "op": "is_set"}]})
        );
    }
}
