use super::*;
use crate::imports::ImportKind;
use crate::imports::mapping::auto_map;

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|s| (*s).to_owned()).collect()
}

fn stages() -> Vec<String> {
    strings(&[
        "prospect",
        "subscriber",
        "lead",
        "mql",
        "sql",
        "opportunity",
        "closed_won",
    ])
}

const LEAD_HEADER: &[&str] = &[
    "Email",
    "First Name",
    "Last Name",
    "Consent",
    "Company Domain",
    "Company Name",
    "Employees",
    "Lifecycle Stage",
];

fn lead(cells: &[&str]) -> Result<LeadRow, Vec<RowError>> {
    let mapping = auto_map(ImportKind::Leads, &strings(LEAD_HEADER));
    lead_row(&mapping, &strings(cells), 7, &stages())
}

fn account(header: &[&str], cells: &[&str]) -> Result<AccountInput, Vec<RowError>> {
    let mapping = auto_map(ImportKind::Accounts, &strings(header));
    account_row(&mapping, &strings(cells), 3)
}

fn columns(errors: &[RowError]) -> Vec<&str> {
    errors.iter().map(|e| e.column.as_str()).collect()
}

#[test]
fn a_clean_lead_row_becomes_an_upsert_with_its_company_and_stage() {
    let row = lead(&[
        " Aya@Example.JP ",
        "彩",
        "佐藤",
        "はい",
        "www.example.jp",
        "株式会社例",
        "1,200人",
        "MQL",
    ])
    .unwrap();
    assert_eq!(row.input.email, "Aya@Example.JP");
    assert_eq!(row.input.first_name.as_deref(), Some("彩"));
    assert_eq!(row.input.last_name.as_deref(), Some("佐藤"));
    assert_eq!(row.input.consent, Some(true));
    assert_eq!(row.input.account_domain.as_deref(), Some("www.example.jp"));
    assert_eq!(row.company_name.as_deref(), Some("株式会社例"));
    assert_eq!(row.employees, Some(1200));
    assert_eq!(row.lifecycle_stage.as_deref(), Some("mql"));
    assert_eq!(row.input.validate().unwrap().email, "aya@example.jp");
}

#[test]
fn empty_cells_are_absent_rather_than_blank_values() {
    let row = lead(&["a@b.jp", "", "  ", "", "", "", "", ""]).unwrap();
    assert_eq!(row.input.first_name, None);
    assert_eq!(row.input.last_name, None);
    assert_eq!(row.input.consent, None);
    assert_eq!(row.employees, None);
    assert_eq!(row.lifecycle_stage, None);
}

#[test]
fn the_same_email_in_another_case_normalizes_to_the_same_lead() {
    let first = lead(&["Ken@Example.com", "", "", "", "", "", "", ""]).unwrap();
    let second = lead(&["  ken@EXAMPLE.COM", "", "", "", "", "", "", ""]).unwrap();
    assert_eq!(
        first.input.validate().unwrap().email,
        second.input.validate().unwrap().email
    );
}

#[test]
fn an_invalid_email_is_reported_with_its_value_and_an_english_message() {
    let errors = lead(&["not-an-email", "", "", "", "", "", "", ""]).unwrap_err();
    assert_eq!(
        errors,
        [RowError::new(
            7,
            "email",
            "not-an-email",
            "Email: is not a valid email address."
        )]
    );
}

#[test]
fn a_missing_email_is_reported_as_required() {
    let errors = lead(&["", "Aya", "", "", "", "", "", ""]).unwrap_err();
    assert_eq!(errors, [RowError::new(7, "email", "", "Email: is required.")]);
}

#[test]
fn negative_fractional_and_non_numeric_employee_counts_are_refused() {
    for bad in ["-5", "abc", "12.5", "1,2", "12,34,567", "99999999999999999999"] {
        let errors = lead(&["a@b.jp", "", "", "", "b.jp", "", bad, ""]).unwrap_err();
        assert_eq!(columns(&errors), ["employees"], "{bad}");
        assert_eq!(errors[0].value, bad);
        assert!(
            errors[0].message.contains("whole number of 0 or more"),
            "{}",
            errors[0].message
        );
    }
}

#[test]
fn employee_counts_accept_spreadsheet_and_japanese_spellings() {
    for (cell, expected) in [
        ("1200", 1200),
        ("1,200", 1200),
        ("1200人", 1200),
        ("１２０名", 120),
        ("0", 0),
    ] {
        assert_eq!(parse_count(cell), Some(expected), "{cell}");
    }
}

#[test]
fn a_company_too_large_to_be_true_is_reported_under_employees() {
    let errors = lead(&["a@b.jp", "", "", "", "b.jp", "", "20,000,000", ""]).unwrap_err();
    assert_eq!(
        errors,
        [RowError::new(
            7,
            "employees",
            "20,000,000",
            "Employees: is out of the allowed range."
        )]
    );
}

#[test]
fn an_unknown_stage_is_reported_and_names_the_stages_there_are() {
    let errors = lead(&["a@b.jp", "", "", "", "", "", "", "Hot"]).unwrap_err();
    assert_eq!(columns(&errors), ["lifecycle_stage"]);
    assert_eq!(errors[0].value, "Hot");
    assert!(
        errors[0].message.contains("prospect, subscriber"),
        "{}",
        errors[0].message
    );
}

#[test]
fn stage_values_match_keys_in_any_case_and_with_spaces_for_underscores() {
    for (cell, key) in [
        ("SQL", "sql"),
        ("mql", "mql"),
        ("Closed Won", "closed_won"),
        ("closed-won", "closed_won"),
    ] {
        let row = lead(&["a@b.jp", "", "", "", "", "", "", cell]).unwrap();
        assert_eq!(row.lifecycle_stage.as_deref(), Some(key), "{cell}");
    }
}

