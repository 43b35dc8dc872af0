//! Change detection and merging of import rows.

use super::*;

fn upsert(email: &str) -> LeadUpsert {
    LeadUpsert {
        email: email.into(),
        first_name: None,
        last_name: None,
        job_title: None,
        persona: None,
        consent: None,
        source: None,
        country: None,
        account_domain: None,
    }
}

fn row() -> LeadRow {
    LeadRow {
        id: 1,
        email: "a@x.jp".into(),
        first_name: Some("Aya".into()),
        last_name: None,
        job_title: None,
        persona: None,
        consent: true,
        source: None,
        country: Some("JP".into()),
        account_id: Some(7),
        owner_id: None,
        score: 0,
        stage: "lead".into(),
        stage_entered_at: Utc::now(),
        past_human_decision: false,
        updated_at: Utc::now(),
    }
}

#[test]
fn empty_cells_and_equal_values_change_nothing() {
    let mut u = upsert("a@x.jp");
    assert!(!lead_changes(&u, &row(), None));
    u.first_name = Some("Aya".into());
    u.consent = Some(true);
    assert!(!lead_changes(&u, &row(), Some(7)));
    u.country = Some("US".into());
    assert!(lead_changes(&u, &row(), Some(7)));
    let mut moved = upsert("a@x.jp");
    moved.consent = Some(false);
    assert!(lead_changes(&moved, &row(), None));
    assert!(lead_changes(&upsert("a@x.jp"), &row(), Some(8)));
}

#[test]
fn a_later_row_for_the_same_lead_fills_and_overrides() {
    let mut first = upsert("a@x.jp");
    first.first_name = Some("Aya".into());
    let mut second = upsert("a@x.jp");
    second.last_name = Some("Sato".into());
    assert!(merge_lead(&mut first, &second));
    assert_eq!(first.first_name.as_deref(), Some("Aya"));
    assert_eq!(first.last_name.as_deref(), Some("Sato"));
    assert!(
        !merge_lead(&mut first, &second),
        "the same row again changes nothing"
    );
}

#[test]
fn account_changes_ignore_empty_cells() {
    let row = AccountRow {
        id: 1,
        domain: "x.jp".into(),
        name: "X".into(),
        employees: Some(50),
        industry: None,
        country: None,
        annual_revenue: None,
        is_target: false,
        tier: None,
        stage: None,
    };
    let mut u = bare_account("x.jp");
    assert!(!account_changes(&u, &row));
    u.employees = Some(50);
    u.is_target = Some(false);
    assert!(!account_changes(&u, &row));
    u.employees = Some(120);
    assert!(account_changes(&u, &row));
}
