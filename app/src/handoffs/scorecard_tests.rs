use chrono::{Duration, NaiveDate, TimeZone, Utc};

use super::*;

fn at(hours: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap() + Duration::hours(hours)
}

fn person(id: i64, name: &str) -> Person {
    Person {
        id,
        email: format!("{}@example.com", name.to_lowercase()),
        name: name.into(),
    }
}

/// A handoff into `stage` opened at hour 0 with a 24-hour SLA, decided after `hours`.
fn decided(
    stage: &str,
    team: Team,
    status: HandoffStatus,
    by: &Person,
    hours: i64,
    reason: Option<&str>,
) -> Record {
    Record {
        stage: stage.into(),
        to_team: team,
        status,
        decider: Some(by.clone()),
        requested_at: at(0),
        sla_due_at: at(24),
        decided_at: Some(at(hours)),
        reason_code: reason.map(Into::into),
    }
}

fn pending(stage: &str, team: Team) -> Record {
    Record {
        stage: stage.into(),
        to_team: team,
        status: HandoffStatus::Pending,
        decider: None,
        requested_at: at(0),
        sla_due_at: at(24),
        decided_at: None,
        reason_code: None,
    }
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

#[test]
fn acceptance_rate_median_and_breaches_count_only_what_they_should() {
    let tom = person(1, "Tom");
    let records = [
        decided("mql", Team::Sdr, HandoffStatus::Accepted, &tom, 2, None),
        decided("mql", Team::Sdr, HandoffStatus::Accepted, &tom, 4, None),
        decided(
            "mql",
            Team::Sdr,
            HandoffStatus::Rejected,
            &tom,
            30,
            Some("not_icp"),
        ),
        pending("mql", Team::Sdr),
    ];
    let t = tally(&records, at(48));
    assert_eq!((t.total, t.pending, t.accepted, t.rejected), (4, 1, 2, 1));
    assert_eq!(t.acceptance_rate(), Some(2.0 / 3.0));
    // 2 h, 4 h, 30 h: the median is 4 h; the pending one does not count.
    assert_eq!(t.median_decision_secs, Some(4 * 3600));
    // Decided after the SLA, and pending past it.
    assert_eq!(t.breaches, 2);
    // Before the SLA runs out, the pending one is not a breach.
    assert_eq!(tally(&records, at(10)).breaches, 1);
}

#[test]
fn nothing_decided_has_no_rates_and_no_median() {
    let t = tally(&[pending("sql", Team::Sales)], at(1));
    assert_eq!(t.acceptance_rate(), None);
    assert_eq!(t.rejection_rate(), None);
    assert_eq!(t.median_decision_secs, None);
}

#[test]
fn an_even_count_takes_the_mean_of_the_middle_two() {
    assert_eq!(median(&mut [40, 10, 20, 30]), Some(25));
    assert_eq!(median(&mut []), None);
}

#[test]
fn rejection_reasons_are_counted_most_frequent_first_and_recycling_counts_as_rejection() {
    let tom = person(1, "Tom");
    let records = [
        decided(
            "mql",
            Team::Sdr,
            HandoffStatus::Rejected,
            &tom,
            1,
            Some("not_icp"),
        ),
        decided(
            "mql",
            Team::Sdr,
            HandoffStatus::Recycled,
            &tom,
            1,
            Some("nurture"),
        ),
        decided(
            "mql",
            Team::Sdr,
            HandoffStatus::Recycled,
            &tom,
            1,
            Some("nurture"),
        ),
    ];
    let t = tally(&records, at(1));
    assert_eq!(t.rejected, 3);
    assert_eq!(
        t.reasons,
        vec![("nurture".to_owned(), 2), ("not_icp".to_owned(), 1)]
    );
}

#[test]
fn a_gate_rejecting_more_than_thirty_percent_is_flagged_and_exactly_thirty_is_not() {
    let tom = person(1, "Tom");
    let emma = person(2, "Emma");
    let mut records = Vec::new();
    // MQL → SDR: 3 of 10 rejected (30 %): not flagged.
    for i in 0..10 {
        let status = if i < 3 {
            HandoffStatus::Rejected
        } else {
            HandoffStatus::Accepted
        };
        records.push(decided(
            "mql",
            Team::Sdr,
            status,
            &tom,
            1,
            (i < 3).then_some("not_icp"),
        ));
    }
    // SDR → sales: 2 of 5 rejected (40 %): flagged.
    for i in 0..5 {
        let status = if i < 2 {
            HandoffStatus::Rejected
        } else {
            HandoffStatus::Accepted
        };
        records.push(decided(
            "sql",
            Team::Sales,
            status,
            &emma,
            1,
            (i < 2).then_some("no_budget"),
        ));
    }
    let order = ["lead".to_owned(), "mql".to_owned(), "sql".to_owned()];
    let card = scorecard(&records, day(1), day(30), &order, at(2));
    let gates: Vec<(&str, bool)> = card.gates.iter().map(|g| (g.stage.as_str(), g.alert)).collect();
    assert_eq!(gates, vec![("mql", false), ("sql", true)]);
    assert_eq!(
        card.teams
            .iter()
            .map(|t| (t.team, t.tally.total))
            .collect::<Vec<_>>(),
        vec![(Team::Sdr, 10), (Team::Sales, 5)]
    );
}

#[test]
fn people_are_counted_by_what_they_decided_per_team() {
    let tom = person(1, "Tom");
    let sara = person(3, "Sara");
    let records = [
        decided("mql", Team::Sdr, HandoffStatus::Accepted, &tom, 1, None),
        decided(
            "mql",
            Team::Sdr,
            HandoffStatus::Rejected,
            &sara,
            3,
            Some("duplicate"),
        ),
        decided("mql", Team::Sdr, HandoffStatus::Accepted, &sara, 5, None),
        pending("mql", Team::Sdr),
    ];
    let card = scorecard(&records, day(1), day(2), &[], at(2));
    let people: Vec<(&str, u32, u32)> = card
        .people
        .iter()
        .map(|p| (p.person.name.as_str(), p.tally.accepted, p.tally.rejected))
        .collect();
    assert_eq!(people, vec![("Sara", 1, 1), ("Tom", 1, 0)]);
    assert_eq!(card.people[0].tally.median_decision_secs, Some(4 * 3600));
}

#[test]
fn the_period_defaults_to_the_last_thirty_days_and_is_kept_sane() {
    let today = day(30);
    assert_eq!(period(None, None, today), (day(1), day(30)));
    assert_eq!(
        period(Some("2026-11-05"), Some("2026-11-10"), today),
        (day(5), day(10))
    );
    assert_eq!(
        period(Some("2026-11-10"), Some("2026-11-05"), today),
        (day(5), day(10))
    );
    assert_eq!(
        period(Some("garbage"), Some("2026-11-20"), today),
        (day(20) - Duration::days(29), day(20))
    );
    let (from, to) = period(Some("2020-01-01"), None, today);
    assert_eq!((to - from).num_days(), MAX_PERIOD_DAYS - 1);
    let (start, end) = period_bounds(day(5), day(5));
    assert_eq!(end - start, Duration::days(1));
}
