//! Accounts, leads, activities and stage history as the API and the screens show them, and
//! the validation of their inputs (parse, don't validate).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::Email;
use crate::definitions::model::{ACTIVITY_KINDS, PERSONAS, SOURCES};
use crate::definitions::proposal::UserRef;
use crate::error::{AppError, FieldError};

/// A company.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Account {
    /// Id.
    pub id: i64,
    /// Web domain, unique, lower-case (`example.com`).
    pub domain: String,
    /// Name.
    pub name: String,
    /// Head count.
    pub employees: Option<i64>,
    /// Industry.
    pub industry: Option<String>,
    /// Country (ISO code or name as given).
    pub country: Option<String>,
    /// Annual revenue in the account's currency.
    pub annual_revenue: Option<f64>,
    /// An ABM target account.
    pub is_target: bool,
    /// Target tier `1`–`3`.
    pub tier: Option<String>,
    /// Roll-up: the furthest stage of its contacts.
    pub stage: Option<String>,
    /// How many contacts it has.
    pub leads: i64,
}

/// The account a lead belongs to, in brief.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AccountRef {
    /// Id.
    pub id: i64,
    /// Domain.
    pub domain: String,
    /// Name.
    pub name: String,
}

/// A contact.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Lead {
    /// Id.
    pub id: i64,
    /// Email, trimmed and lower-cased.
    pub email: String,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Job title.
    pub job_title: Option<String>,
    /// Persona.
    pub persona: Option<String>,
    /// Consent to receive information.
    pub consent: bool,
    /// `inbound` | `outbound`.
    pub source: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// Company.
    pub account: Option<AccountRef>,
    /// Owner.
    pub owner: Option<UserRef>,
    /// Lead score under the current version's rules.
    pub score: i64,
    /// Lifecycle stage key.
    pub stage: String,
    /// When it entered that stage.
    pub stage_entered_at: DateTime<Utc>,
    /// When its record last changed (fields or stage).
    pub updated_at: DateTime<Utc>,
}

/// One row of a lead's stage history (never rewritten).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Transition {
    /// Previous stage (none when the lead was created).
    pub from: Option<String>,
    /// New stage.
    pub to: String,
    /// When.
    pub at: DateTime<Utc>,
    /// `rule` | `handoff` | `import` | `manual` | `definition`.
    pub cause: String,
    /// Who moved it (email), for people's moves.
    pub actor: Option<String>,
    /// The definition version in force.
    pub definition_version: i64,
    /// Why (backward moves).
    pub reason: Option<String>,
}

/// A recorded activity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ActivityRecord {
    /// Id.
    pub id: i64,
    /// Kind (`form_submit`…).
    pub kind: String,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
}

/// The raw fields of an account upsert (API body, CSV row).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AccountInput {
    /// Domain (required; the upsert key).
    pub domain: String,
    /// Name (required when creating; defaults to the domain).
    #[serde(default)]
    pub name: Option<String>,
    /// Head count (≥ 0).
    #[serde(default)]
    pub employees: Option<i64>,
    /// Industry.
    #[serde(default)]
    pub industry: Option<String>,
    /// Country.
    #[serde(default)]
    pub country: Option<String>,
    /// Annual revenue (≥ 0).
    #[serde(default)]
    pub annual_revenue: Option<f64>,
    /// ABM target.
    #[serde(default)]
    pub is_target: Option<bool>,
    /// Tier `1`–`3`.
    #[serde(default)]
    pub tier: Option<String>,
}

/// The raw fields of a lead upsert.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LeadInput {
    /// Email (required; the upsert key, case-insensitive).
    pub email: String,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Job title.
    #[serde(default)]
    pub job_title: Option<String>,
    /// Persona (one of the definition's personas).
    #[serde(default)]
    pub persona: Option<String>,
    /// Consent.
    #[serde(default)]
    pub consent: Option<bool>,
    /// `inbound` | `outbound`.
    #[serde(default)]
    pub source: Option<String>,
    /// Country.
    #[serde(default)]
    pub country: Option<String>,
    /// The company's domain; an unknown domain creates the account.
    #[serde(default)]
    pub account_domain: Option<String>,
}

fn clean(value: &Option<String>) -> Option<String> {
    value
        .as_ref()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn check_len(errors: &mut Vec<FieldError>, field: &str, value: &Option<String>, max: usize) {
    if value.as_ref().is_some_and(|v| v.chars().count() > max) {
        errors.push(FieldError::new(field, "too_long"));
    }
}

/// Normalizes a company domain: trimmed, lower-case, without scheme, `www.` or path.
pub fn parse_domain(field: &str, raw: &str) -> Result<String, FieldError> {
    let mut d = raw.trim().to_lowercase();
    for prefix in ["https://", "http://"] {
        if let Some(rest) = d.strip_prefix(prefix) {
            d = rest.to_owned();
        }
    }
    if let Some(rest) = d.strip_prefix("www.") {
        d = rest.to_owned();
    }
    if let Some((host, _)) = d.split_once('/') {
        d = host.to_owned();
    }
    if d.is_empty() {
        return Err(FieldError::new(field, "required"));
    }
    let ok = d.len() <= 253
        && d.contains('.')
        && !d.starts_with('.')
        && !d.ends_with('.')
        && d.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    if ok {
        Ok(d)
    } else {
        Err(FieldError::new(field, "invalid_domain"))
    }
}

/// A validated account upsert.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountUpsert {
    /// Normalized domain.
    pub domain: String,
    /// Name, if given.
    pub name: Option<String>,
    /// Head count.
    pub employees: Option<i64>,
    /// Industry.
    pub industry: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// Revenue.
    pub annual_revenue: Option<f64>,
    /// Target flag, if given.
    pub is_target: Option<bool>,
    /// Tier.
    pub tier: Option<String>,
}

