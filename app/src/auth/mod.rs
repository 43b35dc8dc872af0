//! Users, teams and roles: who is signed in, and the pure rules for new accounts.

use serde::{Deserialize, Serialize};

use crate::error::{AppError, FieldError};
use crate::i18n::Locale;
use crate::ids::UserId;

pub mod api;
pub mod views;

#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod throttle;

/// The team a user belongs to; each owns part of the funnel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Team {
    /// Owns the top of the funnel up to MQL.
    Marketing,
    /// Sales development: qualifies MQLs.
    Sdr,
    /// Account executives: SQLs, opportunities, customers.
    Sales,
}

impl Team {
    /// Every team, in funnel order.
    pub const ALL: [Team; 3] = [Team::Marketing, Team::Sdr, Team::Sales];

    /// The stored and API value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Marketing => "marketing",
            Self::Sdr => "sdr",
            Self::Sales => "sales",
        }
    }

    /// Parses the stored and API value.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == value.trim())
    }
}

/// What a user may do within their team.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Role {
    /// Works leads.
    Member,
    /// Leads a team: approves definition changes and decides for the team.
    Leader,
    /// Administers users and settings; never approves on a team's behalf.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 3] = [Role::Member, Role::Leader, Role::Admin];

    /// The stored and API value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Leader => "leader",
            Self::Admin => "admin",
        }
    }

    /// Parses the stored and API value.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == value.trim())
    }
}

/// A signed-in person as the app and the API show them (never with secrets).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Email, stored trimmed and lower-cased.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Team.
    pub team: Team,
    /// Role.
    pub role: Role,
    /// Interface language.
    pub locale: Locale,
}

/// What the shell needs to render: who is signed in, and in which language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// The signed-in user, if any.
    pub user: Option<User>,
    /// The interface language (the user's, else the cookie's, else the browser's).
    pub locale: Locale,
}

/// An email address, trimmed and lower-cased, so that uniqueness is case-insensitive.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    /// Checks the shape of an address: one `@`, a non-empty local part, a dotted domain,
    /// no spaces, at most 254 characters.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(FieldError::new("email", "required"));
        }
        let valid = email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && match email.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                        && !domain.contains("..")
                }
                None => false,
            };
        if valid {
            Ok(Self(email))
        } else {
            Err(FieldError::new("email", "invalid_email"))
        }
    }

    /// The normalized address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The shortest password an account may have.
pub const MIN_PASSWORD_LEN: usize = 10;
/// The longest password accepted (argon2 input is bounded to keep hashing cheap).
pub const MAX_PASSWORD_LEN: usize = 256;

/// A validated request to create a user.
#[derive(Clone, Debug)]
pub struct NewUser {
    /// Email.
    pub email: Email,
    /// Display name.
    pub name: String,
    /// Team.
    pub team: Team,
    /// Role.
    pub role: Role,
    /// Interface language.
    pub locale: Locale,
}

/// The raw fields of a new-user form or API body, before validation.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewUserInput {
    /// Email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// `marketing` | `sdr` | `sales`.
    pub team: String,
    /// `member` | `leader` | `admin`.
    pub role: String,
    /// Initial password (at least 10 characters).
    pub password: String,
    /// `en` | `ja`; English when absent.
    #[serde(default)]
    pub locale: Option<String>,
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A password that met the length rules; never printed or serialized.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// Checks the length rules for a new password.
    pub fn parse_new(raw: &str) -> Result<Self, FieldError> {
        let len = raw.chars().count();
        if len < MIN_PASSWORD_LEN {
            Err(FieldError::new("password", "password_too_short"))
        } else if len > MAX_PASSWORD_LEN {
            Err(FieldError::new("password", "password_too_long"))
        } else {
            Ok(Self(raw.to_owned()))
        }
    }

    /// The secret itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl NewUserInput {
    /// Validates every field at once, so the form can show all problems together.
    pub fn validate(&self) -> Result<(NewUser, Password), AppError> {
        let mut errors = Vec::new();
        let email = Email::parse(&self.email).map_err(|e| errors.push(e)).ok();
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            errors.push(FieldError::new("name", "required"));
        } else if name.chars().count() > 120 {
            errors.push(FieldError::new("name", "too_long"));
        }
        let team = Team::parse(&self.team);
        if team.is_none() {
            errors.push(FieldError::new("team", "invalid_choice"));
        }
        let role = Role::parse(&self.role);
        if role.is_none() {
            errors.push(FieldError::new("role", "invalid_choice"));
        }
        let locale = match self.locale.as_deref().map(str::trim) {
            None | Some("") => Some(Locale::En),
            Some(tag) => Locale::parse(tag),
        };
        if locale.is_none() {
            errors.push(FieldError::new("locale", "invalid_choice"));
        }
        let password = Password::parse_new(&self.password)
            .map_err(|e| errors.push(e))
            .ok();
        match (email, team, role, locale, password) {
            (Some(email), Some(team), Some(role), Some(locale), Some(password)) if errors.is_empty() => Ok((
                NewUser {
                    email,
                    name,
                    team,
                    role,
                    locale,
                },
                password,
            )),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> NewUserInput {
        NewUserInput {
            email: "  Aiko.Tanaka@Example.COM ".into(),
            name: "Aiko Tanaka".into(),
            team: "marketing".into(),
            role: "leader".into(),
            password: "correct horse battery".into(),
            locale: Some("ja".into()),
        }
    }

    #[test]
    fn email_is_trimmed_and_lower_cased() {
        assert_eq!(Email::parse(" A@B.Co ").unwrap().as_str(), "a@b.co");
    }

    #[test]
    fn malformed_emails_are_rejected_with_a_reason() {
        for bad in [
            "plain", "a@b", "a@@b.co", "a b@c.co", "@b.co", "a@.b.co", "a@b.co.",
        ] {
            assert_eq!(Email::parse(bad).unwrap_err().code, "invalid_email", "{bad}");
        }
        assert_eq!(Email::parse("   ").unwrap_err().code, "required");
    }

    #[test]
    fn a_valid_new_user_passes_validation() {
        let (user, password) = input().validate().unwrap();
        assert_eq!(user.email.as_str(), "aiko.tanaka@example.com");
        assert_eq!(
            (user.team, user.role, user.locale),
            (Team::Marketing, Role::Leader, Locale::Ja)
        );
        assert_eq!(password.expose(), "correct horse battery");
    }

    #[test]
    fn every_invalid_field_is_reported_at_once() {
        let bad = NewUserInput {
            email: "nope".into(),
            name: " ".into(),
            team: "finance".into(),
            role: "king".into(),
            password: "short".into(),
            locale: Some("fr".into()),
        };
        let AppError::Validation(errors) = bad.validate().unwrap_err() else {
            panic!("expected validation")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "name", "team", "role", "locale", "password"]);
    }

    #[test]
    fn password_debug_output_hides_the_secret() {
        let p = Password::parse_new("supersecret-123").unwrap();
        assert!(!format!("{p:?}").contains("supersecret"));
    }

    #[test]
    fn teams_and_roles_round_trip_through_their_names() {
        for t in Team::ALL {
            assert_eq!(Team::parse(t.as_str()), Some(t));
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Team::parse("Marketing"), None);
    }
}
