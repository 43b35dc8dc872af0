//! Leads, accounts and activities through the JSON API on both backends: stages follow the
//! current definition (forward only), scores follow activities, manual moves need reasons
//! and the right team, accounts roll up.

mod common;

use http::StatusCode;
use serde_json::{Value, json};

use common::{Backend, PASSWORD, TestApp};

async fn signed_in(app: &TestApp, email: &str, team: &str, role: &str) -> String {
    app.user(email, team, role).await;
    app.sign_in(email, PASSWORD).await
}

async fn a_lead_climbs_the_funnel_as_facts_and_activities_arrive(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ken = signed_in(&app, "ken@example.com", "marketing", "member").await;

    // Only an email: a prospect.
    let res = app
        .post_json("/api/v1/leads", json!({"email": "Aya@Example.com"}), Some(&ken))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let lead = res.json();
    let id = lead["id"].as_i64().unwrap();
    assert_eq!(lead["email"], "aya@example.com");
    assert_eq!(lead["stage"], "prospect");

    // Consent makes a subscriber; the same email in another case updates, not duplicates.
    let res = app
        .post_json(
            "/api/v1/leads",
            json!({"email": "AYA@example.COM", "consent": true}),
            Some(&ken),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["id"], id);
    assert_eq!(res.json()["stage"], "subscriber");

    // An ICP account (≥ 50 employees) and a persona make a lead.
    let res = app
        .post_json(
            "/api/v1/accounts",
            json!({"domain": "www.Example.com", "name": "Example KK", "employees": 120}),
            Some(&ken),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let account_id = res.json()["id"].as_i64().unwrap();
    let res = app
        .post_json(
            "/api/v1/leads",
            json!({"email": "aya@example.com", "persona": "cmo", "account_domain": "example.com"}),
            Some(&ken),
        )
        .await;
    assert_eq!(res.json()["stage"], "lead");
    assert_eq!(res.json()["account"]["domain"], "example.com");

    // Activities score it past 60: MQL, and a handoff to the SDR queue is due.
    for kind in ["demo_request", "meeting_booked"] {
        let res = app
            .post_json(
                "/api/v1/activities",
                json!({"lead_email": "aya@example.com", "kind": kind}),
                Some(&ken),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        assert_eq!(res.json()["stage"], "lead");
    }
    let res = app
        .post_json(
            "/api/v1/activities",
            json!({"lead_email": "aya@example.com", "kind": "form_submit"}),
            Some(&ken),
        )
        .await;
    assert_eq!(res.json()["score"], 60);
    assert_eq!(res.json()["stage"], "mql");
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM handoffs WHERE status = 'pending' AND stage = 'mql' AND to_team = 'sdr'"
        )
        .await,
        1
    );

    // SQL needs acceptance: no amount of activity moves it there automatically.
    for _ in 0..5 {
        app.post_json(
            "/api/v1/activities",
            json!({"lead_email": "aya@example.com", "kind": "demo_request"}),
            Some(&ken),
        )
        .await;
    }
    let detail = app.get(&format!("/api/v1/leads/{id}"), Some(&ken)).await.json();
    assert_eq!(detail["stage"], "mql");
    assert_eq!(detail["score"], detail["score_breakdown"]["total"]);
    let history: Vec<(Value, Value, Value)> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["from"].clone(), h["to"].clone(), h["cause"].clone()))
        .collect();
    assert_eq!(
        history,
        [
            (Value::Null, json!("prospect"), json!("rule")),
            (json!("prospect"), json!("subscriber"), json!("rule")),
            (json!("subscriber"), json!("lead"), json!("rule")),
            (json!("lead"), json!("mql"), json!("rule")),
        ]
    );
    assert!(
        detail["history"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["definition_version"] == 1)
    );

    // Forward only: shrinking the account does not move the lead back.
    app.post_json(
        "/api/v1/accounts",
        json!({"domain": "example.com", "employees": 10}),
        Some(&ken),
    )
    .await;
    assert_eq!(
        app.get(&format!("/api/v1/leads/{id}"), Some(&ken)).await.json()["stage"],
        "mql"
    );

    // The account rolls up to its furthest contact.
    let account = app
        .get(&format!("/api/v1/accounts/{account_id}"), Some(&ken))
        .await
        .json();
    assert_eq!(account["stage"], "mql");
    assert_eq!(account["leads"], 1);
    assert_eq!(account["employees"], 10);
}

