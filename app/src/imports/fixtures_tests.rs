//! The three steps together on the sample files in `app/tests/fixtures/imports/` (also handy
//! for trying the import wizard by hand): every data row is either parsed or reported.

use super::mapping::{auto_map, check_mapping};
use super::rows::{account_row, lead_row};
use super::source::CsvSource;
use super::{EncodingChoice, ImportKind, RowError};

const MESSY: &[u8] = include_bytes!("../../tests/fixtures/imports/leads_messy_utf8_bom_crlf.csv");
const SHIFT_JIS: &[u8] = include_bytes!("../../tests/fixtures/imports/leads_ja_shift_jis.csv");
const ACCOUNTS: &[u8] = include_bytes!("../../tests/fixtures/imports/accounts.csv");

/// Rows parsed and errors reported, as `(row, column)` pairs.
fn import(bytes: &[u8], kind: ImportKind) -> (Vec<u64>, Vec<(u64, String)>, Vec<RowError>) {
    let stages: Vec<String> = ["prospect", "lead", "mql", "sql"].map(String::from).to_vec();
    let mut source = CsvSource::open(bytes, EncodingChoice::Auto).unwrap();
    let mapping = auto_map(kind, source.headers());
    check_mapping(kind, &mapping, source.headers().len()).unwrap();
    let (mut parsed, mut failed) = (Vec::new(), Vec::new());
    while let Some(next) = source.next_record() {
        let result = next.map_err(|e| vec![e]).and_then(|(row, record)| match kind {
            ImportKind::Leads => lead_row(&mapping, &record, row, &stages).map(|_| row),
            ImportKind::Accounts => account_row(&mapping, &record, row).map(|_| row),
        });
        match result {
            Ok(row) => parsed.push(row),
            Err(errors) => failed.extend(errors),
        }
    }
    let pairs = failed.iter().map(|e| (e.row, e.column.clone())).collect();
    (parsed, pairs, failed)
}

fn pairs(list: &[(u64, &str)]) -> Vec<(u64, String)> {
    list.iter()
        .map(|(row, column)| (*row, (*column).to_owned()))
        .collect()
}

#[test]
fn the_messy_english_lead_file_parses_its_good_rows_and_reports_the_rest() {
    let (parsed, failed, errors) = import(MESSY, ImportKind::Leads);
    assert_eq!(parsed, [2, 3, 4, 10]);
    assert_eq!(
        failed,
        pairs(&[
            (5, "email"),
            (6, "employees"),
            (7, "employees"),
            (8, "lifecycle_stage"),
            (9, "*")
        ])
    );
    assert_eq!(errors.last().unwrap().message, "expected 9 columns, found 2");
}

#[test]
fn the_japanese_shift_jis_lead_file_parses_and_reports_every_bad_cell() {
    let (parsed, failed, errors) = import(SHIFT_JIS, ImportKind::Leads);
    assert_eq!(parsed, [2, 3]);
    assert_eq!(
        failed,
        pairs(&[(4, "employees"), (4, "lifecycle_stage"), (4, "consent")])
    );
    assert_eq!(errors[0].value, "マイナス");
}

#[test]
fn the_account_file_parses_its_good_rows_and_reports_the_rest() {
    let (parsed, failed, _) = import(ACCOUNTS, ImportKind::Accounts);
    assert_eq!(parsed, [2, 3]);
    assert_eq!(
        failed,
        pairs(&[
            (4, "domain"),
            (5, "employees"),
            (5, "annual_revenue"),
            (5, "is_target"),
            (5, "tier")
        ])
    );
}
