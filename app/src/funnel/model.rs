//! The funnel as it is asked for (URL and API parameters) and answered (API.md,
//! `GET /api/v1/funnel`).

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::metrics::VersionCounts;
use crate::auth::Team;
use crate::definitions::criteria::TIERS;
use crate::error::{AppError, FieldError};
use crate::leads::query::with_query;

/// The period shown when the URL names none: the last 90 days, today included.
pub const DEFAULT_PERIOD_DAYS: i64 = 90;

/// The longest period, in days (two years and a day).
pub const MAX_PERIOD_DAYS: i64 = 731;

/// The lead sources a filter may name.
pub const SOURCES: [&str; 2] = ["inbound", "outbound"];

/// The funnel's parameters as sent: everything optional, nothing trusted yet. The page keeps
/// them in its URL, so a view can be shared.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
pub struct FunnelQuery {
    /// First day of the period, `YYYY-MM-DD` (default: 89 days before `to`).
    pub from: Option<String>,
    /// Last day of the period, `YYYY-MM-DD`, included (default: today, UTC).
    pub to: Option<String>,
    /// `marketing` | `sdr` | `sales`: only the stages that team owns, and its handoffs.
    pub owner_team: Option<String>,
    /// `inbound` | `outbound`.
    pub source: Option<String>,
    /// Only contacts of ABM target accounts.
    pub target_only: Option<String>,
    /// Target tier `1`–`3`.
    pub tier: Option<String>,
    /// The lead's country (as stored, e.g. `JP`).
    pub country: Option<String>,
    /// The account's industry (as stored).
    pub industry: Option<String>,
    /// Version lens: today's leads re-evaluated under this published version.
    pub version: Option<String>,
    /// Version lens: today's leads re-evaluated under this open proposal.
    pub proposal: Option<String>,
}

/// Which definition the version lens applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum LensSource {
    /// A published version, by number.
    Version(i64),
    /// An open proposal, by id.
    Proposal(i64),
}

/// The validated filters, as the store and the service run them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelFilter {
    /// First day of the period.
    pub from: NaiveDate,
    /// Last day of the period, included.
    pub to: NaiveDate,
    /// Only this team's stages.
    pub owner_team: Option<Team>,
    /// Only leads from this source.
    pub source: Option<String>,
    /// Only contacts of target accounts.
    pub target_only: bool,
    /// Only contacts of accounts of this tier.
    pub tier: Option<String>,
    /// Only leads of this country.
    pub country: Option<String>,
    /// Only contacts of accounts in this industry.
    pub industry: Option<String>,
    /// The version lens, if any.
    pub lens: Option<LensSource>,
}

impl FunnelFilter {
    /// Whether any filter narrows the leads (the period and team do not).
    pub fn narrows(&self) -> bool {
        self.source.is_some()
            || self.target_only
            || self.tier.is_some()
            || self.country.is_some()
            || self.industry.is_some()
    }

    /// The lead filter as `(dimension, value)` of the per-filter aggregates (`source`,
    /// `target` with `1`, `tier`, `country`, `industry`) when exactly one is set.
    pub fn single_dimension(&self) -> Option<(&'static str, &str)> {
        let set: Vec<(&'static str, &str)> = [
            ("source", self.source.as_deref()),
            ("target", self.target_only.then_some("1")),
            ("tier", self.tier.as_deref()),
            ("country", self.country.as_deref()),
            ("industry", self.industry.as_deref()),
        ]
        .into_iter()
        .filter_map(|(dim, value)| value.map(|v| (dim, v)))
        .collect();
        match set.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }
}

fn non_blank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn flag(value: &Option<String>) -> Option<bool> {
    match non_blank(value) {
        None => Some(false),
        Some("true" | "1" | "on" | "yes") => Some(true),
        Some("false" | "0" | "off" | "no") => Some(false),
        Some(_) => None,
    }
}

fn date(value: &Option<String>, field: &str, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let value = non_blank(value)?;
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| errors.push(FieldError::new(field, "invalid_date")))
        .ok()
}

fn id(value: &Option<String>, field: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    let value = non_blank(value)?;
    match value.parse::<i64>() {
        Ok(n) if n > 0 => Some(n),
        _ => {
            errors.push(FieldError::new(field, "invalid_value"));
            None
        }
    }
}

