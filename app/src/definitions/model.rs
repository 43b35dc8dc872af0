//! The funnel definition as it is stored, versioned and sent over the wire: stages with their
//! entry criteria and handoff gates, lead scoring rules and handoff reason codes.
//!
//! The JSON shape is the API contract (API.md, "Definitions"): `entry` and `gate` are always
//! present and `null` when unset, so clients never have to guess whether a field was dropped.

use serde::{Deserialize, Serialize};

use super::criteria::Criteria;
use crate::auth::Team;

/// Every activity kind a lead can record; scoring rules and activity-count criteria name one.
pub const ACTIVITY_KINDS: &[&str] = &[
    "page_view",
    "form_submit",
    "content_download",
    "email_click",
    "event_attended",
    "webinar_attended",
    "demo_request",
    "meeting_booked",
];

/// The persona values a lead may carry (`lead.persona`), the choices the criteria builder offers.
pub const PERSONAS: &[&str] = &[
    "cmo",
    "vp_marketing",
    "marketing_manager",
    "cto",
    "vp_engineering",
    "engineer",
    "cfo",
    "ceo",
    "sales_leader",
    "operations",
    "other",
];

/// Where a lead came from (`lead.source`).
pub const SOURCES: &[&str] = &["inbound", "outbound"];

/// The whole funnel definition: what a version publishes and a proposal changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Definition {
    /// The lifecycle stages in funnel order; keys are stable across versions.
    pub stages: Vec<Stage>,
    /// How activities turn into a lead score.
    pub scoring: Scoring,
    /// The reasons a handoff may be rejected or recycled, or a deal lost.
    pub reason_codes: ReasonCodes,
}

impl Definition {
    /// The stage with this key, if the definition has one.
    pub fn stage(&self, key: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.key == key)
    }

    /// The position of the stage with this key in funnel order (0 = top of the funnel).
    pub fn stage_index(&self, key: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.key == key)
    }
}

/// One lifecycle stage of the funnel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Stage {
    /// Stable identifier (`lead`, `mql`…): lowercase letters, digits and `_`. Leads, history
    /// and diffs refer to stages by key, so renaming a stage never breaks them.
    pub key: String,
    /// Display name ("MQL"), free to change.
    pub name: String,
    /// The team responsible for leads in this stage.
    pub owner_team: Team,
    /// What puts a lead into this stage automatically; `null` means only a person (a handoff
    /// decision, an opportunity update) moves leads here.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub entry: Option<Criteria>,
    /// The handoff from one team to another that guards this stage, if any.
    pub gate: Option<Gate>,
}

/// A handoff between teams on the way into a stage, with its SLA.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Gate {
    /// The team handing the lead over.
    pub from_team: Team,
    /// The team that accepts or rejects it.
    pub to_team: Team,
    /// Hours the receiving team has to decide (1–720).
    pub sla_hours: u32,
    /// Whether the lead enters on its criteria (and the handoff opens at once) or only when
    /// the receiving team accepts.
    pub entry_on: EntryOn,
}

/// When a lead enters a gated stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum EntryOn {
    /// As soon as the entry criteria hold; the handoff opens at the same moment (MQL).
    Criteria,
    /// Only when the receiving team accepts the handoff (SQL).
    Acceptance,
}

impl EntryOn {
    /// The stored and API value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Criteria => "criteria",
            Self::Acceptance => "acceptance",
        }
    }
}

/// Lead scoring: points per activity kind, with optional caps and a decay window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Scoring {
    /// One rule per activity kind.
    pub rules: Vec<ScoringRule>,
    /// Activities older than this many days no longer count; absent = they count forever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decay_days: Option<u32>,
}

/// Points a lead earns for each activity of one kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScoringRule {
    /// The activity kind (one of [`ACTIVITY_KINDS`]).
    pub kind: String,
    /// Points per activity, −100 to 100 (negative for signals such as unsubscribes).
    pub points: i32,
    /// The most this kind may contribute in total; absent = no cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_points: Option<i32>,
}

/// The codes a person must pick from when rejecting or recycling a handoff or losing a deal,
/// so that "why" is countable instead of buried in free text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReasonCodes {
    /// Why a handoff was rejected (disqualified).
    pub reject: Vec<String>,
    /// Why a lead was sent back to nurture.
    pub recycle: Vec<String>,
    /// Why an opportunity was lost.
    pub lost: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn minimal() -> Definition {
        Definition {
            stages: vec![Stage {
                key: "prospect".into(),
                name: "Prospect".into(),
                owner_team: Team::Marketing,
                entry: None,
                gate: None,
            }],
            scoring: Scoring {
                rules: vec![ScoringRule {
                    kind: "form_submit".into(),
                    points: 10,
                    max_points: None,
                }],
                decay_days: None,
            },
            reason_codes: ReasonCodes {
                reject: vec!["not_icp".into()],
                recycle: vec!["nurture".into()],
                lost: vec!["price".into()],
            },
        }
    }

    #[test]
    fn unset_entry_and_gate_serialize_as_null_and_unset_options_are_omitted() {
        let value = serde_json::to_value(minimal()).unwrap();
        assert_eq!(
            value,
            json!({
                "stages": [{"key": "prospect", "name": "Prospect", "owner_team": "marketing",
                            "entry": null, "gate": null}],
                "scoring": {"rules": [{"kind": "form_submit", "points": 10}]},
                "reason_codes": {"reject": ["not_icp"], "recycle": ["nurture"], "lost": ["price"]}
            })
        );
    }

    #[test]
    fn a_gate_reads_and_writes_the_api_shape() {
        let gate: Gate = serde_json::from_value(
            json!({"from_team": "marketing", "to_team": "sdr", "sla_hours": 24, "entry_on": "criteria"}),
        )
        .unwrap();
        assert_eq!(gate.entry_on, EntryOn::Criteria);
        assert_eq!(serde_json::to_value(&gate).unwrap()["entry_on"], "criteria");
        assert_eq!(EntryOn::Acceptance.as_str(), "acceptance");
    }

    #[test]
    fn stages_are_found_by_key_and_position() {
        let def = minimal();
        assert_eq!(def.stage("prospect").map(|s| s.name.as_str()), Some("Prospect"));
        assert_eq!(def.stage_index("prospect"), Some(0));
        assert_eq!(def.stage("mql"), None);
        assert_eq!(def.stage_index("mql"), None);
    }
}
