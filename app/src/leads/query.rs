//! The lead and account lists as a URL (and the JSON API) spell them — `?stage=mql&sort=score
//! &dir=desc&page=2` — and their validation into the store's filter. Pure: the screens build
//! links from the same type the server validates, so a shared link shows the same view.

use serde::{Deserialize, Serialize};

use crate::auth::Team;
use crate::definitions::criteria::TIERS;
use crate::definitions::model::Definition;
use crate::error::{AppError, FieldError};

/// Rows per page of the screens (and the API's default).
pub const PAGE_SIZE: i64 = 50;
/// The most rows one API page may ask for.
pub const MAX_PER_PAGE: i64 = 200;

/// A sortable column of the lead list. The store maps each to a fixed SQL expression: user
/// text never reaches `ORDER BY`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadSort {
    /// Email address.
    Email,
    /// First and last name.
    Name,
    /// The account's name.
    Account,
    /// Funnel order of the stage (not the alphabet).
    Stage,
    /// Lead score.
    Score,
    /// Last change of the record.
    Updated,
}

impl LeadSort {
    /// Every column, in the order the table shows them.
    pub const ALL: [LeadSort; 6] = [
        LeadSort::Email,
        LeadSort::Name,
        LeadSort::Account,
        LeadSort::Stage,
        LeadSort::Score,
        LeadSort::Updated,
    ];

    /// The URL and API value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Name => "name",
            Self::Account => "account",
            Self::Stage => "stage",
            Self::Score => "score",
            Self::Updated => "updated",
        }
    }

    /// Parses the URL and API value.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value.trim())
    }

    /// The direction a first click sorts in: numbers and dates biggest first, text A→Z.
    pub fn default_dir(self) -> SortDir {
        match self {
            Self::Score | Self::Updated => SortDir::Desc,
            _ => SortDir::Asc,
        }
    }
}

/// Ascending or descending.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortDir {
    /// Smallest first.
    Asc,
    /// Biggest first.
    #[default]
    Desc,
}

impl SortDir {
    /// The URL and API value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }

    /// Parses the URL and API value.
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim() {
            "asc" => Some(Self::Asc),
            "desc" => Some(Self::Desc),
            _ => None,
        }
    }

    /// The other direction.
    pub fn flipped(self) -> Self {
        match self {
            Self::Asc => Self::Desc,
            Self::Desc => Self::Asc,
        }
    }
}

/// Validated filters of the lead list, as the store runs them.
#[derive(Clone, Debug, Default)]
pub struct LeadFilter {
    /// Stage keys to include (`None` = all; empty = none can match).
    pub stages: Option<Vec<String>>,
    /// Only contacts of this account.
    pub account_id: Option<i64>,
    /// Search in email, name and company (trimmed, not blank).
    pub query: Option<String>,
    /// Only contacts of ABM target accounts.
    pub target_only: bool,
    /// Only contacts of accounts of this tier.
    pub tier: Option<String>,
    /// Only leads from this source (`inbound` | `outbound`).
    pub source: Option<String>,
    /// Only leads of this country.
    pub country: Option<String>,
    /// Only contacts of accounts in this industry.
    pub industry: Option<String>,
    /// Sort column (`None` = newest first).
    pub sort: Option<LeadSort>,
    /// Sort direction.
    pub dir: SortDir,
    /// Stage keys in funnel order, for sorting by stage.
    pub stage_order: Vec<String>,
    /// Page size.
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
}

