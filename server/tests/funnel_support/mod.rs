//! What the funnel's API tests share: the app on a manual clock, signed-in users, raw rows on
//! either backend, and the leads, stage history and pending handoffs as the tests read them
//! to compute ground truth independently of the app.
#![allow(dead_code)]

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use http::StatusCode;
use serde_json::Value;

use crate::common::{Backend, PASSWORD, TestApp, start_time};
use app::clock::Clock;
use app::state::AuthSettings;

pub async fn app_with_clock(backend: Backend) -> (TestApp, Clock) {
    let clock = Clock::manual(start_time());
    let auth = AuthSettings {
        idle_timeout: Duration::days(30),
        absolute_timeout: Duration::days(30),
        ..AuthSettings::default()
    };
    (TestApp::spawn_with(backend, auth, clock.clone()).await, clock)
}

pub async fn signed_in(app: &TestApp, email: &str, team: &str, role: &str) -> String {
    app.user(email, team, role).await;
    app.sign_in(email, PASSWORD).await
}

/// Rows of `sql` on either backend.
macro_rules! rows {
    ($app:expr, $ty:ty, $sql:expr) => {
        match &$app.state.db {
            ::app::store::Db::Sqlite(pool) => sqlx::query_as::<_, $ty>($sql)
                .fetch_all(pool)
                .await
                .expect("query"),
            ::app::store::Db::Postgres(pool) => sqlx::query_as::<_, $ty>($sql)
                .fetch_all(pool)
                .await
                .expect("query"),
        }
    };
}
pub(crate) use rows;

#[derive(Clone, Debug)]
pub struct LeadRow {
    pub id: i64,
    pub stage: String,
    pub source: Option<String>,
    pub country: Option<String>,
    pub is_target: bool,
    pub tier: Option<String>,
    pub industry: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Move {
    pub lead_id: i64,
    pub from: Option<String>,
    pub to: String,
    pub at: DateTime<Utc>,
    pub version: i64,
}

pub struct Raw {
    pub leads: HashMap<i64, LeadRow>,
    pub moves: Vec<Move>,
    pub pending: Vec<(i64, String, DateTime<Utc>)>,
}

pub async fn raw(app: &TestApp) -> Raw {
    type L = (
        i64,
        String,
        Option<String>,
        Option<String>,
        Option<bool>,
        Option<String>,
        Option<String>,
    );
    let leads = rows!(
        app,
        L,
        "SELECT l.id, l.stage, l.source, l.country, a.is_target, a.tier, a.industry \
         FROM leads l LEFT JOIN accounts a ON a.id = l.account_id"
    );
    type M = (i64, i64, Option<String>, String, DateTime<Utc>, i64);
    let moves = rows!(
        app,
        M,
        "SELECT id, lead_id, from_stage, to_stage, at, definition_version FROM stage_transitions ORDER BY id"
    );
    type H = (i64, String, DateTime<Utc>);
    let pending = rows!(
        app,
        H,
        "SELECT lead_id, stage, sla_due_at FROM handoffs WHERE status = 'pending'"
    );
    Raw {
        leads: leads
            .into_iter()
            .map(|(id, stage, source, country, is_target, tier, industry)| {
                (
                    id,
                    LeadRow {
                        id,
                        stage,
                        source,
                        country,
                        is_target: is_target.unwrap_or(false),
                        tier,
                        industry,
                    },
                )
            })
            .collect(),
        moves: moves
            .into_iter()
            .map(|(_, lead_id, from, to, at, version)| Move {
                lead_id,
                from,
                to,
                at,
                version,
            })
            .collect(),
        pending,
    }
}

pub async fn funnel(app: &TestApp, cookie: &str, query: &str) -> Value {
    let res = app.get(&format!("/api/v1/funnel?{query}"), Some(cookie)).await;
    assert_eq!(res.status, StatusCode::OK, "{query}: {}", res.text);
    res.json()
}
