//! CSV imports through the JSON API on both backends: messy files (BOM, CRLF, quotes,
//! embedded newlines, Japanese headers, Shift_JIS), counts that always add up, an error
//! report for every row not taken, dry runs that write nothing, forward-only stages,
//! idempotent re-runs, the wizard's upload-then-run and the limits.

mod common;

use std::time::Duration;

use axum::body::Body;
use http::{Request, StatusCode, header};
use serde_json::{Value, json};

use common::{Backend, PASSWORD, TestApp, TestResponse};

const MESSY: &[u8] = include_bytes!("../../app/tests/fixtures/imports/leads_messy_utf8_bom_crlf.csv");
const SHIFT_JIS: &[u8] = include_bytes!("../../app/tests/fixtures/imports/leads_ja_shift_jis.csv");
const ACCOUNTS: &[u8] = include_bytes!("../../app/tests/fixtures/imports/accounts.csv");

async fn signed_in(app: &TestApp, email: &str) -> String {
    app.user(email, "marketing", "member").await;
    app.sign_in(email, PASSWORD).await
}

/// A multipart request: text fields, then the file.
async fn upload(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    file: (&str, &[u8]),
    cookie: Option<&str>,
) -> TestResponse {
    let boundary = "accord-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: text/csv\r\n\r\n",
            file.0
        )
        .as_bytes(),
    );
    body.extend_from_slice(file.1);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut req = Request::post(path).header(
        header::CONTENT_TYPE,
        format!("multipart/form-data; boundary={boundary}"),
    );
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    app.send(req.body(Body::from(body)).unwrap()).await
}

/// Polls the job until it stops (the import runs in the background).
async fn finished(app: &TestApp, id: i64, cookie: &str) -> Value {
    for _ in 0..1500 {
        let res = app.get(&format!("/api/v1/imports/{id}"), Some(cookie)).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let job = res.json();
        if job["status"] == "done" || job["status"] == "failed" {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("import {id} did not finish within 30 s");
}

async fn import(app: &TestApp, cookie: &str, kind: &str, dry_run: bool, file: (&str, &[u8])) -> Value {
    let dry = if dry_run { "true" } else { "false" };
    let res = upload(
        app,
        "/api/v1/imports",
        &[("kind", kind), ("dry_run", dry)],
        file,
        Some(cookie),
    )
    .await;
    assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.text);
    let id = res.json()["id"].as_i64().expect("job id");
    finished(app, id, cookie).await
}

fn counts(job: &Value) -> [i64; 6] {
    let n = |k: &str| job[k].as_i64().unwrap_or_else(|| panic!("{k} in {job}"));
    [
        n("total_rows"),
        n("created"),
        n("updated"),
        n("unchanged"),
        n("failed"),
        n("stage_changes"),
    ]
}

fn assert_adds_up(job: &Value) {
    let [total, created, updated, unchanged, failed, _] = counts(job);
    assert_eq!(
        created + updated + unchanged + failed,
        total,
        "counts must add up: {job}"
    );
    assert_eq!(job["processed"].as_i64(), Some(total), "{job}");
}

/// The error report, parsed: (row, column, value, message) per line.
async fn report(app: &TestApp, id: i64, cookie: &str) -> Vec<(u64, String, String, String)> {
    let res = app
        .get(&format!("/api/v1/imports/{id}/errors.csv"), Some(cookie))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(
        res.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = res.text.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["row", "column", "value", "message"]
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[0].parse().unwrap(),
                r[1].to_owned(),
                r[2].to_owned(),
                r[3].to_owned(),
            )
        })
        .collect()
}

