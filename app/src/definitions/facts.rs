//! What criteria are evaluated against: a snapshot of one lead, its account and its recent
//! activity counts. The store builds it; evaluation stays pure.

use serde::{Deserialize, Serialize};

use super::criteria::activity_field;

/// The value of one field for one lead, as criteria see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FactValue {
    /// Not known: no account, an empty text, an unknown field.
    Missing,
    /// A number (counts, employees, revenue, score).
    Number(f64),
    /// A text, compared case-insensitively after trimming.
    Text(String),
    /// A yes/no flag.
    Bool(bool),
}

impl FactValue {
    /// Whether the value is unknown; `is_set` is its negation.
    pub fn is_missing(&self) -> bool {
        matches!(self, Self::Missing)
    }

    /// A text fact; blank text counts as missing, so `is_set` never holds for `""`.
    fn text(value: Option<&str>) -> Self {
        match value {
            Some(text) if !text.trim().is_empty() => Self::Text(text.to_owned()),
            _ => Self::Missing,
        }
    }

    /// A number fact, missing when unknown.
    fn number(value: Option<f64>) -> Self {
        value.map_or(Self::Missing, Self::Number)
    }
}

/// The facts about a lead's account (company).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountFacts {
    /// Number of employees.
    pub employees: Option<i64>,
    /// Industry, free text.
    pub industry: Option<String>,
    /// Country code or name.
    pub country: Option<String>,
    /// Annual revenue in the account's currency.
    pub annual_revenue: Option<f64>,
    /// Whether the account is an ABM target account.
    pub is_target: bool,
    /// Target account tier (`"1"`, `"2"`, `"3"`).
    pub tier: Option<String>,
}

/// The facts about one lead that criteria may test.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeadFacts {
    /// Email address.
    pub email: Option<String>,
    /// Whether the lead consented to receive information.
    pub consent: bool,
    /// Persona (one of [`super::model::PERSONAS`]).
    pub persona: Option<String>,
    /// Job title, free text.
    pub job_title: Option<String>,
    /// Current lead score.
    pub score: i64,
    /// `inbound` or `outbound`.
    pub source: Option<String>,
    /// Country code or name.
    pub country: Option<String>,
    /// The lead's account, if it has one.
    pub account: Option<AccountFacts>,
    /// Activity counts for the windows the definition's criteria mention
    /// (see [`super::criteria::activity_windows`]).
    pub activity_counts: Vec<ActivityCount>,
}

/// How many activities of one kind a lead had in the last `days` days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityCount {
    /// Activity kind (`form_submit`…).
    pub kind: String,
    /// Window length in days.
    pub days: u32,
    /// Activities in the window.
    pub count: u32,
}

impl LeadFacts {
    /// The value of `field` (`lead.persona`, `account.employees`, `activity.form_submit.count_30d`…).
    ///
    /// Account fields are missing when the lead has no account. An activity count that was not
    /// computed counts as zero: the store computes every window the criteria mention, so an
    /// absent count means no activity, not "unknown". Unknown fields are missing.
    pub fn value(&self, field: &str) -> FactValue {
        let account = self.account.as_ref();
        match field {
            "lead.email" => FactValue::text(self.email.as_deref()),
            "lead.consent" => FactValue::Bool(self.consent),
            "lead.persona" => FactValue::text(self.persona.as_deref()),
            "lead.job_title" => FactValue::text(self.job_title.as_deref()),
            "lead.score" => FactValue::Number(self.score as f64),
            "lead.source" => FactValue::text(self.source.as_deref()),
            "lead.country" => FactValue::text(self.country.as_deref()),
            "account.employees" => FactValue::number(account.and_then(|a| a.employees).map(|n| n as f64)),
            "account.industry" => FactValue::text(account.and_then(|a| a.industry.as_deref())),
            "account.country" => FactValue::text(account.and_then(|a| a.country.as_deref())),
            "account.annual_revenue" => FactValue::number(account.and_then(|a| a.annual_revenue)),
            "account.is_target" => account.map_or(FactValue::Missing, |a| FactValue::Bool(a.is_target)),
            "account.tier" => FactValue::text(account.and_then(|a| a.tier.as_deref())),
            other => match activity_field(other) {
                Some((kind, days)) => FactValue::Number(
                    self.activity_counts
                        .iter()
                        .find(|c| c.kind == kind && c.days == days)
                        .map_or(0.0, |c| f64::from(c.count)),
                ),
                None => FactValue::Missing,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_text_counts_as_missing() {
        let facts = LeadFacts {
            persona: Some("  ".into()),
            job_title: Some("CTO".into()),
            ..LeadFacts::default()
        };
        assert_eq!(facts.value("lead.persona"), FactValue::Missing);
        assert_eq!(facts.value("lead.job_title"), FactValue::Text("CTO".into()));
    }

    #[test]
    fn account_fields_are_missing_without_an_account() {
        let facts = LeadFacts::default();
        assert_eq!(facts.value("account.employees"), FactValue::Missing);
        assert_eq!(facts.value("account.is_target"), FactValue::Missing);
        let facts = LeadFacts {
            account: Some(AccountFacts {
                employees: Some(120),
                ..AccountFacts::default()
            }),
            ..LeadFacts::default()
        };
        assert_eq!(facts.value("account.employees"), FactValue::Number(120.0));
        assert_eq!(facts.value("account.is_target"), FactValue::Bool(false));
        assert_eq!(facts.value("account.industry"), FactValue::Missing);
    }

    #[test]
    fn activity_counts_not_listed_count_as_zero() {
        let facts = LeadFacts {
            activity_counts: vec![ActivityCount {
                kind: "form_submit".into(),
                days: 30,
                count: 3,
            }],
            ..LeadFacts::default()
        };
        assert_eq!(
            facts.value("activity.form_submit.count_30d"),
            FactValue::Number(3.0)
        );
        assert_eq!(
            facts.value("activity.form_submit.count_7d"),
            FactValue::Number(0.0)
        );
        assert_eq!(facts.value("activity.unknown.count_7d"), FactValue::Missing);
        assert_eq!(facts.value("lead.shoe_size"), FactValue::Missing);
    }

    #[test]
    fn score_and_consent_are_always_known() {
        let facts = LeadFacts::default();
        assert_eq!(facts.value("lead.score"), FactValue::Number(0.0));
        assert_eq!(facts.value("lead.consent"), FactValue::Bool(false));
    }
}
