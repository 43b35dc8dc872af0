//! The one error type that crosses the wire: server functions return it, the JSON API
//! renders it as `{"error": {"code", "message", "details"}}`, and views translate it.

use leptos::prelude::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::codec::JsonEncoding;
use serde::{Deserialize, Serialize};

use crate::i18n::{Locale, tr, tr_with};

/// One invalid input field: which field, and a stable reason code that views translate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field's name as the form or JSON body spells it (`email`, `role`…).
    pub field: String,
    /// The reason, as a key under `errors.field.` in the locale files.
    pub code: String,
}

impl FieldError {
    /// A field error for `field` with reason `code`.
    pub fn new(field: &str, code: &str) -> Self {
        Self {
            field: field.to_owned(),
            code: code.to_owned(),
        }
    }

    /// "Email: is not a valid address" in the given language.
    pub fn message(&self, locale: Locale) -> String {
        tr_with(
            locale,
            "errors.field_message",
            &[
                ("field", &field_label(locale, &self.field)),
                ("reason", &tr(locale, &format!("errors.field.{}", self.code))),
            ],
        )
    }
}

/// The translated label of a field, or its raw name when it has none (an unknown JSON key).
fn field_label(locale: Locale, field: &str) -> String {
    let key = format!("fields.{field}");
    let label = tr(locale, &key);
    if label.ends_with(&key) {
        field.to_owned()
    } else {
        label
    }
}

/// One definition problem in the user's language: "path: reason" (one place decides the
/// wording: [`crate::definitions::describe::error_message`]).
pub fn definition_error_message(e: &crate::definitions::validate::DefinitionError, locale: Locale) -> String {
    crate::definitions::describe::error_message(e, locale)
}

/// Everything a user may be told went wrong. `Internal` carries no cause: the cause is
/// logged on the server where the error is created, and the client sees an opaque message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Not signed in (HTTP 401).
    #[error("not signed in")]
    Unauthorized,
    /// Signed in but not allowed (HTTP 403).
    #[error("not allowed")]
    Forbidden,
    /// A state-changing request from another site (HTTP 403).
    #[error("cross-origin request refused")]
    CrossOrigin,
    /// No such record (HTTP 404).
    #[error("not found")]
    NotFound,
    /// Wrong email or password; the same answer whether or not the email exists (HTTP 401).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many failed sign-ins (HTTP 429 with Retry-After).
    #[error("too many attempts; retry after {retry_after_secs} s")]
    Throttled {
        /// Seconds until another attempt will be considered.
        retry_after_secs: u64,
    },
    /// Malformed request (HTTP 400).
    #[error("malformed request: {0}")]
    BadRequest(String),
    /// An upload over the size limit (HTTP 413).
    #[error("the file is too large")]
    TooLarge,
    /// Well-formed input that fails validation, field by field (HTTP 422 / 400).
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    /// A conflict with the current state, with a stable code such as `email_taken` (HTTP 409).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A definition that fails validation; every problem names its path (HTTP 422).
    #[error("invalid definition")]
    InvalidDefinition(Vec<crate::definitions::validate::DefinitionError>),
    /// Publishing before every required team approved the latest revision (HTTP 409).
    #[error("approvals missing")]
    ApprovalsMissing(Vec<crate::auth::Team>),
    /// Both the proposal and the current version changed these paths (HTTP 409).
    #[error("rebase conflict")]
    RebaseConflict(Vec<String>),
    /// Something failed on the server; details are in the server log only (HTTP 500).
    #[error("internal error")]
    Internal,
    /// The server function transport failed (network, decoding).
    #[error("request failed: {0}")]
    Transport(String),
}

impl AppError {
    /// A validation error for a single field.
    pub fn field(field: &str, code: &str) -> Self {
        Self::Validation(vec![FieldError::new(field, code)])
    }

