use super::*;

fn order() -> Vec<String> {
    ["prospect", "subscriber", "lead", "mql", "sql"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn mv(from: Option<&str>, to: &str, version: i64, n: u64) -> MoveCount {
    MoveCount {
        from: from.map(str::to_string),
        to: to.into(),
        version,
        n,
        dwell: [0; DWELL_BUCKETS],
    }
}

#[test]
fn a_lead_created_further_down_enters_every_stage_it_passes() {
    let flows = stage_flows(&order(), &[mv(None, "lead", 1, 3)]);
    let entered: Vec<u64> = flows.iter().map(|f| f.entered).collect();
    assert_eq!(entered, vec![3, 3, 3, 0, 0]);
    let converted: Vec<u64> = flows.iter().map(|f| f.converted).collect();
    assert_eq!(converted, vec![0, 0, 0, 0, 0], "creation converts nothing");
}

#[test]
fn a_jump_converts_the_stage_left_and_every_stage_passed() {
    let flows = stage_flows(
        &order(),
        &[mv(None, "subscriber", 1, 10), mv(Some("subscriber"), "mql", 2, 4)],
    );
    assert_eq!(flows[1].entered, 10);
    assert_eq!(flows[1].converted, 4);
    assert_eq!(flows[1].conversion_rate, Some(0.4));
    assert_eq!((flows[2].entered, flows[2].converted), (4, 4));
    assert_eq!((flows[3].entered, flows[3].converted), (4, 0));
    assert_eq!(flows[3].cumulative_rate, Some(0.4));
    assert_eq!(flows[4].conversion_rate, None, "nothing entered, no rate");
    assert_eq!(
        flows[2].by_version,
        vec![VersionCounts {
            version: 2,
            entered: 4,
            converted: 4
        }]
    );
}

#[test]
fn moving_back_enters_nothing_and_counts_as_recycled_out_of_the_stage_left() {
    let flows = stage_flows(&order(), &[mv(Some("mql"), "lead", 1, 2)]);
    assert!(flows.iter().all(|f| f.entered == 0 && f.converted == 0));
    assert_eq!(flows[3].recycled, 2);
}

#[test]
fn stages_the_definition_no_longer_has_take_no_part() {
    let flows = stage_flows(&order(), &[mv(Some("gone"), "mql", 1, 5), mv(None, "gone", 1, 5)]);
    assert!(
        flows
            .iter()
            .all(|f| f.entered == 0 && f.converted == 0 && f.recycled == 0)
    );
}

#[test]
fn versions_are_reported_apart_oldest_first() {
    let flows = stage_flows(
        &order(),
        &[mv(None, "prospect", 2, 1), mv(None, "prospect", 1, 2)],
    );
    let versions: Vec<(i64, u64)> = flows[0]
        .by_version
        .iter()
        .map(|v| (v.version, v.entered))
        .collect();
    assert_eq!(versions, vec![(1, 2), (2, 1)]);
}

#[test]
fn buckets_follow_their_bounds() {
    assert_eq!(dwell_bucket(0.0), 0);
    assert_eq!(dwell_bucket(0.99), 0);
    assert_eq!(dwell_bucket(1.0), 1);
    assert_eq!(dwell_bucket(47.9), 6);
    assert_eq!(dwell_bucket(48.0), 7);
    assert_eq!(dwell_bucket(10_000.0), 15);
    assert_eq!(bucket_range(0), (0.0, Some(1.0)));
    assert_eq!(bucket_range(15), (4320.0, None));
}

#[test]
fn the_median_is_interpolated_inside_its_bucket() {
    let mut b = [0u64; DWELL_BUCKETS];
    assert_eq!(median_hours(&b), None);
    b[7] = 4; // 48–72 h
    assert_eq!(median_hours(&b), Some(60.0));
    b[0] = 4; // 0–1 h: the middle is now the border of the two groups
    assert_eq!(median_hours(&b), Some(1.0));
    let mut open = [0u64; DWELL_BUCKETS];
    open[15] = 1;
    assert_eq!(median_hours(&open), Some(4320.0));
}

#[test]
fn time_in_stage_is_taken_from_the_moves_out_of_it() {
    let mut out = mv(Some("lead"), "mql", 1, 3);
    out.dwell[5] = 3; // 12–24 h
    let flows = stage_flows(&order(), &[out]);
    assert_eq!(flows[2].median_hours_in_stage, Some(18.0));
    assert_eq!(flows[2].exits_timed, 3);
    assert_eq!(flows[3].median_hours_in_stage, None);
}

#[test]
fn the_migration_buckets_stays_with_the_same_bounds() {
    for backend in ["sqlite", "postgres"] {
        let path = format!(
            "{}/../migrations/{backend}/0007_funnel_aggregates.sql",
            env!("CARGO_MANIFEST_DIR")
        );
        let sql = std::fs::read_to_string(&path).expect("the funnel migration");
        let expected: Vec<String> = DWELL_BOUNDS
            .iter()
            .enumerate()
            .map(|(i, b)| format!("< {b} THEN {i}"))
            .collect();
        for bound in &expected {
            assert!(
                sql.contains(bound),
                "{backend}: `{bound}` missing from the bucket CASE"
            );
        }
        assert!(
            sql.contains(&format!("ELSE {} END", DWELL_BOUNDS.len())),
            "{backend}: open last bucket"
        );
    }
}

#[test]
fn weekly_entries_are_summed_per_week_and_stage() {
    // Days count toward their week's Monday: a Wednesday and a Sunday are one week.
    let monday = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let next = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let weeks = weekly_entries(
        &order(),
        &[
            (next, mv(None, "prospect", 1, 1)),
            (monday + chrono::Days::new(2), mv(None, "lead", 1, 2)),
            (monday + chrono::Days::new(6), mv(Some("lead"), "mql", 1, 1)),
        ],
    );
    assert_eq!(
        weeks,
        vec![(monday, vec![2, 2, 2, 1, 0]), (next, vec![1, 0, 0, 0, 0])]
    );
}

#[test]
fn a_week_starts_on_its_monday() {
    let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    assert_eq!(week_of(day(23)), day(23));
    assert_eq!(week_of(day(29)), day(23));
    assert_eq!(week_of(day(30)), day(30));
    assert_eq!(
        week_of(chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()),
        chrono::NaiveDate::from_ymd_opt(2026, 12, 28).unwrap()
    );
}
