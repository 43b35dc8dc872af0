//! Server-rendered pages and server functions: what a browser gets before any wasm runs.

mod common;

use axum::body::Body;
use http::{Request, StatusCode, header};

use common::{Backend, PASSWORD, TestApp};

async fn anonymous_visitors_are_sent_to_sign_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app.get_page("/", None).await;
    assert_eq!(res.status, StatusCode::FOUND);
    assert_eq!(res.headers[header::LOCATION], "/login");
    let res = app.get_page("/login", None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.text.contains("Sign in to Accord"));
    assert!(res.text.contains("name=\"email\"") && res.text.contains("name=\"password\""));
}

async fn the_sign_in_page_follows_the_browser_language(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let req = Request::get("/login")
        .header(header::ACCEPT, "text/html")
        .header(header::ACCEPT_LANGUAGE, "ja")
        .body(Body::empty())
        .unwrap();
    let res = app.send(req).await;
    assert!(res.text.contains("Accord にサインイン"), "{}", res.text);
    assert!(res.text.contains("lang=\"ja\""));
}

async fn the_signed_in_shell_shows_name_team_and_role(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("hiro@example.com", "sales", "leader").await;
    let cookie = app.sign_in("hiro@example.com", PASSWORD).await;
    let res = app.get_page("/", Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.text
            .contains(r#"data-testid="current-user" class="user-name">hiro</span>"#),
        "{}",
        res.text
    );
    assert!(res.text.contains("team-sales"));
    assert!(res.text.contains(">Leader<"));
    // Members and leaders see no link to pages they may not open.
    assert!(!res.text.contains("/admin/users"));
}

async fn the_users_page_is_for_admins_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("root@example.com", "marketing", "admin").await;
    app.user("ken@example.com", "marketing", "member").await;
    let member = app.sign_in("ken@example.com", PASSWORD).await;
    let res = app.get_page("/admin/users", Some(&member)).await;
    assert!(res.text.contains("You are not allowed to do this."));
    assert!(!res.text.contains("root@example.com"));

    let admin = app.sign_in("root@example.com", PASSWORD).await;
    let res = app.get_page("/admin/users", Some(&admin)).await;
    assert!(res.text.contains("id=\"users-table\""));
    assert!(res.text.contains("root@example.com") && res.text.contains("ken@example.com"));
}

async fn a_plain_form_sign_in_redirects_home_with_a_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("mika@example.com", "marketing", "leader").await;
    let req = Request::post("/api/sign_in")
        .header(header::ACCEPT, "text/html")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(
            "email=mika%40example.com&password=correct+horse+battery",
        ))
        .unwrap();
    let res = app.send(req).await;
    assert_eq!(res.status, StatusCode::FOUND, "{}", res.text);
    assert_eq!(res.headers[header::LOCATION], "/");
    let cookie = res.session_cookie().expect("session cookie");
    assert_eq!(app.get("/api/v1/me", Some(&cookie)).await.status, StatusCode::OK);
}

async fn switching_to_japanese_sticks_for_the_user(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("mika@example.com", "marketing", "leader").await;
    let cookie = app.sign_in("mika@example.com", PASSWORD).await;
    let req = Request::post("/api/set_locale")
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("locale=ja"))
        .unwrap();
    let res = app.send(req).await;
    assert!(
        res.status.is_success() || res.status.is_redirection(),
        "{} {}",
        res.status,
        res.text
    );
    let set_cookie: Vec<_> = res
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert!(
        set_cookie.iter().any(|c| c.starts_with("accord_locale=ja")),
        "{set_cookie:?}"
    );
    assert_eq!(app.get("/api/v1/me", Some(&cookie)).await.json()["locale"], "ja");
    let page = app.get_page("/", Some(&cookie)).await;
    assert!(page.text.contains("サインアウト") && page.text.contains("lang=\"ja\""));
    // An unknown language is refused, not ignored.
    let req = Request::post("/api/set_locale")
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("locale=fr"))
        .unwrap();
    assert!(!app.send(req).await.status.is_success());
    assert_eq!(app.get("/api/v1/me", Some(&cookie)).await.json()["locale"], "ja");
}

async fn unknown_pages_are_answered_with_404(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app.get_page("/no/such/page", None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(res.text.contains("This page does not exist."));
}

on_both_backends!(
    anonymous_visitors_are_sent_to_sign_in,
    the_sign_in_page_follows_the_browser_language,
    the_signed_in_shell_shows_name_team_and_role,
    the_users_page_is_for_admins_only,
    a_plain_form_sign_in_redirects_home_with_a_session,
    switching_to_japanese_sticks_for_the_user,
    unknown_pages_are_answered_with_404,
);
