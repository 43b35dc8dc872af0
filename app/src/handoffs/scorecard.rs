//! The leader scorecard (issue 5, part 7): per gate, per receiving team and per person —
//! acceptance rate, rejection reasons, median time to decision and SLA breaches — over a
//! chosen period. Pure: the store hands over the handoffs of the period, this module counts.
//! A gate whose rejection rate passes [`REJECTION_ALERT`] is flagged, so leaders can turn
//! the feedback into a definition proposal.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::model::{HandoffStatus, Person};
use crate::auth::Team;

/// Above this share of rejections (rejected or recycled, of all decisions) a gate is
/// flagged: its definition probably needs a change.
pub const REJECTION_ALERT: f64 = 0.30;

/// The longest period the scorecard covers, in days.
pub const MAX_PERIOD_DAYS: i64 = 366;

/// The period shown when the URL names none: the last 30 days, today included.
pub const DEFAULT_PERIOD_DAYS: i64 = 30;

/// One handoff as the scorecard sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// The gated stage (`mql`, `sql`…): the gate.
    pub stage: String,
    /// The receiving team.
    pub to_team: Team,
    /// Where it stands.
    pub status: HandoffStatus,
    /// Who decided it.
    pub decider: Option<Person>,
    /// When it was opened.
    pub requested_at: DateTime<Utc>,
    /// When its SLA ran out.
    pub sla_due_at: DateTime<Utc>,
    /// When it was decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was rejected or recycled.
    pub reason_code: Option<String>,
}

impl Record {
    /// Decided after its SLA, or still pending past it at `now`.
    pub fn breached(&self, now: DateTime<Utc>) -> bool {
        match self.decided_at {
            Some(at) => at > self.sla_due_at,
            None => self.status == HandoffStatus::Pending && now > self.sla_due_at,
        }
    }
}

/// The counts of one group of handoffs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    /// Handoffs in the group.
    pub total: u32,
    /// Still waiting.
    pub pending: u32,
    /// Accepted.
    pub accepted: u32,
    /// Rejected or recycled.
    pub rejected: u32,
    /// Rejections per reason code, most frequent first (ties by code).
    pub reasons: Vec<(String, u32)>,
    /// Median time from request to decision, in seconds (decided handoffs only).
    pub median_decision_secs: Option<i64>,
    /// Decided late, or pending past the SLA.
    pub breaches: u32,
}

impl Tally {
    /// Decisions taken (accepted, rejected or recycled).
    pub fn decided(&self) -> u32 {
        self.accepted + self.rejected
    }

    /// Accepted share of decisions; `None` before the first decision.
    pub fn acceptance_rate(&self) -> Option<f64> {
        (self.decided() > 0).then(|| f64::from(self.accepted) / f64::from(self.decided()))
    }

    /// Rejected share of decisions; `None` before the first decision.
    pub fn rejection_rate(&self) -> Option<f64> {
        (self.decided() > 0).then(|| f64::from(self.rejected) / f64::from(self.decided()))
    }
}

/// Counts `records` at `now`.
pub fn tally<'a>(records: impl IntoIterator<Item = &'a Record>, now: DateTime<Utc>) -> Tally {
    let mut t = Tally::default();
    let mut durations = Vec::new();
    for r in records {
        t.total += 1;
        match r.status {
            HandoffStatus::Pending => t.pending += 1,
            HandoffStatus::Accepted => t.accepted += 1,
            HandoffStatus::Rejected | HandoffStatus::Recycled => {
                t.rejected += 1;
                let code = r.reason_code.clone().unwrap_or_default();
                match t.reasons.iter_mut().find(|(c, _)| *c == code) {
                    Some((_, n)) => *n += 1,
                    None => t.reasons.push((code, 1)),
                }
            }
            HandoffStatus::Expired => {}
        }
        if r.breached(now) {
            t.breaches += 1;
        }
        if let Some(at) = r.decided_at
            && r.status != HandoffStatus::Pending
        {
            durations.push((at - r.requested_at).num_seconds().max(0));
        }
    }
    t.reasons
        .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    t.median_decision_secs = median(&mut durations);
    t
}

/// The median of `values` (the mean of the middle two for an even count).
pub fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2
    } else {
        values[mid]
    })
}

/// One gate's line: the stage it leads into, its receiving team, the counts and whether the
/// rejection rate passed the alert level.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GateLine {
    /// The gated stage.
    pub stage: String,
    /// The receiving team.
    pub to_team: Team,
    /// Counts.
    pub tally: Tally,
    /// Rejection rate above [`REJECTION_ALERT`].
    pub alert: bool,
}

