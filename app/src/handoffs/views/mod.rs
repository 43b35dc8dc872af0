//! Screens of handoffs: the approval screen (queues and the detail pane), the handoff and
//! conversion forms of the lead page, the opportunity board and the leader scorecard; plus
//! the small pieces they share (SLA badge, money, reason codes, the handoff list).

mod board;
mod lead_card;
mod pane;
mod queue;
mod scorecard;

pub use board::OpportunitiesPage;
pub use lead_card::{LeadHandoffActions, LeadHandoffsCard};
pub use queue::HandoffsPage;
pub use scorecard::ScorecardPage;

use chrono::{DateTime, Duration, Utc};
use leptos::prelude::*;

use super::model::{Handoff, HandoffStatus};
use crate::components::team_key;
use crate::i18n::{Locale, tr, tr_with, use_i18n};
use crate::leads::views::format_time;

/// Where a pending handoff stands against its SLA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlaState {
    /// More than [`DUE_SOON_HOURS`] left.
    OnTime,
    /// Due within [`DUE_SOON_HOURS`].
    DueSoon,
    /// Past its due time.
    Breached,
}

/// A pending handoff is "due soon" this many hours before its SLA runs out.
pub const DUE_SOON_HOURS: i64 = 4;

impl SlaState {
    /// The state of a handoff due at `due` at `now`.
    pub fn at(due: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        if now > due {
            Self::Breached
        } else if due - now <= Duration::hours(DUE_SOON_HOURS) {
            Self::DueSoon
        } else {
            Self::OnTime
        }
    }

    /// The CSS class (colour) of the badge.
    pub fn class(self) -> &'static str {
        match self {
            Self::OnTime => "sla-ok",
            Self::DueSoon => "sla-warn",
            Self::Breached => "sla-breach",
        }
    }

    /// The translation key of its name (the badge never relies on colour alone).
    pub fn label_key(self) -> &'static str {
        match self {
            Self::OnTime => "handoffs.sla.on_time",
            Self::DueSoon => "handoffs.sla.due_soon",
            Self::Breached => "handoffs.sla.breached",
        }
    }

    /// The `data-sla` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnTime => "ok",
            Self::DueSoon => "due_soon",
            Self::Breached => "breached",
        }
    }
}

/// A duration as "2 d 3 h", "3 h 20 min", "1 d" or "12 min" (the two largest units, a
/// zero second unit left out).
pub fn format_duration(d: Duration, locale: Locale) -> String {
    let minutes = d.num_minutes().abs();
    let (days, hours, mins) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    let unit = |n: i64, key: &str| tr_with(locale, key, &[("n", &n.to_string())]);
    match (days, hours, mins) {
        (0, 0, m) => unit(m, "handoffs.units.minutes"),
        (0, h, 0) => unit(h, "handoffs.units.hours"),
        (0, h, m) => format!(
            "{} {}",
            unit(h, "handoffs.units.hours"),
            unit(m, "handoffs.units.minutes")
        ),
        (d, 0, _) => unit(d, "handoffs.units.days"),
        (d, h, _) => format!(
            "{} {}",
            unit(d, "handoffs.units.days"),
            unit(h, "handoffs.units.hours")
        ),
    }
}

/// "due in 3 h 20 min" / "2 h 5 min overdue".
pub fn countdown(due: DateTime<Utc>, now: DateTime<Utc>, locale: Locale) -> String {
    let left = due - now;
    let key = if left < Duration::zero() {
        "handoffs.sla.overdue"
    } else {
        "handoffs.sla.due_in"
    };
    tr_with(locale, key, &[("time", &format_duration(left, locale))])
}

/// The SLA badge of a pending handoff: colour, name and countdown.
#[component]
pub fn SlaBadge(due: DateTime<Utc>, now: DateTime<Utc>) -> impl IntoView {
    let i18n = use_i18n();
    let state = SlaState::at(due, now);
    view! {
        <span class=state.class() data-sla=state.as_str()>
            {move || format!("{} · {}", i18n.t(state.label_key()), countdown(due, now, i18n.locale()))}
        </span>
    }
}

/// The translated label of a reason code, or the code itself when the definition added one
/// this build does not know.
pub fn reason_label(code: &str, locale: Locale) -> String {
    let key = format!("handoffs.reasons.{code}");
    let label = tr(locale, &key);
    if label.ends_with(&key) {
        code.to_owned()
    } else {
        label
    }
}

/// The translation key of a handoff status.
pub fn status_key(status: HandoffStatus) -> String {
    format!("handoffs.status.{}", status.as_str())
}

/// An amount of money in the user's language: `¥12,000,000` / `1,200万円`, `$12,500`.
pub fn format_money(amount: f64, currency: &str, locale: Locale) -> String {
    let whole = amount.round() as i64;
    let grouped = crate::leads::views::format_count(whole);
    match (currency, locale) {
        ("JPY", Locale::Ja) if whole.abs() >= 10_000 => {
            let man = amount / 10_000.0;
            let text = if (man - man.round()).abs() < 0.05 {
                crate::leads::views::format_count(man.round() as i64)
            } else {
                format!("{man:.1}")
            };
            format!("{text}万円")
        }
        ("JPY", Locale::Ja) => format!("{grouped}円"),
        ("JPY", _) => format!("¥{grouped}"),
        ("USD", _) => format!("${grouped}"),
        ("EUR", _) => format!("€{grouped}"),
        ("GBP", _) => format!("£{grouped}"),
        (other, _) => format!("{other} {grouped}"),
    }
}

