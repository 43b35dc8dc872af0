//! One record of a file turned into a lead or account upsert — or into every problem it has,
//! so the error report tells the user all there is to fix in a row at once.
//!
//! Cells are trimmed and an empty cell means "absent" (it never erases a stored value). Cell
//! syntax that only a spreadsheet produces (`1,200`, `120人`, `はい`, `Tier 1`, full-width
//! digits) is accepted here; the model's `validate()` then applies the same rules as the API,
//! and its field errors are reported under the file's field names (`company_domain`, not
//! `account_domain`) with the English message.

use super::RowError;
use super::mapping::{Mapping, fold_width};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::leads::model::{AccountInput, AccountUpsert, LeadInput, LeadUpsert};

/// A lead row turned into an upsert, plus what the row says about the lead's company and
/// the lifecycle stage the file asks for.
#[derive(Clone, Debug)]
pub struct LeadRow {
    /// The lead's fields as found in the row.
    pub input: LeadInput,
    /// `company_name`: names the account of `input.account_domain`.
    pub company_name: Option<String>,
    /// `employees` of the company.
    pub employees: Option<i64>,
    /// `industry` of the company.
    pub industry: Option<String>,
    /// `lifecycle_stage`, as the definition's stage key (`MQL` in the file → `mql`); the
    /// importer only ever applies it forward.
    pub lifecycle_stage: Option<String>,
    /// `input`, validated: what the importer writes.
    pub upsert: LeadUpsert,
    /// The company columns, validated, when the row names a company domain.
    pub company: Option<AccountUpsert>,
}

/// Collects the problems of one row.
struct Problems<'a> {
    row: u64,
    mapping: &'a Mapping,
    record: &'a [String],
    errors: Vec<RowError>,
}

impl<'a> Problems<'a> {
    fn cell(&self, field: &str) -> Option<&'a str> {
        self.mapping.cell(field, self.record)
    }

    fn text(&self, field: &str) -> Option<String> {
        self.cell(field).map(str::to_owned)
    }

    fn push(&mut self, field: &str, message: impl Into<String>) {
        let value = self.cell(field).unwrap_or_default();
        self.errors.push(RowError::new(self.row, field, value, message));
    }

    /// Parses the cell of `field` with `parse`; a failure is reported with `message`.
    fn parsed<T>(&mut self, field: &str, parse: fn(&str) -> Option<T>, message: &str) -> Option<T> {
        let cell = self.cell(field)?;
        let value = parse(cell);
        if value.is_none() {
            self.push(field, format!("{field} {message}"));
        }
        value
    }

    /// Reports the model's field errors under the file's field names (`rename` maps a model
    /// field to the import field; `skip` lists model fields already reported).
    fn model_errors(&mut self, error: AppError, rename: &[(&str, &str)], skip: &[&str]) {
        let AppError::Validation(errors) = error else {
            self.errors
                .push(RowError::new(self.row, "*", "", error.message(Locale::En)));
            return;
        };
        for error in errors.iter().filter(|e| !skip.contains(&e.field.as_str())) {
            let column = rename
                .iter()
                .find(|(model, _)| *model == error.field)
                .map_or(error.field.as_str(), |(_, column)| column);
            self.push(column, error.message(Locale::En));
        }
    }

    /// Every problem in file column order (stable within a column), or the value.
    fn finish<T>(mut self, value: T) -> Result<T, Vec<RowError>> {
        if self.errors.is_empty() {
            return Ok(value);
        }
        let mapping = self.mapping;
        self.errors
            .sort_by_key(|e| mapping.column_of(&e.column).unwrap_or(usize::MAX));
        Err(self.errors)
    }
}

/// The one error of a record whose cell count differs from the header's.
fn check_width(mapping: &Mapping, record: &[String], row: u64) -> Result<(), Vec<RowError>> {
    let (expected, found) = (mapping.columns.len(), record.len());
    if expected == found {
        Ok(())
    } else {
        let message = format!("expected {expected} columns, found {found}");
        Err(vec![RowError::new(row, "*", "", message)])
    }
}

