use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use super::*;
use crate::definitions::seed::version_one;
use crate::definitions::{Scoring, ScoringRule};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
}

fn at(kind: &str, days_ago: i64) -> ScoredActivity {
    ScoredActivity {
        kind: kind.to_owned(),
        occurred_at: now() - TimeDelta::days(days_ago),
    }
}

fn many(kind: &str, n: usize, days_ago: i64) -> Vec<ScoredActivity> {
    (0..n).map(|_| at(kind, days_ago)).collect()
}

fn rule(kind: &str, points: i32, max_points: Option<i32>) -> ScoringRule {
    ScoringRule {
        kind: kind.to_owned(),
        points,
        max_points,
    }
}

#[test]
fn points_multiply_per_activity_and_lines_follow_the_rules() {
    let mut activities = many("page_view", 3, 1);
    activities.extend(many("form_submit", 2, 2));
    let breakdown = score(&version_one().scoring, &activities, now());
    let kinds: Vec<_> = breakdown.lines.iter().map(|l| l.kind.as_str()).collect();
    assert_eq!(kinds, ["form_submit", "page_view"]);
    assert_eq!(
        breakdown.lines[0],
        ScoreLine {
            kind: "form_submit".into(),
            count: 2,
            points_each: 10,
            raw: 20,
            capped_at: None,
            points: 20
        }
    );
    assert_eq!(breakdown.total, 23);
    assert_eq!(breakdown.decay_days, Some(90));
}

#[test]
fn a_cap_limits_what_one_kind_contributes_and_says_so() {
    let breakdown = score(&version_one().scoring, &many("content_download", 7, 1), now());
    let line = &breakdown.lines[0];
    assert_eq!((line.raw, line.capped_at, line.points), (56, Some(40), 40));
    assert_eq!(breakdown.total, 40);
    let breakdown = score(&version_one().scoring, &many("content_download", 5, 1), now());
    assert_eq!(
        breakdown.lines[0].capped_at, None,
        "exactly at the cap is not capped"
    );
    assert_eq!(breakdown.total, 40);
}

#[test]
fn activities_older_than_the_decay_window_no_longer_count() {
    let mut activities = many("demo_request", 1, 89);
    activities.extend(many("demo_request", 1, 90));
    activities.extend(many("demo_request", 1, 400));
    let breakdown = score(&version_one().scoring, &activities, now());
    assert_eq!(breakdown.lines[0].count, 1);
    assert_eq!(breakdown.total, 30);
}

#[test]
fn without_decay_every_past_activity_counts() {
    let scoring = Scoring {
        rules: vec![rule("demo_request", 30, None)],
        decay_days: None,
    };
    let breakdown = score(
        &scoring,
        &[at("demo_request", 1), at("demo_request", 3650)],
        now(),
    );
    assert_eq!(breakdown.total, 60);
    assert_eq!(breakdown.decay_days, None);
}

#[test]
fn activities_in_the_future_do_not_count_yet() {
    let mut future = at("demo_request", 0);
    future.occurred_at = now() + TimeDelta::seconds(1);
    let breakdown = score(&version_one().scoring, &[future, at("demo_request", 0)], now());
    assert_eq!(breakdown.lines[0].count, 1, "an activity at exactly now counts");
    assert_eq!(breakdown.total, 30);
}

#[test]
fn kinds_without_a_rule_score_nothing_and_have_no_line() {
    let breakdown = score(&version_one().scoring, &many("unsubscribe", 4, 1), now());
    assert_eq!(breakdown.lines, vec![]);
    assert_eq!(breakdown.total, 0);
}

#[test]
fn a_negative_rule_is_never_capped_and_the_total_never_drops_below_zero() {
    let scoring = Scoring {
        rules: vec![rule("email_click", 3, None), rule("unsubscribe", -20, Some(10))],
        decay_days: None,
    };
    let mut activities = many("email_click", 2, 1);
    activities.extend(many("unsubscribe", 1, 1));
    let breakdown = score(&scoring, &activities, now());
    assert_eq!(breakdown.lines[1].points, -20);
    assert_eq!(breakdown.lines[1].capped_at, None);
    assert_eq!(breakdown.total, 0);
    activities.extend(many("email_click", 10, 1));
    assert_eq!(score(&scoring, &activities, now()).total, 36 - 20);
}

#[test]
fn activity_counts_cover_each_window_in_order_with_zeros() {
    let activities = vec![
        at("form_submit", 1),
        at("form_submit", 7),
        at("form_submit", 8),
        at("form_submit", 29),
        at("page_view", 2),
    ];
    let windows = vec![
        ("form_submit".to_owned(), 7),
        ("form_submit".to_owned(), 30),
        ("demo_request".to_owned(), 30),
    ];
    let counts = activity_counts(&windows, &activities, now());
    let got: Vec<_> = counts
        .iter()
        .map(|c| (c.kind.as_str(), c.days, c.count))
        .collect();
    assert_eq!(
        got,
        [
            ("form_submit", 7, 1),
            ("form_submit", 30, 4),
            ("demo_request", 30, 0)
        ]
    );
}

#[test]
fn activity_counts_ignore_future_activities() {
    let mut future = at("form_submit", 0);
    future.occurred_at = now() + TimeDelta::hours(1);
    let counts = activity_counts(&[("form_submit".to_owned(), 30)], &[future], now());
    assert_eq!(counts[0].count, 0);
}

#[test]
fn an_enormous_decay_window_means_since_forever() {
    let scoring = Scoring {
        rules: vec![rule("form_submit", 10, None)],
        decay_days: Some(u32::MAX),
    };
    assert_eq!(score(&scoring, &[at("form_submit", 36_500)], now()).total, 10);
}

#[test]
fn tallied_counts_score_exactly_as_the_activities_do() {
    let def = version_one();
    let windows = crate::definitions::criteria::activity_windows(&def);
    let mut activities = many("page_view", 30, 1);
    activities.extend(many("form_submit", 2, 10));
    activities.extend(many("form_submit", 1, 45));
    activities.extend(many("content_download", 7, 89));
    activities.extend(many("demo_request", 1, 91));
    activities.push(at("meeting_booked", -1));
    let tallies = tallies(&def.scoring, &windows, now());
    // What the database's COUNT … FILTER per tally computes.
    let counts: Vec<i64> = tallies
        .iter()
        .map(|t| i64::from(activities.as_slice().count(&t.kind, now(), t.since)))
        .collect();
    let tallied = Tallied {
        tallies: &tallies,
        counts: &counts,
    };
    assert_eq!(
        score_counted(&def.scoring, &tallied, now()),
        score(&def.scoring, &activities, now())
    );
    assert_eq!(
        activity_counts_counted(&windows, &tallied, now()),
        activity_counts(&windows, &activities, now())
    );
    assert!(score(&def.scoring, &activities, now()).total > 0);
}

#[test]
fn each_tally_is_asked_for_once() {
    let def = version_one();
    let mut windows = crate::definitions::criteria::activity_windows(&def);
    // A window equal to the decay window is the same count as the scoring rule's.
    windows.push(("page_view".into(), 90));
    let tallies = tallies(&def.scoring, &windows, now());
    for (i, t) in tallies.iter().enumerate() {
        assert!(!tallies[..i].contains(t), "{t:?} asked twice");
    }
    assert_eq!(
        tallies.iter().filter(|t| t.kind == "page_view").count(),
        1,
        "the 90-day page_view window and the page_view rule share one count"
    );
}