/// One receiving team's line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamLine {
    /// The team.
    pub team: Team,
    /// Counts.
    pub tally: Tally,
}

/// One decider's line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonLine {
    /// Who decided.
    pub person: Person,
    /// Their team (the receiving team of what they decided).
    pub team: Team,
    /// Counts of the handoffs they decided.
    pub tally: Tally,
}

/// The whole scorecard of a period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    /// First day, inclusive.
    pub from: NaiveDate,
    /// Last day, inclusive.
    pub to: NaiveDate,
    /// Per gate, in `gate_order`.
    pub gates: Vec<GateLine>,
    /// Per receiving team, in team order.
    pub teams: Vec<TeamLine>,
    /// Per decider, by team then name.
    pub people: Vec<PersonLine>,
}

/// Builds the scorecard of `records` (the handoffs of the period `from..=to`) at `now`;
/// gates appear in `gate_order` (the definition's stage order), unknown ones last.
pub fn scorecard(
    records: &[Record],
    from: NaiveDate,
    to: NaiveDate,
    gate_order: &[String],
    now: DateTime<Utc>,
) -> Scorecard {
    let mut gate_keys: Vec<(String, Team)> = Vec::new();
    for r in records {
        if !gate_keys.iter().any(|(s, t)| *s == r.stage && *t == r.to_team) {
            gate_keys.push((r.stage.clone(), r.to_team));
        }
    }
    let position = |stage: &str| gate_order.iter().position(|s| s == stage).unwrap_or(usize::MAX);
    gate_keys.sort_by_key(|(s, _)| position(s));
    let gates = gate_keys
        .into_iter()
        .map(|(stage, to_team)| {
            let tally = tally(
                records
                    .iter()
                    .filter(|r| r.stage == stage && r.to_team == to_team),
                now,
            );
            let alert = tally.rejection_rate().is_some_and(|r| r > REJECTION_ALERT);
            GateLine {
                stage,
                to_team,
                tally,
                alert,
            }
        })
        .collect();
    let teams = Team::ALL
        .into_iter()
        .filter(|team| records.iter().any(|r| r.to_team == *team))
        .map(|team| TeamLine {
            team,
            tally: tally(records.iter().filter(|r| r.to_team == team), now),
        })
        .collect();
    let mut deciders: Vec<(Team, Person)> = Vec::new();
    for r in records {
        if let Some(p) = &r.decider
            && !deciders.iter().any(|(t, d)| d.id == p.id && *t == r.to_team)
        {
            deciders.push((r.to_team, p.clone()));
        }
    }
    let team_position = |t: Team| Team::ALL.iter().position(|x| *x == t).unwrap_or(usize::MAX);
    deciders.sort_by(|a, b| {
        team_position(a.0)
            .cmp(&team_position(b.0))
            .then_with(|| a.1.name.cmp(&b.1.name))
    });
    let people = deciders
        .into_iter()
        .map(|(team, person)| {
            let mine = records
                .iter()
                .filter(|r| r.to_team == team && r.decider.as_ref().is_some_and(|d| d.id == person.id));
            PersonLine {
                tally: tally(mine, now),
                person,
                team,
            }
        })
        .collect();
    Scorecard {
        from,
        to,
        gates,
        teams,
        people,
    }
}

/// The period a URL asks for: `from` and `to` as `YYYY-MM-DD`, inclusive. Missing or
/// unreadable dates fall back to the last [`DEFAULT_PERIOD_DAYS`] days ending `today`; a
/// reversed range is swapped and a too-long one shortened to [`MAX_PERIOD_DAYS`].
pub fn period(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let parse = |v: Option<&str>| v.and_then(|v| NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok());
    let to_date = parse(to).unwrap_or(today);
    let from_date = parse(from).unwrap_or(to_date - Duration::days(DEFAULT_PERIOD_DAYS - 1));
    let (from_date, to_date) = if from_date > to_date {
        (to_date, from_date)
    } else {
        (from_date, to_date)
    };
    let from_date = from_date.max(to_date - Duration::days(MAX_PERIOD_DAYS - 1));
    (from_date, to_date)
}

/// The instants bounding a period of whole UTC days: `[from 00:00, to + 1 day 00:00)`.
pub fn period_bounds(from: NaiveDate, to: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let end = (to + Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    (start, end)
}

#[cfg(test)]
#[path = "scorecard_tests.rs"]
mod tests;