async fn lead(app: &TestApp, email: &str, cookie: &str) -> Value {
    let res = app.get(&format!("/api/v1/leads?q={email}"), Some(cookie)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let items = res.json()["items"].as_array().cloned().unwrap_or_default();
    items
        .into_iter()
        .find(|l| l["email"] == email)
        .unwrap_or_else(|| panic!("no lead {email}"))
}

async fn a_messy_utf8_file_imports_every_good_row_and_reports_every_bad_one(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ken = signed_in(&app, "ken@accord.test").await;
    let job = import(&app, &ken, "leads", false, ("messy.csv", MESSY)).await;
    assert_eq!(job["status"], "done", "{job}");
    assert_adds_up(&job);
    // aya (row 2) created, AYA (row 3) is the same lead and changes nothing, ken (4, a
    // quoted cell over two lines) and taro (10) created; rows 5–9 refused.
    assert_eq!(counts(&job), [9, 3, 0, 1, 5, 3], "{job}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM leads").await, 3);

    let errors = report(&app, job["id"].as_i64().unwrap(), &ken).await;
    let rows: Vec<u64> = errors.iter().map(|e| e.0).collect();
    assert_eq!(rows, [5, 6, 7, 8, 9], "{errors:?}");
    let find = |row: u64| errors.iter().find(|e| e.0 == row).unwrap();
    assert_eq!(find(5).1, "email");
    assert_eq!(find(5).2, "not-an-email");
    assert_eq!((find(6).1.as_str(), find(6).2.as_str()), ("employees", "-5"));
    assert_eq!((find(7).1.as_str(), find(7).2.as_str()), ("employees", "abc"));
    assert_eq!(
        (find(8).1.as_str(), find(8).2.as_str()),
        ("lifecycle_stage", "Hot")
    );
    assert!(
        find(8).3.contains("mql"),
        "the message lists the stages: {}",
        find(8).3
    );
    assert_eq!(find(9).1, "*");
    assert!(find(9).3.contains("expected 9 columns"), "{}", find(9).3);

    // Quotes, commas and the embedded newline arrive intact; stages were applied forward.
    let ken_lead = lead(&app, "ken@example.com", &ken).await;
    assert_eq!(ken_lead["first_name"], "Ken \"KJ\"");
    assert_eq!(ken_lead["job_title"], "Line one\nLine two");
    assert_eq!(ken_lead["stage"], "sql");
    assert_eq!(ken_lead["account"]["domain"], "example.com");
    let aya = lead(&app, "aya@example.jp", &ken).await;
    assert_eq!(aya["job_title"], "Head of Marketing, APAC");
    assert_eq!(aya["stage"], "mql");
    let taro = lead(&app, "taro@example.co.jp", &ken).await;
    assert_eq!(taro["first_name"], "太郎");
    assert_eq!(taro["stage"], "lead");
    assert_eq!(
        app.scalar("SELECT employees FROM accounts WHERE domain = 'example.com'")
            .await,
        1200
    );
    // Passing MQL's gate (aya into MQL, ken through it to SQL) opened the SDR handoffs, as
    // any other way into MQL does.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM handoffs WHERE stage = 'mql' AND status = 'pending'")
            .await,
        2
    );
    // Each new lead has one history row with cause `import`: it enters the funnel at the
    // stage it qualifies for.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM stage_transitions WHERE cause = 'import' AND from_stage IS NULL")
            .await,
        3
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM stage_transitions WHERE to_stage = 'sql'")
            .await,
        1
    );
    // The accounts roll up to their furthest contact.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM accounts WHERE domain = 'example.jp' AND stage = 'mql'")
            .await,
        1
    );
    let moves = job["moves"].as_array().unwrap();
    assert!(
        moves
            .iter()
            .any(|m| m["from"] == "prospect" && m["to"] == "mql" && m["count"] == 1),
        "{moves:?}"
    );
}

async fn running_the_same_file_again_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ken = signed_in(&app, "ken@accord.test").await;
    import(&app, &ken, "leads", false, ("messy.csv", MESSY)).await;
    let history = app.scalar("SELECT COUNT(*) FROM stage_transitions").await;
    let again = import(&app, &ken, "leads", false, ("messy.csv", MESSY)).await;
    assert_adds_up(&again);
    assert_eq!(counts(&again), [9, 0, 0, 4, 5, 0], "{again}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM leads").await, 3);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM stage_transitions").await,
        history
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM handoffs").await, 2);
}

async fn a_dry_run_reports_what_would_happen_and_writes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ken = signed_in(&app, "ken@accord.test").await;
    let dry = import(&app, &ken, "leads", true, ("messy.csv", MESSY)).await;
    assert_eq!(dry["dry_run"], true);
    assert_eq!(counts(&dry), [9, 3, 0, 1, 5, 3], "{dry}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM leads").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM accounts").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM stage_transitions").await, 0);
    // The report is there all the same.
    assert_eq!(report(&app, dry["id"].as_i64().unwrap(), &ken).await.len(), 5);
    // The real run does what the dry run said.
    let real = import(&app, &ken, "leads", false, ("messy.csv", MESSY)).await;
    assert_eq!(counts(&real), counts(&dry));
    assert_eq!(real["moves"], dry["moves"]);
}

