//! The two-party change process through the JSON API, on both backends: the 50 → 100 story,
//! the permission matrix, validation, concurrency, rebase and the audit chain.

mod common;

use http::StatusCode;
use serde_json::{Value, json};

use common::{Backend, PASSWORD, TestApp};

struct People {
    mika: String,  // marketing leader
    hiro: String,  // sales leader
    ken: String,   // marketing member
    sara: String,  // SDR leader
    admin: String, // admin
}

async fn people(app: &TestApp) -> People {
    app.user("mika@example.com", "marketing", "leader").await;
    app.user("hiro@example.com", "sales", "leader").await;
    app.user("ken@example.com", "marketing", "member").await;
    app.user("sara@example.com", "sdr", "leader").await;
    app.user("root@example.com", "marketing", "admin").await;
    People {
        mika: app.sign_in("mika@example.com", PASSWORD).await,
        hiro: app.sign_in("hiro@example.com", PASSWORD).await,
        ken: app.sign_in("ken@example.com", PASSWORD).await,
        sara: app.sign_in("sara@example.com", PASSWORD).await,
        admin: app.sign_in("root@example.com", PASSWORD).await,
    }
}

async fn current(app: &TestApp, cookie: &str) -> (i64, Value) {
    let res = app.get("/api/v1/definitions/current", Some(cookie)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let body = res.json();
    (body["version"].as_i64().unwrap(), body["definition"].clone())
}

fn stage_mut<'a>(def: &'a mut Value, key: &str) -> &'a mut Value {
    def["stages"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| s["key"] == key)
        .unwrap()
}

fn with_lead_threshold(def: &Value, employees: i64) -> Value {
    let mut def = def.clone();
    stage_mut(&mut def, "lead")["entry"]["all"][0]["value"] = json!(employees);
    def
}

fn with_mql_score(def: &Value, score: i64) -> Value {
    let mut def = def.clone();
    stage_mut(&mut def, "mql")["entry"] =
        json!({"all": [{"field": "lead.score", "op": "gte", "value": score}]});
    def
}

