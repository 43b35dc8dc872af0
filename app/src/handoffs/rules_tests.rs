use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::definitions::seed::version_one;

fn at(h: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::hours(h)
}

fn gate_of(key: &str) -> Gate {
    version_one().stage(key).unwrap().gate.clone().unwrap()
}

#[test]
fn the_sla_runs_out_after_the_gates_hours() {
    assert_eq!(sla_due_at(&gate_of("mql"), at(0)), at(24));
    assert_eq!(sla_due_at(&gate_of("sql"), at(0)), at(48));
}

#[test]
fn only_a_pending_handoff_past_its_due_time_is_breached() {
    assert!(!breached(HandoffStatus::Pending, at(24), at(24)));
    assert!(breached(
        HandoffStatus::Pending,
        at(24),
        at(24) + Duration::seconds(1)
    ));
    assert!(!breached(HandoffStatus::Accepted, at(24), at(30)));
    assert!(!breached(HandoffStatus::Recycled, at(24), at(30)));
}

#[test]
fn a_decided_handoff_cannot_be_decided_again() {
    assert!(ensure_pending(HandoffStatus::Pending).is_ok());
    for status in [
        HandoffStatus::Accepted,
        HandoffStatus::Rejected,
        HandoffStatus::Recycled,
    ] {
        let err = ensure_pending(status).unwrap_err();
        assert_eq!(err, AppError::Conflict("handoff_decided".into()));
        assert_eq!(err.status(), 409);
    }
}

#[test]
fn an_sdr_request_to_sales_targets_the_sql_stage() {
    let def = version_one();
    let mql = def.stage_index("mql").unwrap();
    let sql = def.stage_index("sql").unwrap();
    assert_eq!(requested_stage(&def, mql, Team::Sales), Some(sql));
    assert_eq!(requested_stage(&def, 0, Team::Sales), Some(sql));
    assert_eq!(
        requested_stage(&def, mql, Team::Sdr),
        None,
        "MQL opens on criteria, not on request"
    );
    assert_eq!(
        requested_stage(&def, sql, Team::Sales),
        None,
        "already past the gate"
    );
}

#[test]
fn rejecting_an_mql_recycles_or_disqualifies_by_the_code_kind() {
    let def = version_one();
    let mql = gate_of("mql");
    assert_eq!(rejection(&def, &mql, "nurture"), Ok(Rejection::Recycle));
    assert_eq!(rejection(&def, &mql, "not_icp"), Ok(Rejection::Disqualify));
    assert_eq!(Rejection::Recycle.status(), HandoffStatus::Recycled);
    assert_eq!(Rejection::Disqualify.status(), HandoffStatus::Rejected);
}

#[test]
fn rejecting_an_sql_request_sends_it_back_whatever_the_code() {
    let def = version_one();
    let sql = gate_of("sql");
    assert_eq!(rejection(&def, &sql, "no_budget"), Ok(Rejection::SendBack));
    assert_eq!(rejection(&def, &sql, "not_ready"), Ok(Rejection::SendBack));
    assert_eq!(Rejection::SendBack.status(), HandoffStatus::Rejected);
}

#[test]
fn a_rejection_needs_a_known_reason_code() {
    let def = version_one();
    let sql = gate_of("sql");
    assert_eq!(
        rejection(&def, &sql, "  "),
        Err(FieldError::new("reason_code", "required"))
    );
    assert_eq!(
        rejection(&def, &sql, "price"),
        Err(FieldError::new("reason_code", "invalid_choice")),
        "a lost-deal code is not a handoff reason"
    );
}

#[test]
fn round_robin_takes_the_next_id_and_wraps() {
    assert_eq!(round_robin(&[7, 3, 5], None), Some(3));
    assert_eq!(round_robin(&[7, 3, 5], Some(3)), Some(5));
    assert_eq!(round_robin(&[7, 3, 5], Some(5)), Some(7));
    assert_eq!(round_robin(&[7, 3, 5], Some(7)), Some(3));
    assert_eq!(
        round_robin(&[7, 3, 5], Some(4)),
        Some(5),
        "a departed user's turn passes on"
    );
    assert_eq!(round_robin(&[], Some(4)), None);
}

#[test]
fn each_opportunity_stage_has_a_rising_default_probability() {
    let open = &OpportunityStage::ALL[..5];
    for pair in open.windows(2) {
        assert!(default_probability(pair[0]) < default_probability(pair[1]));
    }
    assert_eq!(default_probability(OpportunityStage::Won), 1.0);
    assert_eq!(default_probability(OpportunityStage::Lost), 0.0);
}

