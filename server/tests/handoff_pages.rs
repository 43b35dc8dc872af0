//! The screens of handoffs on both backends, rendered by the server: the approval screen
//! (queues, SLA colours, the detail pane, shortcuts announced, who may decide), the lead
//! page's handoff and conversion forms, the opportunity board, and the leader scorecard with
//! its aggregation over the store.

mod common;

use axum::body::Body;
use chrono::Duration;
use http::{Request, StatusCode, header};
use serde_json::json;

use app::clock::Clock;
use app::state::AuthSettings;
use common::{Backend, PASSWORD, TestApp, TestResponse, start_time};

/// The app on a manual clock, with sessions that outlive the clock jumps.
async fn app_with_clock(backend: Backend) -> (TestApp, Clock) {
    let clock = Clock::manual(start_time());
    let auth = AuthSettings {
        idle_timeout: Duration::days(30),
        absolute_timeout: Duration::days(30),
        ..AuthSettings::default()
    };
    (TestApp::spawn_with(backend, auth, clock.clone()).await, clock)
}

async fn signed_in(app: &TestApp, email: &str, team: &str, role: &str) -> (i64, String) {
    let user = app.user(email, team, role).await;
    (user.id.0, app.sign_in(email, PASSWORD).await)
}

/// Makes `email` an MQL (ICP, persona, score 60); returns the lead and its pending MQL → SDR
/// handoff.
async fn mql(app: &TestApp, marketer: &str, email: &str) -> (i64, i64) {
    let res = app
        .post_json(
            "/api/v1/accounts",
            json!({"domain": "corp.example", "name": "Corp", "employees": 120}),
            Some(marketer),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    let res = app
        .post_json(
            "/api/v1/leads",
            json!({"email": email, "first_name": "Aya", "consent": true, "persona": "cmo", "account_domain": "corp.example"}),
            Some(marketer),
        )
        .await;
    let lead = res.json()["id"].as_i64().unwrap();
    for kind in ["demo_request", "meeting_booked", "form_submit"] {
        let res = app
            .post_json(
                "/api/v1/activities",
                json!({"lead_email": email, "kind": kind}),
                Some(marketer),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    }
    let list = app
        .get(&format!("/api/v1/handoffs?lead={lead}"), Some(marketer))
        .await
        .json();
    (lead, list["items"][0]["id"].as_i64().unwrap())
}

/// Posts a form to a server function, as a plain HTML form would.
async fn call(app: &TestApp, name: &str, form: &str, cookie: &str) -> TestResponse {
    let req = Request::post(format!("/api/{name}"))
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .unwrap();
    app.send(req).await
}

async fn stage_of(app: &TestApp, lead: i64) -> String {
    let stages = [
        "prospect",
        "subscriber",
        "lead",
        "mql",
        "sql",
        "opportunity",
        "customer",
    ];
    for s in stages {
        if app
            .scalar(&format!(
                "SELECT COUNT(*) FROM leads WHERE id = {lead} AND stage = '{s}'"
            ))
            .await
            == 1
        {
            return s.to_owned();
        }
    }
    panic!("lead {lead} has no known stage");
}

async fn the_approval_screen_shows_the_queue_and_only_the_receiving_team_decides(backend: Backend) {
    let (app, clock) = app_with_clock(backend).await;
    let (_, ken) = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let (_, tom) = signed_in(&app, "tom@example.com", "sdr", "member").await;
    let (_, sara) = signed_in(&app, "sara@example.com", "sdr", "leader").await;
    let (lead, handoff) = mql(&app, &ken, "aya@corp.example").await;

    // The SDR's team queue: the lead, from → to, the SLA on time, the detail pane.
    let html = app.get_page("/handoffs?tab=team", Some(&tom)).await.text;
    assert!(
        html.contains(&format!(r#"data-handoff-id="{handoff}""#)),
        "{html}"
    );
    assert!(html.contains("aya@corp.example"));
    assert!(
        html.contains(r#"data-sla="ok""#) && html.contains("due in 1 d"),
        "{html}"
    );
    assert!(html.contains(r#"data-testid="accept""#) && html.contains(r#"aria-keyshortcuts="a""#));
    assert!(html.contains(r#"aria-keyshortcuts="r""#) && html.contains(r#"data-testid="shortcut-hint""#));
    // Reason codes from the definition: rejects and, into MQL, recycles.
    assert!(html.contains(r#"value="not_icp""#) && html.contains(r#"value="nurture""#));
    assert!(html.contains("Not in the ICP"));
    // The lead as its page explains it.
    for id in [
        "score-breakdown",
        "criteria-report",
        "stage-history",
        "activity-timeline",
    ] {
        assert!(html.contains(&format!(r#"id="{id}""#)), "{id}");
    }
    // A member has no escalated tab and no bulk accept; nothing is assigned to Tom himself.
    assert!(!html.contains(r#"data-tab="escalated""#) && !html.contains(r#"data-testid="bulk-check""#));
    let mine = app.get_page("/handoffs", Some(&tom)).await.text;
    assert!(mine.contains(r#"data-testid="queue-empty""#), "{mine}");
    // The leader: escalated tab, bulk accept, reassignment.
    let html = app.get_page("/handoffs?tab=team", Some(&sara)).await.text;
    assert!(html.contains(r#"data-tab="escalated""#) && html.contains(r#"data-testid="bulk-check""#));
    assert!(html.contains(r#"id="reassign-form""#), "{html}");

    // A marketer reads the handoff but gets no decision buttons, and the server refuses.
    let html = app
        .get_page(&format!("/handoffs?tab=team&id={handoff}"), Some(&ken))
        .await
        .text;
    assert!(html.contains(r#"data-testid="cannot-decide""#), "{html}");
    assert!(!html.contains(r#"data-testid="accept""#));
    let res = call(&app, "accept_handoff", &format!("id={handoff}"), &ken).await;
    assert!(
        !res.status.is_success() && res.text.contains("Forbidden"),
        "{}",
        res.text
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM handoffs WHERE id = {handoff} AND status = 'pending'"
        ))
        .await,
        1
    );

    // Near the SLA the badge turns "due soon", past it "breached", and leaders see it escalated.
    clock.advance(Duration::hours(21));
    let html = app.get_page("/handoffs?tab=team", Some(&tom)).await.text;
    assert!(html.contains(r#"data-sla="due_soon""#), "{html}");
    clock.advance(Duration::hours(4));
    let html = app.get_page("/handoffs?tab=escalated", Some(&sara)).await.text;
    assert!(
        html.contains(r#"data-sla="breached""#) && html.contains("1 h overdue"),
        "{html}"
    );

    // The SDR accepts; a second decision is a conflict, said in words.
    let res = call(&app, "accept_handoff", &format!("id={handoff}"), &tom).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = call(&app, "accept_handoff", &format!("id={handoff}"), &tom).await;
    assert!(
        !res.status.is_success() && res.text.contains("handoff_decided"),
        "{}",
        res.text
    );
    let html = app.get_page("/handoffs?tab=team", Some(&tom)).await.text;
    assert!(!html.contains(&format!(r#"data-handoff-id="{handoff}""#)) || html.contains("queue-empty"));
    let _ = lead;

    // In Japanese.
    let req = Request::post("/api/set_locale")
        .header(header::COOKIE, &tom)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("locale=ja"))
        .unwrap();
    assert!(!app.send(req).await.status.is_server_error());
    let html = app.get_page("/handoffs?tab=team", Some(&tom)).await.text;
    assert!(
        html.contains("チームのキュー") && html.contains("キーボード"),
        "{html}"
    );
    assert!(
        !html.contains("handoffs.") && !html.contains("My queue"),
        "{html}"
    );
}

async fn the_lead_page_hands_over_to_sales_and_the_board_takes_it_to_won(backend: Backend) {
    let (app, _) = app_with_clock(backend).await;
    let (_, ken) = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let (_, tom) = signed_in(&app, "tom@example.com", "sdr", "member").await;
    let (emma_id, emma) = signed_in(&app, "emma@example.com", "sales", "member").await;
    let (lead, handoff) = mql(&app, &ken, "aya@corp.example").await;
    let res = call(&app, "accept_handoff", &format!("id={handoff}"), &tom).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    // Only the SDR gets the request form, with the sales team to pick from.
    let page = |cookie: String| {
        let app = &app;
        async move { app.get_page(&format!("/leads/{lead}"), Some(&cookie)).await.text }
    };
    let html = page(tom.clone()).await;
    assert!(html.contains(r#"data-testid="request-card""#), "{html}");
    assert!(html.contains(&format!(r#"<option value="{emma_id}">"#)), "{html}");
    assert!(html.contains(r#"data-testid="handoff-list""#) && html.contains(r#"data-status="accepted""#));
    for other in [ken.clone(), emma.clone()] {
        let html = page(other).await;
        assert!(
            !html.contains(r#"data-testid="request-card""#)
                && !html.contains(r#"data-testid="convert-card""#)
        );
    }
    let form = format!(
        "lead_id={lead}&to_team=sales&notes=Budget+approved&meeting_at=2026-11-20T10%3A00&assignee={emma_id}"
    );
    let res = call(&app, "request_handoff_form", &form, &tom).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    // A second request while one is pending: refused in words, nothing lost.
    let res = call(&app, "request_handoff_form", &form, &tom).await;
    assert!(
        !res.status.is_success() && res.text.contains("handoff_pending"),
        "{}",
        res.text
    );

    // Emma's own queue holds it, with the SDR's notes.
    let html = app.get_page("/handoffs", Some(&emma)).await.text;
    assert!(
        html.contains("aya@corp.example") && html.contains("Budget approved"),
        "{html}"
    );
    let sql_handoff = app
        .scalar(&format!(
            "SELECT id FROM handoffs WHERE lead_id = {lead} AND stage = 'sql'"
        ))
        .await;
    let res = call(&app, "accept_handoff", &format!("id={sql_handoff}"), &emma).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(stage_of(&app, lead).await, "sql");

    // Now Emma may convert it; the marketer may not.
    assert!(page(emma.clone()).await.contains(r#"data-testid="convert-card""#));
    assert!(!page(ken.clone()).await.contains(r#"data-testid="convert-card""#));
    let res = call(
        &app,
        "convert_lead_form",
        &format!("lead_id={lead}&amount=abc&currency=JPY&close_date=2026-12-31"),
        &emma,
    )
    .await;
    assert!(
        !res.status.is_success() && res.text.contains("amount"),
        "{}",
        res.text
    );
    let res = call(
        &app,
        "convert_lead_form",
        &format!("lead_id={lead}&amount=1200000&currency=JPY&close_date=2026-12-31"),
        &emma,
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let opportunity = res.json()["id"].as_i64().unwrap();
    assert_eq!(stage_of(&app, lead).await, "opportunity");

    // The board: totals and expected revenue per currency; sales works it, others read it.
    let html = app.get_page("/opportunities", Some(&emma)).await.text;
    assert!(html.contains(r#"id="opportunity-board""#), "{html}");
    assert!(
        html.contains("¥1,200,000") && html.contains(r#"data-testid="mark-won""#),
        "{html}"
    );
    let html = app.get_page("/opportunities", Some(&ken)).await.text;
    assert!(html.contains(r#"data-testid="board-read-only""#) && !html.contains(r#"data-testid="mark-won""#));
    let res = call(
        &app,
        "move_opportunity",
        &format!("id={opportunity}&stage=won"),
        &ken,
    )
    .await;
    assert!(
        !res.status.is_success() && res.text.contains("Forbidden"),
        "{}",
        res.text
    );
    // Lost needs a reason code.
    let res = call(
        &app,
        "move_opportunity",
        &format!("id={opportunity}&stage=lost&lost_reason="),
        &emma,
    )
    .await;
    assert!(!res.status.is_success(), "{}", res.text);
    let res = call(
        &app,
        "move_opportunity",
        &format!("id={opportunity}&stage=demo"),
        &emma,
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = call(
        &app,
        "move_opportunity",
        &format!("id={opportunity}&stage=won"),
        &emma,
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(stage_of(&app, lead).await, "customer");
    let html = app.get_page("/opportunities", Some(&emma)).await.text;
    assert!(
        html.contains(&format!(
            r#"data-opportunity-id="{opportunity}" data-stage="won""#
        )),
        "{html}"
    );

    // The lead's page tells the whole story.
    let html = page(ken).await;
    for to in ["mql", "sql", "opportunity", "customer"] {
        assert!(html.contains(&format!(r#"data-to="{to}""#)), "{to}");
    }
}

async fn the_scorecard_counts_decisions_and_flags_a_gate_rejecting_over_thirty_percent(backend: Backend) {
    let (app, clock) = app_with_clock(backend).await;
    let (_, ken) = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let (_, tom) = signed_in(&app, "tom@example.com", "sdr", "member").await;
    let sara_user = app.user("sara@example.com", "sdr", "leader").await;
    let sara = app.sign_in("sara@example.com", PASSWORD).await;
    let mut handoffs = Vec::new();
    for email in [
        "a@corp.example",
        "b@corp.example",
        "c@corp.example",
        "d@corp.example",
    ] {
        handoffs.push(mql(&app, &ken, email).await.1);
    }
    clock.advance(Duration::hours(2));
    let res = call(&app, "accept_handoff", &format!("id={}", handoffs[0]), &tom).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    for id in &handoffs[1..3] {
        let res = call(
            &app,
            "reject_handoff",
            &format!("id={id}&reason_code=not_icp&note="),
            &tom,
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    }
    // The last one stays pending past its SLA.
    clock.advance(Duration::hours(30));

    let card = app::handoffs::pages::ssr::scorecard(&app.state, Some(&sara_user), None, None)
        .await
        .unwrap();
    assert_eq!(card.gates.len(), 1);
    let gate = &card.gates[0];
    assert_eq!((gate.stage.as_str(), gate.to_team), ("mql", app::auth::Team::Sdr));
    let t = &gate.tally;
    assert_eq!(
        (t.total, t.accepted, t.rejected, t.pending, t.breaches),
        (4, 1, 2, 1, 1)
    );
    assert_eq!(t.reasons, vec![("not_icp".to_owned(), 2)]);
    assert_eq!(t.median_decision_secs, Some(2 * 3600));
    assert!(gate.alert);
    assert_eq!(card.people.len(), 1);
    assert_eq!(card.people[0].person.email, "tom@example.com");
    assert_eq!(card.teams[0].tally.total, 4);

    let html = app.get_page("/handoffs/scorecard", Some(&sara)).await.text;
    assert!(html.contains(r#"data-testid="rejection-alert""#), "{html}");
    assert!(
        html.contains(r#"href="/proposals/new""#) && html.contains("67 %"),
        "{html}"
    );
    assert!(
        html.contains(r#"id="scorecard-people""#) && html.contains("Not in the ICP 2"),
        "{html}"
    );
    // Another period: nothing to count.
    let html = app
        .get_page("/handoffs/scorecard?from=2020-01-01&to=2020-01-31", Some(&ken))
        .await
        .text;
    assert!(html.contains(r#"data-testid="scorecard-empty""#), "{html}");
    assert!(html.contains(r#"value="2020-01-01""#));
}

on_both_backends!(
    the_approval_screen_shows_the_queue_and_only_the_receiving_team_decides,
    the_lead_page_hands_over_to_sales_and_the_board_takes_it_to_won,
    the_scorecard_counts_decisions_and_flags_a_gate_rejecting_over_thirty_percent,
);