impl FunnelQuery {
    /// Reads the parameters from a URL's query (`get` returns one parameter's value).
    pub fn from_url(get: impl Fn(&str) -> Option<String>) -> Self {
        Self {
            from: get("from"),
            to: get("to"),
            owner_team: get("owner_team"),
            source: get("source"),
            target_only: get("target_only"),
            tier: get("tier"),
            country: get("country"),
            industry: get("industry"),
            version: get("version"),
            proposal: get("proposal"),
        }
    }

    /// Checks every parameter, reporting each bad one by name; `today` fills the default
    /// period. Whether a lens version or proposal exists is the service's to check.
    pub fn validate(&self, today: NaiveDate) -> Result<FunnelFilter, AppError> {
        let mut errors = Vec::new();
        let from = date(&self.from, "from", &mut errors);
        let to = date(&self.to, "to", &mut errors);
        let owner_team = non_blank(&self.owner_team).and_then(|t| {
            Team::parse(t).or_else(|| {
                errors.push(FieldError::new("owner_team", "invalid_choice"));
                None
            })
        });
        let source = non_blank(&self.source).map(str::to_owned);
        if source.as_deref().is_some_and(|s| !SOURCES.contains(&s)) {
            errors.push(FieldError::new("source", "invalid_choice"));
        }
        let target_only = flag(&self.target_only).unwrap_or_else(|| {
            errors.push(FieldError::new("target_only", "invalid_choice"));
            false
        });
        let tier = non_blank(&self.tier).map(str::to_owned);
        if tier.as_deref().is_some_and(|t| !TIERS.contains(&t)) {
            errors.push(FieldError::new("tier", "invalid_choice"));
        }
        let country = non_blank(&self.country).map(str::to_owned);
        let industry = non_blank(&self.industry).map(str::to_owned);
        for (field, value) in [("country", &country), ("industry", &industry)] {
            if value.as_ref().is_some_and(|v| v.chars().count() > 100) {
                errors.push(FieldError::new(field, "too_long"));
            }
        }
        let version = id(&self.version, "version", &mut errors);
        let proposal = id(&self.proposal, "proposal", &mut errors);
        if version.is_some() && proposal.is_some() {
            errors.push(FieldError::new("proposal", "one_lens_only"));
        }
        let to = to.unwrap_or(today);
        let from = from.unwrap_or(to - Duration::days(DEFAULT_PERIOD_DAYS - 1));
        if from > to {
            errors.push(FieldError::new("from", "after_to"));
        } else if (to - from).num_days() >= MAX_PERIOD_DAYS {
            errors.push(FieldError::new("from", "period_too_long"));
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(FunnelFilter {
            from,
            to,
            owner_team,
            source,
            target_only,
            tier,
            country,
            industry,
            lens: version
                .map(LensSource::Version)
                .or(proposal.map(LensSource::Proposal)),
        })
    }
}

impl FunnelFilter {
    /// The filter as URL parameters (what the page links to and the CSV export repeats);
    /// `lens` false leaves the version lens out.
    pub fn to_query(&self, lens: bool) -> FunnelQuery {
        let (version, proposal) = match self.lens.filter(|_| lens) {
            Some(LensSource::Version(v)) => (Some(v.to_string()), None),
            Some(LensSource::Proposal(p)) => (None, Some(p.to_string())),
            None => (None, None),
        };
        FunnelQuery {
            from: Some(self.from.to_string()),
            to: Some(self.to.to_string()),
            owner_team: self.owner_team.map(|t| t.as_str().to_owned()),
            source: self.source.clone(),
            target_only: self.target_only.then(|| "true".to_owned()),
            tier: self.tier.clone(),
            country: self.country.clone(),
            industry: self.industry.clone(),
            version,
            proposal,
        }
    }
}

impl FunnelQuery {
    /// `path?k=v&…` with the parameters that are set, URL-encoded.
    pub fn href(&self, path: &str) -> String {
        let pairs = [
            ("from", &self.from),
            ("to", &self.to),
            ("owner_team", &self.owner_team),
            ("source", &self.source),
            ("target_only", &self.target_only),
            ("tier", &self.tier),
            ("country", &self.country),
            ("industry", &self.industry),
            ("version", &self.version),
            ("proposal", &self.proposal),
        ];
        let pairs: Vec<(&str, Option<&str>)> = pairs.iter().map(|(k, v)| (*k, non_blank(v))).collect();
        with_query(path, &pairs)
    }
}

/// Money of one currency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Money {
    /// ISO 4217 code.
    pub currency: String,
    /// Amount in the currency (a decimal number).
    pub amount: f64,
}