async fn manual_moves_need_a_reason_backward_and_the_owning_team(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ken = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let emma = signed_in(&app, "emma@example.com", "sales", "member").await;
    let res = app
        .post_json(
            "/api/v1/leads",
            json!({"email": "bo@example.com", "consent": true}),
            Some(&ken),
        )
        .await;
    let id = res.json()["id"].as_i64().unwrap();
    assert_eq!(res.json()["stage"], "subscriber");

    // Sales does not own "subscriber": it cannot move the lead out of it.
    let res = app
        .post_json(
            &format!("/api/v1/leads/{id}/stage"),
            json!({"stage": "lead"}),
            Some(&emma),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Marketing moves it forward by hand…
    let res = app
        .post_json(
            &format!("/api/v1/leads/{id}/stage"),
            json!({"stage": "lead"}),
            Some(&ken),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.json()["stage"], "lead");
    // …and back only with a reason.
    let res = app
        .post_json(
            &format!("/api/v1/leads/{id}/stage"),
            json!({"stage": "prospect", "reason": " "}),
            Some(&ken),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["error"]["details"][0]["field"], "reason");
    let res = app
        .post_json(
            &format!("/api/v1/leads/{id}/stage"),
            json!({"stage": "prospect", "reason": "Bounced email"}),
            Some(&ken),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let res = app
        .post_json(
            &format!("/api/v1/leads/{id}/stage"),
            json!({"stage": "nowhere"}),
            Some(&ken),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["error"]["details"][0]["field"], "stage");

    let detail = app.get(&format!("/api/v1/leads/{id}"), Some(&ken)).await.json();
    let last = detail["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["cause"], "manual");
    assert_eq!(last["reason"], "Bounced email");
    assert_eq!(last["actor"], "ken@example.com");
    assert_eq!(last["from"], "lead");
    assert_eq!(last["to"], "prospect");
}

async fn bad_input_is_named_and_nothing_is_written(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ken = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let res = app
        .post_json(
            "/api/v1/leads",
            json!({"email": "nope", "persona": "astronaut"}),
            Some(&ken),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<_> = res.json()["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["email", "persona"]);
    let res = app
        .post_json(
            "/api/v1/accounts",
            json!({"domain": "x.io", "employees": -3}),
            Some(&ken),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["error"]["details"][0]["field"], "employees");
    let res = app
        .post_json(
            "/api/v1/activities",
            json!({"lead_email": "ghost@example.com", "kind": "page_view"}),
            Some(&ken),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["error"]["details"][0]["field"], "lead_email");
    app.post_json("/api/v1/leads", json!({"email": "real@example.com"}), Some(&ken))
        .await;
    let res = app
        .post_json(
            "/api/v1/activities",
            json!({"lead_email": "real@example.com", "kind": "telepathy"}),
            Some(&ken),
        )
        .await;
    assert_eq!(res.json()["error"]["details"][0]["field"], "kind");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM leads").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM accounts").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM activities").await, 0);
    assert_eq!(
        app.post_json("/api/v1/leads", json!({"email": "a@b.co"}), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

async fn the_lead_list_filters_by_stage_owner_account_target_and_search(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ken = signed_in(&app, "ken@example.com", "marketing", "member").await;
    app.post_json(
        "/api/v1/accounts",
        json!({"domain": "big.co", "name": "Big Co", "employees": 500, "is_target": true, "tier": "1"}),
        Some(&ken),
    )
    .await;
    app.post_json(
        "/api/v1/accounts",
        json!({"domain": "small.co", "name": "Small Co", "employees": 5}),
        Some(&ken),
    )
    .await;
    for (email, domain, persona) in [
        ("a@big.co", "big.co", "cmo"),
        ("b@big.co", "big.co", "cto"),
        ("c@small.co", "small.co", "cmo"),
        ("d@x.io", "", ""),
    ] {
        let mut body = json!({"email": email, "consent": true});
        if !domain.is_empty() {
            body["account_domain"] = json!(domain);
        }
        if !persona.is_empty() {
            body["persona"] = json!(persona);
        }
        app.post_json("/api/v1/leads", body, Some(&ken)).await;
    }
    let page = app.get("/api/v1/leads?stage=lead", Some(&ken)).await.json();
    assert_eq!(page["total"], 2);
    let page = app
        .get("/api/v1/leads?owner_team=marketing&per_page=1&page=2", Some(&ken))
        .await
        .json();
    assert_eq!(page["total"], 4);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let page = app.get("/api/v1/leads?owner_team=sales", Some(&ken)).await.json();
    assert_eq!(page["total"], 0);
    let page = app.get("/api/v1/leads?target_only=true", Some(&ken)).await.json();
    assert_eq!(page["total"], 2);
    let page = app.get("/api/v1/leads?q=small", Some(&ken)).await.json();
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["email"], "c@small.co");
    let res = app
        .get("/api/v1/leads?stage=nowhere&per_page=500", Some(&ken))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<_> = res.json()["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["stage", "per_page"]);
}

async fn the_impact_preview_matches_what_publishing_does(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ken = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let mika = signed_in(&app, "mika@example.com", "marketing", "leader").await;
    let hiro = signed_in(&app, "hiro@example.com", "sales", "leader").await;
    app.post_json(
        "/api/v1/accounts",
        json!({"domain": "mid.co", "employees": 60}),
        Some(&ken),
    )
    .await;
    app.post_json(
        "/api/v1/accounts",
        json!({"domain": "big.co", "employees": 120}),
        Some(&ken),
    )
    .await;
    let a = app
        .post_json(
            "/api/v1/leads",
            json!({"email": "a@mid.co", "consent": true, "persona": "cmo", "account_domain": "mid.co"}),
            Some(&ken),
        )
        .await
        .json();
    let b = app
        .post_json(
            "/api/v1/leads",
            json!({"email": "b@big.co", "consent": true, "account_domain": "big.co"}),
            Some(&ken),
        )
        .await
        .json();
    assert_eq!(
        (a["stage"].as_str(), b["stage"].as_str()),
        (Some("lead"), Some("subscriber"))
    );

    // Lead = 100+ employees, persona no longer required.
    let def = app.get("/api/v1/definitions/current", Some(&ken)).await.json()["definition"].clone();
    let mut changed = def.clone();
    let lead_stage = changed["stages"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| s["key"] == "lead")
        .unwrap();
    lead_stage["entry"] = json!({"all": [{"field": "account.employees", "op": "gte", "value": 100}]});
    let propose = |requalify: bool| json!({"base_version": 1, "title": "100+", "rationale": "r", "definition": changed, "requalify": requalify});
    let plain = app
        .post_json("/api/v1/proposals", propose(false), Some(&hiro))
        .await
        .json();
    let strict = app
        .post_json("/api/v1/proposals", propose(true), Some(&hiro))
        .await
        .json();

    let moves = |impact: &Value| -> Vec<(String, String, u64, bool)> {
        let mut m: Vec<_> = impact["moves"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["from"].as_str().unwrap().to_owned(),
                    m["to"].as_str().unwrap().to_owned(),
                    m["count"].as_u64().unwrap(),
                    m["applies_on_publish"].as_bool().unwrap(),
                )
            })
            .collect();
        m.sort();
        m
    };
    let impact = app
        .get(&format!("/api/v1/proposals/{}/impact", plain["id"]), Some(&ken))
        .await
        .json();
    assert_eq!(impact["evaluated"], 2);
    assert_eq!(
        moves(&impact),
        [
            ("lead".into(), "subscriber".into(), 1, false),
            ("subscriber".into(), "lead".into(), 1, true)
        ]
    );
    assert_eq!(
        impact["moves"][0]["sample"][0]["email"]
            .as_str()
            .map(|e| e.ends_with(".co")),
        Some(true)
    );
    let impact = app
        .get(&format!("/api/v1/proposals/{}/impact", strict["id"]), Some(&ken))
        .await
        .json();
    assert_eq!(
        moves(&impact),
        [
            ("lead".into(), "subscriber".into(), 1, true),
            ("subscriber".into(), "lead".into(), 1, true)
        ]
    );
    // The preview wrote nothing.
    assert_eq!(
        app.get(&format!("/api/v1/leads/{}", a["id"]), Some(&ken))
            .await
            .json()["stage"],
        "lead"
    );

    // Publishing the requalifying proposal does exactly what the preview said.
    let id = strict["id"].as_i64().unwrap();
    for cookie in [&hiro, &mika] {
        app.post_json(
            &format!("/api/v1/proposals/{id}/approve"),
            json!({"revision": 1}),
            Some(cookie),
        )
        .await;
    }
    let res = app
        .post_json(&format!("/api/v1/proposals/{id}/publish"), json!({}), Some(&hiro))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let a = app
        .get(&format!("/api/v1/leads/{}", a["id"]), Some(&ken))
        .await
        .json();
    let b = app
        .get(&format!("/api/v1/leads/{}", b["id"]), Some(&ken))
        .await
        .json();
    assert_eq!(
        (a["stage"].as_str(), b["stage"].as_str()),
        (Some("subscriber"), Some("lead"))
    );
    let last = |lead: &Value| lead["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (
            last(&a)["cause"].as_str(),
            last(&a)["definition_version"].as_i64()
        ),
        (Some("definition"), Some(2))
    );
    assert_eq!(
        (
            last(&b)["cause"].as_str(),
            last(&b)["definition_version"].as_i64()
        ),
        (Some("rule"), Some(2))
    );
}

/// The preview and the re-evaluation after a publish count activities in the database, per
/// lead and per window; their scores must be the ones the single-lead path computes.
async fn scores_and_activity_windows_count_the_same_in_bulk_as_for_one_lead(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ken = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let mika = signed_in(&app, "mika@example.com", "marketing", "leader").await;
    let hiro = signed_in(&app, "hiro@example.com", "sales", "leader").await;
    app.post_json(
        "/api/v1/accounts",
        json!({"domain": "mid.co", "employees": 60}),
        Some(&ken),
    )
    .await;
    let days_ago = |d: i64| (chrono::Utc::now() - chrono::Duration::days(d)).to_rfc3339();
    // a: 30 + 20 recent = 50, a demo request outside the 90-day decay window, a meeting this week.
    // b: 4 form submissions = 40, none of them a meeting.
    // c: the same as a, but its meeting was 40 days ago.
    let leads: [(&str, Vec<(&str, i64)>); 3] = [
        (
            "a@mid.co",
            vec![("demo_request", 20), ("meeting_booked", 5), ("demo_request", 100)],
        ),
        (
            "b@mid.co",
            vec![
                ("form_submit", 1),
                ("form_submit", 2),
                ("form_submit", 3),
                ("form_submit", 4),
            ],
        ),
        (
            "c@mid.co",
            vec![
                ("demo_request", 20),
                ("meeting_booked", 40),
                ("demo_request", 100),
            ],
        ),
    ];
    for (email, acts) in &leads {
        app.post_json(
            "/api/v1/leads",
            json!({"email": email, "consent": true, "persona": "cmo", "account_domain": "mid.co"}),
            Some(&ken),
        )
        .await;
        for (kind, ago) in acts {
            let res = app
                .post_json(
                    "/api/v1/activities",
                    json!({"lead_email": email, "kind": kind, "occurred_at": days_ago(*ago)}),
                    Some(&ken),
                )
                .await;
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        }
    }
    let lead = |email: &'static str| {
        let app = &app;
        let ken = &ken;
        async move {
            let list = app
                .get(&format!("/api/v1/leads?q={email}"), Some(ken))
                .await
                .json();
            list["items"][0].clone()
        }
    };
    let (a, b, c) = (
        lead("a@mid.co").await,
        lead("b@mid.co").await,
        lead("c@mid.co").await,
    );
    assert_eq!(
        [&a, &b, &c].map(|l| (l["score"].as_i64(), l["stage"].as_str())),
        [
            (Some(50), Some("lead")),
            (Some(40), Some("lead")),
            (Some(50), Some("lead"))
        ]
    );

    // MQL at 45 points with a meeting in the last 30 days: only a qualifies.
    let def = app.get("/api/v1/definitions/current", Some(&ken)).await.json()["definition"].clone();
    let mut changed = def.clone();
    let mql = changed["stages"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| s["key"] == "mql")
        .unwrap();
    mql["entry"] = json!({"all": [
        {"field": "lead.score", "op": "gte", "value": 45},
        {"field": "activity.meeting_booked.count_30d", "op": "gte", "value": 1}
    ]});
    let proposal = app
        .post_json(
            "/api/v1/proposals",
            json!({"base_version": 1, "title": "45 and a meeting", "rationale": "r", "definition": changed, "requalify": false}),
            Some(&hiro),
        )
        .await;
    assert_eq!(proposal.status, StatusCode::CREATED, "{}", proposal.text);
    let id = proposal.json()["id"].as_i64().unwrap();
    let impact = app
        .get(&format!("/api/v1/proposals/{id}/impact"), Some(&ken))
        .await
        .json();
    assert_eq!(impact["evaluated"], 3);
    let moves = impact["moves"].as_array().unwrap();
    assert_eq!(moves.len(), 1, "{impact}");
    assert_eq!(
        (
            moves[0]["from"].as_str(),
            moves[0]["to"].as_str(),
            moves[0]["count"].as_u64()
        ),
        (Some("lead"), Some("mql"), Some(1))
    );
    assert_eq!(moves[0]["sample"][0]["email"], "a@mid.co");

    for cookie in [&hiro, &mika] {
        app.post_json(
            &format!("/api/v1/proposals/{id}/approve"),
            json!({"revision": 1}),
            Some(cookie),
        )
        .await;
    }
    let res = app
        .post_json(&format!("/api/v1/proposals/{id}/publish"), json!({}), Some(&hiro))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let (a, b, c) = (
        lead("a@mid.co").await,
        lead("b@mid.co").await,
        lead("c@mid.co").await,
    );
    assert_eq!(
        [&a, &b, &c].map(|l| (l["score"].as_i64(), l["stage"].as_str())),
        [
            (Some(50), Some("mql")),
            (Some(40), Some("lead")),
            (Some(50), Some("lead"))
        ]
    );
}

on_both_backends!(
    the_impact_preview_matches_what_publishing_does,
    scores_and_activity_windows_count_the_same_in_bulk_as_for_one_lead,
    a_lead_climbs_the_funnel_as_facts_and_activities_arrive,
    manual_moves_need_a_reason_backward_and_the_owning_team,
    bad_input_is_named_and_nothing_is_written,
    the_lead_list_filters_by_stage_owner_account_target_and_search,
);
