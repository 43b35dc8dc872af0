//! Request-level security: the client address for throttling, refusal of cross-origin
//! state changes, and defensive response headers.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{AUTHORIZATION, HOST, ORIGIN};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use tower::ServiceBuilder;
use tower::layer::util::{Identity, Stack};
use tower_http::set_header::SetResponseHeaderLayer;

use app::error::AppError;
use app::state::ClientAddr;

use crate::api::error::ApiError;

/// Puts the peer's IP address into the request extensions as [`ClientAddr`].
pub async fn record_client_addr(mut request: Request, next: Next) -> Response {
    let addr = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned());
    request.extensions_mut().insert(ClientAddr(addr));
    next.run(request).await
}

/// Refuses state-changing requests (anything but GET, HEAD, OPTIONS) that a browser sent
/// from another site: `Sec-Fetch-Site` other than `same-origin`/`none`, or an `Origin` that
/// is not this host. Requests with a bearer token carry no ambient credentials and pass.
pub async fn refuse_cross_origin(request: Request, next: Next) -> Response {
    if is_cross_origin_state_change(request.method(), request.headers()) {
        tracing::warn!(method = %request.method(), path = %request.uri().path(), "cross-origin request refused");
        return ApiError(AppError::CrossOrigin).into_response();
    }
    next.run(request).await
}

/// The rule behind [`refuse_cross_origin`], separate so it can be tested directly.
pub fn is_cross_origin_state_change(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("bearer "));
    if bearer {
        return false;
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return true;
    }
    match headers.get(ORIGIN) {
        None => false,
        Some(origin) => {
            let Some(host) = headers.get(HOST).and_then(|v| v.to_str().ok()) else {
                return true;
            };
            let origin = origin.to_str().unwrap_or("null");
            let origin_host = origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"));
            origin_host != Some(host)
        }
    }
}

/// The layer stack of [`security_headers`].
pub type SecurityHeaders = ServiceBuilder<
    Stack<
        SetResponseHeaderLayer<HeaderValue>,
        Stack<SetResponseHeaderLayer<HeaderValue>, Stack<SetResponseHeaderLayer<HeaderValue>, Identity>>,
    >,
>;

/// `nosniff`, no framing by other sites, and a conservative referrer policy.
pub fn security_headers() -> SecurityHeaders {
    ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("same-origin"),
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(HeaderName::from_static(k), HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn reads_are_never_refused() {
        let h = headers(&[("host", "a.test"), ("origin", "http://evil.test")]);
        assert!(!is_cross_origin_state_change(&Method::GET, &h));
    }

    #[test]
    fn a_post_from_another_origin_is_refused() {
        let h = headers(&[("host", "a.test"), ("origin", "http://evil.test")]);
        assert!(is_cross_origin_state_change(&Method::POST, &h));
    }

    #[test]
    fn a_post_from_the_same_origin_passes() {
        let h = headers(&[("host", "127.0.0.1:3000"), ("origin", "http://127.0.0.1:3000")]);
        assert!(!is_cross_origin_state_change(&Method::POST, &h));
    }

    #[test]
    fn sec_fetch_site_cross_site_is_refused_even_without_origin() {
        let h = headers(&[("host", "a.test"), ("sec-fetch-site", "cross-site")]);
        assert!(is_cross_origin_state_change(&Method::DELETE, &h));
    }

    #[test]
    fn a_null_origin_is_refused() {
        let h = headers(&[("host", "a.test"), ("origin", "null")]);
        assert!(is_cross_origin_state_change(&Method::POST, &h));
    }

    #[test]
    fn bearer_token_requests_are_exempt() {
        let h = headers(&[
            ("host", "a.test"),
            ("origin", "http://evil.test"),
            ("authorization", "Bearer acc_x"),
        ]);
        assert!(!is_cross_origin_state_change(&Method::POST, &h));
    }

    #[test]
    fn non_browser_clients_without_origin_pass() {
        assert!(!is_cross_origin_state_change(
            &Method::POST,
            &headers(&[("host", "a.test")])
        ));
    }
}
