//! The JSON error format `{"error": {"code", "message", "details"}}`, in the caller's
//! language, and a JSON body extractor whose rejections use the same format.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use utoipa::ToSchema;

use app::auth::api::ssr::locale_from_headers;
use app::error::AppError;
use app::i18n::Locale;

/// An [`AppError`] answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        Self(err)
    }
}

/// The documented shape of every error body.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// Code, message and optional details of an error.
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code (`invalid_credentials`, `validation_failed`…).
    pub code: String,
    /// Human-readable message in the caller's language.
    pub message: String,
    /// For validation errors: `[{"field", "code", "message"}]`; for throttling: `{"retry_after_secs"}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub details: Option<serde_json::Value>,
}

/// Renders `err` as the JSON error body in `locale`.
pub fn error_body(err: &AppError, locale: Locale) -> ErrorBody {
    let details = match err {
        AppError::Validation(fields) => Some(serde_json::Value::Array(
            fields
                .iter()
                .map(|f| json!({"field": f.field, "code": f.code, "message": f.message(locale)}))
                .collect(),
        )),
        AppError::Throttled { retry_after_secs } => Some(json!({ "retry_after_secs": retry_after_secs })),
        AppError::BadRequest(reason) => Some(json!({ "reason": reason })),
        AppError::InvalidDefinition(errors) => Some(serde_json::Value::Array(
            errors
                .iter()
                .map(|e| json!({"path": e.path, "code": e.code, "message": app::error::definition_error_message(e, locale)}))
                .collect(),
        )),
        AppError::ApprovalsMissing(teams) => Some(json!({ "teams": teams })),
        AppError::RebaseConflict(paths) => Some(json!({ "paths": paths })),
        _ => None,
    };
    ErrorBody {
        error: ErrorDetail {
            code: err.code().to_owned(),
            message: err.message(locale),
            details,
        },
    }
}

/// Marks a response as an API error so [`localize_errors`] can re-render it.
#[derive(Clone)]
struct RenderedError(AppError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(error_body(&self.0, Locale::En))).into_response();
        if let AppError::Throttled { retry_after_secs } = self.0
            && let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response.extensions_mut().insert(RenderedError(self.0));
        response
    }
}

/// Re-renders API error bodies in the caller's language (locale cookie, else
/// `Accept-Language`), so handlers need not know it.
pub async fn localize_errors(request: Request, next: Next) -> Response {
    let locale = locale_from_headers(request.headers());
    let mut response = next.run(request).await;
    if locale == Locale::En {
        return response;
    }
    if let Some(RenderedError(err)) = response.extensions_mut().remove::<RenderedError>() {
        let (mut parts, _) = response.into_parts();
        parts.headers.remove(header::CONTENT_LENGTH);
        let body = serde_json::to_vec(&error_body(&err, locale)).unwrap_or_default();
        return Response::from_parts(parts, axum::body::Body::from(body));
    }
    response
}

/// A JSON body whose rejections are answered in the API's error format: 400 for malformed
/// JSON or a wrong content type, 422 for a well-formed body with missing or mistyped fields.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(JsonRejection::JsonDataError(e)) => {
                Err(ApiError(AppError::Validation(vec![app::error::FieldError::new(
                    &missing_field(&e.body_text()).unwrap_or_else(|| "body".into()),
                    "invalid_value",
                )])))
            }
            Err(other) => Err(ApiError(AppError::BadRequest(other.body_text()))),
        }
    }
}

/// The field serde names in "missing field `x`" / "invalid type … at `x`" messages.
fn missing_field(text: &str) -> Option<String> {
    let start = text.find('`')? + 1;
    let end = start + text[start..].find('`')?;
    Some(text[start..end].to_owned())
}
