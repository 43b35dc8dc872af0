//! CSV import of leads and accounts (issue 4, part 6; API.md "Imports").
//!
//! Reading a file is split in three pure-ish steps so that each is tested on its own and the
//! import wizard in the browser can reuse the middle one:
//! - [`source`] (server only) turns a byte stream — UTF-8 with or without BOM, or Shift_JIS
//!   (CP932, what Excel in Japan writes) — into header and records, one record at a time, so
//!   the whole file is never held in memory;
//! - [`mapping`] decides which column feeds which field (auto-matched English and Japanese
//!   headers, fixable by the user);
//! - [`rows`] turns one record into a lead or account upsert, or into every [`RowError`] the
//!   record has, so the error report lists all problems of a row at once.
//!
//! [`service`] runs a job: the file is parsed on a blocking thread while [`apply`] writes
//! batches in transactions ([`bulk`] holds the set-wise SQL, [`store`] the job's own rows).

use serde::{Deserialize, Serialize};

pub mod api;
#[cfg(feature = "ssr")]
pub mod apply;
#[cfg(feature = "ssr")]
pub mod bulk;
pub mod job;
pub mod mapping;
pub mod rows;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod source;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod uploads;
pub mod views;

/// The largest file an import accepts (issue 4: at least 512 MB per file).
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// What a file holds: contacts or companies. Decides the fields and the upsert key
/// (email for leads, domain for accounts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ImportKind {
    /// Contacts, upserted by email.
    Leads,
    /// Companies, upserted by domain.
    Accounts,
}

impl ImportKind {
    /// The API and stored value: `leads` | `accounts`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Leads => "leads",
            Self::Accounts => "accounts",
        }
    }

    /// Parses the API value (trimmed, case-insensitive; the singular is accepted too).
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "leads" | "lead" => Some(Self::Leads),
            "accounts" | "account" => Some(Self::Accounts),
            _ => None,
        }
    }
}

/// How the bytes of a file are to be read. `Auto` is right for nearly every file: a BOM
/// means UTF-8, otherwise valid UTF-8 in the first 64 KiB means UTF-8, anything else is
/// taken as Shift_JIS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum EncodingChoice {
    /// Detect: BOM, then UTF-8 if the start of the file is valid UTF-8, else Shift_JIS.
    Auto,
    /// UTF-8 (a BOM is skipped).
    Utf8,
    /// Shift_JIS as Windows writes it (CP932, with the NEC and IBM extensions).
    ShiftJis,
}

impl EncodingChoice {
    /// The API value: `auto` | `utf-8` | `shift_jis`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Utf8 => "utf-8",
            Self::ShiftJis => "shift_jis",
        }
    }

    /// Parses the API value and its common spellings (`utf8`, `sjis`, `cp932`,
    /// `windows-31j`…), trimmed and case-insensitive.
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "auto" | "" => Some(Self::Auto),
            "utf-8" | "utf8" | "utf_8" => Some(Self::Utf8),
            "shift_jis" | "shift-jis" | "shiftjis" | "sjis" | "cp932" | "windows-31j" | "ms932" => {
                Some(Self::ShiftJis)
            }
            _ => None,
        }
    }
}

/// One problem with one row of a file: a line of the downloadable error report
/// (`row,column,value,message`).
///
/// `row` is the spreadsheet row of the record: the header is row 1 and the first data record
/// is row 2, counting CSV records rather than lines — a quoted cell spanning three lines is
/// still one row, and blank lines are not rows. `column` names the import field the problem
/// is about (`email`, `employees`, `company_domain`…), or `*` for the row as a whole (wrong
/// number of cells, unreadable bytes). `value` is the cell as found (trimmed). `message` is in
/// English: the report is a file shared between people and tools, not a screen in the
/// user's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RowError {
    /// Spreadsheet row: header = 1, first data record = 2.
    pub row: u64,
    /// The field (or header) concerned, `*` for the whole row.
    pub column: String,
    /// The offending cell, trimmed; empty for a missing value.
    pub value: String,
    /// What is wrong, in English.
    pub message: String,
}

impl RowError {
    /// A row error; the one constructor so every report line is built the same way.
    pub fn new(row: u64, column: &str, value: &str, message: impl Into<String>) -> Self {
        Self {
            row,
            column: column.to_owned(),
            value: value.to_owned(),
            message: message.into(),
        }
    }
}

/// The error report as CSV (`row,column,value,message`), with a UTF-8 byte-order mark so
/// that Excel opens Japanese text correctly.
#[cfg(feature = "ssr")]
pub fn report_csv(errors: &[RowError]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(["row", "column", "value", "message"])?;
    for e in errors {
        out.write_record([e.row.to_string().as_str(), &e.column, &e.value, &e.message])?;
    }
    out.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(all(test, feature = "ssr"))]
#[path = "fixtures_tests.rs"]
mod fixtures_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_encodings_parse_their_api_values_and_common_spellings() {
        for kind in [ImportKind::Leads, ImportKind::Accounts] {
            assert_eq!(ImportKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ImportKind::parse(" Leads "), Some(ImportKind::Leads));
        assert_eq!(ImportKind::parse("contacts"), None);
        for choice in [
            EncodingChoice::Auto,
            EncodingChoice::Utf8,
            EncodingChoice::ShiftJis,
        ] {
            assert_eq!(EncodingChoice::parse(choice.as_str()), Some(choice));
        }
        for sjis in ["shift_jis", "SJIS", "cp932", "Windows-31J"] {
            assert_eq!(
                EncodingChoice::parse(sjis),
                Some(EncodingChoice::ShiftJis),
                "{sjis}"
            );
        }
        assert_eq!(EncodingChoice::parse("UTF8"), Some(EncodingChoice::Utf8));
        assert_eq!(EncodingChoice::parse("latin1"), None);
    }

    #[test]
    fn kinds_and_encodings_serialize_as_snake_case() {
        assert_eq!(
            serde_json::to_string(&ImportKind::Accounts).unwrap(),
            "\"accounts\""
        );
        assert_eq!(
            serde_json::to_string(&EncodingChoice::ShiftJis).unwrap(),
            "\"shift_jis\""
        );
    }
}
