use super::*;

fn headers(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

fn mapped(kind: ImportKind, names: &[&str]) -> Vec<Option<String>> {
    auto_map(kind, &headers(names)).columns
}

fn fields_of(columns: &[Option<String>]) -> Vec<&str> {
    columns.iter().map(|c| c.as_deref().unwrap_or("-")).collect()
}

#[test]
fn the_documented_lead_columns_map_to_themselves_in_any_case_and_spacing() {
    let names: Vec<String> = lead_fields()
        .iter()
        .map(|f| f.to_uppercase().replace('_', " "))
        .collect();
    let mapping = auto_map(ImportKind::Leads, &names);
    assert_eq!(fields_of(&mapping.columns), lead_fields());
    let names: Vec<String> = account_fields().iter().map(|f| format!(" {f} ")).collect();
    assert_eq!(
        fields_of(&auto_map(ImportKind::Accounts, &names).columns),
        account_fields()
    );
}

#[test]
fn common_english_headers_of_crm_exports_are_recognised() {
    let columns = mapped(
        ImportKind::Leads,
        &[
            "E-mail",
            "Given name",
            "Surname",
            "Job Title",
            "Company Name",
            "Website",
            "# Employees",
            "Lifecycle Stage",
            "Lead Source",
            "Opt-In",
        ],
    );
    assert_eq!(
        fields_of(&columns),
        [
            "email",
            "first_name",
            "last_name",
            "job_title",
            "company_name",
            "company_domain",
            "employees",
            "lifecycle_stage",
            "source",
            "consent"
        ]
    );
    let columns = mapped(
        ImportKind::Leads,
        &[
            "Email Address",
            "First Name",
            "Last Name",
            "Title",
            "Company",
            "Domain",
            "Employee Count",
            "Stage",
        ],
    );
    assert_eq!(
        fields_of(&columns),
        [
            "email",
            "first_name",
            "last_name",
            "job_title",
            "company_name",
            "company_domain",
            "employees",
            "lifecycle_stage"
        ]
    );
}

#[test]
fn common_japanese_headers_are_recognised() {
    let columns = mapped(
        ImportKind::Leads,
        &[
            "メールアドレス",
            "姓",
            "名",
            "役職",
            "会社名",
            "会社ドメイン",
            "従業員数",
            "業種",
            "国",
            "ライフサイクルステージ",
            "メール配信同意",
            "ペルソナ",
            "流入経路",
        ],
    );
    assert_eq!(
        fields_of(&columns),
        [
            "email",
            "last_name",
            "first_name",
            "job_title",
            "company_name",
            "company_domain",
            "employees",
            "industry",
            "country",
            "lifecycle_stage",
            "consent",
            "persona",
            "source"
        ]
    );
    let columns = mapped(
        ImportKind::Leads,
        &["Eメール", "企業名", "ウェブサイト", "ステージ", "リードソース"],
    );
    assert_eq!(
        fields_of(&columns),
        [
            "email",
            "company_name",
            "company_domain",
            "lifecycle_stage",
            "source"
        ]
    );
}

#[test]
fn japanese_account_headers_map_company_name_and_domain_to_the_account_itself() {
    let columns = mapped(
        ImportKind::Accounts,
        &[
            "取引先名",
            "ドメイン",
            "従業員数",
            "年間売上",
            "ターゲットアカウント",
            "ティア",
            "国名",
            "業種",
        ],
    );
    assert_eq!(
        fields_of(&columns),
        [
            "name",
            "domain",
            "employees",
            "annual_revenue",
            "is_target",
            "tier",
            "country",
            "industry"
        ]
    );
    let columns = mapped(
        ImportKind::Accounts,
        &["Company Domain", "Company Name", "売上高", "Target"],
    );
    assert_eq!(
        fields_of(&columns),
        ["domain", "name", "annual_revenue", "is_target"]
    );
}

#[test]
fn full_width_letters_digits_and_spaces_match_their_ascii_forms() {
    let columns = mapped(
        ImportKind::Leads,
        &[
            "Ｅｍａｉｌ",
            "ＪＯＢ\u{3000}ＴＩＴＬＥ",
            "＃ Ｅｍｐｌｏｙｅｅｓ",
            "Ｅメール",
        ],
    );
    assert_eq!(fields_of(&columns), ["email", "job_title", "employees", "-"]);
    assert_eq!(fold_width("１，２００人"), "1,200人");
    assert_eq!(normalize_header(" Lifecycle_Stage* "), "lifecyclestage");
}

#[test]
fn a_field_is_mapped_from_the_first_matching_column_only() {
    let columns = mapped(ImportKind::Leads, &["Email", "メールアドレス", "E-mail"]);
    assert_eq!(fields_of(&columns), ["email", "-", "-"]);
}

#[test]
fn ambiguous_and_unknown_headers_are_left_for_the_user() {
    let columns = mapped(
        ImportKind::Leads,
        &["email", "Name", "氏名", "Favourite colour", ""],
    );
    assert_eq!(fields_of(&columns), ["email", "-", "-", "-", "-"]);
}

#[test]
fn a_bom_left_on_the_first_header_does_not_hide_it() {
    assert_eq!(
        fields_of(&mapped(ImportKind::Leads, &["\u{FEFF}email"])),
        ["email"]
    );
}

#[test]
fn a_complete_auto_mapping_passes_the_check() {
    let names = headers(&["Email", "会社名"]);
    let mapping = auto_map(ImportKind::Leads, &names);
    assert_eq!(check_mapping(ImportKind::Leads, &mapping, names.len()), Ok(()));
}

#[test]
fn a_file_without_an_email_column_is_refused_before_any_row_is_read() {
    let names = headers(&["Name", "Company"]);
    let mapping = auto_map(ImportKind::Leads, &names);
    let errors = check_mapping(ImportKind::Leads, &mapping, names.len()).unwrap_err();
    assert_eq!(errors, [FieldError::new("email", "missing_column")]);
    let accounts = auto_map(ImportKind::Accounts, &names);
    let errors = check_mapping(ImportKind::Accounts, &accounts, names.len()).unwrap_err();
    assert_eq!(errors, [FieldError::new("domain", "missing_column")]);
}

#[test]
fn a_hand_made_mapping_is_checked_for_twice_mapped_unknown_fields_and_length() {
    let mapping = Mapping {
        columns: vec![
            Some("email".into()),
            Some("email".into()),
            Some("shoe_size".into()),
            Some("email".into()),
            None,
        ],
    };
    let errors = check_mapping(ImportKind::Leads, &mapping, 4).unwrap_err();
    assert_eq!(
        errors,
        [
            FieldError::new("mapping", "wrong_length"),
            FieldError::new("email", "mapped_twice"),
            FieldError::new("shoe_size", "invalid_choice"),
        ]
    );
}

#[test]
fn a_lead_field_is_not_accepted_in_an_account_mapping() {
    let mapping = Mapping {
        columns: vec![Some("domain".into()), Some("email".into())],
    };
    let errors = check_mapping(ImportKind::Accounts, &mapping, 2).unwrap_err();
    assert_eq!(errors, [FieldError::new("email", "invalid_choice")]);
}

#[test]
fn cells_are_read_through_the_mapping_trimmed_and_empty_means_absent() {
    let mapping = Mapping {
        columns: vec![None, Some("email".into()), Some("country".into())],
    };
    let record = headers(&["x", "  a@b.jp ", "   "]);
    assert_eq!(mapping.cell("email", &record), Some("a@b.jp"));
    assert_eq!(mapping.cell("country", &record), None);
    assert_eq!(mapping.cell("persona", &record), None);
    let names = headers(&["Notes", "メールアドレス", "国"]);
    assert_eq!(mapping.header_of("email", &names), "メールアドレス");
    assert_eq!(mapping.header_of("persona", &names), "persona");
}

#[test]
fn the_required_fields_are_the_upsert_keys() {
    assert_eq!(required_fields(ImportKind::Leads), ["email"]);
    assert_eq!(required_fields(ImportKind::Accounts), ["domain"]);
    for kind in [ImportKind::Leads, ImportKind::Accounts] {
        assert!(required_fields(kind).iter().all(|f| fields(kind).contains(f)));
    }
}

#[test]
fn a_mapping_round_trips_through_json_for_the_wizard() {
    let mapping = Mapping {
        columns: vec![Some("email".into()), None],
    };
    let json = serde_json::to_string(&mapping).unwrap();
    assert_eq!(json, r#"{"columns":["email",null]}"#);
    assert_eq!(serde_json::from_str::<Mapping>(&json).unwrap(), mapping);
}
