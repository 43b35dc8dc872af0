//! Handoffs and opportunities through the JSON API on both backends: MQL → SDR decisions,
//! SDR → sales requests entered only on acceptance, permissions, double decisions, SLA
//! breach and escalation by a test clock, round-robin, bulk accept, and opportunities from
//! conversion to won or lost — with the lead's history and the audit trail checked.

mod common;

use axum::body::Body;
use chrono::Duration;
use http::{Request, StatusCode, header};
use serde_json::{Value, json};

use app::clock::Clock;
use app::state::AuthSettings;
use common::{Backend, PASSWORD, TestApp, start_time};

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

/// Makes `email` an MQL at example.com (ICP, persona, score 60); returns its id and the
/// id of the pending MQL → SDR handoff the funnel rules opened.
async fn mql(app: &TestApp, marketer: &str, email: &str) -> (i64, i64) {
    let res = app
        .post_json(
            "/api/v1/accounts",
            json!({"domain": "example.com", "employees": 120}),
            Some(marketer),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    let res = app
        .post_json(
            "/api/v1/leads",
            json!({"email": email, "consent": true, "persona": "cmo", "account_domain": "example.com"}),
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
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["status"], "pending");
    (lead, items[0]["id"].as_i64().unwrap())
}

async fn lead(app: &TestApp, id: i64, cookie: &str) -> Value {
    app.get(&format!("/api/v1/leads/{id}"), Some(cookie)).await.json()
}

fn last_history(lead: &Value) -> Value {
    lead["history"].as_array().unwrap().last().unwrap().clone()
}

async fn audit_actions(app: &TestApp, entity: &str, id: i64, cookie: &str) -> Vec<(String, String)> {
    let res = app
        .get(
            &format!("/api/v1/audit?entity={entity}&entity_id={id}"),
            Some(cookie),
        )
        .await;
    res.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["actor"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn post(app: &TestApp, path: &str, body: Value, cookie: &str) -> (StatusCode, Value) {
    let res = app.post_json(path, body, Some(cookie)).await;
    let json = if res.text.is_empty() {
        Value::Null
    } else {
        res.json()
    };
    (res.status, json)
}

async fn an_sdr_accepts_an_mql_and_becomes_its_owner(backend: Backend) {
    let (app, _) = app_with_clock(backend).await;
    let (_, ken) = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let (sdr_id, sara) = signed_in(&app, "sara@example.com", "sdr", "member").await;
    let (_, ami) = signed_in(&app, "ami@example.com", "sales", "leader").await;
    let (lead_id, handoff) = mql(&app, &ken, "aya@corp.example").await;

    let queue = app
        .get("/api/v1/handoffs?status=pending&to_team=sdr", Some(&sara))
        .await
        .json();
    let item = &queue["items"][0];
    assert_eq!(item["id"], handoff);
    assert_eq!(item["lead"], json!({"id": lead_id, "email": "aya@corp.example"}));
    assert_eq!(
        (item["from_team"].as_str(), item["to_team"].as_str()),
        (Some("marketing"), Some("sdr"))
    );
    assert_eq!(
        item["sla_due_at"], "2026-11-03T09:00:00Z",
        "24 h SLA of the MQL gate"
    );
    assert_eq!(item["breached"], false);

    // Only the receiving team decides.
    for outsider in [&ken, &ami] {
        let (status, body) = post(
            &app,
            &format!("/api/v1/handoffs/{handoff}/accept"),
            json!({}),
            outsider,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }

    let (status, body) = post(
        &app,
        &format!("/api/v1/handoffs/{handoff}/accept"),
        json!({}),
        &sara,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "accepted");
    assert_eq!(body["decided_by"], "sara@example.com");

    let detail = lead(&app, lead_id, &sara).await;
    assert_eq!(detail["stage"], "mql");
    assert_eq!(detail["owner"]["id"], sdr_id);
    let row = last_history(&detail);
    assert_eq!(
        (row["from"].as_str(), row["to"].as_str()),
        (Some("mql"), Some("mql"))
    );
    assert_eq!(row["cause"], "handoff");
    assert_eq!(row["actor"], "sara@example.com");

    // A second decision of either kind is a conflict, and changes nothing.
    let (status, body) = post(
        &app,
        &format!("/api/v1/handoffs/{handoff}/accept"),
        json!({}),
        &sara,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "handoff_decided");
    let (status, _) = post(
        &app,
        &format!("/api/v1/handoffs/{handoff}/reject"),
        json!({"reason_code": "nurture"}),
        &sara,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(lead(&app, lead_id, &sara).await["stage"], "mql");
    assert_eq!(
        audit_actions(&app, "handoff", handoff, &sara).await,
        [("handoff.accepted".to_owned(), "sara@example.com".to_owned())]
    );
    assert_eq!(
        app.get("/api/v1/handoffs?status=pending", Some(&sara))
            .await
            .json()["items"],
        json!([])
    );
}

async fn rejecting_an_mql_recycles_or_disqualifies_with_a_reason(backend: Backend) {
    let (app, _) = app_with_clock(backend).await;
    let (_, ken) = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let (_, sara) = signed_in(&app, "sara@example.com", "sdr", "member").await;
    let (aya, h1) = mql(&app, &ken, "aya@corp.example").await;
    let (bo, h2) = mql(&app, &ken, "bo@corp.example").await;

    // A reason code is required, named in the caller's language, and must be known.
    let (status, body) = post(&app, &format!("/api/v1/handoffs/{h1}/reject"), json!({}), &sara).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["details"][0]["field"], "reason_code");
    let req = Request::post(format!("/api/v1/handoffs/{h1}/reject"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, &sara)
        .header(header::ACCEPT_LANGUAGE, "ja")
        .body(Body::from(json!({"reason_code": "price"}).to_string()))
        .unwrap();
    let res = app.send(req).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("理由コード"),
        "{}",
        res.text
    );

    let (status, body) = post(
        &app,
        &format!("/api/v1/handoffs/{h1}/reject"),
        json!({"reason_code": "nurture", "note": "budget next year"}),
        &sara,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "recycled");
    assert_eq!(body["reason_code"], "nurture");
    assert_eq!(body["note"], "budget next year");
    let detail = lead(&app, aya, &sara).await;
    assert_eq!(detail["stage"], "lead", "recycled to nurture");
    let row = last_history(&detail);
    assert_eq!(
        (row["from"].as_str(), row["to"].as_str()),
        (Some("mql"), Some("lead"))
    );
    assert_eq!(row["cause"], "handoff");
    assert_eq!(row["reason"], "nurture: budget next year");

    let (status, body) = post(
        &app,
        &format!("/api/v1/handoffs/{h2}/reject"),
        json!({"reason_code": "not_icp"}),
        &sara,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "rejected");
    assert_eq!(lead(&app, bo, &sara).await["stage"], "lead");
    assert_eq!(
        audit_actions(&app, "handoff", h1, &sara).await[0].0,
        "handoff.recycled"
    );
    assert_eq!(
        audit_actions(&app, "handoff", h2, &sara).await[0].0,
        "handoff.rejected"
    );
}

async fn the_lead_enters_sql_only_when_sales_accepts_the_sdr_request(backend: Backend) {
    let (app, _) = app_with_clock(backend).await;
    let (_, ken) = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let (_, sara) = signed_in(&app, "sara@example.com", "sdr", "member").await;
    let (ae_id, taro) = signed_in(&app, "taro@example.com", "sales", "member").await;
    let (_, jiro) = signed_in(&app, "jiro@example.com", "sales", "member").await;
    let (aya, mql_handoff) = mql(&app, &ken, "aya@corp.example").await;
    post(
        &app,
        &format!("/api/v1/handoffs/{mql_handoff}/accept"),
        json!({}),
        &sara,
    )
    .await;

    let request = json!({"to_team": "sales", "assignee_id": ae_id, "note": "Budget confirmed, CMO on the call",
        "meeting_at": "2026-11-05T10:00:00Z"});
    let (status, _) = post(
        &app,
        &format!("/api/v1/leads/{aya}/handoffs"),
        request.clone(),
        &ken,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only the handing-over team requests"
    );
    let (status, body) = post(
        &app,
        &format!("/api/v1/leads/{aya}/handoffs"),
        json!({"to_team": "nobody"}),
        &sara,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["details"][0]["field"], "to_team");

    let (status, body) = post(
        &app,
        &format!("/api/v1/leads/{aya}/handoffs"),
        request.clone(),
        &sara,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let handoff = body["id"].as_i64().unwrap();
    assert_eq!(body["stage"], "sql");
    assert_eq!(
        (body["from_team"].as_str(), body["to_team"].as_str()),
        (Some("sdr"), Some("sales"))
    );
    assert_eq!(body["status"], "pending");
    assert_eq!(body["requested_by"], "sara@example.com");
    assert_eq!(body["assignee"]["id"], ae_id);
    assert_eq!(body["qualification_notes"], "Budget confirmed, CMO on the call");
    assert_eq!(body["meeting_at"], "2026-11-05T10:00:00Z");
    assert_eq!(
        body["sla_due_at"], "2026-11-04T09:00:00Z",
        "48 h SLA of the SQL gate"
    );
    assert_eq!(
        lead(&app, aya, &sara).await["stage"],
        "mql",
        "not SQL before sales accepts"
    );

    let (status, body) = post(&app, &format!("/api/v1/leads/{aya}/handoffs"), request, &sara).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "one pending handoff per lead and gate"
    );
    assert_eq!(body["error"]["code"], "handoff_pending");

    for other in [&sara, &jiro] {
        let (status, _) = post(
            &app,
            &format!("/api/v1/handoffs/{handoff}/accept"),
            json!({}),
            other,
        )
        .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "the SDR and another AE cannot accept"
        );
    }
    let mine = app.get("/api/v1/handoffs?assignee=me", Some(&taro)).await.json();
    assert_eq!(mine["items"][0]["id"], handoff);

    let (status, body) = post(
        &app,
        &format!("/api/v1/handoffs/{handoff}/accept"),
        json!({}),
        &taro,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let detail = lead(&app, aya, &taro).await;
    assert_eq!(detail["stage"], "sql");
    assert_eq!(detail["owner"]["id"], ae_id);
    let row = last_history(&detail);
    assert_eq!(
        (row["from"].as_str(), row["to"].as_str()),
        (Some("mql"), Some("sql"))
    );
    assert_eq!(
        (row["cause"].as_str(), row["actor"].as_str()),
        (Some("handoff"), Some("taro@example.com"))
    );
    assert_eq!(
        audit_actions(&app, "handoff", handoff, &taro).await,
        [
            ("handoff.requested".to_owned(), "sara@example.com".to_owned()),
            ("handoff.accepted".to_owned(), "taro@example.com".to_owned())
        ]
    );
}

async fn a_rejected_sql_request_goes_back_to_the_sdr_with_its_reason(backend: Backend) {
    let (app, _) = app_with_clock(backend).await;
    let (_, ken) = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let (_, sara) = signed_in(&app, "sara@example.com", "sdr", "member").await;
    let (_, ami) = signed_in(&app, "ami@example.com", "sales", "leader").await;
    let (aya, _) = mql(&app, &ken, "aya@corp.example").await;
    let (_, body) = post(
        &app,
        &format!("/api/v1/leads/{aya}/handoffs"),
        json!({"to_team": "sales"}),
        &sara,
    )
    .await;
    let handoff = body["id"].as_i64().unwrap();
    assert_eq!(body["assignee"], Value::Null, "no sales members: the team queue");

    let (status, body) = post(
        &app,
        &format!("/api/v1/handoffs/{handoff}/reject"),
        json!({"reason_code": ""}),
        &ami,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["details"][0]["field"], "reason_code");
    let (status, body) = post(
        &app,
        &format!("/api/v1/handoffs/{handoff}/reject"),
        json!({"reason_code": "no_budget"}),
        &ami,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "rejected");
    assert_eq!(body["decided_by"], "ami@example.com");
    let detail = lead(&app, aya, &sara).await;
    assert_eq!(detail["stage"], "mql", "back with the SDR");
    let row = last_history(&detail);
    assert_eq!(
        (row["cause"].as_str(), row["reason"].as_str()),
        (Some("handoff"), Some("no_budget"))
    );

    // The SDR may ask again once the rejection is in.
    let (status, _) = post(
        &app,
        &format!("/api/v1/leads/{aya}/handoffs"),
        json!({"to_team": "sales"}),
        &sara,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
}

async fn requests_without_a_chosen_ae_go_round_robin(backend: Backend) {
    let (app, _) = app_with_clock(backend).await;
    let (_, ken) = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let (_, sara) = signed_in(&app, "sara@example.com", "sdr", "member").await;
    let (ae1, _) = signed_in(&app, "taro@example.com", "sales", "member").await;
    let (ae2, _) = signed_in(&app, "jiro@example.com", "sales", "member").await;
    app.user("ami@example.com", "sales", "leader").await;
    let mut assignees = Vec::new();
    for email in ["a@corp.example", "b@corp.example", "c@corp.example"] {
        let (id, _) = mql(&app, &ken, email).await;
        let (status, body) = post(
            &app,
            &format!("/api/v1/leads/{id}/handoffs"),
            json!({"to_team": "sales"}),
            &sara,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assignees.push(body["assignee"]["id"].as_i64().unwrap());
    }
    assert_eq!(
        assignees,
        [ae1, ae2, ae1],
        "members in turn; the leader is not in the rotation"
    );

    // A chosen assignee must be on the receiving team.
    let (id, _) = mql(&app, &ken, "d@corp.example").await;
    let sdr = app.user("sho@example.com", "sdr", "member").await;
    let (status, body) = post(
        &app,
        &format!("/api/v1/leads/{id}/handoffs"),
        json!({"to_team": "sales", "assignee_id": sdr.id.0}),
        &sara,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["details"][0]["field"], "assignee_id");
}

async fn a_breached_handoff_is_escalated_to_the_receiving_leaders(backend: Backend) {
    let (app, clock) = app_with_clock(backend).await;
    let (_, ken) = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let (_, sara) = signed_in(&app, "sara@example.com", "sdr", "member").await;
    let (sho_id, sho) = signed_in(&app, "sho@example.com", "sdr", "member").await;
    let (_, yui) = signed_in(&app, "yui@example.com", "sdr", "leader").await;
    let (taro_id, _) = signed_in(&app, "taro@example.com", "sales", "member").await;
    let (_, handoff) = mql(&app, &ken, "aya@corp.example").await;

    clock.advance(Duration::hours(24));
    let list = app
        .get("/api/v1/handoffs?to_team=sdr&status=pending", Some(&yui))
        .await
        .json();
    assert_eq!(list["items"][0]["breached"], false, "due, not yet past due");
    assert_eq!(
        app.get("/api/v1/handoffs?status=escalated", Some(&yui))
            .await
            .json()["items"],
        json!([])
    );

    clock.advance(Duration::minutes(1));
    let escalated = app
        .get("/api/v1/handoffs?status=escalated&to_team=sdr", Some(&yui))
        .await
        .json();
    let item = &escalated["items"][0];
    assert_eq!(item["id"], handoff);
    assert_eq!(item["breached"], true);
    assert_eq!(item["escalated_at"], "2026-11-03T09:01:00Z");
    assert_eq!(
        audit_actions(&app, "handoff", handoff, &yui).await,
        [("handoff.escalated".to_owned(), "system".to_owned())]
    );
    // Escalation happens once.
    app.get("/api/v1/handoffs", Some(&yui)).await;
    assert_eq!(audit_actions(&app, "handoff", handoff, &yui).await.len(), 1);

    // Leaders reassign; members cannot; the assignee must be on the receiving team.
    let path = format!("/api/v1/handoffs/{handoff}/reassign");
    let (status, _) = post(&app, &path, json!({"assignee_id": sho_id}), &sara).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = post(&app, &path, json!({"assignee_id": taro_id}), &yui).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = post(&app, &path, json!({"assignee_id": sho_id}), &yui).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["assignee"]["id"], sho_id);

    // Now only the assignee (or a leader) decides.
    let (status, _) = post(
        &app,
        &format!("/api/v1/handoffs/{handoff}/accept"),
        json!({}),
        &sara,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = post(
        &app,
        &format!("/api/v1/handoffs/{handoff}/accept"),
        json!({}),
        &sho,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["breached"], false, "a decided handoff is no longer breached");
    assert_eq!(
        app.get("/api/v1/handoffs?status=escalated", Some(&yui))
            .await
            .json()["items"],
        json!([])
    );
}

async fn leaders_accept_in_bulk_and_each_decision_stands_alone(backend: Backend) {
    let (app, _) = app_with_clock(backend).await;
    let (_, ken) = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let (_, sara) = signed_in(&app, "sara@example.com", "sdr", "member").await;
    let (yui_id, yui) = signed_in(&app, "yui@example.com", "sdr", "leader").await;
    let (a, h1) = mql(&app, &ken, "a@corp.example").await;
    let (_, h2) = mql(&app, &ken, "b@corp.example").await;

    let (status, _) = post(
        &app,
        "/api/v1/handoffs/bulk-accept",
        json!({"ids": [h1, h2]}),
        &sara,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    post(&app, &format!("/api/v1/handoffs/{h2}/accept"), json!({}), &sara).await;

    let (status, body) = post(
        &app,
        "/api/v1/handoffs/bulk-accept",
        json!({"ids": [h1, h2, 999]}),
        &yui,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let accepted: Vec<i64> = body["accepted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect();
    assert_eq!(accepted, [h1]);
    assert_eq!(
        body["failed"],
        json!([{"id": h2, "code": "handoff_decided"}, {"id": 999, "code": "not_found"}])
    );
    assert_eq!(lead(&app, a, &yui).await["owner"]["id"], yui_id);
}

async fn an_ae_converts_an_sql_and_winning_makes_lead_and_account_customers(backend: Backend) {
    let (app, _) = app_with_clock(backend).await;
    let (_, ken) = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let (_, sara) = signed_in(&app, "sara@example.com", "sdr", "member").await;
    let (taro_id, taro) = signed_in(&app, "taro@example.com", "sales", "member").await;
    let (aya, _) = mql(&app, &ken, "aya@corp.example").await;
    let new = json!({"amount": 1_200_000, "close_date": "2026-12-20"});

    let (status, body) = post(
        &app,
        &format!("/api/v1/leads/{aya}/opportunity"),
        new.clone(),
        &taro,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_convertible"))
    );
    let (_, body) = post(
        &app,
        &format!("/api/v1/leads/{aya}/handoffs"),
        json!({"to_team": "sales"}),
        &sara,
    )
    .await;
    post(
        &app,
        &format!("/api/v1/handoffs/{}/accept", body["id"]),
        json!({}),
        &taro,
    )
    .await;

    let (status, _) = post(
        &app,
        &format!("/api/v1/leads/{aya}/opportunity"),
        new.clone(),
        &sara,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only sales works opportunities");
    let (status, body) = post(
        &app,
        &format!("/api/v1/leads/{aya}/opportunity"),
        json!({"amount": -5, "currency": "dollars", "close_date": "2026-12-20", "probability": 2}),
        &taro,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["currency", "probability"]);

    let (status, opp) = post(
        &app,
        &format!("/api/v1/leads/{aya}/opportunity"),
        new.clone(),
        &taro,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{opp}");
    assert_eq!(opp["stage"], "discovery");
    assert_eq!(opp["amount"], 1_200_000.0);
    assert_eq!(opp["currency"], "JPY");
    assert_eq!(opp["probability"], 0.1);
    assert_eq!(opp["expected_revenue"], 120_000.0);
    assert_eq!(opp["owner"]["id"], taro_id);
    let id = opp["id"].as_i64().unwrap();
    let detail = lead(&app, aya, &taro).await;
    assert_eq!(detail["stage"], "opportunity");
    let (status, _) = post(&app, &format!("/api/v1/leads/{aya}/opportunity"), new, &taro).await;
    assert_eq!(status, StatusCode::CONFLICT);

    let path = format!("/api/v1/opportunities/{id}");
    let res = app
        .send_json("PATCH", &path, json!({"stage": "proposal"}), &taro)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        (
            res.json()["probability"].as_f64(),
            res.json()["expected_revenue"].as_f64()
        ),
        (Some(0.6), Some(720_000.0))
    );
    let res = app
        .send_json(
            "PATCH",
            &path,
            json!({"probability": 0.75, "amount": 2_000_000}),
            &taro,
        )
        .await;
    assert_eq!(
        (
            res.json()["stage"].as_str(),
            res.json()["expected_revenue"].as_f64()
        ),
        (Some("proposal"), Some(1_500_000.0))
    );
    let res = app
        .send_json("PATCH", &path, json!({"stage": "won"}), &sara)
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    let res = app
        .send_json("PATCH", &path, json!({"stage": "won"}), &taro)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.json()["probability"], 1.0);
    let detail = lead(&app, aya, &taro).await;
    assert_eq!(detail["stage"], "customer");
    let row = last_history(&detail);
    assert_eq!(
        (row["from"].as_str(), row["to"].as_str(), row["actor"].as_str()),
        (Some("opportunity"), Some("customer"), Some("taro@example.com"))
    );
    let account = detail["account"]["id"].as_i64().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/accounts/{account}"), Some(&taro))
            .await
            .json()["stage"],
        "customer"
    );

    let res = app
        .send_json(
            "PATCH",
            &path,
            json!({"stage": "lost", "lost_reason": "price"}),
            &taro,
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.json()["error"]["code"], "opportunity_closed");
    let actions: Vec<String> = audit_actions(&app, "opportunity", id, &taro)
        .await
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    assert_eq!(
        actions,
        [
            "opportunity.created",
            "opportunity.updated",
            "opportunity.updated",
            "opportunity.won"
        ]
    );
}

async fn a_lost_opportunity_needs_a_reason_and_the_board_sums_expected_revenue(backend: Backend) {
    let (app, _) = app_with_clock(backend).await;
    let (_, ken) = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let (_, sara) = signed_in(&app, "sara@example.com", "sdr", "member").await;
    let (_, taro) = signed_in(&app, "taro@example.com", "sales", "member").await;
    let mut ids = Vec::new();
    for (email, amount) in [("a@corp.example", 1000), ("b@corp.example", 3000)] {
        let (lead_id, _) = mql(&app, &ken, email).await;
        let (_, body) = post(
            &app,
            &format!("/api/v1/leads/{lead_id}/handoffs"),
            json!({"to_team": "sales"}),
            &sara,
        )
        .await;
        post(
            &app,
            &format!("/api/v1/handoffs/{}/accept", body["id"]),
            json!({}),
            &taro,
        )
        .await;
        let (status, opp) = post(
            &app,
            &format!("/api/v1/leads/{lead_id}/opportunity"),
            json!({"amount": amount, "currency": "usd", "close_date": "2026-12-01", "stage": "demo"}),
            &taro,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{opp}");
        assert_eq!(
            (opp["currency"].as_str(), opp["probability"].as_f64()),
            (Some("USD"), Some(0.4))
        );
        ids.push((lead_id, opp["id"].as_i64().unwrap()));
    }
    let board = app.get("/api/v1/opportunities/board", Some(&ken)).await.json();
    let demo = &board["columns"][2];
    assert_eq!(demo["stage"], "demo");
    assert_eq!(demo["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        demo["totals"],
        json!([{"currency": "USD", "amount": 4000.0, "expected_revenue": 1600.0}])
    );

    let (lead_id, opp) = ids[0];
    let path = format!("/api/v1/opportunities/{opp}");
    let res = app
        .send_json("PATCH", &path, json!({"stage": "lost"}), &taro)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["error"]["details"][0]["field"], "lost_reason");
    let res = app
        .send_json(
            "PATCH",
            &path,
            json!({"stage": "lost", "lost_reason": "competitor"}),
            &taro,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        (
            res.json()["probability"].as_f64(),
            res.json()["lost_reason"].as_str()
        ),
        (Some(0.0), Some("competitor"))
    );
    assert_eq!(
        lead(&app, lead_id, &taro).await["stage"],
        "opportunity",
        "a lost deal does not make a customer"
    );
    let list = app
        .get(&format!("/api/v1/opportunities?lead={lead_id}"), Some(&sara))
        .await
        .json();
    assert_eq!(list["items"][0]["stage"], "lost");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM opportunities WHERE stage = 'lost' AND closed_at IS NOT NULL")
            .await,
        1
    );
}

async fn reading_needs_a_session_and_the_api_is_documented(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(
        app.get("/api/v1/handoffs", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/opportunities/board", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let doc = app.get("/api/v1/openapi.json", None).await.json();
    for path in [
        "/api/v1/handoffs",
        "/api/v1/leads/{id}/handoffs",
        "/api/v1/handoffs/{id}/accept",
        "/api/v1/handoffs/{id}/reject",
        "/api/v1/leads/{id}/opportunity",
        "/api/v1/opportunities/{id}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing from OpenAPI");
    }
}

on_both_backends!(
    an_sdr_accepts_an_mql_and_becomes_its_owner,
    rejecting_an_mql_recycles_or_disqualifies_with_a_reason,
    the_lead_enters_sql_only_when_sales_accepts_the_sdr_request,
    a_rejected_sql_request_goes_back_to_the_sdr_with_its_reason,
    requests_without_a_chosen_ae_go_round_robin,
    a_breached_handoff_is_escalated_to_the_receiving_leaders,
    leaders_accept_in_bulk_and_each_decision_stands_alone,
    an_ae_converts_an_sql_and_winning_makes_lead_and_account_customers,
    a_lost_opportunity_needs_a_reason_and_the_board_sums_expected_revenue,
    reading_needs_a_session_and_the_api_is_documented,
);