#[test]
fn amounts_are_kept_in_minor_units_of_their_currency() {
    assert_eq!(to_minor(1_500_000.0, "JPY"), Some(1_500_000));
    assert_eq!(to_minor(12.34, "USD"), Some(1234));
    assert_eq!(from_minor(1234, "USD"), 12.34);
    assert_eq!(from_minor(1234, "JPY"), 1234.0);
    assert_eq!(to_minor(-1.0, "USD"), None);
    assert_eq!(to_minor(f64::NAN, "USD"), None);
    assert_eq!(to_minor(1e300, "USD"), None);
}

#[test]
fn expected_revenue_is_amount_times_probability() {
    assert_eq!(expected_revenue_minor(1_000_000, 0.4), 400_000);
    assert_eq!(expected_revenue_minor(1001, 0.5), 501);
    assert_eq!(expected_revenue_minor(1000, 0.0), 0);
}

#[test]
fn currencies_and_probabilities_are_checked() {
    assert_eq!(check_currency(None), Ok("JPY".into()));
    assert_eq!(check_currency(Some("usd")), Ok("USD".into()));
    assert_eq!(
        check_currency(Some("dollars")),
        Err(FieldError::new("currency", "invalid_currency"))
    );
    assert_eq!(check_probability(0.5), Ok(0.5));
    assert!(check_probability(1.5).is_err());
    assert!(check_probability(-0.1).is_err());
}

#[test]
fn a_lost_opportunity_needs_a_lost_reason_code_and_closed_ones_never_change() {
    let def = version_one();
    use OpportunityStage::*;
    assert!(check_stage_change(&def, Discovery, Demo, None).is_ok());
    assert!(check_stage_change(&def, Closing, Won, None).is_ok());
    assert_eq!(
        check_stage_change(&def, Proposal, Lost, None),
        Err(AppError::field("lost_reason", "required"))
    );
    assert_eq!(
        check_stage_change(&def, Proposal, Lost, Some("not_icp")),
        Err(AppError::field("lost_reason", "invalid_choice"))
    );
    assert!(check_stage_change(&def, Proposal, Lost, Some("competitor")).is_ok());
    assert_eq!(
        check_stage_change(&def, Won, Discovery, None),
        Err(AppError::Conflict("opportunity_closed".into()))
    );
}

#[test]
fn only_a_lead_sales_accepted_can_become_an_opportunity() {
    let def = version_one();
    let idx = |k: &str| def.stage_index(k).unwrap();
    assert_eq!(conversion_target(&def, idx("sql")), Some(idx("opportunity")));
    assert_eq!(conversion_target(&def, idx("mql")), None);
    assert_eq!(conversion_target(&def, idx("opportunity")), None);
    assert_eq!(conversion_target(&def, idx("customer")), None);
}

#[test]
fn every_handoff_error_reads_in_english_and_japanese() {
    use crate::i18n::Locale;
    let errors = [
        AppError::Conflict("handoff_decided".into()),
        AppError::Conflict("handoff_pending".into()),
        AppError::Conflict("no_handoff_gate".into()),
        AppError::Conflict("not_convertible".into()),
        AppError::Conflict("opportunity_open".into()),
        AppError::Conflict("opportunity_closed".into()),
        AppError::field("currency", "invalid_currency"),
        AppError::field("reason_code", "required"),
        AppError::field("lost_reason", "invalid_choice"),
        AppError::field("assignee_id", "invalid_choice"),
        AppError::field("probability", "out_of_range"),
    ];
    for error in errors {
        for locale in [Locale::En, Locale::Ja] {
            let message = error.message(locale);
            assert!(
                !message.contains("errors.") && !message.contains("fields."),
                "{error:?} {locale:?}: {message}"
            );
        }
    }
    assert!(
        AppError::field("reason_code", "required")
            .message(Locale::Ja)
            .starts_with("理由コード")
    );
    assert!(
        AppError::field("lost_reason", "required")
            .message(Locale::En)
            .starts_with("Lost reason")
    );
}

#[test]
fn a_leader_accepting_for_an_assignee_makes_the_assignee_owner() {
    assert_eq!(owner_after_accept(1, Role::Leader, Some(7)), 7);
    assert_eq!(owner_after_accept(1, Role::Admin, Some(7)), 7);
    assert_eq!(owner_after_accept(1, Role::Member, Some(7)), 1);
    assert_eq!(owner_after_accept(1, Role::Leader, None), 1);
}