/// One stage of the funnel (API.md names the first fields).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FunnelStage {
    /// Stage key.
    pub key: String,
    /// Display name.
    pub name: String,
    /// The team that owns the stage.
    pub owner_team: Team,
    /// Leads in the stage now (under the lens's definition when one is chosen).
    pub current: u64,
    /// Leads that entered the stage in the period (from the stage history).
    pub entered: u64,
    /// Leads that moved past the stage in the period.
    pub converted: u64,
    /// converted ÷ entered (step conversion); `null` when nothing entered.
    pub conversion_rate: Option<f64>,
    /// Median hours leads that left the stage in the period had spent in it.
    pub median_hours_in_stage: Option<f64>,
    /// For sales stages: open pipeline × probability (won deals at 1), per currency.
    pub expected_revenue: Option<Vec<Money>>,
    /// For sales stages: the amounts of those opportunities, per currency.
    pub pipeline: Option<Vec<Money>>,
    /// Leads moved back out of the stage in the period.
    pub recycled: u64,
    /// entered ÷ entered into the first stage.
    pub cumulative_rate: Option<f64>,
    /// How many stays the median is taken over.
    pub exits_timed: u64,
    /// Pending handoffs at the stage's gate now.
    pub open_handoffs: u64,
    /// Of those, how many are past their SLA.
    pub sla_breaches: u64,
    /// Entered and converted per definition version in force at the time.
    pub by_version: Vec<VersionCounts>,
    /// Leads in the stage now without the lens (equal to `current` without one).
    pub actual_current: u64,
}

/// Stage entries of one week (for the trend chart).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WeekEntries {
    /// The week's Monday.
    pub week: NaiveDate,
    /// Entries per stage, in the order of `stages`.
    pub entered: Vec<u64>,
}

/// The version lens that was applied.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Lens {
    /// `version` or `proposal`.
    pub kind: String,
    /// The version number or proposal id.
    pub id: i64,
    /// The version's or proposal's title.
    pub title: String,
    /// Leads re-evaluated.
    pub evaluated: u64,
    /// Leads whose stage differs under the lens.
    pub moved: u64,
    /// Leads kept where people put them (accepted handoffs, opportunities).
    pub kept_by_people: u64,
}

/// The funnel of a period (API.md `GET /api/v1/funnel`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Funnel {
    /// The current definition version (the stages and their order).
    pub version: i64,
    /// First day of the period.
    pub from: NaiveDate,
    /// Last day of the period, included.
    pub to: NaiveDate,
    /// The stages in funnel order (only the owner team's when filtered by team).
    pub stages: Vec<FunnelStage>,
    /// Stage entries per week of the period, oldest first.
    pub weeks: Vec<WeekEntries>,
    /// The version lens, when one was asked for.
    pub lens: Option<Lens>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter() -> FunnelFilter {
        let day = NaiveDate::from_ymd_opt(2026, 11, 2).expect("date");
        FunnelFilter {
            from: day,
            to: day,
            owner_team: Some(Team::Sales),
            source: None,
            target_only: false,
            tier: None,
            country: None,
            industry: None,
            lens: None,
        }
    }

    #[test]
    fn one_lead_filter_names_its_aggregate_dimension() {
        assert_eq!(
            filter().single_dimension(),
            None,
            "team and period are not lead filters"
        );
        let target = FunnelFilter {
            target_only: true,
            ..filter()
        };
        assert_eq!(target.single_dimension(), Some(("target", "1")));
        let country = FunnelFilter {
            country: Some("JP".into()),
            ..filter()
        };
        assert_eq!(country.single_dimension(), Some(("country", "JP")));
        let two = FunnelFilter {
            tier: Some("2".into()),
            ..country.clone()
        };
        assert!(two.narrows());
        assert_eq!(
            two.single_dimension(),
            None,
            "several filters read the wider aggregate"
        );
    }
}
