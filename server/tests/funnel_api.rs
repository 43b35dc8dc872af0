//! The funnel API against ground truth computed here, independently, from the raw rows
//! (leads, accounts, stage history, handoffs) of generated data, on both backends: counts now,
//! entries, conversions, recycling, time in stage and open handoffs, under every filter and
//! period; the version lens against leads whose stage under a proposal is known; exports.
//! The gates' open handoffs and SLA breaches are in `funnel_gates.rs`.

mod common;
mod funnel_support;

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use http::StatusCode;
use serde_json::{Value, json};

use app::funnel::metrics::{bucket_range, dwell_bucket};
use common::{Backend, TestApp, start_time};
use funnel_support::{LeadRow, Raw, app_with_clock, funnel, raw, rows, signed_in};

const ORDER: [&str; 7] = [
    "prospect",
    "subscriber",
    "lead",
    "mql",
    "sql",
    "opportunity",
    "customer",
];

fn pos(stage: &str) -> Option<usize> {
    ORDER.iter().position(|s| *s == stage)
}

/// One filter set as the test sees it.
#[derive(Clone, Debug, Default)]
struct Filter {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    source: Option<&'static str>,
    target_only: bool,
    tier: Option<&'static str>,
    country: Option<String>,
    industry: Option<String>,
}

impl Filter {
    fn query(&self) -> String {
        let mut q = Vec::new();
        if let Some(d) = self.from {
            q.push(format!("from={d}"));
        }
        if let Some(d) = self.to {
            q.push(format!("to={d}"));
        }
        if let Some(s) = self.source {
            q.push(format!("source={s}"));
        }
        if self.target_only {
            q.push("target_only=true".into());
        }
        if let Some(t) = self.tier {
            q.push(format!("tier={t}"));
        }
        if let Some(c) = &self.country {
            q.push(format!("country={c}"));
        }
        if let Some(i) = &self.industry {
            q.push(format!("industry={}", i.replace(' ', "%20")));
        }
        q.join("&")
    }

    fn takes(&self, l: &LeadRow) -> bool {
        self.source.is_none_or(|s| l.source.as_deref() == Some(s))
            && (!self.target_only || l.is_target)
            && self.tier.is_none_or(|t| l.tier.as_deref() == Some(t))
            && self
                .country
                .as_ref()
                .is_none_or(|c| l.country.as_ref() == Some(c))
            && self
                .industry
                .as_ref()
                .is_none_or(|i| l.industry.as_ref() == Some(i))
    }
}

/// What the funnel should say for one stage.
#[derive(Debug, Default, PartialEq)]
struct Truth {
    current: u64,
    entered: u64,
    converted: u64,
    recycled: u64,
    stays: Vec<f64>,
    entered_by_version: std::collections::BTreeMap<i64, u64>,
    open: u64,
    breached: u64,
}

fn truth(raw: &Raw, f: &Filter, today: NaiveDate) -> Vec<Truth> {
    let to = f.to.unwrap_or(today);
    let from = f.from.unwrap_or(to - Duration::days(89));
    let mut out: Vec<Truth> = ORDER.iter().map(|_| Truth::default()).collect();
    for l in raw.leads.values().filter(|l| f.takes(l)) {
        if let Some(p) = pos(&l.stage) {
            out[p].current += 1;
        }
    }
    let now = start_time();
    for (lead, stage, due) in &raw.pending {
        if raw.leads.get(lead).is_some_and(|l| f.takes(l))
            && let Some(p) = pos(stage)
        {
            out[p].open += 1;
            if *due < now {
                out[p].breached += 1;
            }
        }
    }
    for (i, m) in raw.moves.iter().enumerate() {
        let day = m.at.date_naive();
        if day < from || day > to || m.from.as_deref() == Some(m.to.as_str()) {
            continue;
        }
        if !raw.leads.get(&m.lead_id).is_some_and(|l| f.takes(l)) {
            continue;
        }
        let Some(t) = pos(&m.to) else { continue };
        let f_pos = match &m.from {
            None => None,
            Some(s) => match pos(s) {
                Some(p) => Some(p),
                None => continue,
            },
        };
        for (s, stage) in out.iter_mut().enumerate() {
            let before = f_pos.is_none_or(|fp| fp < s);
            if before && s <= t {
                stage.entered += 1;
                *stage.entered_by_version.entry(m.version).or_default() += 1;
            }
            if f_pos.is_some_and(|fp| fp <= s) && s < t {
                stage.converted += 1;
            }
        }
        if let Some(fp) = f_pos {
            if t < fp {
                out[fp].recycled += 1;
            }
            let entry = raw.moves[..i].iter().rev().find(|p| {
                p.lead_id == m.lead_id
                    && p.to == *m.from.as_ref().unwrap()
                    && p.from.as_deref() != Some(p.to.as_str())
            });
            if let Some(entry) = entry {
                out[fp]
                    .stays
                    .push((m.at - entry.at).num_milliseconds() as f64 / 3_600_000.0);
            }
        }
    }
    out
}