/// The lead list's parameters as sent: everything optional, nothing trusted yet.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadListQuery {
    /// Stage key.
    pub stage: Option<String>,
    /// `marketing` | `sdr` | `sales`: leads in stages that team owns.
    pub owner_team: Option<String>,
    /// Account id.
    pub account: Option<i64>,
    /// Free-text search (email, name, company).
    pub q: Option<String>,
    /// Only ABM target accounts.
    #[serde(default)]
    pub target_only: bool,
    /// Target tier `1`–`3`.
    pub tier: Option<String>,
    /// `inbound` | `outbound`.
    #[serde(default)]
    pub source: Option<String>,
    /// The lead's country (as stored).
    #[serde(default)]
    pub country: Option<String>,
    /// The account's industry (as stored).
    #[serde(default)]
    pub industry: Option<String>,
    /// Sort column (`email` `name` `account` `stage` `score` `updated`).
    pub sort: Option<String>,
    /// `asc` | `desc`.
    pub dir: Option<String>,
    /// Page from 1.
    pub page: Option<i64>,
    /// Rows per page (1–200, default 50).
    pub per_page: Option<i64>,
}

fn non_blank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn flag(value: Option<String>) -> bool {
    matches!(value.as_deref().map(str::trim), Some("true" | "1" | "on" | "yes"))
}

impl LeadListQuery {
    /// Reads the query of a page URL (`get` returns a parameter's value).
    pub fn from_url(get: impl Fn(&str) -> Option<String>) -> Self {
        Self {
            stage: get("stage"),
            owner_team: get("owner_team"),
            account: get("account").and_then(|v| v.trim().parse().ok()),
            q: get("q"),
            target_only: flag(get("target_only")),
            tier: get("tier"),
            source: get("source"),
            country: get("country"),
            industry: get("industry"),
            sort: get("sort"),
            dir: get("dir"),
            page: get("page").and_then(|v| v.trim().parse().ok()),
            per_page: get("per_page").and_then(|v| v.trim().parse().ok()),
        }
    }

    /// The page (from 1) asked for.
    pub fn page(&self) -> i64 {
        self.page.unwrap_or(1).max(1)
    }

    /// The sort column, if a known one is asked for.
    pub fn sort(&self) -> Option<LeadSort> {
        non_blank(&self.sort).and_then(LeadSort::parse)
    }

    /// The direction asked for, else the column's natural one.
    pub fn dir(&self) -> SortDir {
        non_blank(&self.dir)
            .and_then(SortDir::parse)
            .or_else(|| self.sort().map(LeadSort::default_dir))
            .unwrap_or_default()
    }

    /// `path?…` with every non-empty parameter, percent-encoded, so views link to the same
    /// list sorted, filtered or paged differently.
    pub fn href(&self, path: &str) -> String {
        let account = self.account.map(|a| a.to_string());
        let page = self.page.filter(|p| *p > 1).map(|p| p.to_string());
        let per_page = self.per_page.map(|p| p.to_string());
        let pairs = [
            ("stage", non_blank(&self.stage)),
            ("owner_team", non_blank(&self.owner_team)),
            ("account", account.as_deref()),
            ("q", non_blank(&self.q)),
            ("target_only", self.target_only.then_some("true")),
            ("tier", non_blank(&self.tier)),
            ("source", non_blank(&self.source)),
            ("country", non_blank(&self.country)),
            ("industry", non_blank(&self.industry)),
            ("sort", non_blank(&self.sort)),
            ("dir", non_blank(&self.dir)),
            ("page", page.as_deref()),
            ("per_page", per_page.as_deref()),
        ];
        with_query(path, &pairs)
    }

    /// The same list sorted by `column`: a second click on the sorted column flips the
    /// direction. Back to the first page.
    pub fn sorted_by(&self, column: LeadSort) -> Self {
        let dir = if self.sort() == Some(column) {
            self.dir().flipped()
        } else {
            column.default_dir()
        };
        Self {
            sort: Some(column.as_str().to_owned()),
            dir: Some(dir.as_str().to_owned()),
            page: None,
            ..self.clone()
        }
    }

    /// The same list at page `page`.
    pub fn at_page(&self, page: i64) -> Self {
        Self {
            page: Some(page),
            ..self.clone()
        }
    }