async fn propose(app: &TestApp, cookie: &str, base: i64, title: &str, definition: Value) -> Value {
    let body = json!({"base_version": base, "title": title, "rationale": "Sales sees too many small accounts.", "definition": definition});
    let res = app.post_json("/api/v1/proposals", body, Some(cookie)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.json()
}

async fn approve(app: &TestApp, cookie: &str, id: i64, revision: i64) -> common::TestResponse {
    app.post_json(
        &format!("/api/v1/proposals/{id}/approve"),
        json!({"revision": revision}),
        Some(cookie),
    )
    .await
}

async fn publish(app: &TestApp, cookie: &str, id: i64) -> common::TestResponse {
    app.post_json(
        &format!("/api/v1/proposals/{id}/publish"),
        json!({}),
        Some(cookie),
    )
    .await
}

fn approval_status(p: &Value, team: &str) -> String {
    p["approvals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["team"] == team)
        .unwrap()["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn the_fifty_to_one_hundred_story(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = people(&app).await;
    let (v1, def1) = current(&app, &p.hiro).await;
    assert_eq!(v1, 1);
    assert_eq!(
        stage_mut(&mut def1.clone(), "lead")["entry"]["all"][0]["value"],
        50
    );

    // The sales leader proposes raising the threshold and sees the field-level diff.
    let proposal = propose(
        &app,
        &p.hiro,
        1,
        "Leads need 100+ employees",
        with_lead_threshold(&def1, 100),
    )
    .await;
    let id = proposal["id"].as_i64().unwrap();
    assert_eq!(proposal["status"], "open");
    assert_eq!(proposal["revision"], 1);
    assert_eq!(
        proposal["diff"],
        json!([{"path": "stages.lead.entry.all[0].value", "before": 50, "after": 100}])
    );
    assert_eq!(approval_status(&proposal, "marketing"), "pending");
    assert_eq!(approval_status(&proposal, "sales"), "pending");

    // It cannot go live on the sales leader's word alone.
    assert_eq!(approve(&app, &p.hiro, id, 1).await.status, StatusCode::OK);
    let res = publish(&app, &p.hiro, id).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.json()["error"]["code"], "approvals_missing");
    assert_eq!(res.json()["error"]["details"]["teams"], json!(["marketing"]));

    // The marketing leader approves; then the proposal is edited, which dismisses approvals.
    assert_eq!(approve(&app, &p.mika, id, 1).await.status, StatusCode::OK);
    let res = app
        .send_json("PUT", &format!("/api/v1/proposals/{id}"), json!({"revision": 1, "definition": with_lead_threshold(&def1, 100), "rationale": "Win rates below 100 employees are under 5 %."}), &p.hiro)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let revised = res.json();
    assert_eq!(revised["revision"], 2);
    assert_eq!(approval_status(&revised, "marketing"), "pending");
    assert_eq!(approval_status(&revised, "sales"), "pending");
    // Approving the old revision is refused; so is revising from it.
    let res = approve(&app, &p.mika, id, 1).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.json()["error"]["code"], "stale_revision");
    let res = app
        .send_json(
            "PUT",
            &format!("/api/v1/proposals/{id}"),
            json!({"revision": 1, "definition": def1}),
            &p.hiro,
        )
        .await;
    assert_eq!(res.json()["error"]["code"], "stale_revision");
    assert_eq!(approve(&app, &p.mika, id, 2).await.status, StatusCode::OK);
    assert_eq!(approve(&app, &p.hiro, id, 2).await.status, StatusCode::OK);

    // Meanwhile another change is published: the first must be rebased before publishing.
    let other = propose(&app, &p.mika, 1, "MQL at score 70", with_mql_score(&def1, 70)).await;
    let other_id = other["id"].as_i64().unwrap();
    approve(&app, &p.mika, other_id, 1).await;
    approve(&app, &p.hiro, other_id, 1).await;
    let res = publish(&app, &p.mika, other_id).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.json()["version"], 2);

    let res = publish(&app, &p.hiro, id).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.json()["error"]["code"], "stale_base");

    let res = app
        .post_json(
            &format!("/api/v1/proposals/{id}/rebase"),
            json!({}),
            Some(&p.hiro),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let rebased = res.json();
    assert_eq!(rebased["base_version"], 2);
    assert_eq!(rebased["revision"], 3);
    assert_eq!(
        rebased["diff"],
        json!([{"path": "stages.lead.entry.all[0].value", "before": 50, "after": 100}])
    );
    assert_eq!(approval_status(&rebased, "marketing"), "pending");
    approve(&app, &p.mika, id, 3).await;
    approve(&app, &p.hiro, id, 3).await;
    let res = publish(&app, &p.hiro, id).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.json()["version"], 3);

    // Version 3 carries both changes; version 1 still says 50.
    let (v3, def3) = current(&app, &p.ken).await;
    assert_eq!(v3, 3);
    assert_eq!(
        stage_mut(&mut def3.clone(), "lead")["entry"]["all"][0]["value"],
        100
    );
    assert_eq!(
        stage_mut(&mut def3.clone(), "mql")["entry"]["all"][0]["value"],
        70
    );
    let v1 = app.get("/api/v1/definitions/1", Some(&p.ken)).await.json();
    assert_eq!(
        stage_mut(&mut v1["definition"].clone(), "lead")["entry"]["all"][0]["value"],
        50
    );
    let diff = app.get("/api/v1/definitions/1/diff/3", Some(&p.ken)).await.json();
    let paths: Vec<_> = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        paths.contains(&"stages.lead.entry.all[0].value".to_owned()),
        "{paths:?}"
    );
    assert!(
        paths.iter().any(|p| p.starts_with("stages.mql.entry")),
        "{paths:?}"
    );

    // Who proposed, approved and published each version, when and why.
    let list = app.get("/api/v1/definitions", Some(&p.ken)).await.json();
    assert_eq!(list["current"], 3);
    let v3 = &list["versions"][0];
    assert_eq!(v3["version"], 3);
    assert_eq!(v3["title"], "Leads need 100+ employees");
    assert_eq!(v3["rationale"], "Win rates below 100 employees are under 5 %.");
    assert_eq!(v3["published_by"]["email"], "hiro@example.com");
    assert_eq!(v3["proposal_id"], id);
    let approvers: Vec<_> = v3["approvers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(approvers.len(), 2);
    assert!(
        approvers.contains(&"mika@example.com".to_owned())
            && approvers.contains(&"hiro@example.com".to_owned())
    );

    // Every step is in the audit trail, with its actor, and the chain verifies.
    let audit = app
        .get(
            &format!("/api/v1/audit?entity=proposal&entity_id={id}"),
            Some(&p.ken),
        )
        .await
        .json();
    let actions: Vec<(String, String)> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["actor"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for expected in [
        ("proposal.created", "hiro@example.com"),
        ("proposal.approved", "mika@example.com"),
        ("proposal.revised", "hiro@example.com"),
        ("proposal.rebased", "hiro@example.com"),
        ("proposal.published", "hiro@example.com"),
    ] {
        assert!(
            actions.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} missing from {actions:?}"
        );
    }
    let verify = app.get("/api/v1/audit/verify", Some(&p.ken)).await.json();
    assert_eq!(verify["ok"], true);
    assert!(verify["entries"].as_i64().unwrap() >= 14);
}

