//! Open handoffs and SLA breaches at each gate, as the funnel API answers them, against the
//! pending handoffs read here, on both backends: through the day and the hour (due times
//! around now, an acceptance, time passing on the test clock), without lead filters, with one
//! and with several, and as leads and accounts change the values the filters look at.

mod common;
mod funnel_support;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use http::StatusCode;
use serde_json::{Value, json};

use app::store::Db;
use common::{Backend, start_time};
use funnel_support::{LeadRow, Raw, app_with_clock, funnel, raw, rows, signed_in};

/// Open handoffs and breaches per gate, as the API answers them, against the pending rows of
/// the leads `takes` accepts.
fn check_gates(answer: &Value, raw: &Raw, takes: impl Fn(&LeadRow) -> bool, now: DateTime<Utc>, label: &str) {
    for stage in answer["stages"].as_array().expect("stages") {
        let key = stage["key"].as_str().expect("key");
        let pending: Vec<_> = raw
            .pending
            .iter()
            .filter(|(lead, s, _)| s == key && raw.leads.get(lead).is_some_and(&takes))
            .collect();
        let breached = pending.iter().filter(|(_, _, due)| *due < now).count();
        assert_eq!(stage["open_handoffs"], json!(pending.len()), "{label} {key} open");
        assert_eq!(stage["sla_breaches"], json!(breached), "{label} {key} breaches");
    }
}