    /// Checks every parameter against the definition in force; every bad one is named.
    pub fn validate(&self, def: &Definition) -> Result<LeadFilter, AppError> {
        let mut errors = Vec::new();
        let mut stages: Option<Vec<String>> = None;
        if let Some(stage) = non_blank(&self.stage) {
            if def.stage(stage).is_none() {
                errors.push(FieldError::new("stage", "unknown_stage"));
            }
            stages = Some(vec![stage.to_owned()]);
        }
        if let Some(team) = non_blank(&self.owner_team) {
            match Team::parse(team) {
                Some(team) => {
                    let owned: Vec<String> = def
                        .stages
                        .iter()
                        .filter(|s| s.owner_team == team)
                        .map(|s| s.key.clone())
                        .collect();
                    stages = Some(match stages {
                        Some(chosen) => chosen.into_iter().filter(|s| owned.contains(s)).collect(),
                        None => owned,
                    });
                }
                None => errors.push(FieldError::new("owner_team", "invalid_choice")),
            }
        }
        let tier = non_blank(&self.tier).map(str::to_owned);
        if tier.as_deref().is_some_and(|t| !TIERS.contains(&t)) {
            errors.push(FieldError::new("tier", "invalid_choice"));
        }
        let source = non_blank(&self.source).map(str::to_owned);
        if source
            .as_deref()
            .is_some_and(|s| !crate::funnel::model::SOURCES.contains(&s))
        {
            errors.push(FieldError::new("source", "invalid_choice"));
        }
        let country = non_blank(&self.country).map(str::to_owned);
        let industry = non_blank(&self.industry).map(str::to_owned);
        for (field, value) in [("country", &country), ("industry", &industry)] {
            if value.as_ref().is_some_and(|v| v.chars().count() > 100) {
                errors.push(FieldError::new(field, "too_long"));
            }
        }
        let sort = match non_blank(&self.sort) {
            Some(s) => LeadSort::parse(s).or_else(|| {
                errors.push(FieldError::new("sort", "invalid_choice"));
                None
            }),
            None => None,
        };
        if non_blank(&self.dir).is_some_and(|d| SortDir::parse(d).is_none()) {
            errors.push(FieldError::new("dir", "invalid_choice"));
        }
        let per_page = self.per_page.unwrap_or(PAGE_SIZE);
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            errors.push(FieldError::new("per_page", "out_of_range"));
        }
        let page = self.page.unwrap_or(1);
        if page < 1 {
            errors.push(FieldError::new("page", "out_of_range"));
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(LeadFilter {
            stages,
            account_id: self.account,
            query: non_blank(&self.q).map(str::to_owned),
            target_only: self.target_only,
            tier,
            source,
            country,
            industry,
            sort,
            dir: self.dir(),
            stage_order: def.stages.iter().map(|s| s.key.clone()).collect(),
            limit: per_page,
            offset: (page - 1).saturating_mul(per_page),
        })
    }
}

/// The account list's parameters as sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountListQuery {
    /// Search in name and domain.
    pub q: Option<String>,
    /// Only ABM target accounts.
    #[serde(default)]
    pub target_only: bool,
    /// Target tier `1`–`3`.
    pub tier: Option<String>,
    /// Page from 1.
    pub page: Option<i64>,
}

impl AccountListQuery {
    /// Reads the query of a page URL.
    pub fn from_url(get: impl Fn(&str) -> Option<String>) -> Self {
        Self {
            q: get("q"),
            target_only: flag(get("target_only")),
            tier: get("tier"),
            page: get("page").and_then(|v| v.trim().parse().ok()),
        }
    }

    /// The page (from 1) asked for.
    pub fn page(&self) -> i64 {
        self.page.unwrap_or(1).max(1)
    }

    /// The search text, trimmed, if any.
    pub fn search(&self) -> Option<&str> {
        non_blank(&self.q)
    }

    /// The tier, if one is chosen; an unknown tier is an error naming the field.
    pub fn tier(&self) -> Result<Option<&str>, AppError> {
        match non_blank(&self.tier) {
            Some(t) if !TIERS.contains(&t) => Err(AppError::field("tier", "invalid_choice")),
            other => Ok(other),
        }
    }