const YES_NO: &str = "must be yes or no (true/false, yes/no, y/n, 1/0, はい/いいえ)";
const COUNT: &str = "must be a whole number of 0 or more, such as 1200, 1,200 or 1200人";
const AMOUNT: &str = "must be a number of 0 or more, such as 1500000 or 1,500,000.50";

/// Turns a record of a lead file into a [`LeadRow`], or every problem of the row: malformed
/// cells (yes/no, counts), an unknown `lifecycle_stage` (not one of `stage_keys`, compared
/// case-insensitively, with spaces or hyphens for `_`), then whatever
/// [`LeadInput::validate`] and — when a company domain is given — [`AccountInput::validate`]
/// refuse. `row` is the record's spreadsheet row (see [`RowError`]).
pub fn lead_row(
    mapping: &Mapping,
    record: &[String],
    row: u64,
    stage_keys: &[String],
) -> Result<LeadRow, Vec<RowError>> {
    check_width(mapping, record, row)?;
    let mut p = Problems {
        row,
        mapping,
        record,
        errors: Vec::new(),
    };
    let input = LeadInput {
        email: p.text("email").unwrap_or_default(),
        first_name: p.text("first_name"),
        last_name: p.text("last_name"),
        job_title: p.text("job_title"),
        persona: p.text("persona"),
        consent: p.parsed("consent", parse_yes_no, YES_NO),
        source: p.text("source"),
        country: p.text("country"),
        account_domain: p.text("company_domain"),
    };
    let employees = p.parsed("employees", parse_count, COUNT);
    let lifecycle_stage = p.cell("lifecycle_stage").and_then(|cell| {
        let key = stage_key(cell, stage_keys);
        if key.is_none() {
            let known = stage_keys.join(", ");
            p.push(
                "lifecycle_stage",
                format!("lifecycle_stage is not a stage of the current definition (one of: {known})"),
            );
        }
        key
    });
    let (company_name, industry) = (p.text("company_name"), p.text("industry"));
    let upsert = match input.validate() {
        Ok(upsert) => Some(upsert),
        Err(e) => {
            p.model_errors(e, &[("account_domain", "company_domain")], &[]);
            None
        }
    };
    let has_company = company_name.is_some() || employees.is_some() || industry.is_some();
    let company = match (&input.account_domain, has_company) {
        (Some(domain), true) => {
            let account = AccountInput {
                domain: domain.clone(),
                name: company_name.clone(),
                employees,
                industry: industry.clone(),
                ..AccountInput::default()
            };
            match account.validate() {
                Ok(company) => Some(company),
                Err(e) => {
                    // The domain was already checked as the lead's `account_domain`.
                    p.model_errors(e, &[("name", "company_name")], &["domain"]);
                    None
                }
            }
        }
        _ => None,
    };
    match upsert {
        Some(upsert) if p.errors.is_empty() => Ok(LeadRow {
            input,
            company_name,
            employees,
            industry,
            lifecycle_stage,
            upsert,
            company,
        }),
        // `validate` refused the row, so `p` holds at least one problem.
        _ => match p.finish(()) {
            Err(errors) => Err(errors),
            Ok(()) => Err(vec![RowError::new(row, "*", "", "the row could not be read")]),
        },
    }
}

/// Turns a record of an account file into an [`AccountInput`], or every problem of the row:
/// malformed cells (counts, amounts, yes/no, tiers), then whatever
/// [`AccountInput::validate`] refuses. `row` is the record's spreadsheet row.
pub fn account_row(mapping: &Mapping, record: &[String], row: u64) -> Result<AccountInput, Vec<RowError>> {
    check_width(mapping, record, row)?;
    let mut p = Problems {
        row,
        mapping,
        record,
        errors: Vec::new(),
    };
    let input = AccountInput {
        domain: p.text("domain").unwrap_or_default(),
        name: p.text("name"),
        employees: p.parsed("employees", parse_count, COUNT),
        industry: p.text("industry"),
        country: p.text("country"),
        annual_revenue: p.parsed("annual_revenue", parse_amount, AMOUNT),
        is_target: p.parsed("is_target", parse_yes_no, YES_NO),
        tier: p.cell("tier").map(normalize_tier),
    };
    if let Err(e) = input.validate() {
        p.model_errors(e, &[], &[]);
    }
    p.finish(input)
}