    /// The stable snake_case code of the JSON error format.
    pub fn code(&self) -> &str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::CrossOrigin => "cross_origin",
            Self::NotFound => "not_found",
            Self::InvalidCredentials => "invalid_credentials",
            Self::Throttled { .. } => "throttled",
            Self::BadRequest(_) => "bad_request",
            Self::TooLarge => "too_large",
            Self::Validation(_) => "validation_failed",
            Self::Conflict(code) => code,
            Self::InvalidDefinition(_) => "invalid_definition",
            Self::ApprovalsMissing(_) => "approvals_missing",
            Self::RebaseConflict(_) => "rebase_conflict",
            Self::Internal => "internal",
            Self::Transport(_) => "transport",
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthorized | Self::InvalidCredentials => 401,
            Self::Forbidden | Self::CrossOrigin => 403,
            Self::NotFound => 404,
            Self::Throttled { .. } => 429,
            Self::BadRequest(_) => 400,
            Self::TooLarge => 413,
            Self::Validation(_) | Self::InvalidDefinition(_) => 422,
            Self::Conflict(_) | Self::ApprovalsMissing(_) | Self::RebaseConflict(_) => 409,
            Self::Internal | Self::Transport(_) => 500,
        }
    }

    /// The message shown to a user, in their language.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            Self::Throttled { retry_after_secs } => tr_with(
                locale,
                "errors.throttled",
                &[("minutes", &retry_after_secs.div_ceil(60).to_string())],
            ),
            Self::Validation(fields) => fields
                .iter()
                .map(|f| f.message(locale))
                .collect::<Vec<_>>()
                .join(" "),
            Self::Conflict(code) => tr(locale, &format!("errors.conflict.{code}")),
            Self::InvalidDefinition(errors) => {
                let first = errors
                    .iter()
                    .map(|e| definition_error_message(e, locale))
                    .take(3)
                    .collect::<Vec<_>>();
                tr_with(
                    locale,
                    "errors.invalid_definition",
                    &[("problems", &first.join(" "))],
                )
            }
            Self::ApprovalsMissing(teams) => {
                let names: Vec<String> = teams
                    .iter()
                    .map(|t| tr(locale, &format!("teams.{}", t.as_str())))
                    .collect();
                tr_with(
                    locale,
                    "errors.approvals_missing",
                    &[("teams", &names.join(", "))],
                )
            }
            Self::RebaseConflict(paths) => {
                tr_with(locale, "errors.rebase_conflict", &[("paths", &paths.join(", "))])
            }
            other => tr(locale, &format!("errors.{}", other.code())),
        }
    }

    /// The validation message for one field, if this error names it.
    pub fn field_message(&self, field: &str, locale: Locale) -> Option<String> {
        match self {
            Self::Validation(fields) => fields
                .iter()
                .find(|f| f.field == field)
                .map(|f| tr(locale, &format!("errors.field.{}", f.code))),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::MissingArg(msg) => Self::BadRequest(msg),
            other => Self::Transport(other.to_string()),
        }
    }
}

/// Shorthand for results of server functions and services.
pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_message_in_both_languages() {
        let errors = [
            AppError::Unauthorized,
            AppError::Forbidden,
            AppError::CrossOrigin,
            AppError::NotFound,
            AppError::InvalidCredentials,
            AppError::Throttled { retry_after_secs: 61 },
            AppError::BadRequest("x".into()),
            AppError::field("email", "invalid_email"),
            AppError::Conflict("email_taken".into()),
            AppError::Conflict("stale_revision".into()),
            AppError::Conflict("stale_base".into()),
            AppError::Conflict("proposal_closed".into()),
            AppError::Conflict("already_current".into()),
            AppError::ApprovalsMissing(vec![crate::auth::Team::Marketing]),
            AppError::RebaseConflict(vec!["stages.lead.name".into()]),
            AppError::Internal,
            AppError::Transport("x".into()),
        ];
        for error in errors {
            for locale in [Locale::En, Locale::Ja] {
                let message = error.message(locale);
                assert!(!message.is_empty(), "{error:?} has no {locale:?} message");
                assert!(
                    !message.contains("errors."),
                    "{error:?} untranslated in {locale:?}: {message}"
                );
            }
        }
    }

    #[test]
    fn every_field_reason_code_used_by_the_rules_is_translated() {
        let codes = [
            "required",
            "invalid_email",
            "invalid_choice",
            "too_long",
            "password_too_short",
            "password_too_long",
            "invalid_value",
            "unknown_version",
            "unknown_stage",
            "already_in_stage",
            "reason_required_for_backward_move",
            "invalid_domain",
            "out_of_range",
            "in_the_future",
            "unknown_lead",
        ];
        for code in codes {
            for locale in [Locale::En, Locale::Ja] {
                let text = tr(locale, &format!("errors.field.{code}"));
                assert!(
                    !text.contains("errors.field"),
                    "{code} untranslated in {locale:?}"
                );
            }
        }
    }

    #[test]
    fn throttled_message_rounds_retry_after_up_to_minutes() {
        let msg = AppError::Throttled { retry_after_secs: 61 }.message(Locale::En);
        assert!(msg.contains('2'), "{msg}");
    }

    #[test]
    fn a_field_without_a_label_is_named_as_sent() {
        let msg = AppError::field("employees_count", "invalid_value").message(Locale::En);
        assert!(msg.starts_with("employees_count:"), "{msg}");
    }

    #[test]
    fn validation_message_names_the_field_and_the_reason_in_japanese() {
        let msg = AppError::field("email", "invalid_email").message(Locale::Ja);
        assert!(msg.contains("メールアドレス"), "{msg}");
    }
}
