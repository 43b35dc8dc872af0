//! Sign-in, sessions, throttling, users and tokens through the JSON API, on both backends.

mod common;

use axum::body::Body;
use chrono::Duration;
use http::{Request, StatusCode, header};
use serde_json::json;

use app::auth::throttle::{Limit, ThrottlePolicy};
use app::clock::Clock;
use app::state::AuthSettings;
use common::{Backend, PASSWORD, TestApp, start_time};

async fn sign_in_returns_the_user_and_an_http_only_same_site_cookie(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("aiko@example.com", "marketing", "leader").await;
    let res = app
        .post_json(
            "/api/v1/session",
            json!({"email": "  AIKO@Example.com ", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.json()["user"]["email"], "aiko@example.com");
    assert_eq!(res.json()["user"]["team"], "marketing");
    assert_eq!(res.json()["user"]["role"], "leader");
    assert!(res.json()["user"].get("password_hash").is_none());
    let cookie = res.session_set_cookie().expect("cookie set");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        cookie.contains("Max-Age=1800"),
        "idle timeout of 30 min: {cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");

    let me = app.get("/api/v1/me", res.session_cookie().as_deref()).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["email"], "aiko@example.com");
    assert_eq!(me.json()["locale"], "en");
}

async fn cookies_are_secure_when_served_over_https(backend: Backend) {
    let auth = AuthSettings {
        secure_cookies: true,
        ..AuthSettings::default()
    };
    let app = TestApp::spawn_with(backend, auth, Clock::system()).await;
    app.user("aiko@example.com", "marketing", "leader").await;
    let res = app
        .post_json(
            "/api/v1/session",
            json!({"email": "aiko@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert!(res.session_set_cookie().unwrap().contains("Secure"));
}

async fn the_session_id_is_renewed_at_sign_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("aiko@example.com", "marketing", "leader").await;
    let first = app.sign_in("aiko@example.com", PASSWORD).await;
    let again = app
        .post_json(
            "/api/v1/session",
            json!({"email": "aiko@example.com", "password": PASSWORD}),
            Some(&first),
        )
        .await;
    let second = again.session_cookie().expect("a new cookie");
    assert_ne!(first, second, "sign-in must issue a new session id");
    assert_eq!(
        app.get("/api/v1/me", Some(&first)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.get("/api/v1/me", Some(&second)).await.status, StatusCode::OK);
}

async fn wrong_password_and_unknown_email_get_the_same_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("aiko@example.com", "marketing", "leader").await;
    let wrong = app
        .post_json(
            "/api/v1/session",
            json!({"email": "aiko@example.com", "password": "nope nope nope"}),
            None,
        )
        .await;
    let unknown = app
        .post_json(
            "/api/v1/session",
            json!({"email": "who@example.com", "password": "nope nope nope"}),
            None,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.text, unknown.text);
    assert_eq!(wrong.json()["error"]["code"], "invalid_credentials");
    assert!(wrong.session_set_cookie().is_none());
}

async fn me_without_a_session_is_401_in_the_error_format(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app.get("/api/v1/me", None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.json()["error"]["code"], "unauthorized");
    assert!(
        res.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sign in")
    );
}

async fn sign_out_deletes_the_session_on_the_server(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("aiko@example.com", "marketing", "leader").await;
    let cookie = app.sign_in("aiko@example.com", PASSWORD).await;
    let req = Request::delete("/api/v1/session")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::NO_CONTENT);
    // Replaying the old cookie must not work: the row is gone, not just the browser's copy.
    assert_eq!(
        app.get("/api/v1/me", Some(&cookie)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn repeated_failures_for_one_account_are_throttled_with_retry_after(backend: Backend) {
    let clock = Clock::manual(start_time());
    let app = TestApp::spawn_with(backend, AuthSettings::default(), clock.clone()).await;
    app.user("aiko@example.com", "marketing", "leader").await;
    for _ in 0..5 {
        let res = app
            .post_json(
                "/api/v1/session",
                json!({"email": "aiko@example.com", "password": "wrong password!"}),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused while throttled.
    let res = app
        .post_json(
            "/api/v1/session",
            json!({"email": "aiko@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.text);
    assert_eq!(res.json()["error"]["code"], "throttled");
    let retry: i64 = res.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    // Other accounts are not affected by this account's failures.
    app.user("ben@example.com", "sales", "member").await;
    app.sign_in("ben@example.com", PASSWORD).await;
    // After the window, the account can sign in again.
    clock.advance(Duration::seconds(retry + 1));
    app.sign_in("aiko@example.com", PASSWORD).await;
}

async fn failures_from_one_address_across_accounts_are_throttled(backend: Backend) {
    let throttle = ThrottlePolicy {
        per_account: Limit {
            max_failures: 100,
            window: Duration::minutes(15),
        },
        per_address: Limit {
            max_failures: 3,
            window: Duration::minutes(15),
        },
    };
    let auth = AuthSettings {
        throttle,
        ..AuthSettings::default()
    };
    let app = TestApp::spawn_with(backend, auth, Clock::manual(start_time())).await;
    for i in 0..3 {
        let res = app
            .post_json(
                "/api/v1/session",
                json!({"email": format!("u{i}@example.com"), "password": "wrong password!"}),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    }
    let res = app
        .post_json(
            "/api/v1/session",
            json!({"email": "u9@example.com", "password": "wrong password!"}),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers.contains_key(header::RETRY_AFTER));
}

async fn a_session_expires_twelve_hours_after_sign_in_however_active(backend: Backend) {
    let clock = Clock::manual(start_time());
    let app = TestApp::spawn_with(backend, AuthSettings::default(), clock.clone()).await;
    app.user("aiko@example.com", "marketing", "leader").await;
    let cookie = app.sign_in("aiko@example.com", PASSWORD).await;
    clock.advance(Duration::hours(11));
    assert_eq!(app.get("/api/v1/me", Some(&cookie)).await.status, StatusCode::OK);
    clock.advance(Duration::hours(1) + Duration::seconds(1));
    assert_eq!(
        app.get("/api/v1/me", Some(&cookie)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn only_admins_create_users(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("root@example.com", "marketing", "admin").await;
    app.user("lead@example.com", "sales", "leader").await;
    let body = json!({"email": "new@example.com", "name": "New Person", "team": "sdr", "role": "member", "password": "long enough pw"});

    assert_eq!(
        app.post_json("/api/v1/users", body.clone(), None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let leader = app.sign_in("lead@example.com", PASSWORD).await;
    let res = app.post_json("/api/v1/users", body.clone(), Some(&leader)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(res.json()["error"]["code"], "forbidden");

    let admin = app.sign_in("root@example.com", PASSWORD).await;
    let res = app.post_json("/api/v1/users", body, Some(&admin)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.json()["team"], "sdr");
    assert_eq!(res.json()["role"], "member");
    app.sign_in("new@example.com", "long enough pw").await;
}

async fn an_email_taken_in_another_case_is_a_conflict(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("root@example.com", "marketing", "admin").await;
    let admin = app.sign_in("root@example.com", PASSWORD).await;
    let body = json!({"email": "ROOT@Example.COM", "name": "Dup", "team": "sdr", "role": "member", "password": "long enough pw"});
    let res = app.post_json("/api/v1/users", body, Some(&admin)).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.json()["error"]["code"], "email_taken");
}

async fn invalid_user_fields_are_each_named_with_a_reason(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("root@example.com", "marketing", "admin").await;
    let admin = app.sign_in("root@example.com", PASSWORD).await;
    let body =
        json!({"email": "not-an-email", "name": "", "team": "finance", "role": "boss", "password": "short"});
    let res = app.post_json("/api/v1/users", body, Some(&admin)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let details = res.json()["error"]["details"].as_array().unwrap().clone();
    let fields: Vec<_> = details
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["email", "name", "team", "role", "password"]);
    assert!(
        details[0]["message"]
            .as_str()
            .unwrap()
            .contains("not a valid email")
    );
    // A body missing a field is named too.
    let res = app
        .post_json("/api/v1/users", json!({"email": "a@b.co"}), Some(&admin))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["error"]["details"][0]["field"], "name");
    // Malformed JSON is a 400.
    let req = Request::post("/api/v1/users")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, &admin)
        .body(Body::from("{not json"))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::BAD_REQUEST);
}

async fn errors_are_in_japanese_for_a_japanese_caller(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let req = Request::post("/api/v1/session")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT_LANGUAGE, "ja-JP,ja;q=0.9")
        .body(Body::from(
            json!({"email": "x@example.com", "password": "whatever!!"}).to_string(),
        ))
        .unwrap();
    let res = app.send(req).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.json()["error"]["code"], "invalid_credentials");
    assert_eq!(
        res.json()["error"]["message"],
        "メールアドレスまたはパスワードが正しくありません。"
    );
}

async fn cross_origin_state_changes_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("aiko@example.com", "marketing", "leader").await;
    let body = json!({"email": "aiko@example.com", "password": PASSWORD}).to_string();
    let req = Request::post("/api/v1/session")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.clone()))
        .unwrap();
    let res = app.send(req).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(res.json()["error"]["code"], "cross_origin");
    // Server functions are guarded the same way.
    let req = Request::post("/api/sign_in")
        .header(header::HOST, "127.0.0.1:3000")
        .header("sec-fetch-site", "cross-site")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "email=aiko%40example.com&password={}",
            PASSWORD.replace(' ', "+")
        )))
        .unwrap();
    let res = app.send(req).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.session_set_cookie().is_none());
    // The same request from the app's own origin works.
    let req = Request::post("/api/v1/session")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::OK);
}

async fn an_admin_token_authenticates_api_calls_and_is_exempt_from_origin_checks(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("root@example.com", "marketing", "admin").await;
    let admin = app.sign_in("root@example.com", PASSWORD).await;
    let res = app
        .post_json("/api/v1/tokens", json!({"name": "web forms"}), Some(&admin))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let token = res.json()["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("acc_") && token.len() > 40);

    let req = Request::get("/api/v1/me")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let res = app.send(req).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["email"], "root@example.com");

    let req = Request::post("/api/v1/users")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, "https://crm.example")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({"email": "t@example.com", "name": "T", "team": "sales", "role": "member", "password": "long enough pw"}).to_string()))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::CREATED);

    let req = Request::get("/api/v1/me")
        .header(header::AUTHORIZATION, "Bearer acc_forged")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::UNAUTHORIZED);

    app.user("lead@example.com", "sales", "leader").await;
    let leader = app.sign_in("lead@example.com", PASSWORD).await;
    assert_eq!(
        app.post_json("/api/v1/tokens", json!({"name": "x"}), Some(&leader))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

async fn healthz_reports_the_database(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app.get("/healthz", None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json(), json!({"status": "ok", "database": "ok"}));
    app.state.db.close().await;
    let res = app.get("/healthz", None).await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.json()["database"], "unreachable");
}