fn check(answer: &Value, truth: &[Truth], label: &str) {
    let stages = answer["stages"].as_array().expect("stages");
    assert_eq!(stages.len(), ORDER.len(), "{label}");
    for (s, (got, want)) in stages.iter().zip(truth).enumerate() {
        let key = ORDER[s];
        assert_eq!(got["key"], key, "{label}");
        let n = |field: &str| {
            got[field]
                .as_u64()
                .unwrap_or_else(|| panic!("{label} {key} {field}: {got}"))
        };
        assert_eq!(n("current"), want.current, "{label} {key} current");
        assert_eq!(n("entered"), want.entered, "{label} {key} entered");
        assert_eq!(n("converted"), want.converted, "{label} {key} converted");
        assert_eq!(n("recycled"), want.recycled, "{label} {key} recycled");
        assert_eq!(n("open_handoffs"), want.open, "{label} {key} open handoffs");
        assert_eq!(n("sla_breaches"), want.breached, "{label} {key} breaches");
        assert_eq!(
            n("exits_timed"),
            want.stays.len() as u64,
            "{label} {key} timed exits"
        );
        let rate = got["conversion_rate"].as_f64();
        if want.entered == 0 {
            assert_eq!(rate, None, "{label} {key} rate without entries");
        } else {
            let expected = want.converted as f64 / want.entered as f64;
            assert!((rate.unwrap() - expected).abs() < 1e-9, "{label} {key} rate");
        }
        let by_version: u64 = got["by_version"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["entered"].as_u64().unwrap())
            .sum();
        assert_eq!(
            by_version, want.entered,
            "{label} {key} entries by version add up"
        );
        let median = got["median_hours_in_stage"].as_f64();
        if want.stays.is_empty() {
            assert_eq!(median, None, "{label} {key} median without stays");
        } else {
            let mut stays = want.stays.clone();
            stays.sort_by(f64::total_cmp);
            let lo = stays[(stays.len() - 1) / 2];
            let hi = stays[stays.len() / 2];
            let low_bound = bucket_range(dwell_bucket(lo)).0;
            let high_bound = bucket_range(dwell_bucket(hi)).1.unwrap_or(f64::INFINITY);
            let m = median.expect("a median");
            assert!(
                low_bound <= m && m <= high_bound,
                "{label} {key}: median {m} outside [{low_bound}, {high_bound}] (exact {lo}–{hi})"
            );
        }
    }
    let weekly: Vec<u64> = (0..ORDER.len())
        .map(|s| {
            answer["weeks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| w["entered"][s].as_u64().unwrap())
                .sum()
        })
        .collect();
    let entered: Vec<u64> = truth.iter().map(|t| t.entered).collect();
    assert_eq!(weekly, entered, "{label}: weekly entries add up to the period's");
}

async fn history_true_numbers_match_ground_truth(backend: Backend) {
    let (app, clock) = app_with_clock(backend).await;
    let marketing = signed_in(&app, "mika@example.com", "marketing", "leader").await;
    let sdr = signed_in(&app, "sora@example.com", "sdr", "leader").await;
    app.user("aki@example.com", "sales", "member").await;
    let report = server::seed::synthetic::synthetic(&app.state, 700, 11)
        .await
        .expect("seed");
    assert!(report.counts.leads >= 700);

    // Both leaders publish version 2 (a longer MQL SLA); later moves are stamped with it.
    let ren = signed_in(&app, "ren@example.com", "sales", "leader").await;
    let current = app
        .get("/api/v1/definitions/current", Some(&marketing))
        .await
        .json();
    let mut def = current["definition"].clone();
    let sla = &mut def["stages"][3]["gate"]["sla_hours"];
    *sla = json!(sla.as_u64().unwrap() + 24);
    let res = app
        .post_json(
            "/api/v1/proposals",
            json!({"base_version": 1, "title": "Longer MQL SLA", "rationale": "SDR capacity", "definition": def}),
            Some(&marketing),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let proposal = res.json()["id"].as_i64().unwrap();
    for leader in [&marketing, &ren] {
        let res = app
            .post_json(
                &format!("/api/v1/proposals/{proposal}/approve"),
                json!({"revision": 1}),
                Some(leader),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    }
    let res = app
        .post_json(
            &format!("/api/v1/proposals/{proposal}/publish"),
            json!({}),
            Some(&ren),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    // People move some leads back and forth: recycles, stays of known length, handoff rows.
    type Id = (i64,);
    let mqls = rows!(
        app,
        Id,
        "SELECT id FROM leads WHERE stage = 'mql' ORDER BY id LIMIT 4"
    );
    assert!(mqls.len() >= 2, "the generated data has MQLs");
    for (id,) in &mqls {
        let res = app
            .post_json(
                &format!("/api/v1/leads/{id}/stage"),
                json!({"stage": "lead", "reason": "not ready"}),
                Some(&sdr),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    }
    clock.advance(Duration::hours(3));
    let (back,) = mqls[0];
    let res = app
        .post_json(
            &format!("/api/v1/leads/{back}/stage"),
            json!({"stage": "mql"}),
            Some(&marketing),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    clock.advance(Duration::hours(-3));

    let raw = raw(&app).await;
    let today = start_time().date_naive();
    // The country with most target contacts, and the first industry by name (a map's order
    // would make the choice vary between runs).
    let mut target_countries: HashMap<String, usize> = HashMap::new();
    for l in raw.leads.values().filter(|l| l.is_target) {
        if let Some(c) = &l.country {
            *target_countries.entry(c.clone()).or_default() += 1;
        }
    }
    let a_country = target_countries
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .map(|(c, _)| c)
        .expect("a target contact's country");
    let an_industry = raw
        .leads
        .values()
        .filter_map(|l| l.industry.clone())
        .min()
        .expect("an industry");
    let year = Some(today - Duration::days(364));
    let tier = ["1", "2", "3"]
        .into_iter()
        .max_by_key(|t| {
            raw.leads
                .values()
                .filter(|l| l.tier.as_deref() == Some(*t))
                .count()
        })
        .unwrap();
    let filters = [
        ("default period", Filter::default()),
        (
            "a year",
            Filter {
                from: year,
                ..Filter::default()
            },
        ),
        (
            "a past month",
            Filter {
                from: Some(today - Duration::days(200)),
                to: Some(today - Duration::days(170)),
                ..Filter::default()
            },
        ),
        (
            "targets",
            Filter {
                from: year,
                target_only: true,
                ..Filter::default()
            },
        ),
        (
            "a tier",
            Filter {
                from: year,
                tier: Some(tier),
                ..Filter::default()
            },
        ),
        (
            "inbound",
            Filter {
                from: year,
                source: Some("inbound"),
                ..Filter::default()
            },
        ),
        (
            "country",
            Filter {
                from: year,
                country: Some(a_country.clone()),
                ..Filter::default()
            },
        ),
        (
            "industry",
            Filter {
                from: year,
                industry: Some(an_industry.clone()),
                ..Filter::default()
            },
        ),
        (
            "targets in a country",
            Filter {
                from: year,
                target_only: true,
                country: Some(a_country),
                ..Filter::default()
            },
        ),
    ];
    for (label, f) in &filters {
        let answer = funnel(&app, &marketing, &f.query()).await;
        let t = truth(&raw, f, today);
        assert!(
            t.iter().any(|s| s.entered > 0) || *label == "a past month",
            "{label}: the data has entries"
        );
        check(&answer, &t, label);
    }
    let all = truth(&raw, &filters[1].1, today);
    assert!(
        all[3].recycled >= mqls.len() as u64,
        "the manual moves back count as recycled out of MQL"
    );
    assert!(all.iter().any(|s| !s.stays.is_empty()), "some stays are timed");
    assert!(
        all[3].entered_by_version.len() == 2,
        "entries under versions 1 and 2: {:?}",
        all[3].entered_by_version
    );

    // An account becoming a target moves its leads' counts now; the history keeps the
    // target flag of the time.
    let before = funnel(&app, &marketing, &filters[3].1.query()).await;
    type A = (String, i64);
    let plain = rows!(
        app,
        A,
        "SELECT a.domain, COUNT(l.id) FROM accounts a JOIN leads l ON l.account_id = a.id \
         WHERE a.is_target = FALSE GROUP BY a.domain ORDER BY COUNT(l.id) DESC, a.domain LIMIT 1"
    );
    let (domain, contacts) = plain[0].clone();
    let res = app
        .post_json(
            "/api/v1/accounts",
            json!({"domain": domain, "is_target": true, "tier": "1"}),
            Some(&marketing),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let after = funnel(&app, &marketing, &filters[3].1.query()).await;
    let sum = |v: &Value, field: &str| -> u64 {
        v["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s[field].as_u64().unwrap())
            .sum()
    };
    assert_eq!(sum(&after, "current"), sum(&before, "current") + contacts as u64);
    assert_eq!(
        sum(&after, "entered"),
        sum(&before, "entered"),
        "history stays as it was"
    );
    let raw_now = self::raw(&app).await;
    let t = truth(&raw_now, &Filter::default(), today);
    let answer = funnel(&app, &marketing, "").await;
    for (s, want) in t.iter().enumerate() {
        assert_eq!(
            answer["stages"][s]["current"].as_u64().unwrap(),
            want.current,
            "{} now",
            ORDER[s]
        );
    }
}

/// A small funnel built through the API, so every lead sits at its automatic stage.
async fn lens_reevaluates_todays_leads_under_another_definition(backend: Backend) {
    let (app, _) = app_with_clock(backend).await;
    let ken = signed_in(&app, "ken@example.com", "marketing", "leader").await;
    app.user("sora@example.com", "sdr", "member").await;
    let accounts = [
        ("big.example", 400, true),
        ("mid.example", 70, true),
        ("small.example", 60, false),
        ("tiny.example", 10, false),
    ];
    for (domain, employees, target) in accounts {
        let res = app
            .post_json(
                "/api/v1/accounts",
                json!({"domain": domain, "name": domain, "employees": employees, "is_target": target, "tier": if target { Some("1") } else { None }}),
                Some(&ken),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    }
    let mut i = 0;
    for (domain, _, _) in accounts {
        for hot in [false, true] {
            for consent in [false, true] {
                i += 1;
                let email = format!("p{i}@{domain}");
                let res = app
                    .post_json(
                        "/api/v1/leads",
                        json!({"email": email, "persona": "cmo", "consent": consent, "account_domain": domain}),
                        Some(&ken),
                    )
                    .await;
                assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
                if hot {
                    for kind in ["demo_request", "meeting_booked", "form_submit"] {
                        let res = app
                            .post_json(
                                "/api/v1/activities",
                                json!({"lead_email": email, "kind": kind}),
                                Some(&ken),
                            )
                            .await;
                        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
                    }
                }
            }
        }
    }
    // The lens under the version in force moves nobody.
    let same = funnel(&app, &ken, "version=1").await;
    assert_eq!(same["lens"]["moved"], 0, "{same}");
    for s in same["stages"].as_array().unwrap() {
        assert_eq!(s["current"], s["actual_current"]);
    }

    // A proposal: a Lead needs 100 employees, not 50.
    let current = app.get("/api/v1/definitions/current", Some(&ken)).await.json();
    let mut def = current["definition"].clone();
    let text = def.to_string().replace("\"value\":50", "\"value\":100");
    assert_ne!(
        text,
        def.to_string(),
        "the seed definition has the 50-employee rule"
    );
    def = serde_json::from_str(&text).unwrap();
    let res = app
        .post_json(
            "/api/v1/proposals",
            json!({"base_version": 1, "title": "ICP 100+", "rationale": "sales asks", "definition": def}),
            Some(&ken),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let proposal = res.json()["id"].as_i64().unwrap();

    let raw = raw(&app).await;
    type E = (i64, Option<i64>, bool, bool);
    let facts: HashMap<i64, (Option<i64>, bool, bool)> = rows!(
        app,
        E,
        "SELECT l.id, a.employees, l.consent, l.past_human_decision FROM leads l LEFT JOIN accounts a ON a.id = l.account_id"
    )
    .into_iter()
    .map(|(id, e, c, d)| (id, (e, c, d)))
    .collect();
    for target_only in [false, true] {
        let f = Filter {
            target_only,
            ..Filter::default()
        };
        let mut want = [0u64; 7];
        let mut moved = 0;
        for l in raw.leads.values().filter(|l| f.takes(l)) {
            let (employees, consent, decided) = facts[&l.id];
            let p = pos(&l.stage).unwrap();
            let under = if !decided && (2..4).contains(&p) && employees.unwrap_or(0) < 100 {
                if consent { 1 } else { 0 }
            } else {
                p
            };
            if under != p {
                moved += 1;
            }
            want[under] += 1;
        }
        assert!(moved > 0, "the proposal moves some leads back");
        let answer = funnel(&app, &ken, &format!("proposal={proposal}&{}", f.query())).await;
        assert_eq!(answer["lens"]["moved"], moved, "{answer}");
        assert_eq!(answer["lens"]["kind"], "proposal");
        let got: Vec<u64> = answer["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["current"].as_u64().unwrap())
            .collect();
        assert_eq!(got, want.to_vec(), "lens counts, target_only={target_only}");
        let actual: Vec<u64> = answer["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["actual_current"].as_u64().unwrap())
            .collect();
        let mut today = [0u64; 7];
        for l in raw.leads.values().filter(|l| f.takes(l)) {
            today[pos(&l.stage).unwrap()] += 1;
        }
        assert_eq!(actual, today.to_vec(), "the actual funnel beside the lens");
    }

    let res = app.get("/api/v1/funnel?version=99", Some(&ken)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    assert_eq!(res.json()["error"]["details"][0]["field"], "version");
}

async fn bad_filters_are_named_and_strangers_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app.get("/api/v1/funnel", None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let res = app.get("/api/v1/funnel.csv", None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let res = app.get("/api/v1/leads.csv", None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let cookie = signed_in(&app, "ken@example.com", "marketing", "member").await;
    let cases = [
        ("from=2026-13-01", "from"),
        ("to=yesterday", "to"),
        ("from=2026-11-02&to=2026-10-01", "from"),
        ("from=2020-01-01&to=2026-01-01", "from"),
        ("owner_team=finance", "owner_team"),
        ("source=partner", "source"),
        ("tier=9", "tier"),
        ("target_only=maybe", "target_only"),
        ("version=abc", "version"),
        ("version=1&proposal=1", "proposal"),
    ];
    for (query, field) in cases {
        let res = app.get(&format!("/api/v1/funnel?{query}"), Some(&cookie)).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            res.text
        );
        let body = res.json();
        let fields: Vec<&str> = body["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&field), "{query}: {fields:?}");
    }
    let res = app.get("/api/v1/funnel?owner_team=sdr", Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK);
    let keys: Vec<String> = res.json()["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys, ["mql", "sql"], "SDR owns MQL and hands off into SQL");
}

async fn exports_write_the_funnel_and_every_matching_lead(backend: Backend) {
    let (app, _) = app_with_clock(backend).await;
    let cookie = signed_in(&app, "ken@example.com", "marketing", "member").await;
    server::seed::synthetic::synthetic(&app.state, 120, 5)
        .await
        .expect("seed");
    let res = app
        .get("/api/v1/funnel.csv?target_only=true", Some(&cookie))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert!(
        res.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let json = funnel(&app, &cookie, "target_only=true").await;
    let mut reader = csv::Reader::from_reader(res.text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 7);
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    for (r, s) in records.iter().zip(json["stages"].as_array().unwrap()) {
        assert_eq!(&r[col("key")], s["key"].as_str().unwrap());
        assert_eq!(
            r[col("current")].parse::<u64>().unwrap(),
            s["current"].as_u64().unwrap()
        );
        assert_eq!(
            r[col("entered")].parse::<u64>().unwrap(),
            s["entered"].as_u64().unwrap()
        );
    }

    let res = app.get("/api/v1/leads.csv?target_only=true", Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let targets = app
        .scalar(
            "SELECT COUNT(*) FROM leads l JOIN accounts a ON a.id = l.account_id WHERE a.is_target = TRUE",
        )
        .await;
    let mut reader = csv::Reader::from_reader(res.text.as_bytes());
    let emails: Vec<String> = reader.records().map(|r| r.unwrap()[1].to_owned()).collect();
    assert_eq!(emails.len() as i64, targets, "every target contact, no other");
    let all = app.get("/api/v1/leads.csv", Some(&cookie)).await;
    let rows = csv::Reader::from_reader(all.text.as_bytes()).records().count() as i64;
    assert_eq!(rows, app.scalar("SELECT COUNT(*) FROM leads").await);
    // The funnel's lead filters apply to the export too.
    let country = app
        .scalar("SELECT COUNT(*) FROM leads WHERE country = 'JP' AND source = 'inbound'")
        .await;
    assert!(country > 0, "the generated data has inbound leads in JP");
    let res = app
        .get("/api/v1/leads.csv?country=JP&source=inbound", Some(&cookie))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        csv::Reader::from_reader(res.text.as_bytes()).records().count() as i64,
        country
    );
    let res = app.get("/api/v1/leads.csv?source=partner", Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = app.get("/api/v1/leads.csv?stage=nope", Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn the_page_draws_its_charts_on_the_server_and_names_bad_filters(backend: Backend) {
    let (app, _) = app_with_clock(backend).await;
    let cookie = signed_in(&app, "ken@example.com", "marketing", "member").await;
    server::seed::synthetic::synthetic(&app.state, 150, 3)
        .await
        .expect("seed");
    let page = app
        .get_page("/?target_only=true&owner_team=marketing", Some(&cookie))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    for needle in [
        r#"class="funnel-svg""#,
        r#"class="bar-row""#,
        "<polyline",
        r#"data-testid="funnel-table""#,
        r#"data-stage="lead""#,
        r#"href="/api/v1/funnel.csv?"#,
    ] {
        assert!(
            page.text.contains(needle),
            "{needle} missing from the server-rendered page"
        );
    }
    assert!(
        !page.text.contains(r#"<tr class="team-row team-sales""#),
        "the marketing view shows marketing's stages"
    );
    let bad = app.get_page("/?from=someday", Some(&cookie)).await;
    assert!(bad.text.contains("From"), "{}", bad.text);
    assert!(!bad.text.contains(r#"data-testid="funnel-table""#));
}

on_both_backends!(
    the_page_draws_its_charts_on_the_server_and_names_bad_filters,
    history_true_numbers_match_ground_truth,
    lens_reevaluates_todays_leads_under_another_definition,
    bad_filters_are_named_and_strangers_are_refused,
    exports_write_the_funnel_and_every_matching_lead,
);