async fn a_shift_jis_file_with_japanese_headers_imports(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ken = signed_in(&app, "ken@accord.test").await;
    let job = import(&app, &ken, "leads", false, ("リード.csv", SHIFT_JIS)).await;
    assert_adds_up(&job);
    assert_eq!(counts(&job)[..5], [3, 2, 0, 0, 1], "{job}");
    let hanako = lead(&app, "hanako@example.co.jp", &ken).await;
    assert_eq!(hanako["last_name"], "鈴木");
    assert_eq!(hanako["job_title"], "営業部\n課長");
    assert_eq!(hanako["consent"], false);
    let taro = lead(&app, "taro@example.co.jp", &ken).await;
    assert_eq!(taro["stage"], "mql");
    assert_eq!(taro["account"]["name"], "株式会社サンプル");
    let errors = report(&app, job["id"].as_i64().unwrap(), &ken).await;
    assert!(errors.iter().all(|e| e.0 == 4), "{errors:?}");
    let columns: Vec<&str> = errors.iter().map(|e| e.1.as_str()).collect();
    for column in ["employees", "lifecycle_stage", "consent"] {
        assert!(columns.contains(&column), "{column} in {errors:?}");
    }
    assert!(errors.iter().any(|e| e.2 == "マイナス"), "{errors:?}");
}

async fn an_import_moves_leads_forward_only_and_reports_a_backward_value(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ken = signed_in(&app, "ken@accord.test").await;
    let first = b"email,lifecycle_stage\nmia@example.com,mql\nleo@example.com,\n";
    import(&app, &ken, "leads", false, ("a.csv", first)).await;
    let second = b"email,lifecycle_stage,job_title\nmia@example.com,subscriber,CTO\nleo@example.com,lead,\n";
    let job = import(&app, &ken, "leads", false, ("b.csv", second)).await;
    assert_eq!(counts(&job), [2, 0, 2, 0, 0, 1], "{job}");
    let mia = lead(&app, "mia@example.com", &ken).await;
    assert_eq!(mia["stage"], "mql", "never moved back by an import");
    assert_eq!(mia["job_title"], "CTO", "the rest of the row is applied");
    assert_eq!(lead(&app, "leo@example.com", &ken).await["stage"], "lead");
    let errors = report(&app, job["id"].as_i64().unwrap(), &ken).await;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        (errors[0].0, errors[0].1.as_str(), errors[0].2.as_str()),
        (2, "lifecycle_stage", "subscriber")
    );
    assert!(errors[0].3.contains("forward"), "{}", errors[0].3);
}

async fn accounts_import_and_contacts_follow(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ken = signed_in(&app, "ken@accord.test").await;
    // A subscriber with a persona at a small account: not yet a Lead (needs 50+ employees).
    let leads =
        b"email,consent,persona,company_domain,employees\nraj@acme.example.com,yes,cmo,acme.example.com,10\n";
    import(&app, &ken, "leads", false, ("l.csv", leads)).await;
    assert_eq!(
        lead(&app, "raj@acme.example.com", &ken).await["stage"],
        "subscriber"
    );

    let job = import(&app, &ken, "accounts", false, ("accounts.csv", ACCOUNTS)).await;
    assert_adds_up(&job);
    // acme updated (250 employees), globex created; the nameless and the broken row refused.
    assert_eq!(counts(&job)[..5], [4, 1, 1, 0, 2], "{job}");
    assert_eq!(job["stage_changes"], 1, "raj became a Lead: {job}");
    assert_eq!(lead(&app, "raj@acme.example.com", &ken).await["stage"], "lead");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM accounts WHERE domain = 'globex.example' AND employees = 12000")
            .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM accounts WHERE domain = 'acme.example.com' AND is_target = TRUE AND tier = '1' AND stage = 'lead'").await,
        1
    );
    let errors = report(&app, job["id"].as_i64().unwrap(), &ken).await;
    let rows: std::collections::BTreeSet<u64> = errors.iter().map(|e| e.0).collect();
    assert_eq!(rows.into_iter().collect::<Vec<_>>(), [4, 5], "{errors:?}");
    let again = import(&app, &ken, "accounts", false, ("accounts.csv", ACCOUNTS)).await;
    assert_eq!(counts(&again)[..5], [4, 0, 0, 2, 2], "{again}");
}

