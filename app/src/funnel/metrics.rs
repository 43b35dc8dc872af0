//! The funnel's arithmetic (issue 6), pure: from stage changes counted per (from → to,
//! definition version) and the leads in each stage now, the numbers of every stage.
//!
//! The rules, in one place:
//! * A move **enters** stage S when it goes from before S to S or beyond (a lead created at
//!   MQL, or jumping from Lead to SQL, enters every stage it passes); it **converts** S when
//!   it goes from S or before to beyond S. Backward moves (recycling) enter nothing; they are
//!   counted as **recycled** out of the stage they leave.
//! * Step conversion = converted ÷ entered of the period; cumulative conversion = entered ÷
//!   entered into the first stage.
//! * Time in stage is measured on the moves *out of* the stage in the period, from the lead's
//!   latest earlier move into it; the store keeps it as counts per [`DWELL_BOUNDS`] bucket,
//!   and the median is read off those counts (linear inside the bucket).
//! * Stage keys the definition does not know (a stage removed since) take no part.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Upper bounds (hours, exclusive) of the time-in-stage buckets; the last bucket is open.
/// The migrations `0007_funnel_aggregates` and `0009_funnel_moves_by_place` use the same
/// bounds in their triggers (a test reads them).
pub const DWELL_BOUNDS: [u32; 15] = [1, 2, 4, 8, 12, 24, 48, 72, 120, 168, 336, 720, 1440, 2160, 4320];

/// How many time-in-stage buckets there are.
pub const DWELL_BUCKETS: usize = DWELL_BOUNDS.len() + 1;

/// Moves counted for one (from → to, version) pair.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MoveCount {
    /// The stage left; `None` when the lead was created.
    pub from: Option<String>,
    /// The stage entered.
    pub to: String,
    /// The definition version in force when the moves happened.
    pub version: i64,
    /// How many moves.
    pub n: u64,
    /// Of those, how many left `from` after a stay in each [`DWELL_BOUNDS`] bucket.
    pub dwell: [u64; DWELL_BUCKETS],
}

/// The bucket of a stay of `hours`.
pub fn dwell_bucket(hours: f64) -> usize {
    DWELL_BOUNDS
        .iter()
        .position(|&b| hours < f64::from(b))
        .unwrap_or(DWELL_BOUNDS.len())
}

/// The hours `[lower, upper)` of bucket `b`; the last bucket has no upper bound.
pub fn bucket_range(b: usize) -> (f64, Option<f64>) {
    let lower = if b == 0 {
        0.0
    } else {
        f64::from(DWELL_BOUNDS[b - 1])
    };
    (lower, DWELL_BOUNDS.get(b).map(|&u| f64::from(u)))
}

/// The median of stays counted per bucket, linear inside the bucket that holds it; `None`
/// when nothing was counted. In the open last bucket the median is its lower bound.
pub fn median_hours(buckets: &[u64; DWELL_BUCKETS]) -> Option<f64> {
    let total: u64 = buckets.iter().sum();
    if total == 0 {
        return None;
    }
    let half = total as f64 / 2.0;
    let mut before = 0u64;
    for (b, &count) in buckets.iter().enumerate() {
        if count > 0 && (before + count) as f64 >= half {
            let (lower, upper) = bucket_range(b);
            return Some(match upper {
                Some(upper) => lower + (upper - lower) * ((half - before as f64) / count as f64),
                None => lower,
            });
        }
        before += count;
    }
    None
}

/// Entered and converted under one definition version.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VersionCounts {
    /// The definition version in force at the time of the moves.
    pub version: i64,
    /// Moves into the stage.
    pub entered: u64,
    /// Moves past the stage.
    pub converted: u64,
}

/// The history-true numbers of one stage over a period.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StageFlow {
    /// Leads that entered the stage.
    pub entered: u64,
    /// Leads that moved past it.
    pub converted: u64,
    /// Leads moved back out of it.
    pub recycled: u64,
    /// converted ÷ entered.
    pub conversion_rate: Option<f64>,
    /// entered ÷ entered into the first stage.
    pub cumulative_rate: Option<f64>,
    /// Median hours in the stage of the leads that left it.
    pub median_hours_in_stage: Option<f64>,
    /// How many stays the median is taken over.
    pub exits_timed: u64,
    /// Entered and converted per definition version, oldest first.
    pub by_version: Vec<VersionCounts>,
}

/// Rate `part ÷ whole`, `None` when `whole` is zero.
pub fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The flow numbers of every stage of `order` (stage keys in funnel order) from `moves`.
pub fn stage_flows(order: &[String], moves: &[MoveCount]) -> Vec<StageFlow> {
    let pos = |key: &str| order.iter().position(|k| k == key);
    let mut flows = vec![StageFlow::default(); order.len()];
    let mut versions: Vec<BTreeMap<i64, VersionCounts>> = vec![BTreeMap::new(); order.len()];
    let mut dwell = vec![[0u64; DWELL_BUCKETS]; order.len()];
    for m in moves {
        let Some(to) = pos(&m.to) else { continue };
        let from = match &m.from {
            None => None,
            Some(key) => match pos(key) {
                Some(p) => Some(p),
                None => continue,
            },
        };
        let start = from.map_or(0, |f| f + 1);
        for s in start..=to {
            flows[s].entered += m.n;
            entry(&mut versions[s], m.version).entered += m.n;
        }
        if let Some(f) = from {
            for s in f..to {
                flows[s].converted += m.n;
                entry(&mut versions[s], m.version).converted += m.n;
            }
            if to < f {
                flows[f].recycled += m.n;
            }
            for (b, count) in m.dwell.iter().enumerate() {
                dwell[f][b] += count;
            }
        }
    }
    let top = flows.first().map_or(0, |f| f.entered);
    for (s, flow) in flows.iter_mut().enumerate() {
        flow.conversion_rate = rate(flow.converted, flow.entered);
        flow.cumulative_rate = rate(flow.entered, top);
        flow.median_hours_in_stage = median_hours(&dwell[s]);
        flow.exits_timed = dwell[s].iter().sum();
        flow.by_version = std::mem::take(&mut versions[s]).into_values().collect();
    }
    flows
}

fn entry(map: &mut BTreeMap<i64, VersionCounts>, version: i64) -> &mut VersionCounts {
    map.entry(version).or_insert_with(|| VersionCounts {
        version,
        ..VersionCounts::default()
    })
}

/// The Monday of the week of `day`.
pub fn week_of(day: chrono::NaiveDate) -> chrono::NaiveDate {
    day - chrono::Days::new(u64::from(chrono::Datelike::weekday(&day).num_days_from_monday()))
}

/// Stage entries per week: for each week (its Monday), how many moves entered each stage of
/// `order`. `daily` holds moves per day (any day of a week counts toward its Monday).
pub fn weekly_entries(
    order: &[String],
    daily: &[(chrono::NaiveDate, MoveCount)],
) -> Vec<(chrono::NaiveDate, Vec<u64>)> {
    let mut weeks: BTreeMap<chrono::NaiveDate, Vec<MoveCount>> = BTreeMap::new();
    for (day, m) in daily {
        weeks.entry(week_of(*day)).or_default().push(m.clone());
    }
    weeks
        .into_iter()
        .map(|(week, moves)| {
            (
                week,
                stage_flows(order, &moves)
                    .into_iter()
                    .map(|f| f.entered)
                    .collect(),
            )
        })
        .collect()
}

#[cfg(test)]
#[path = "metrics_tests.rs"]
mod tests;