/// A lead's handoffs, oldest first: gate, from → to, status, who asked and decided, why.
#[component]
pub fn HandoffList(handoffs: Vec<Handoff>, #[prop(optional)] current: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    if handoffs.is_empty() {
        return view! { <p class="empty">{move || i18n.t("handoffs.list.empty")}</p> }.into_any();
    }
    view! {
        <ol class="handoff-list" data-testid="handoff-list">
            {handoffs.into_iter().map(|h| {
                let status = h.status;
                let requested = h.requested_at;
                let decided = h.decided_at;
                let reason = h.reason_code.clone();
                let (from, to) = (h.from_team, h.to_team);
                let by = h.decided_by.clone();
                let here = current == Some(h.id);
                view! {
                    <li class="handoff-item" data-handoff-id=h.id data-status=status.as_str() data-stage=h.stage.clone()
                        aria-current=here.then_some("true")>
                        <div class="handoff-item-head">
                            <span class=format!("badge team-{}", from.as_str())>{move || i18n.t(team_key(from))}</span>
                            <span aria-hidden="true">"→"</span>
                            <span class=format!("badge team-{}", to.as_str())>{move || i18n.t(team_key(to))}</span>
                            <span class=format!("status-pill status-{}", status.as_str())>{move || i18n.t(&status_key(status))}</span>
                        </div>
                        <div class="muted small">
                            <time datetime=requested.to_rfc3339()>{move || format_time(requested, i18n.locale())}</time>
                            {h.requested_by.clone().map(|r| view! { " · " <span>{move || i18n.t_with("handoffs.list.requested_by", &[("who", &r)])}</span> })}
                        </div>
                        {decided.map(|at| {
                            let by = by.clone().unwrap_or_default();
                            view! {
                                <div class="muted small">
                                    {move || i18n.t_with("handoffs.list.decided", &[("who", &by), ("at", &format_time(at, i18n.locale()))])}
                                </div>
                            }
                        })}
                        {reason.map(|r| view! {
                            <p class="handoff-reason"><strong>{move || i18n.t("fields.reason_code")}": "</strong>{move || reason_label(&r, i18n.locale())}</p>
                        })}
                        {h.qualification_notes.clone().map(|n| view! {
                            <p class="handoff-note"><strong>{move || i18n.t("fields.qualification_notes")}": "</strong>{n}</p>
                        })}
                        {h.meeting_at.map(|m| view! {
                            <p class="handoff-note"><strong>{move || i18n.t("fields.meeting_at")}": "</strong>{move || format_time(m, i18n.locale())}</p>
                        })}
                        {h.note.clone().map(|n| view! {
                            <p class="handoff-note"><strong>{move || i18n.t("fields.note")}": "</strong>{n}</p>
                        })}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: i64, m: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap() + Duration::hours(h) + Duration::minutes(m)
    }

    #[test]
    fn the_sla_turns_due_soon_four_hours_before_and_breached_after() {
        assert_eq!(SlaState::at(t(10, 0), t(0, 0)), SlaState::OnTime);
        assert_eq!(SlaState::at(t(4, 0), t(0, 0)), SlaState::DueSoon);
        assert_eq!(SlaState::at(t(0, 0), t(0, 0)), SlaState::DueSoon);
        assert_eq!(SlaState::at(t(0, 0), t(0, 1)), SlaState::Breached);
    }

    #[test]
    fn countdowns_read_in_both_languages() {
        assert_eq!(countdown(t(3, 20), t(0, 0), Locale::En), "due in 3 h 20 min");
        assert_eq!(countdown(t(0, 0), t(50, 5), Locale::En), "2 d 2 h overdue");
        assert_eq!(countdown(t(0, 12), t(0, 0), Locale::Ja), "残り12分");
        assert_eq!(countdown(t(24, 0), t(0, 0), Locale::En), "due in 1 d");
        assert_eq!(countdown(t(0, 0), t(1, 0), Locale::Ja), "1時間超過");
    }

    #[test]
    fn yen_reads_in_man_in_japanese_and_with_the_symbol_in_english() {
        assert_eq!(format_money(12_000_000.0, "JPY", Locale::Ja), "1,200万円");
        assert_eq!(format_money(12_000_000.0, "JPY", Locale::En), "¥12,000,000");
        assert_eq!(format_money(15_000.0, "JPY", Locale::Ja), "1.5万円");
        assert_eq!(format_money(2_500.0, "USD", Locale::Ja), "$2,500");
    }

    #[test]
    fn unknown_reason_codes_show_as_themselves() {
        assert_eq!(reason_label("not_icp", Locale::En), "Not in the ICP");
        assert_eq!(reason_label("made_up_code", Locale::Ja), "made_up_code");
    }
}