    /// `path?…` with every non-empty parameter.
    pub fn href(&self, path: &str) -> String {
        let page = self.page.filter(|p| *p > 1).map(|p| p.to_string());
        let pairs = [
            ("q", non_blank(&self.q)),
            ("target_only", self.target_only.then_some("true")),
            ("tier", non_blank(&self.tier)),
            ("page", page.as_deref()),
        ];
        with_query(path, &pairs)
    }

    /// The same list at page `page`.
    pub fn at_page(&self, page: i64) -> Self {
        Self {
            page: Some(page),
            ..self.clone()
        }
    }
}

/// The number of pages `total` rows fill (at least one, so "page 1 of 1" reads right).
pub fn page_count(total: i64, per_page: i64) -> i64 {
    if per_page <= 0 {
        return 1;
    }
    ((total + per_page - 1) / per_page).max(1)
}

pub(crate) fn with_query(path: &str, pairs: &[(&str, Option<&str>)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .filter_map(|(name, value)| value.map(|v| format!("{name}={}", encode(v))))
        .collect();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

/// Percent-encodes a query value (UTF-8; unreserved characters stay as they are).
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(byte as char),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definitions::seed::version_one;

    fn query(pairs: &[(&str, &str)]) -> LeadListQuery {
        LeadListQuery::from_url(|name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn a_url_query_round_trips_through_href() {
        let q = query(&[
            ("stage", "mql"),
            ("q", "Sato & Co 佐藤"),
            ("target_only", "true"),
            ("sort", "score"),
            ("page", "3"),
        ]);
        let href = q.href("/leads");
        assert_eq!(
            href,
            "/leads?stage=mql&q=Sato%20%26%20Co%20%E4%BD%90%E8%97%A4&target_only=true&sort=score&page=3"
        );
        assert_eq!(LeadListQuery::default().href("/leads"), "/leads");
    }

    #[test]
    fn clicking_the_sorted_column_again_flips_the_direction_and_goes_back_to_page_one() {
        let q = query(&[("page", "2")]);
        let by_score = q.sorted_by(LeadSort::Score);
        assert_eq!(by_score.sort(), Some(LeadSort::Score));
        assert_eq!(by_score.dir(), SortDir::Desc);
        assert_eq!(by_score.page, None);
        assert_eq!(by_score.sorted_by(LeadSort::Score).dir(), SortDir::Asc);
        assert_eq!(by_score.sorted_by(LeadSort::Email).dir(), SortDir::Asc);
    }

    #[test]
    fn an_owner_team_filter_means_the_stages_that_team_owns() {
        let filter = query(&[("owner_team", "sales")])
            .validate(&version_one())
            .unwrap();
        assert_eq!(
            filter.stages.unwrap(),
            ["sql", "opportunity", "customer"].map(String::from)
        );
        let filter = query(&[("owner_team", "sales"), ("stage", "mql")])
            .validate(&version_one())
            .unwrap();
        assert_eq!(filter.stages, Some(vec![]));
    }

    #[test]
    fn unknown_sorts_stages_and_tiers_are_refused_by_name() {
        let err = query(&[
            ("stage", "nope"),
            ("tier", "9"),
            ("sort", "password_hash"),
            ("dir", "sideways"),
            ("per_page", "500"),
        ])
        .validate(&version_one())
        .unwrap_err();
        let AppError::Validation(errors) = err else {
            panic!()
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["stage", "tier", "sort", "dir", "per_page"]);
    }

    #[test]
    fn pages_turn_into_offsets_and_counts() {
        let filter = query(&[("page", "3")]).validate(&version_one()).unwrap();
        assert_eq!((filter.limit, filter.offset), (50, 100));
        assert_eq!(page_count(0, 50), 1);
        assert_eq!(page_count(50, 50), 1);
        assert_eq!(page_count(51, 50), 2);
    }
}