#[test]
fn consent_accepts_the_usual_yes_and_no_spellings_and_refuses_the_rest() {
    for (cell, value) in [
        ("TRUE", true),
        ("yes", true),
        ("Y", true),
        ("1", true),
        ("同意", true),
        ("はい", true),
    ] {
        assert_eq!(parse_yes_no(cell), Some(value), "{cell}");
    }
    for (cell, value) in [
        ("false", false),
        ("No", false),
        ("n", false),
        ("0", false),
        ("いいえ", false),
    ] {
        assert_eq!(parse_yes_no(cell), Some(value), "{cell}");
    }
    let errors = lead(&["a@b.jp", "", "", "maybe", "", "", "", ""]).unwrap_err();
    assert_eq!(columns(&errors), ["consent"]);
    assert!(errors[0].message.starts_with("consent must be yes or no"));
}

#[test]
fn every_problem_of_a_row_is_reported_in_column_order() {
    let errors = lead(&["bad", "", "", "perhaps", "not a domain", "", "-1", "Hot"]).unwrap_err();
    assert_eq!(
        columns(&errors),
        [
            "email",
            "consent",
            "company_domain",
            "employees",
            "lifecycle_stage"
        ]
    );
    let domain = &errors[2];
    assert_eq!(domain.value, "not a domain");
    assert!(
        domain.message.starts_with("Company domain:"),
        "{}",
        domain.message
    );
    assert!(errors.iter().all(|e| e.row == 7));
}

#[test]
fn a_row_with_too_few_or_too_many_cells_is_one_error_for_the_whole_row() {
    let errors = lead(&["a@b.jp", "Aya"]).unwrap_err();
    assert_eq!(errors, [RowError::new(7, "*", "", "expected 8 columns, found 2")]);
    let errors = lead(&["a@b.jp", "", "", "", "", "", "", "", "extra"]).unwrap_err();
    assert_eq!(errors[0].message, "expected 8 columns, found 9");
}

#[test]
fn persona_and_source_are_checked_by_the_same_rules_as_the_api() {
    let mapping = auto_map(ImportKind::Leads, &strings(&["email", "persona", "source"]));
    let errors = lead_row(
        &mapping,
        &strings(&["a@b.jp", "astronaut", "pigeon"]),
        2,
        &stages(),
    )
    .unwrap_err();
    assert_eq!(columns(&errors), ["persona", "source"]);
    assert_eq!(errors[0].message, "Persona: is not one of the allowed choices.");
}

#[test]
fn japanese_text_is_kept_as_written() {
    let mapping = auto_map(
        ImportKind::Leads,
        &strings(&["メールアドレス", "姓", "名", "役職", "会社名"]),
    );
    let record = strings(&[
        "taro@example.co.jp",
        "山田",
        "太郎",
        "マーケティング部長",
        "株式会社サンプル",
    ]);
    let row = lead_row(&mapping, &record, 2, &stages()).unwrap();
    assert_eq!(row.input.last_name.as_deref(), Some("山田"));
    assert_eq!(row.input.job_title.as_deref(), Some("マーケティング部長"));
    assert_eq!(row.company_name.as_deref(), Some("株式会社サンプル"));
}

#[test]
fn a_clean_account_row_becomes_an_account_input() {
    let header = &[
        "Domain",
        "Name",
        "Employees",
        "Annual Revenue",
        "Target",
        "Tier",
        "Industry",
    ];
    let input = account(
        header,
        &[
            "https://www.acme.co.jp/",
            "ACME",
            "250",
            "¥1,500,000,000",
            "yes",
            "Tier 1",
            "製造",
        ],
    )
    .unwrap();
    assert_eq!(input.domain, "https://www.acme.co.jp/");
    assert_eq!(input.employees, Some(250));
    assert_eq!(input.annual_revenue, Some(1_500_000_000.0));
    assert_eq!(input.is_target, Some(true));
    assert_eq!(input.tier.as_deref(), Some("1"));
    assert_eq!(input.validate().unwrap().domain, "acme.co.jp");
}

#[test]
fn an_account_row_reports_every_bad_cell() {
    let header = &[
        "ドメイン",
        "会社名",
        "従業員数",
        "年間売上",
        "ターゲット",
        "ティア",
    ];
    let errors = account(header, &["", "", "many", "1e5", "perhaps", "7"]).unwrap_err();
    assert_eq!(
        columns(&errors),
        ["domain", "employees", "annual_revenue", "is_target", "tier"]
    );
    assert_eq!(errors[0].message, "Domain: is required.");
    assert_eq!(errors[4].message, "Tier: is not one of the allowed choices.");
    assert!(errors.iter().all(|e| e.row == 3));
}

#[test]
fn amounts_accept_separators_decimals_and_currency_marks_but_not_exponents() {
    for (cell, value) in [
        ("1500000", 1_500_000.0),
        ("1,500,000.50", 1_500_000.5),
        ("12000円", 12_000.0),
        ("$0.5", 0.5),
    ] {
        assert_eq!(parse_amount(cell), Some(value), "{cell}");
    }
    for bad in ["-3", "1e5", "NaN", "inf", "1.", "12,34", "abc", "1.2.3"] {
        assert_eq!(parse_amount(bad), None, "{bad}");
    }
}

#[test]
fn an_account_row_with_the_wrong_number_of_cells_is_one_error() {
    let errors = account(&["domain", "name"], &["a.io"]).unwrap_err();
    assert_eq!(errors, [RowError::new(3, "*", "", "expected 2 columns, found 1")]);
}