async fn gate_counts_follow_each_handoff_through_the_day(backend: Backend) {
    let (app, clock) = app_with_clock(backend).await;
    let sdr = signed_in(&app, "sora@example.com", "sdr", "leader").await;
    server::seed::synthetic::synthetic(&app.state, 1200, 5)
        .await
        .expect("seed");
    type H = (i64,);
    let ids = rows!(
        app,
        H,
        "SELECT id FROM handoffs WHERE status = 'pending' ORDER BY id LIMIT 6"
    );
    assert_eq!(ids.len(), 6, "the generated data has pending handoffs");
    // Due earlier today (past), later today, late yesterday (past), early tomorrow, later in
    // this very hour, and in the hour two hours from now (counted per due hour, with the
    // current hour read exactly).
    let now = start_time();
    let dues = [
        now - Duration::hours(1),
        now + Duration::hours(1),
        now - Duration::hours(10),
        now + Duration::hours(16),
        now + Duration::minutes(20),
        now + Duration::minutes(150),
    ];
    for ((id,), due) in ids.iter().zip(dues) {
        let sql = "UPDATE handoffs SET sla_due_at = $1 WHERE id = $2";
        let changed = match &app.state.db {
            Db::Sqlite(pool) => sqlx::query(sql)
                .bind(due)
                .bind(id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()),
            Db::Postgres(pool) => sqlx::query(sql)
                .bind(due)
                .bind(id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()),
        };
        assert_eq!(changed.expect("update"), 1);
    }
    // Without lead filters, one filter and two: the same rules on every path.
    type Takes = fn(&LeadRow) -> bool;
    let views: [(&str, Takes); 4] = [
        ("", |_| true),
        ("source=inbound", |l| l.source.as_deref() == Some("inbound")),
        ("source=outbound", |l| l.source.as_deref() == Some("outbound")),
        ("source=outbound&target_only=true", |l| {
            l.source.as_deref() == Some("outbound") && l.is_target
        }),
    ];
    let check_views = async |raw: &Raw, at: DateTime<Utc>, label: &str| {
        for (query, takes) in views {
            check_gates(
                &funnel(&app, &sdr, query).await,
                raw,
                takes,
                at,
                &format!("{label}, {query}"),
            );
        }
    };
    let before = raw(&app).await;
    check_views(&before, now, "due times moved").await;

    // Accepting the handoff due earlier today takes it off the gate.
    let (first,) = ids[0];
    let res = app
        .post_json(&format!("/api/v1/handoffs/{first}/accept"), json!({}), Some(&sdr))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let raw_now = raw(&app).await;
    assert!(!raw_now.pending.iter().any(|(_, _, due)| *due == dues[0]));
    check_views(&raw_now, now, "after the acceptance").await;

    // Two hours later the ones due later today and this hour are past their SLA too; the one
    // due at half past is in the current hour.
    clock.advance(Duration::hours(2));
    let later = now + Duration::hours(2);
    check_views(&raw_now, later, "two hours later").await;

    // An account becoming a target takes its leads' pending handoffs into the target view.
    type D = (String,);
    let domains = rows!(
        app,
        D,
        "SELECT a.domain FROM handoffs h JOIN leads l ON l.id = h.lead_id JOIN accounts a ON a.id = l.account_id \
         WHERE h.status = 'pending' AND a.is_target = FALSE ORDER BY h.id LIMIT 1"
    );
    let marketing = signed_in(&app, "mika@example.com", "marketing", "leader").await;
    let targets = |l: &LeadRow| l.is_target;
    let before = funnel(&app, &sdr, "target_only=true").await;
    check_gates(&before, &raw_now, targets, later, "targets before");
    let res = app
        .post_json(
            "/api/v1/accounts",
            json!({"domain": domains[0].0, "is_target": true, "tier": "1"}),
            Some(&marketing),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let after = funnel(&app, &sdr, "target_only=true").await;
    check_gates(&after, &raw(&app).await, targets, later, "targets after");
    let open = |v: &Value| -> u64 {
        v["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["open_handoffs"].as_u64().unwrap())
            .sum()
    };
    assert!(open(&after) > open(&before), "the new target's handoffs count");
}

/// Open handoffs of the leads of a country, a source and the target accounts, summed over
/// the gates as the API answers them.
fn open_total(answer: &Value) -> u64 {
    answer["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| s["open_handoffs"].as_u64().expect("open_handoffs"))
        .sum()
}

async fn gate_counts_follow_a_lead_that_changes_source_country_and_account(backend: Backend) {
    let (app, _clock) = app_with_clock(backend).await;
    let sdr = signed_in(&app, "sora@example.com", "sdr", "leader").await;
    let marketing = signed_in(&app, "mika@example.com", "marketing", "leader").await;
    server::seed::synthetic::synthetic(&app.state, 300, 7)
        .await
        .expect("seed");
    // A lead waiting at a gate, from outbound, at an account that is not a target.
    type P = (i64, String);
    let waiting = rows!(
        app,
        P,
        "SELECT l.id, l.email FROM handoffs h JOIN leads l ON l.id = h.lead_id \
         LEFT JOIN accounts a ON a.id = l.account_id \
         WHERE h.status = 'pending' AND l.source = 'outbound' AND COALESCE(a.is_target, FALSE) = FALSE \
         ORDER BY h.id LIMIT 1"
    );
    let (lead_id, email) = waiting.first().cloned().expect("a pending outbound lead");
    let res = app
        .post_json(
            "/api/v1/accounts",
            json!({"domain": "moved-here.example", "name": "Moved Here", "is_target": true, "tier": "1",
                   "industry": "Aerospace", "country": "NZ"}),
            Some(&marketing),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text);
    let views = [
        "",
        "source=inbound",
        "source=outbound",
        "country=NZ",
        "target_only=true",
        "tier=1",
        "industry=Aerospace",
    ];
    let takes = |view: &str, l: &LeadRow| match view {
        "source=inbound" => l.source.as_deref() == Some("inbound"),
        "source=outbound" => l.source.as_deref() == Some("outbound"),
        "country=NZ" => l.country.as_deref() == Some("NZ"),
        "target_only=true" => l.is_target,
        "tier=1" => l.tier.as_deref() == Some("1"),
        "industry=Aerospace" => l.industry.as_deref() == Some("Aerospace"),
        _ => true,
    };
    let now = start_time();
    let before = raw(&app).await;
    let mut open_before = HashMap::new();
    for view in views {
        let answer = funnel(&app, &sdr, view).await;
        check_gates(
            &answer,
            &before,
            |l| takes(view, l),
            now,
            &format!("before, {view}"),
        );
        open_before.insert(view, open_total(&answer));
    }

    // The lead is now inbound, in New Zealand, at the new target account.
    let res = app
        .post_json(
            "/api/v1/leads",
            json!({"email": email, "source": "inbound", "country": "NZ", "account_domain": "moved-here.example"}),
            Some(&marketing),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let after = raw(&app).await;
    let moved = &after.leads[&lead_id];
    assert_eq!(
        (moved.source.as_deref(), moved.country.as_deref(), moved.is_target),
        (Some("inbound"), Some("NZ"), true)
    );
    let its_handoffs = after.pending.iter().filter(|(l, _, _)| *l == lead_id).count() as u64;
    assert!(its_handoffs > 0, "the handoff is still pending");
    for view in views {
        let answer = funnel(&app, &sdr, view).await;
        check_gates(
            &answer,
            &after,
            |l| takes(view, l),
            now,
            &format!("after, {view}"),
        );
        let expected = match view {
            "" => open_before[view],
            "source=outbound" => open_before[view] - its_handoffs,
            _ => open_before[view] + its_handoffs,
        };
        assert_eq!(
            open_total(&answer),
            expected,
            "{view}: the lead's handoff moved views"
        );
    }
}

on_both_backends!(
    gate_counts_follow_each_handoff_through_the_day,
    gate_counts_follow_a_lead_that_changes_source_country_and_account,
);
