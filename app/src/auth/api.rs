//! Server functions for sign-in, the shell and user administration. Thin: each one
//! authenticates, then calls [`super::service`], which authorizes through the policy module.

use leptos::prelude::*;

use super::{SessionInfo, User};
use crate::error::AppError;

/// The cookie that remembers the interface language of a browser (also before sign-in).
pub const LOCALE_COOKIE: &str = "accord_locale";

/// Server-side helpers shared by the server functions of every domain.
#[cfg(feature = "ssr")]
pub mod ssr {
    use leptos::prelude::*;
    use tower_sessions::Session;

    use super::LOCALE_COOKIE;
    use crate::auth::{User, service};
    use crate::error::AppError;
    use crate::i18n::Locale;
    use crate::state::{AppState, ClientAddr};

    /// The application state provided to server functions.
    pub fn state() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from server function context");
            AppError::Internal
        })
    }

    /// The request's session.
    pub async fn session() -> Result<Session, AppError> {
        leptos_axum::extract::<Session>().await.map_err(|e| {
            tracing::error!(error = %e, "session layer missing");
            AppError::Internal
        })
    }

    /// The state, the session and its signed-in user (if any).
    pub async fn context() -> Result<(AppState, Session, Option<User>), AppError> {
        let state = state()?;
        let session = session().await?;
        let user = service::session_user(&state, &session).await?;
        Ok((state, session, user))
    }

    /// The client's address, as recorded by the server's middleware.
    pub async fn client_addr() -> String {
        leptos_axum::extract::<axum::Extension<ClientAddr>>()
            .await
            .map(|axum::Extension(ClientAddr(addr))| addr)
            .unwrap_or_else(|_| "unknown".to_owned())
    }

    /// The locale of an anonymous request: the cookie, else `Accept-Language`.
    pub async fn request_locale() -> Locale {
        let Ok(headers) = leptos_axum::extract::<http::HeaderMap>().await else {
            return Locale::En;
        };
        locale_from_headers(&headers)
    }

    /// The locale named by the locale cookie, else by `Accept-Language`.
    pub fn locale_from_headers(headers: &http::HeaderMap) -> Locale {
        let from_cookie = headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == LOCALE_COOKIE)
            .and_then(|(_, value)| Locale::parse(value));
        from_cookie.unwrap_or_else(|| {
            headers
                .get(http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(Locale::from_accept_language)
                .unwrap_or_default()
        })
    }

    /// The `Set-Cookie` value that remembers `locale` for a year.
    pub fn locale_cookie(locale: Locale, secure: bool) -> String {
        let secure = if secure { "; Secure" } else { "" };
        format!(
            "{LOCALE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
            locale.as_str()
        )
    }
}

/// Who is signed in and in which language the shell renders.
#[server(endpoint = "session_info")]
pub async fn get_session_info() -> Result<SessionInfo, AppError> {
    let (_, _, user) = ssr::context().await?;
    let locale = match &user {
        Some(user) => user.locale,
        None => ssr::request_locale().await,
    };
    Ok(SessionInfo { user, locale })
}

/// Signs in and goes to the home page.
#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<User, AppError> {
    let state = ssr::state()?;
    let session = ssr::session().await?;
    let addr = ssr::client_addr().await;
    let user = super::service::sign_in(&state, &session, &addr, &email, &password).await?;
    let response = expect_context::<leptos_axum::ResponseOptions>();
    if let Ok(value) =
        http::HeaderValue::from_str(&ssr::locale_cookie(user.locale, state.auth.secure_cookies))
    {
        response.append_header(http::header::SET_COOKIE, value);
    }
    leptos_axum::redirect("/");
    Ok(user)
}

/// Signs out (the session is deleted on the server) and goes to the sign-in page.
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let session = ssr::session().await?;
    super::service::sign_out(&session).await?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// Switches the interface language: stored on the user when signed in, and in a cookie.
#[server(endpoint = "set_locale")]
pub async fn set_locale(locale: String) -> Result<(), AppError> {
    use crate::i18n::Locale;
    let locale = Locale::parse(&locale).ok_or_else(|| AppError::field("locale", "invalid_choice"))?;
    let (state, _, user) = ssr::context().await?;
    if user.is_some() {
        super::service::set_locale(&state, user.as_ref(), locale).await?;
    }
    let response = expect_context::<leptos_axum::ResponseOptions>();
    if let Ok(value) = http::HeaderValue::from_str(&ssr::locale_cookie(locale, state.auth.secure_cookies)) {
        response.append_header(http::header::SET_COOKIE, value);
    }
    Ok(())
}

/// Every user (admins only).
#[server(endpoint = "list_users")]
pub async fn list_users() -> Result<Vec<User>, AppError> {
    let (state, _, user) = ssr::context().await?;
    super::service::list_users(&state, user.as_ref()).await
}

/// Creates a user (admins only).
#[server(endpoint = "create_user")]
pub async fn create_user(
    email: String,
    name: String,
    team: String,
    role: String,
    password: String,
    locale: Option<String>,
) -> Result<User, AppError> {
    let (state, _, user) = ssr::context().await?;
    let input = super::NewUserInput {
        email,
        name,
        team,
        role,
        password,
        locale,
    };
    super::service::create_user(&state, user.as_ref(), input).await
}
