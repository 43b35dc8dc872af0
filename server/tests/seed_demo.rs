//! `accord seed demo` fills an empty database with a demo that tells the story, once.

mod common;

use common::{Backend, TestApp};

async fn the_demo_has_one_login_per_team_and_role_a_funnel_and_an_open_proposal(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    server::seed::demo(&app.state).await.unwrap();
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users").await, 7);
    for (team, role) in [
        ("marketing", "leader"),
        ("marketing", "member"),
        ("sdr", "leader"),
        ("sdr", "member"),
        ("sales", "leader"),
        ("sales", "member"),
    ] {
        let n = app
            .scalar(&format!(
                "SELECT COUNT(*) FROM users WHERE team = '{team}' AND role = '{role}'"
            ))
            .await;
        assert_eq!(n, 1, "{team} {role}");
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM users WHERE role = 'admin'")
            .await,
        1
    );
    assert!(app.scalar("SELECT COUNT(DISTINCT stage) FROM leads").await >= 3);
    assert!(app.scalar("SELECT COUNT(*) FROM leads WHERE stage = 'mql'").await >= 1);
    assert!(
        app.scalar("SELECT COUNT(*) FROM handoffs WHERE status = 'pending'")
            .await
            >= 1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM proposals WHERE status = 'open'")
            .await,
        1
    );
    // The demo password signs in.
    app.sign_in("hiro.tanaka@accord.test", server::seed::DEMO_PASSWORD)
        .await;
    // A second run leaves the data as it is.
    server::seed::demo(&app.state).await.unwrap();
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users").await, 7);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM proposals").await, 1);
}

on_both_backends!(the_demo_has_one_login_per_team_and_role_a_funnel_and_an_open_proposal);
