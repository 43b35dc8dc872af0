//! The leads and accounts screens on both backends: the list filters, sorts and pages from
//! its URL (and the API does the same), the lead screen explains score and criteria, manual
//! moves need a reason and the owning team, accounts group contacts by stage, Japanese works.

mod common;

use axum::body::Body;
use http::{Request, StatusCode, header};
use serde_json::json;

use common::{Backend, PASSWORD, TestApp, TestResponse};

/// Ids of the demo-sized data every test starts from.
struct Data {
    amy: i64,
    bob: i64,
    cat: i64,
    dan: i64,
    eve: i64,
    zeta: i64,
    alpha: i64,
}

/// Five leads at four stages and scores 60, 30, 16, 0, 0:
/// - amy@zeta.io  Amy Zane  Zeta Corp (500, target tier 1)  demo + meeting + form → MQL (60)
/// - bob@zeta.io  Bob Young Zeta Corp                       demo → Lead (30)
/// - cat@alpha.io Cat Xu    Alpha GmbH (80)                  2 downloads → Lead (16)
/// - dan@mu.io    Dan Wu    Mu LLC (10)                      → Subscriber (too small)
/// - eve@nowhere.io (no name, no consent, no account)        → Prospect
async fn seed(app: &TestApp, cookie: &str) -> Data {
    let mut accounts = Vec::new();
    for (domain, name, employees, target, tier) in [
        ("zeta.io", "Zeta Corp", 500, true, Some("1")),
        ("alpha.io", "Alpha GmbH", 80, false, None),
        ("mu.io", "Mu LLC", 10, false, None),
    ] {
        let res = app
            .post_json(
                "/api/v1/accounts",
                json!({"domain": domain, "name": name, "employees": employees, "is_target": target, "tier": tier}),
                Some(cookie),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        accounts.push(res.json()["id"].as_i64().unwrap());
    }
    let mut ids = Vec::new();
    for (email, first, last, persona, consent, domain, activities) in [
        (
            "amy@zeta.io",
            "Amy",
            "Zane",
            "cmo",
            true,
            Some("zeta.io"),
            &["demo_request", "meeting_booked", "form_submit"][..],
        ),
        (
            "bob@zeta.io",
            "Bob",
            "Young",
            "cto",
            true,
            Some("zeta.io"),
            &["demo_request"][..],
        ),
        (
            "cat@alpha.io",
            "Cat",
            "Xu",
            "cfo",
            true,
            Some("alpha.io"),
            &["content_download", "content_download"][..],
        ),
        ("dan@mu.io", "Dan", "Wu", "ceo", true, Some("mu.io"), &[][..]),
        ("eve@nowhere.io", "", "", "", false, None, &[][..]),
    ] {
        let opt = |v: &str| (!v.is_empty()).then(|| v.to_owned());
        let res = app
            .post_json(
                "/api/v1/leads",
                json!({"email": email, "first_name": opt(first), "last_name": opt(last),
                       "persona": opt(persona), "consent": consent, "account_domain": domain}),
                Some(cookie),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        ids.push(res.json()["id"].as_i64().unwrap());
        for kind in activities {
            let res = app
                .post_json(
                    "/api/v1/activities",
                    json!({"lead_email": email, "kind": kind}),
                    Some(cookie),
                )
                .await;
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        }
    }
    Data {
        amy: ids[0],
        bob: ids[1],
        cat: ids[2],
        dan: ids[3],
        eve: ids[4],
        zeta: accounts[0],
        alpha: accounts[1],
    }
}

async fn signed_in(app: &TestApp, email: &str, team: &str, role: &str) -> String {
    app.user(email, team, role).await;
    app.sign_in(email, PASSWORD).await
}

/// The emails of `GET /api/v1/leads?{query}`, in order, and the total.
async fn emails(app: &TestApp, cookie: &str, query: &str) -> (i64, Vec<String>) {
    let res = app.get(&format!("/api/v1/leads?{query}"), Some(cookie)).await;
    assert_eq!(res.status, StatusCode::OK, "{query}: {}", res.text);
    let body = res.json();
    let items = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["email"].as_str().unwrap().to_owned())
        .collect();
    (body["total"].as_i64().unwrap(), items)
}

/// Posts a form to a server function, as a plain HTML form would but asking for the data.
async fn call(app: &TestApp, name: &str, form: &str, cookie: &str) -> TestResponse {
    let req = Request::post(format!("/api/{name}"))
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .unwrap();
    app.send(req).await
}

/// The position of `needle` in `haystack`, failing the test when it is missing.
fn at(haystack: &str, needle: &str) -> usize {
    haystack
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not found in the page"))
}

async fn the_lead_list_filters_sorts_and_pages_in_sql(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ken = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let d = seed(&app, &ken).await;
    let all = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();

    // Sorts: ties fall back to the id in the same direction, so pages never overlap.
    assert_eq!(
        emails(&app, &ken, "sort=score&dir=desc").await.1,
        all(&[
            "amy@zeta.io",
            "bob@zeta.io",
            "cat@alpha.io",
            "eve@nowhere.io",
            "dan@mu.io"
        ])
    );
    // Stage sorts in funnel order, not alphabetically.
    assert_eq!(
        emails(&app, &ken, "sort=stage&dir=asc").await.1,
        all(&[
            "eve@nowhere.io",
            "dan@mu.io",
            "bob@zeta.io",
            "cat@alpha.io",
            "amy@zeta.io"
        ])
    );
    assert_eq!(
        emails(&app, &ken, "sort=name").await.1,
        all(&[
            "eve@nowhere.io",
            "amy@zeta.io",
            "bob@zeta.io",
            "cat@alpha.io",
            "dan@mu.io"
        ])
    );
    assert_eq!(
        emails(&app, &ken, "sort=account&dir=asc").await.1,
        all(&[
            "eve@nowhere.io",
            "cat@alpha.io",
            "dan@mu.io",
            "amy@zeta.io",
            "bob@zeta.io"
        ])
    );
    assert_eq!(
        emails(&app, &ken, "sort=email&dir=desc").await.1,
        all(&[
            "eve@nowhere.io",
            "dan@mu.io",
            "cat@alpha.io",
            "bob@zeta.io",
            "amy@zeta.io"
        ])
    );

    // Filters: owner team (of the stage), stage, account, target / tier, free text.
    assert_eq!(
        emails(&app, &ken, "owner_team=sdr").await.1,
        all(&["amy@zeta.io"])
    );
    assert_eq!(
        emails(&app, &ken, "owner_team=marketing&sort=email&dir=asc")
            .await
            .1,
        all(&["bob@zeta.io", "cat@alpha.io", "dan@mu.io", "eve@nowhere.io"])
    );
    assert_eq!(
        emails(&app, &ken, "stage=lead&sort=score").await.1,
        all(&["bob@zeta.io", "cat@alpha.io"])
    );
    assert_eq!(
        emails(&app, &ken, "owner_team=sales&stage=lead").await,
        (0, vec![])
    );
    assert_eq!(
        emails(&app, &ken, &format!("account={}", d.alpha)).await.1,
        all(&["cat@alpha.io"])
    );
    let target = all(&["amy@zeta.io", "bob@zeta.io"]);
    assert_eq!(
        emails(&app, &ken, "target_only=true&sort=email&dir=asc").await.1,
        target
    );
    assert_eq!(emails(&app, &ken, "tier=1&sort=email&dir=asc").await.1, target);
    assert_eq!(emails(&app, &ken, "q=ZETA&sort=email&dir=asc").await.1, target);
    assert_eq!(emails(&app, &ken, "q=cat%20xu").await.1, all(&["cat@alpha.io"]));
    assert_eq!(emails(&app, &ken, "q=nowhere").await.1, all(&["eve@nowhere.io"]));

    // Pages: the total counts every match, the page holds its share.
    assert_eq!(
        emails(&app, &ken, "sort=email&dir=asc&per_page=2&page=2").await,
        (5, all(&["cat@alpha.io", "dan@mu.io"]))
    );
    assert_eq!(
        emails(&app, &ken, "sort=email&dir=asc&per_page=2&page=3").await,
        (5, all(&["eve@nowhere.io"]))
    );

    // Sort columns are a whitelist: anything else is refused by name, never run.
    for bad in [
        "sort=password_hash",
        "sort=score%3B%20DROP%20TABLE%20leads",
        "dir=sideways",
    ] {
        let res = app.get(&format!("/api/v1/leads?{bad}"), Some(&ken)).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            res.text
        );
        let field = res.json()["error"]["details"][0]["field"].clone();
        assert!(field == "sort" || field == "dir", "{bad}: {}", res.text);
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM leads").await, 5);
    let _ = (d.amy, d.bob, d.cat, d.dan, d.eve, d.zeta);
}

async fn the_leads_page_renders_the_view_its_url_describes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ken = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let d = seed(&app, &ken).await;

    let page = app
        .get_page("/leads?stage=lead&sort=score&dir=desc", Some(&ken))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = &page.text;
    assert!(html.contains(r#"id="leads-table""#), "{html}");
    assert!(
        at(html, &format!(r#"data-lead-id="{}""#, d.bob)) < at(html, &format!(r#"data-lead-id="{}""#, d.cat))
    );
    assert!(!html.contains("amy@zeta.io") && !html.contains("dan@mu.io"));
    assert!(html.contains(r#"aria-sort="descending""#));
    // The filter form shows the filters in force, and the nav offers leads and accounts.
    assert!(html.contains(r#"<option value="lead" selected"#), "{html}");
    assert!(html.contains(r#"href="/leads""#) && html.contains(r#"href="/accounts""#));
    // Clicking the sorted header again flips the direction and keeps the filter.
    assert!(
        html.contains("/leads?stage=lead&amp;sort=score&amp;dir=asc"),
        "{html}"
    );

    // Page 2 of 3 (two per page, by email): its rows, the count and both neighbours' links.
    let page = app
        .get_page("/leads?sort=email&dir=asc&page=2&per_page=2", Some(&ken))
        .await;
    let html = &page.text;
    assert!(html.contains("3–4 of 5"), "{html}");
    assert!(html.contains("cat@alpha.io") && html.contains("dan@mu.io"));
    assert!(!html.contains("amy@zeta.io") && !html.contains("eve@nowhere.io"));
    assert!(
        html.contains("/leads?sort=email&amp;dir=asc&amp;page=3&amp;per_page=2"),
        "{html}"
    );
    assert!(
        html.contains("/leads?sort=email&amp;dir=asc&amp;per_page=2"),
        "{html}"
    );

    // Nothing matches: an empty state that says what to do.
    let page = app.get_page("/leads?q=nobody-at-all", Some(&ken)).await;
    assert!(page.text.contains("No leads match these filters."));
}

async fn the_lead_page_explains_the_score_and_the_criteria(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ken = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let d = seed(&app, &ken).await;

    let html = app.get_page(&format!("/leads/{}", d.amy), Some(&ken)).await.text;
    // The breakdown: one line per scored kind, totalling the stored score.
    assert!(html.contains(r#"id="score-breakdown""#), "{html}");
    for kind in ["demo_request", "meeting_booked", "form_submit"] {
        assert!(html.contains(&format!(r#"data-kind="{kind}""#)), "{kind}");
    }
    assert!(html.contains("Demo request"));
    assert!(
        html.contains(r#"data-testid="score-total" class="num score-total">60<"#),
        "{html}"
    );
    assert!(!html.contains("score-stale"));
    assert!(html.contains("Only activities of the last 90 days count."));
    // Criteria of version 1, stage by stage.
    assert!(html.contains("Entry criteria (version 1)"));
    assert!(html.contains(r#"data-stage="mql" data-met="met""#), "{html}");
    assert!(html.contains(r#"data-stage="sql" data-met="manual""#));
    assert!(html.contains("Lead score ≥ 60"));
    // History and facts.
    assert!(html.contains(r#"id="stage-history""#) && html.contains(r#"data-cause="rule""#));
    assert!(html.contains("Criteria met"));
    assert!(html.contains("Zeta Corp") && html.contains(&format!(r#"href="/accounts/{}""#, d.zeta)));

    // A lead too small for the Lead stage sees which condition it misses, and caps show.
    let html = app.get_page(&format!("/leads/{}", d.dan), Some(&ken)).await.text;
    assert!(html.contains(r#"data-stage="lead" data-met="missed""#), "{html}");
    assert!(html.contains(r#"<li data-path="stages.lead.entry.all[0]" class="condition-outcome missed">"#));
    assert!(html.contains(r#"<li data-path="stages.lead.entry.all[1]" class="condition-outcome met">"#));
    assert!(html.contains("Account employees ≥ 50"));
    assert!(html.contains("No scored activity yet"));

    let res = app.get_page("/leads/999999", Some(&ken)).await;
    assert!(res.text.contains("Not found."));
}

async fn a_backward_move_needs_a_reason_and_lands_in_the_history(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ken = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let d = seed(&app, &ken).await;
    let tom = signed_in(&app, "tom@example.com", "sdr", "member").await;

    // MQL is the SDR team's stage: Tom sees the move form.
    let html = app.get_page(&format!("/leads/{}", d.amy), Some(&tom)).await.text;
    assert!(html.contains(r#"id="move-form""#), "{html}");
    assert!(html.contains("← Lead (back)"));

    let res = call(
        &app,
        "move_lead",
        &format!("id={}&stage=lead&reason=+", d.amy),
        &tom,
    )
    .await;
    assert!(!res.status.is_success(), "{}", res.text);
    assert!(
        res.text.contains("reason_required_for_backward_move"),
        "{}",
        res.text
    );
    assert!(res.text.contains(r#""field":"reason""#), "{}", res.text);
    let lead = app
        .get(&format!("/api/v1/leads/{}", d.amy), Some(&tom))
        .await
        .json();
    assert_eq!(lead["stage"], "mql");

    let res = call(
        &app,
        "move_lead",
        &format!("id={}&stage=lead&reason=No+budget+until+April", d.amy),
        &tom,
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let lead = app
        .get(&format!("/api/v1/leads/{}", d.amy), Some(&tom))
        .await
        .json();
    assert_eq!(lead["stage"], "lead");
    let last = lead["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["from"].clone(), last["to"].clone(), last["cause"].clone()),
        (json!("mql"), json!("lead"), json!("manual"))
    );
    assert_eq!(last["actor"], "tom@example.com");
    assert_eq!(last["reason"], "No budget until April");

    let html = app.get_page(&format!("/leads/{}", d.amy), Some(&tom)).await.text;
    assert!(html.contains(r#"data-cause="manual" data-to="lead""#), "{html}");
    assert!(html.contains("No budget until April") && html.contains("Manual move"));
}

async fn only_the_team_owning_the_stage_may_move_a_lead(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ken = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let d = seed(&app, &ken).await;
    let emma = signed_in(&app, "emma@example.com", "sales", "member").await;

    // Amy is an MQL (SDR's stage): neither marketing nor sales gets the form, nor the move.
    for (who, cookie) in [("ken", &ken), ("emma", &emma)] {
        let html = app
            .get_page(&format!("/leads/{}", d.amy), Some(cookie))
            .await
            .text;
        assert!(html.contains(r#"id="score-breakdown""#), "{who}");
        assert!(!html.contains(r#"id="move-form""#), "{who} sees the move form");
        let res = call(
            &app,
            "move_lead",
            &format!("id={}&stage=lead&reason=x", d.amy),
            cookie,
        )
        .await;
        assert!(!res.status.is_success(), "{who}: {}", res.text);
        assert!(res.text.contains("Forbidden"), "{who}: {}", res.text);
    }
    let lead = app
        .get(&format!("/api/v1/leads/{}", d.amy), Some(&ken))
        .await
        .json();
    assert_eq!(lead["stage"], "mql");
    assert_eq!(lead["history"].as_array().unwrap().len(), 3);

    // Bob is a Lead (marketing's stage): Ken may move him forward without a reason.
    let res = call(
        &app,
        "move_lead",
        &format!("id={}&stage=mql&reason=", d.bob),
        &ken,
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    // Nobody signed in: refused.
    let req = Request::post("/api/move_lead")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("id={}&stage=lead&reason=x", d.amy)))
        .unwrap();
    let res = app.send(req).await;
    assert!(
        !res.status.is_success() && res.text.contains("Unauthorized"),
        "{}",
        res.text
    );
}

async fn an_account_page_groups_its_contacts_by_stage(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ken = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let d = seed(&app, &ken).await;

    let html = app
        .get_page(&format!("/accounts/{}", d.zeta), Some(&ken))
        .await
        .text;
    assert!(
        html.contains(r#"data-testid="account-name">Zeta Corp<"#),
        "{html}"
    );
    // Furthest stage first; each contact under its stage.
    let mql = at(&html, r#"<section data-stage="mql" class="card stage-group">"#);
    let lead = at(&html, r#"<section data-stage="lead" class="card stage-group">"#);
    let amy = at(&html, &format!(r#"data-lead-id="{}""#, d.amy));
    let bob = at(&html, &format!(r#"data-lead-id="{}""#, d.bob));
    assert!(mql < amy && amy < lead && lead < bob, "{html}");
    assert!(!html.contains(r#"data-stage="subscriber">"#));
    // The roll-up is the furthest stage of its contacts.
    assert!(
        html.contains(
            r#"data-testid="account-rollup"><span data-stage="mql" class="badge stage-badge team-sdr">MQL<"#
        ),
        "{html}"
    );
    assert!(html.contains("Target · Tier 1"));

    // The account list: search, target filter, contact counts.
    let html = app.get_page("/accounts?target_only=true", Some(&ken)).await.text;
    assert!(html.contains(r#"id="accounts-table""#), "{html}");
    assert!(html.contains("Zeta Corp") && !html.contains("Alpha GmbH"));
    assert!(
        html.contains(&format!(r#"href="/leads?account={}">2<"#, d.zeta)),
        "{html}"
    );
    let html = app.get_page("/accounts?q=alp", Some(&ken)).await.text;
    assert!(html.contains("Alpha GmbH") && !html.contains("Zeta Corp"));
    assert!(html.contains(&format!(r#"data-account-id="{}""#, d.alpha)));
    let html = app.get_page("/accounts?q=nothing-like-it", Some(&ken)).await.text;
    assert!(html.contains("No accounts match these filters."));
}

async fn the_lead_screens_speak_japanese(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ken = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let d = seed(&app, &ken).await;
    let tom = signed_in(&app, "tom@example.com", "sdr", "member").await;
    let req = Request::post("/api/set_locale")
        .header(header::COOKIE, &tom)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("locale=ja"))
        .unwrap();
    assert!(!app.send(req).await.status.is_server_error());

    let html = app.get_page("/leads?sort=score", Some(&tom)).await.text;
    assert!(html.contains(r#"lang="ja""#), "{html}");
    assert!(html.contains("リードスコア") && html.contains("絞り込む") && html.contains("取引先企業"));
    assert!(html.contains("全5件中 1〜5件"), "{html}");
    assert!(
        !html.contains("leads.") && !html.contains("Apply filters"),
        "{html}"
    );

    let html = app.get_page(&format!("/leads/{}", d.amy), Some(&tom)).await.text;
    assert!(
        html.contains("リードスコアの内訳") && html.contains("開始条件（バージョン 1）"),
        "{html}"
    );
    assert!(html.contains("デモ依頼") || html.contains("デモ"), "{html}");
    assert!(html.contains("年") && html.contains("条件を満たした"));
    assert!(html.contains("ステージを変更"));

    let html = app
        .get_page(&format!("/accounts/{}", d.zeta), Some(&tom))
        .await
        .text;
    assert!(
        html.contains("ターゲット · ティア 1") && html.contains("ライフサイクルステージ（ロールアップ）")
    );

    // The inline error of a move back without a reason, in Japanese.
    let message = app::error::AppError::field("reason", "reason_required_for_backward_move")
        .message(app::i18n::Locale::Ja);
    assert!(message.starts_with("理由"), "{message}");
}

on_both_backends!(
    the_lead_list_filters_sorts_and_pages_in_sql,
    the_leads_page_renders_the_view_its_url_describes,
    the_lead_page_explains_the_score_and_the_criteria,
    a_backward_move_needs_a_reason_and_lands_in_the_history,
    only_the_team_owning_the_stage_may_move_a_lead,
    an_account_page_groups_its_contacts_by_stage,
    the_lead_screens_speak_japanese,
);