/// `true`/`false` as spreadsheets and Japanese forms write them, case- and width-insensitive.
pub fn parse_yes_no(cell: &str) -> Option<bool> {
    match fold_width(cell).trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "t" | "on" | "はい" | "同意" | "同意する" | "同意済み" | "あり"
        | "有" | "○" | "〇" => Some(true),
        "false" | "no" | "n" | "0" | "f" | "off" | "いいえ" | "同意しない" | "未同意" | "拒否" | "なし"
        | "無" | "×" => Some(false),
        _ => None,
    }
}

/// Digits with optional thousands separators in groups of three (`1,200`), returned without
/// them; `None` for anything else (`1,2`, `-5`, `12.5`).
fn strip_thousands(text: &str) -> Option<String> {
    let mut groups = text.split(',');
    let first = groups.next()?;
    let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    if !digits(first) {
        return None;
    }
    let mut out = first.to_owned();
    for group in groups {
        if group.len() != 3 || !digits(group) || first.len() > 3 {
            return None;
        }
        out.push_str(group);
    }
    Some(out)
}

/// A head count: a whole number ≥ 0, with optional thousands separators, full-width digits
/// and a trailing `人` or `名` (`1,200人`).
pub fn parse_count(cell: &str) -> Option<i64> {
    let folded = fold_width(cell);
    let text = folded.trim();
    let text = text.strip_suffix(['人', '名']).unwrap_or(text).trim_end();
    strip_thousands(text)?.parse().ok()
}

/// An amount ≥ 0: digits with optional thousands separators and decimals, an optional
/// leading `¥ $ € £` or trailing `円`. No exponents, `NaN` or infinities.
pub fn parse_amount(cell: &str) -> Option<f64> {
    let text = fold_width(cell).replace('￥', "¥");
    let text = text.trim();
    let text = text.strip_prefix(['¥', '$', '€', '£']).unwrap_or(text);
    let text = text.strip_suffix('円').unwrap_or(text).trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let whole = strip_thousands(whole)?;
    if !fraction.bytes().all(|b| b.is_ascii_digit()) || (text.ends_with('.') && fraction.is_empty()) {
        return None;
    }
    let number: f64 = if fraction.is_empty() {
        whole.parse().ok()?
    } else {
        format!("{whole}.{fraction}").parse().ok()?
    };
    number.is_finite().then_some(number)
}

/// `Tier 1`, `T1`, `ティア1` → `1`; anything else is left for `validate` to refuse.
fn normalize_tier(cell: &str) -> String {
    let folded = fold_width(cell).to_lowercase().replace(' ', "");
    let bare = ["tier", "ティア", "t"]
        .iter()
        .find_map(|prefix| folded.strip_prefix(prefix))
        .unwrap_or(&folded);
    if bare.len() == 1 && bare.bytes().all(|b| b.is_ascii_digit()) {
        bare.to_owned()
    } else {
        cell.to_owned()
    }
}

/// The stage key `cell` names: compared case-insensitively, with spaces and hyphens read as
/// `_` (`MQL` → `mql`, `Closed Won` → `closed_won`).
fn stage_key(cell: &str, stage_keys: &[String]) -> Option<String> {
    if let Some(key) = stage_keys.iter().find(|k| k.as_str() == cell) {
        return Some(key.clone());
    }
    let wanted: String = fold_width(cell)
        .trim()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect();
    stage_keys
        .iter()
        .find(|k| k.eq_ignore_ascii_case(&wanted))
        .cloned()
}

#[cfg(test)]
#[path = "rows_tests.rs"]
mod tests;
