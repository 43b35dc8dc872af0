//! Lead scoring (DESIGN.md, "Core objects", Activity): points per activity kind under the
//! current version's rules, with caps and a decay window, plus the activity counts that
//! entry criteria such as `activity.form_submit.count_30d` test.
//!
//! Time windows are half-open on the past side: an activity counts when it happened after
//! `now − days` and not after `now`. Activities dated in the future (a clock skew, a scheduled
//! event recorded early) never count until their time has come.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::definitions::{ActivityCount, Scoring};

/// One activity of a lead, as the scorer needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScoredActivity {
    /// Activity kind (`form_submit`…).
    pub kind: String,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
}

/// One line of a score breakdown: what one activity kind contributed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreLine {
    /// Activity kind of the scoring rule.
    pub kind: String,
    /// Activities of this kind inside the decay window.
    pub count: u32,
    /// Points per activity, as the rule says.
    pub points_each: i32,
    /// `count × points_each`, before the cap.
    pub raw: i64,
    /// The rule's cap, present only when it actually cut `raw` down.
    pub capped_at: Option<i32>,
    /// What this kind contributes to the total.
    pub points: i64,
}

/// A lead's score and how it was reached, so that "why is this lead at 72?" has an answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreBreakdown {
    /// The score: the sum of the lines, never below 0.
    pub total: i64,
    /// One line per scoring rule whose kind the lead has activities of, in rule order.
    pub lines: Vec<ScoreLine>,
    /// The decay window that was applied, if any.
    pub decay_days: Option<u32>,
}

/// Scores a lead's activities at `now`.
///
/// - Only activities inside the decay window count (all past ones when there is none);
///   activities after `now` never count.
/// - Per rule: `points = count × points_each`, then cut to `max_points` when set. The cap
///   limits what a kind can *add*: a negative rule (an unsubscribe) is never capped, so a
///   cap cannot turn a penalty into a bonus.
/// - Activity kinds without a rule score 0 and get no line; rules the lead has no activity
///   for get no line either. Lines follow the order of the rules.
/// - The total is the sum of the lines, floored at 0.
pub fn score(scoring: &Scoring, activities: &[ScoredActivity], now: DateTime<Utc>) -> ScoreBreakdown {
    score_counted(scoring, activities, now)
}

/// [`score`] from any source of activity counts: a lead's activities, or counts the database
/// tallied for many leads at once ([`Tallied`]).
pub fn score_counted<A: CountActivities + ?Sized>(
    scoring: &Scoring,
    activities: &A,
    now: DateTime<Utc>,
) -> ScoreBreakdown {
    let since = scoring.decay_days.and_then(|days| window_start(now, days));
    let lines: Vec<ScoreLine> = scoring
        .rules
        .iter()
        .filter_map(|rule| {
            let count = activities.count(&rule.kind, now, since);
            if count == 0 {
                return None;
            }
            let raw = i64::from(count) * i64::from(rule.points);
            let capped_at = rule.max_points.filter(|&cap| raw > 0 && raw > i64::from(cap));
            Some(ScoreLine {
                kind: rule.kind.clone(),
                count,
                points_each: rule.points,
                raw,
                capped_at,
                points: capped_at.map_or(raw, i64::from),
            })
        })
        .collect();
    ScoreBreakdown {
        total: lines.iter().map(|l| l.points).sum::<i64>().max(0),
        lines,
        decay_days: scoring.decay_days,
    }
}

/// For each `(kind, days)` window (as [`crate::definitions::criteria::activity_windows`] lists
/// them), how many activities of that kind happened in `(now − days, now]`; one count per
/// window, in the same order, zero counts included.
pub fn activity_counts(
    windows: &[(String, u32)],
    activities: &[ScoredActivity],
    now: DateTime<Utc>,
) -> Vec<ActivityCount> {
    activity_counts_counted(windows, activities, now)
}

/// [`activity_counts`] from any source of activity counts.
pub fn activity_counts_counted<A: CountActivities + ?Sized>(
    windows: &[(String, u32)],
    activities: &A,
    now: DateTime<Utc>,
) -> Vec<ActivityCount> {
    windows
        .iter()
        .map(|(kind, days)| ActivityCount {
            kind: kind.clone(),
            days: *days,
            count: activities.count(kind, now, window_start(now, *days)),
        })
        .collect()
}

/// How many activities of a kind a lead has in `(since, now]` (`since = None`: no lower
/// bound) — the one question scoring and the criteria's windows ask of activities.
pub trait CountActivities {
    /// Activities of `kind` in `(since, now]`.
    fn count(&self, kind: &str, now: DateTime<Utc>, since: Option<DateTime<Utc>>) -> u32;
}

impl CountActivities for [ScoredActivity] {
    fn count(&self, kind: &str, now: DateTime<Utc>, since: Option<DateTime<Utc>>) -> u32 {
        let n = self
            .iter()
            .filter(|a| a.kind == kind && a.occurred_at <= now && since.is_none_or(|s| a.occurred_at > s))
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

/// One count the database takes per lead: activities of `kind` in `(since, now]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tally {
    /// Activity kind.
    pub kind: String,
    /// Exclusive start of the window; `None`: since forever.
    pub since: Option<DateTime<Utc>>,
}

/// The tallies [`score_counted`] and [`activity_counts_counted`] ask for under `scoring` and
/// `windows` at `now`, each once — so that the database can count them for many leads in one
/// query instead of sending every activity.
pub fn tallies(scoring: &Scoring, windows: &[(String, u32)], now: DateTime<Utc>) -> Vec<Tally> {
    let decay = scoring.decay_days.and_then(|days| window_start(now, days));
    let mut out: Vec<Tally> = Vec::new();
    let wanted = scoring
        .rules
        .iter()
        .map(|rule| (rule.kind.as_str(), decay))
        .chain(
            windows
                .iter()
                .map(|(kind, days)| (kind.as_str(), window_start(now, *days))),
        );
    for (kind, since) in wanted {
        if !out.iter().any(|t| t.kind == kind && t.since == since) {
            out.push(Tally {
                kind: kind.to_owned(),
                since,
            });
        }
    }
    out
}

/// A lead's counts for a list of [`Tally`]s, in the same order.
pub struct Tallied<'a> {
    /// What was counted.
    pub tallies: &'a [Tally],
    /// The counts, one per tally.
    pub counts: &'a [i64],
}

impl CountActivities for Tallied<'_> {
    /// The tallied count (`now` is the one the tallies were made for); a question nobody
    /// tallied is a bug in the caller, and counts as 0 in release builds.
    fn count(&self, kind: &str, _now: DateTime<Utc>, since: Option<DateTime<Utc>>) -> u32 {
        let found = self
            .tallies
            .iter()
            .position(|t| t.kind == kind && t.since == since)
            .and_then(|i| self.counts.get(i));
        debug_assert!(
            found.is_some(),
            "activity count of {kind} since {since:?} was not tallied"
        );
        found.map_or(0, |&n| u32::try_from(n).unwrap_or(u32::MAX))
    }
}

/// The exclusive start of a window of `days` ending at `now`; `None` when it reaches before
/// the earliest representable time, which means "since forever".
fn window_start(now: DateTime<Utc>, days: u32) -> Option<DateTime<Utc>> {
    TimeDelta::try_days(i64::from(days)).and_then(|span| now.checked_sub_signed(span))
}

#[cfg(test)]
#[path = "scoring_tests.rs"]
mod tests;
