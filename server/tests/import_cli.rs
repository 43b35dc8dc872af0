//! `accord import` as a user runs it, on both backends: counts and the error report from the
//! terminal, and an import killed half-way that leaves whole batches only and finishes when
//! run again.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Backend, TestApp};

const MESSY: &[u8] = include_bytes!("../../app/tests/fixtures/imports/leads_messy_utf8_bom_crlf.csv");

fn accord(app: &TestApp, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_accord"));
    cmd.args(args)
        .env("DATABASE_URL", &app.db.url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null());
    cmd
}

async fn the_cli_imports_and_writes_the_error_report(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("admin@accord.test", "marketing", "admin").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("messy.csv");
    std::fs::write(&file, MESSY).unwrap();
    let errors = dir.path().join("errors.csv");

    let dry = accord(&app, &["import", "leads", file.to_str().unwrap(), "--dry-run"])
        .output()
        .unwrap();
    assert!(dry.status.success(), "{}", String::from_utf8_lossy(&dry.stderr));
    let out = String::from_utf8_lossy(&dry.stdout);
    assert!(out.contains("Dry run of 9 rows"), "{out}");
    assert!(
        out.contains("3 created, 0 updated, 1 unchanged, 5 failed"),
        "{out}"
    );
    assert!(out.contains("nothing written"), "{out}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM leads").await, 0);

    let real = accord(
        &app,
        &[
            "import",
            "leads",
            file.to_str().unwrap(),
            "--errors",
            errors.to_str().unwrap(),
        ],
    )
    .output()
    .unwrap();
    assert!(real.status.success(), "{}", String::from_utf8_lossy(&real.stderr));
    let out = String::from_utf8_lossy(&real.stdout);
    assert!(out.contains("Imported 9 rows"), "{out}");
    assert!(out.contains("prospect → mql: 1"), "{out}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM leads").await, 3);
    let report = std::fs::read_to_string(&errors).unwrap();
    let lines: Vec<&str> = report.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "row,column,value,message");
    assert_eq!(lines.len(), 6, "{report}");
    assert!(lines[1].starts_with("5,email,not-an-email,"), "{report}");

    // Refusals are clear and write nothing.
    let missing = accord(&app, &["import", "leads", "/nonexistent.csv"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read /nonexistent.csv"));
    let wrong = dir.path().join("no-email.csv");
    std::fs::write(&wrong, "name\nAya\n").unwrap();
    let refused = accord(&app, &["import", "leads", wrong.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("Email"), "names the missing field: {err}");
}

async fn a_killed_import_leaves_whole_batches_and_finishes_when_run_again(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("admin@accord.test", "marketing", "admin").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.csv");
    let rows = 200_000;
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
        writeln!(out, "email,first_name,consent,company_domain,employees").unwrap();
        for i in 0..rows {
            writeln!(
                out,
                "lead{i}@company{}.example,Name {i},yes,company{}.example,{}",
                i / 5,
                i / 5,
                20 + i % 400
            )
            .unwrap();
        }
    }
    let mut child = accord(&app, &["import", "leads", file.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once at least one batch has committed.
    let mut committed = 0;
    for _ in 0..3000 {
        committed = app
            .scalar("SELECT COALESCE(MAX(processed), 0) FROM imports")
            .await;
        if committed > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(committed > 0, "no batch committed within 30 s");
    let leads = app.scalar("SELECT COUNT(*) FROM leads").await;
    let created = app.scalar("SELECT created FROM imports").await;
    assert!(leads < rows, "killed before the end ({leads} leads)");
    // Whole batches only: every lead counted and complete with its history and account.
    assert_eq!(leads, created, "the job's counts were committed with its batches");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM leads l WHERE NOT EXISTS (SELECT 1 FROM stage_transitions t WHERE t.lead_id = l.id)")
            .await,
        0
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM leads WHERE account_id IS NULL")
            .await,
        0
    );

    // Running the same file again finishes the job without duplicating anything.
    let again = accord(&app, &["import", "leads", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let out = String::from_utf8_lossy(&again.stdout);
    assert!(
        out.contains(&format!(
            "{} created, 0 updated, {leads} unchanged, 0 failed",
            rows - leads
        )),
        "{out}"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM leads").await, rows);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM accounts").await, rows / 5);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM stage_transitions WHERE from_stage IS NULL")
            .await,
        rows
    );
}

on_both_backends!(
    the_cli_imports_and_writes_the_error_report,
    a_killed_import_leaves_whole_batches_and_finishes_when_run_again,
);