async fn files_that_cannot_be_imported_are_refused_with_the_reason(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ken = signed_in(&app, "ken@accord.test").await;
    let post = |fields: Vec<(&'static str, &'static str)>, file: (&'static str, &'static [u8])| {
        let app = &app;
        let ken = ken.clone();
        async move { upload(app, "/api/v1/imports", &fields, file, Some(&ken)).await }
    };
    // No email column.
    let res = post(vec![("kind", "leads")], ("x.csv", b"name,company\nAya,Example\n")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    let details = &res.json()["error"]["details"];
    assert!(details.to_string().contains("email"), "{details}");
    assert!(details.to_string().contains("missing_column"), "{details}");
    // Binary content (a zip/xlsx starts with PK and holds NUL bytes).
    let res = post(
        vec![("kind", "leads")],
        ("book.xlsx", b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00"),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.text.contains("not_csv"), "{}", res.text);
    // Empty file.
    let res = post(vec![("kind", "leads")], ("empty.csv", b"")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.text.contains("empty_file"), "{}", res.text);
    // Unknown kind, missing file.
    let res = post(vec![("kind", "contacts")], ("x.csv", b"email\na@b.co\n")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.text.contains("kind"), "{}", res.text);
    // Nobody signed in.
    let res = upload(
        &app,
        "/api/v1/imports",
        &[("kind", "leads")],
        ("x.csv", b"email\na@b.co\n"),
        None,
    )
    .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.text);
    // Nothing was written and no upload was left behind.
    assert_eq!(app.scalar("SELECT COUNT(*) FROM imports").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM leads").await, 0);
}

async fn the_wizard_uploads_previews_and_runs_with_a_fixed_mapping(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ken = signed_in(&app, "ken@accord.test").await;
    // "Mail" is matched to email; "Org" is unknown and left unmapped until the user maps it.
    let file: &[u8] = b"Mail,Given,Org\nnoa@example.com,Noa,example.com\n";
    let res = upload(
        &app,
        "/api/v1/imports/uploads",
        &[("kind", "leads")],
        ("w.csv", file),
        Some(&ken),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let preview = res.json();
    assert_eq!(preview["headers"], json!(["Mail", "Given", "Org"]));
    assert_eq!(preview["mapping"][0], "email");
    assert_eq!(preview["mapping"][2], Value::Null);
    assert_eq!(preview["sample"][0][0], "noa@example.com");
    assert_eq!(preview["encoding"], "UTF-8");
    let upload_id = preview["upload_id"].as_str().unwrap().to_owned();

    // A mapping that feeds email twice is refused, naming the field.
    let bad = json!({"dry_run": true, "mapping": ["email", "email", null]});
    let res = app
        .post_json(
            &format!("/api/v1/imports/uploads/{upload_id}/run"),
            bad,
            Some(&ken),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert!(res.text.contains("mapped_twice"), "{}", res.text);

    let mapping = json!(["email", "first_name", "company_domain"]);
    for dry_run in [true, false] {
        let res = app
            .post_json(
                &format!("/api/v1/imports/uploads/{upload_id}/run"),
                json!({"dry_run": dry_run, "mapping": mapping}),
                Some(&ken),
            )
            .await;
        assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.text);
        let job = finished(&app, res.json()["id"].as_i64().unwrap(), &ken).await;
        assert_eq!(counts(&job)[..5], [1, 1, 0, 0, 0], "{job}");
    }
    let noa = lead(&app, "noa@example.com", &ken).await;
    assert_eq!(noa["first_name"], "Noa");
    assert_eq!(noa["account"]["domain"], "example.com");
    // The real run used the upload up; another user never sees it.
    let res = app
        .post_json(
            &format!("/api/v1/imports/uploads/{upload_id}/run"),
            json!({}),
            Some(&ken),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
}

async fn uploads_belong_to_their_uploader(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ken = signed_in(&app, "ken@accord.test").await;
    let sara = signed_in(&app, "sara@accord.test").await;
    let res = upload(
        &app,
        "/api/v1/imports/uploads",
        &[("kind", "leads")],
        ("w.csv", b"email\na@example.com\n"),
        Some(&ken),
    )
    .await;
    let upload_id = res.json()["upload_id"].as_str().unwrap().to_owned();
    let res = app
        .post_json(
            &format!("/api/v1/imports/uploads/{upload_id}/run"),
            json!({}),
            Some(&sara),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM imports").await, 0);
}

on_both_backends!(
    a_messy_utf8_file_imports_every_good_row_and_reports_every_bad_one,
    running_the_same_file_again_changes_nothing,
    a_dry_run_reports_what_would_happen_and_writes_nothing,
    a_shift_jis_file_with_japanese_headers_imports,
    an_import_moves_leads_forward_only_and_reports_a_backward_value,
    accounts_import_and_contacts_follow,
    files_that_cannot_be_imported_are_refused_with_the_reason,
    the_wizard_uploads_previews_and_runs_with_a_fixed_mapping,
    uploads_belong_to_their_uploader,
);