impl AccountInput {
    /// Validates every field at once.
    pub fn validate(&self) -> Result<AccountUpsert, AppError> {
        let mut errors = Vec::new();
        let domain = parse_domain("domain", &self.domain)
            .map_err(|e| errors.push(e))
            .ok();
        let name = clean(&self.name);
        check_len(&mut errors, "name", &name, 200);
        if self.employees.is_some_and(|n| !(0..=10_000_000).contains(&n)) {
            errors.push(FieldError::new("employees", "out_of_range"));
        }
        if self.annual_revenue.is_some_and(|r| !r.is_finite() || r < 0.0) {
            errors.push(FieldError::new("annual_revenue", "out_of_range"));
        }
        let tier = clean(&self.tier);
        if tier.as_deref().is_some_and(|t| !["1", "2", "3"].contains(&t)) {
            errors.push(FieldError::new("tier", "invalid_choice"));
        }
        let industry = clean(&self.industry);
        check_len(&mut errors, "industry", &industry, 120);
        let country = clean(&self.country);
        check_len(&mut errors, "country", &country, 60);
        match domain {
            Some(domain) if errors.is_empty() => Ok(AccountUpsert {
                domain,
                name,
                employees: self.employees,
                industry,
                country,
                annual_revenue: self.annual_revenue,
                is_target: self.is_target,
                tier,
            }),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

/// A validated lead upsert.
#[derive(Clone, Debug, PartialEq)]
pub struct LeadUpsert {
    /// Normalized email.
    pub email: String,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Job title.
    pub job_title: Option<String>,
    /// Persona.
    pub persona: Option<String>,
    /// Consent, if given.
    pub consent: Option<bool>,
    /// Source.
    pub source: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// Normalized company domain.
    pub account_domain: Option<String>,
}

impl LeadInput {
    /// Validates every field at once.
    pub fn validate(&self) -> Result<LeadUpsert, AppError> {
        let mut errors = Vec::new();
        let email = Email::parse(&self.email).map_err(|e| errors.push(e)).ok();
        let persona = clean(&self.persona).map(|p| p.to_lowercase());
        if persona.as_deref().is_some_and(|p| !PERSONAS.contains(&p)) {
            errors.push(FieldError::new("persona", "invalid_choice"));
        }
        let source = clean(&self.source).map(|s| s.to_lowercase());
        if source.as_deref().is_some_and(|s| !SOURCES.contains(&s)) {
            errors.push(FieldError::new("source", "invalid_choice"));
        }
        let account_domain = match clean(&self.account_domain) {
            Some(d) => parse_domain("account_domain", &d)
                .map_err(|e| errors.push(e))
                .ok(),
            None => None,
        };
        let (first_name, last_name, job_title, country) = (
            clean(&self.first_name),
            clean(&self.last_name),
            clean(&self.job_title),
            clean(&self.country),
        );
        check_len(&mut errors, "first_name", &first_name, 100);
        check_len(&mut errors, "last_name", &last_name, 100);
        check_len(&mut errors, "job_title", &job_title, 200);
        check_len(&mut errors, "country", &country, 60);
        match email {
            Some(email) if errors.is_empty() => Ok(LeadUpsert {
                email: email.as_str().to_owned(),
                first_name,
                last_name,
                job_title,
                persona,
                consent: self.consent,
                source,
                country,
                account_domain,
            }),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

/// Checks an activity kind against the known kinds.
pub fn check_activity_kind(kind: &str) -> Result<String, FieldError> {
    let kind = kind.trim().to_lowercase();
    if ACTIVITY_KINDS.contains(&kind.as_str()) {
        Ok(kind)
    } else {
        Err(FieldError::new("kind", "invalid_choice"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_normalized() {
        assert_eq!(
            parse_domain("d", " https://www.Example.COM/about ").unwrap(),
            "example.com"
        );
        assert_eq!(parse_domain("d", "").unwrap_err().code, "required");
        assert_eq!(
            parse_domain("d", "not a domain").unwrap_err().code,
            "invalid_domain"
        );
    }

    #[test]
    fn a_lead_input_reports_every_bad_field() {
        let input = LeadInput {
            email: "bad".into(),
            persona: Some("astronaut".into()),
            source: Some("carrier pigeon".into()),
            account_domain: Some("x".into()),
            ..LeadInput::default()
        };
        let AppError::Validation(errors) = input.validate().unwrap_err() else {
            panic!()
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "persona", "source", "account_domain"]);
    }

    #[test]
    fn a_valid_lead_is_normalized() {
        let input = LeadInput {
            email: " Aya@Example.com ".into(),
            persona: Some("CMO".into()),
            source: Some("Inbound".into()),
            account_domain: Some("www.example.com".into()),
            first_name: Some("  ".into()),
            ..LeadInput::default()
        };
        let lead = input.validate().unwrap();
        assert_eq!(lead.email, "aya@example.com");
        assert_eq!(lead.persona.as_deref(), Some("cmo"));
        assert_eq!(lead.source.as_deref(), Some("inbound"));
        assert_eq!(lead.account_domain.as_deref(), Some("example.com"));
        assert_eq!(lead.first_name, None);
    }

    #[test]
    fn negative_employees_and_unknown_tiers_are_refused() {
        let input = AccountInput {
            domain: "a.io".into(),
            employees: Some(-5),
            tier: Some("9".into()),
            annual_revenue: Some(-1.0),
            ..AccountInput::default()
        };
        let AppError::Validation(errors) = input.validate().unwrap_err() else {
            panic!()
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["employees", "annual_revenue", "tier"]);
    }
}