async fn who_may_draft_approve_publish_and_change_policy(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = people(&app).await;
    let (_, def) = current(&app, &p.ken).await;
    // Anyone signed in may draft; nobody anonymous.
    let body = json!({"base_version": 1, "title": "t", "rationale": "r", "definition": with_lead_threshold(&def, 60)});
    assert_eq!(
        app.post_json("/api/v1/proposals", body, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let proposal = propose(&app, &p.ken, 1, "Member's idea", with_lead_threshold(&def, 60)).await;
    let id = proposal["id"].as_i64().unwrap();

    // Only a leader of a required team approves, for their own team; admins never do.
    for (cookie, who) in [
        (&p.ken, "member"),
        (&p.sara, "leader of a team that is not required"),
        (&p.admin, "admin"),
    ] {
        let res = approve(&app, cookie, id, 1).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{who}: {}", res.text);
    }
    let res = approve(&app, &p.mika, id, 1).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(approval_status(&res.json(), "marketing"), "approved");
    assert_eq!(approval_status(&res.json(), "sales"), "pending");
    let res = approve(&app, &p.mika, id, 1).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.json()["error"]["code"], "already_approved");

    // Only admins change who must approve; the change is audited; then the SDR leader may approve.
    let res = app
        .send_json(
            "PUT",
            "/api/v1/approval-policy",
            json!({"teams": ["sales", "sdr", "marketing"]}),
            &p.mika,
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app
        .send_json(
            "PUT",
            "/api/v1/approval-policy",
            json!({"teams": ["sales", "sdr", "marketing"]}),
            &p.admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.json()["teams"], json!(["marketing", "sdr", "sales"]));
    let res = app
        .send_json("PUT", "/api/v1/approval-policy", json!({"teams": []}), &p.admin)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let audit = app
        .get("/api/v1/audit?entity=approval_policy", Some(&p.ken))
        .await
        .json();
    assert_eq!(audit["items"][0]["action"], "approval_policy.changed");
    assert_eq!(audit["items"][0]["actor"], "root@example.com");
    assert_eq!(approve(&app, &p.sara, id, 1).await.status, StatusCode::OK);
    approve(&app, &p.hiro, id, 1).await;

    // Only the author revises; a member author may publish once everyone approved.
    let res = app
        .send_json(
            "PUT",
            &format!("/api/v1/proposals/{id}"),
            json!({"revision": 1, "definition": def}),
            &p.mika,
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = publish(&app, &p.admin, id).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = publish(&app, &p.ken, id).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    // Rejecting needs a reason and a required team's leader; a closed proposal stays closed.
    let other = propose(&app, &p.hiro, 2, "Another", with_lead_threshold(&def, 70)).await;
    let oid = other["id"].as_i64().unwrap();
    let res = app
        .post_json(
            &format!("/api/v1/proposals/{oid}/reject"),
            json!({"reason": "  "}),
            Some(&p.mika),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post_json(
            &format!("/api/v1/proposals/{oid}/reject"),
            json!({"reason": "No"}),
            Some(&p.ken),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app
        .post_json(
            &format!("/api/v1/proposals/{oid}/reject"),
            json!({"reason": "Kills our MQL volume"}),
            Some(&p.mika),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["status"], "rejected");
    assert_eq!(res.json()["decision"]["reason"], "Kills our MQL volume");
    let res = approve(&app, &p.hiro, oid, 1).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.json()["error"]["code"], "proposal_closed");

    // Withdraw: the author or an admin, nobody else.
    let third = propose(&app, &p.hiro, 2, "Third", with_lead_threshold(&def, 75)).await;
    let tid = third["id"].as_i64().unwrap();
    assert_eq!(
        app.post_json(
            &format!("/api/v1/proposals/{tid}/withdraw"),
            json!({}),
            Some(&p.mika)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let res = app
        .post_json(
            &format!("/api/v1/proposals/{tid}/withdraw"),
            json!({}),
            Some(&p.admin),
        )
        .await;
    assert_eq!(res.json()["status"], "withdrawn");

    // Comments from anyone signed in.
    let res = app
        .post_json(
            &format!("/api/v1/proposals/{tid}/comments"),
            json!({"body": "Why 75?"}),
            Some(&p.sara),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED);
    assert_eq!(res.json()["comments"][0]["body"], "Why 75?");
    let res = app
        .post_json(
            &format!("/api/v1/proposals/{tid}/comments"),
            json!({"body": ""}),
            Some(&p.sara),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn an_invalid_definition_is_refused_naming_each_path(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = people(&app).await;
    let (_, def) = current(&app, &p.hiro).await;
    let mut bad = def.clone();
    stage_mut(&mut bad, "lead")["entry"] = json!({"all": [
        {"field": "account.headcount", "op": "gte", "value": 100},
        {"field": "lead.persona", "op": "gte", "value": "cmo"},
        {"field": "account.employees", "op": "gte", "value": "a hundred"}
    ]});
    let body = json!({"base_version": 1, "title": "Bad", "rationale": "r", "definition": bad});
    let res = app.post_json("/api/v1/proposals", body, Some(&p.hiro)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert_eq!(res.json()["error"]["code"], "invalid_definition");
    let details = res.json()["error"]["details"].as_array().unwrap().clone();
    let found = |path: &str, code: &str| {
        details
            .iter()
            .any(|d| d["path"].as_str().unwrap().starts_with(path) && d["code"] == code)
    };
    assert!(found("stages.lead.entry.all[0]", "unknown_field"), "{details:?}");
    assert!(found("stages.lead.entry.all[1]", "op_not_allowed"), "{details:?}");
    assert!(
        found("stages.lead.entry.all[2].value", "wrong_value_type"),
        "{details:?}"
    );
    // An unknown operator is named with its path too (not a generic parse error).
    let mut bad_op = def.clone();
    stage_mut(&mut bad_op, "lead")["entry"]["all"][0]["op"] = json!("greater_than");
    let body = json!({"base_version": 1, "title": "Bad op", "rationale": "r", "definition": bad_op});
    let res = app.post_json("/api/v1/proposals", body, Some(&p.hiro)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let details = res.json()["error"]["details"].as_array().unwrap().clone();
    assert!(
        details.iter().any(|d| d["path"]
            .as_str()
            .unwrap()
            .starts_with("stages.lead.entry.all[0]")),
        "{details:?}"
    );
    // Nothing was stored.
    assert_eq!(
        app.get("/api/v1/proposals", Some(&p.hiro)).await.json(),
        json!([])
    );
    // Title and rationale are required too.
    let body = json!({"base_version": 1, "title": " ", "rationale": "", "definition": def});
    let res = app.post_json("/api/v1/proposals", body, Some(&p.hiro)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<_> = res.json()["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["title", "rationale"]);
}

async fn concurrent_publishes_leave_exactly_one_current_version(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = people(&app).await;
    let (_, def) = current(&app, &p.hiro).await;
    let mut ids = Vec::new();
    for n in 0..4 {
        let proposal = propose(
            &app,
            &p.hiro,
            1,
            &format!("Option {n}"),
            with_lead_threshold(&def, 60 + n),
        )
        .await;
        let id = proposal["id"].as_i64().unwrap();
        approve(&app, &p.hiro, id, 1).await;
        approve(&app, &p.mika, id, 1).await;
        ids.push(id);
    }
    let results = futures_join_all(&app, &p.hiro, &ids).await;
    let ok = results.iter().filter(|s| **s == StatusCode::OK).count();
    let stale = results.iter().filter(|s| **s == StatusCode::CONFLICT).count();
    assert_eq!((ok, stale), (1, 3), "{results:?}");
    let list = app.get("/api/v1/definitions", Some(&p.hiro)).await.json();
    assert_eq!(list["current"], 2);
    assert_eq!(list["versions"].as_array().unwrap().len(), 2);
    let current_rows = app
        .scalar("SELECT COUNT(*) FROM definition_versions WHERE is_current = TRUE")
        .await;
    assert_eq!(current_rows, 1);
    assert_eq!(
        app.get("/api/v1/audit/verify", Some(&p.hiro)).await.json()["ok"],
        true
    );
}

async fn futures_join_all(app: &TestApp, cookie: &str, ids: &[i64]) -> Vec<StatusCode> {
    let mut handles = Vec::new();
    for id in ids {
        let router = app.router.clone();
        let cookie = cookie.to_owned();
        let id = *id;
        handles.push(tokio::spawn(async move {
            use tower::ServiceExt;
            let req = http::Request::post(format!("/api/v1/proposals/{id}/publish"))
                .header(http::header::COOKIE, cookie)
                .header(http::header::CONTENT_TYPE, "application/json")
                .body(axum::body::Body::from("{}"))
                .unwrap();
            router.oneshot(req).await.unwrap().status()
        }));
    }
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

async fn a_rebase_that_collides_names_the_conflicting_paths(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = people(&app).await;
    let (_, def) = current(&app, &p.hiro).await;
    let mine = propose(&app, &p.hiro, 1, "100", with_lead_threshold(&def, 100)).await;
    let theirs = propose(&app, &p.mika, 1, "80", with_lead_threshold(&def, 80)).await;
    let tid = theirs["id"].as_i64().unwrap();
    approve(&app, &p.mika, tid, 1).await;
    approve(&app, &p.hiro, tid, 1).await;
    assert_eq!(publish(&app, &p.mika, tid).await.status, StatusCode::OK);
    let mid = mine["id"].as_i64().unwrap();
    let res = app
        .post_json(
            &format!("/api/v1/proposals/{mid}/rebase"),
            json!({}),
            Some(&p.hiro),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
    assert_eq!(res.json()["error"]["code"], "rebase_conflict");
    assert_eq!(
        res.json()["error"]["details"]["paths"],
        json!(["stages.lead.entry.all[0].value"])
    );
    // The proposal is untouched.
    let again = app
        .get(&format!("/api/v1/proposals/{mid}"), Some(&p.hiro))
        .await
        .json();
    assert_eq!(
        (again["revision"].as_i64(), again["base_version"].as_i64()),
        (Some(1), Some(1))
    );
}

async fn the_audit_chain_detects_a_tampered_entry(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = people(&app).await;
    let (_, def) = current(&app, &p.hiro).await;
    propose(&app, &p.hiro, 1, "x", with_lead_threshold(&def, 90)).await;
    assert_eq!(
        app.get("/api/v1/audit/verify", Some(&p.hiro)).await.json()["ok"],
        true
    );
    // The table refuses edits…
    let edit = "UPDATE audit_log SET actor = 'mallory@example.com' WHERE seq = 1";
    let refused = match &app.state.db {
        app::store::Db::Sqlite(pool) => sqlx::query(edit).execute(pool).await.is_err(),
        app::store::Db::Postgres(pool) => sqlx::query(edit).execute(pool).await.is_err(),
    };
    assert!(refused, "audit_log accepted an UPDATE");
    // …and if someone bypasses that, verification names the entry.
    match &app.state.db {
        app::store::Db::Sqlite(pool) => {
            sqlx::query("DROP TRIGGER audit_log_no_update")
                .execute(pool)
                .await
                .unwrap();
            sqlx::query(edit).execute(pool).await.unwrap();
        }
        app::store::Db::Postgres(pool) => {
            sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER ALL")
                .execute(pool)
                .await
                .unwrap();
            sqlx::query(edit).execute(pool).await.unwrap();
        }
    }
    let verify = app.get("/api/v1/audit/verify", Some(&p.hiro)).await.json();
    assert_eq!(verify["ok"], false);
    assert_eq!(verify["first_bad_seq"], 1);
}

on_both_backends!(
    the_fifty_to_one_hundred_story,
    who_may_draft_approve_publish_and_change_policy,
    an_invalid_definition_is_refused_naming_each_path,
    concurrent_publishes_leave_exactly_one_current_version,
    a_rebase_that_collides_names_the_conflicting_paths,
    the_audit_chain_detects_a_tampered_entry,
);