async fn the_openapi_document_lists_every_endpoint(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(res.status, StatusCode::OK);
    let doc = res.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/session",
        "/api/v1/me",
        "/api/v1/users",
        "/api/v1/tokens",
        "/healthz",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing from OpenAPI");
    }
    assert!(doc["components"]["schemas"].get("User").is_some());
    let res = app.get("/api/v1/nothing-here", None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(res.json()["error"]["code"], "not_found");
}

on_both_backends!(
    sign_in_returns_the_user_and_an_http_only_same_site_cookie,
    cookies_are_secure_when_served_over_https,
    the_session_id_is_renewed_at_sign_in,
    wrong_password_and_unknown_email_get_the_same_answer,
    me_without_a_session_is_401_in_the_error_format,
    sign_out_deletes_the_session_on_the_server,
    repeated_failures_for_one_account_are_throttled_with_retry_after,
    failures_from_one_address_across_accounts_are_throttled,
    a_session_expires_twelve_hours_after_sign_in_however_active,
    only_admins_create_users,
    an_email_taken_in_another_case_is_a_conflict,
    invalid_user_fields_are_each_named_with_a_reason,
    errors_are_in_japanese_for_a_japanese_caller,
    cross_origin_state_changes_are_refused,
    an_admin_token_authenticates_api_calls_and_is_exempt_from_origin_checks,
    healthz_reports_the_database,
    the_openapi_document_lists_every_endpoint,
);
