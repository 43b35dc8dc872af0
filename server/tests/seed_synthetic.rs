//! `accord seed --leads N`: synthetic leads whose scores, stages and histories are exactly what
//! the app's rules make of their activities under the current definition; reproducible per
//! seed; safe to run again and on top of the demo.

mod common;

use app::auth::User;
use app::clock::Clock;
use app::definitions::proposal::NewProposal;
use app::state::AuthSettings;
use app::store::Db;
use common::{Backend, TestApp, start_time};
use server::seed::synthetic::synthetic;

async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, AuthSettings::default(), Clock::manual(start_time())).await
}

/// One text line per row of `sql` (a single text column), in the query's order.
async fn lines(app: &TestApp, sql: &str) -> Vec<String> {
    match &app.state.db {
        Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.expect("query"),
        Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.expect("query"),
    }
}

/// Everything seeding writes, as text, in id order.
async fn dump(app: &TestApp) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "SELECT a.domain || '|' || a.name || '|' || COALESCE(a.industry, '') || '|' || COALESCE(a.country, '') \
         || '|' || COALESCE(CAST(a.employees AS TEXT), '') || '|' || COALESCE(a.tier, '') || '|' || COALESCE(a.stage, '') \
         FROM accounts a ORDER BY a.id",
        "SELECT l.email || '|' || COALESCE(l.first_name, '') || '|' || COALESCE(l.last_name, '') || '|' \
         || COALESCE(l.job_title, '') || '|' || COALESCE(l.persona, '') || '|' || CAST(l.score AS TEXT) || '|' || l.stage \
         || '|' || CAST(l.stage_entered_at AS TEXT) FROM leads l ORDER BY l.id",
        "SELECT CAST(lead_id AS TEXT) || '|' || kind || '|' || CAST(occurred_at AS TEXT) FROM activities ORDER BY id",
        "SELECT CAST(lead_id AS TEXT) || '|' || COALESCE(from_stage, '') || '|' || to_stage || '|' || CAST(at AS TEXT) \
         FROM stage_transitions ORDER BY id",
    ] {
        out.extend(lines(app, sql).await);
    }
    out
}

async fn leader(app: &TestApp) -> User {
    app.user("lead.checker@accord.test", "sales", "leader").await
}

async fn every_lead_has_the_score_stage_and_history_the_rules_give(backend: Backend) {
    let app = spawn(backend).await;
    let report = synthetic(&app.state, 600, 11).await.unwrap();
    assert_eq!(report.counts.leads, 600);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM leads").await, 600);
    assert!(app.scalar("SELECT COUNT(*) FROM activities").await > 600);
    let accounts = app.scalar("SELECT COUNT(*) FROM accounts").await;
    assert!((600 / 9..=600 / 3 + 1).contains(&accounts), "{accounts} accounts");
    assert!(
        app.scalar("SELECT COUNT(*) FROM accounts WHERE country = 'JP'")
            .await
            > 0
    );
    assert!(
        app.scalar("SELECT COUNT(*) FROM accounts WHERE is_target = TRUE")
            .await
            > 0
    );
    assert!(app.scalar("SELECT COUNT(DISTINCT stage) FROM leads").await >= 3);
    assert_eq!(
        app.scalar("SELECT COUNT(DISTINCT LOWER(email)) FROM leads").await,
        600
    );

    // Stages: a proposal identical to the current version moves nobody in either direction,
    // so every stored stage is the stage the lifecycle rules compute today.
    let user = leader(&app).await;
    let (version, def) = app::leads::bulk::current_definition(&app.state.db).await.unwrap();
    let proposal = NewProposal {
        base_version: version,
        title: "Unchanged".into(),
        rationale: "Checks that stored stages match the rules.".into(),
        definition: def.clone(),
        requalify: true,
    };
    let proposal = app::definitions::service::create_proposal(&app.state, Some(&user), proposal)
        .await
        .unwrap();
    let impact = app::leads::publish::proposal_impact(&app.state, Some(&user), proposal.id)
        .await
        .unwrap();
    assert_eq!(impact.evaluated, 600);
    assert!(impact.moves.is_empty(), "{:?}", impact.moves);

    // Scores and histories, lead by lead, through the lead detail the app shows.
    let ids = lines(&app, "SELECT CAST(id AS TEXT) FROM leads ORDER BY id").await;
    for id in ids {
        let id: i64 = id.parse().unwrap();
        let (lead, history, activities, breakdown) =
            app::leads::service::lead_detail(&app.state, Some(&user), id)
                .await
                .unwrap();
        assert_eq!(lead.score, breakdown.total, "score of {}", lead.email);
        let first = history.first().expect("a creation row");
        assert_eq!(first.from, None);
        assert_eq!(first.to, def.stages[0].key);
        assert_eq!(
            history.last().unwrap().to,
            lead.stage,
            "history of {}",
            lead.email
        );
        assert!(
            history
                .windows(2)
                .all(|w| w[0].at <= w[1].at && w[1].from.as_deref() == Some(&*w[0].to))
        );
        assert!(
            history
                .iter()
                .all(|t| t.cause == "rule" && t.definition_version == version)
        );
        assert_eq!(lead.stage_entered_at, history.last().unwrap().at);
        assert!(activities.iter().all(|a| a.occurred_at <= start_time()));
        assert!(
            activities
                .iter()
                .all(|a| a.occurred_at >= start_time() - chrono::Duration::days(366))
        );
    }
    // Entering MQL (gated on its criteria) opened a handoff to the SDRs.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM handoffs WHERE status = 'pending'")
            .await,
        app.scalar("SELECT COUNT(*) FROM leads WHERE stage = 'mql'").await
    );
}

async fn the_same_seed_gives_the_same_data(backend: Backend) {
    let (a, b) = (spawn(backend).await, spawn(backend).await);
    synthetic(&a.state, 250, 5).await.unwrap();
    synthetic(&b.state, 250, 5).await.unwrap();
    let dump_a = dump(&a).await;
    assert!(dump_a.len() > 500);
    assert_eq!(dump_a, dump(&b).await);
}

async fn running_again_adds_nothing_for_the_same_seed_and_more_for_another(backend: Backend) {
    let app = spawn(backend).await;
    server::seed::demo(&app.state).await.unwrap();
    let demo_leads = app.scalar("SELECT COUNT(*) FROM leads").await;
    let first = synthetic(&app.state, 300, 2).await.unwrap();
    assert_eq!(first.counts.leads, 300);
    let again = synthetic(&app.state, 300, 2).await.unwrap();
    assert_eq!(again.counts.leads, 0);
    assert_eq!(again.counts.skipped_leads, 300);
    let other = synthetic(&app.state, 300, 3).await.unwrap();
    assert_eq!(other.counts.leads, 300);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM leads").await, demo_leads + 600);
    // With the demo users there, leads have owners from their stage's team.
    assert!(
        app.scalar("SELECT COUNT(*) FROM leads WHERE owner_id IS NOT NULL")
            .await
            > 0
    );
    // Leads created through the API afterwards get fresh ids (sequences kept in step).
    let admin = app
        .sign_in("admin@accord.test", server::seed::DEMO_PASSWORD)
        .await;
    let res = app
        .post_json(
            "/api/v1/leads",
            serde_json::json!({"email": "after.seed@example.com"}),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status, http::StatusCode::CREATED, "{}", res.text);
}

on_both_backends!(
    every_lead_has_the_score_stage_and_history_the_rules_give,
    the_same_seed_gives_the_same_data,
    running_again_adds_nothing_for_the_same_seed_and_more_for_another,
);
