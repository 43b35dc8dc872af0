//! Which column of a file feeds which field. Headers are matched automatically — English
//! and the Japanese headers Japanese CRMs and Excel sheets use — and the user can fix the
//! result in the wizard before anything is imported. Pure: it runs in the browser too.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::ImportKind;
use crate::error::FieldError;

const LEAD_FIELDS: &[&str] = &[
    "email",
    "first_name",
    "last_name",
    "job_title",
    "persona",
    "consent",
    "source",
    "country",
    "company_domain",
    "company_name",
    "employees",
    "industry",
    "lifecycle_stage",
];

const ACCOUNT_FIELDS: &[&str] = &[
    "domain",
    "name",
    "employees",
    "industry",
    "country",
    "annual_revenue",
    "is_target",
    "tier",
];

/// The fields a lead file can fill, in the order the wizard lists them (API.md).
pub fn lead_fields() -> &'static [&'static str] {
    LEAD_FIELDS
}

/// The fields an account file can fill, in the order the wizard lists them.
pub fn account_fields() -> &'static [&'static str] {
    ACCOUNT_FIELDS
}

/// The fields of `kind`.
pub fn fields(kind: ImportKind) -> &'static [&'static str] {
    match kind {
        ImportKind::Leads => LEAD_FIELDS,
        ImportKind::Accounts => ACCOUNT_FIELDS,
    }
}

/// The fields without which a row cannot be upserted: its key (email, domain).
pub fn required_fields(kind: ImportKind) -> &'static [&'static str] {
    match kind {
        ImportKind::Leads => &["email"],
        ImportKind::Accounts => &["domain"],
    }
}

/// Column `i` of the file feeds field `columns[i]`; `None` means the column is ignored.
/// Its length is the number of header cells.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    /// One entry per column of the file, in file order.
    pub columns: Vec<Option<String>>,
}

impl Mapping {
    /// The first column that feeds `field`, if any.
    pub fn column_of(&self, field: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.as_deref() == Some(field))
    }

    /// The trimmed cell of `record` that feeds `field`; `None` when the field is not mapped
    /// or the cell is empty (an empty cell means "absent", never "erase").
    pub fn cell<'r>(&self, field: &str, record: &'r [String]) -> Option<&'r str> {
        let cell = record.get(self.column_of(field)?)?.trim();
        (!cell.is_empty()).then_some(cell)
    }

    /// The file's header for `field` (for messages that quote the user's own column names),
    /// or the field itself when it is not mapped.
    pub fn header_of<'a>(&self, field: &'a str, headers: &'a [String]) -> &'a str {
        self.column_of(field)
            .and_then(|i| headers.get(i))
            .map_or(field, String::as_str)
    }
}

/// Full-width ASCII (`Ｅｍａｉｌ`, `１２０`, `＃`) and the ideographic space folded to their
/// ASCII forms — the part of NFKC that matters for headers and numbers typed with a Japanese
/// input method. Borrows when there is nothing to fold (every row's cells pass through here).
pub fn fold_width(text: &str) -> Cow<'_, str> {
    let wide = |c: char| matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}');
    if text.is_ascii() || !text.contains(wide) {
        return Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// A header reduced to what identifies it: width-folded, lower-case, without spaces,
/// `_ - . * # :` and a stray BOM. (Never drops `ー`, the katakana long vowel.)
pub fn normalize_header(header: &str) -> String {
    fold_width(header)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '.' | '*' | '#' | ':' | '\u{FEFF}'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Headers that mean the same field in either kind of file.
const SHARED_SYNONYMS: &[(&str, &[&str])] = &[
    (
        "employees",
        &[
            "employee count",
            "employees count",
            "number of employees",
            "no of employees",
            "num employees",
            "headcount",
            "company size",
            "従業員数",
            "従業員",
            "社員数",
        ],
    ),
    ("industry", &["sector", "業種", "業界"]),
    (
        "country",
        &[
            "country/region",
            "country region",
            "国",
            "国名",
            "国・地域",
            "国/地域",
        ],
    ),
];

const LEAD_SYNONYMS: &[(&str, &[&str])] = &[
    (
        "email",
        &[
            "email address",
            "e-mail",
            "e-mail address",
            "mail",
            "mail address",
            "work email",
            "メールアドレス",
            "メール",
            "eメール",
            "eメールアドレス",
            "電子メール",
        ],
    ),
    (
        "first_name",
        &["first name", "given name", "forename", "名", "ファーストネーム"],
    ),
    (
        "last_name",
        &[
            "last name",
            "surname",
            "family name",
            "姓",
            "苗字",
            "名字",
            "ラストネーム",
        ],
    ),
    (
        "job_title",
        &[
            "title",
            "job title",
            "position",
            "役職",
            "役職名",
            "肩書き",
            "肩書",
        ],
    ),
    ("persona", &["ペルソナ"]),
    (
        "consent",
        &[
            "email consent",
            "marketing consent",
            "opt in",
            "opt-in",
            "同意",
            "メール配信同意",
            "配信同意",
        ],
    ),
    (
        "source",
        &[
            "lead source",
            "original source",
            "流入経路",
            "リードソース",
            "ソース",
            "流入元",
        ],
    ),
    (
        "company_domain",
        &[
            "account domain",
            "domain",
            "website",
            "web site",
            "company website",
            "website url",
            "url",
            "会社ドメイン",
            "企業ドメイン",
            "ドメイン",
            "ウェブサイト",
            "webサイト",
            "ホームページ",
        ],
    ),
    (
        "company_name",
        &[
            "company",
            "company name",
            "organization",
            "organisation",
            "account",
            "account name",
            "会社名",
            "企業名",
            "取引先名",
            "会社",
            "企業",
        ],
    ),
    (
        "lifecycle_stage",
        &[
            "lifecycle stage",
            "stage",
            "lead stage",
            "ライフサイクルステージ",
            "ステージ",
        ],
    ),
];

const ACCOUNT_SYNONYMS: &[(&str, &[&str])] = &[
    (
        "domain",
        &[
            "company domain",
            "website",
            "web site",
            "company website",
            "website url",
            "url",
            "会社ドメイン",
            "企業ドメイン",
            "ドメイン",
            "ウェブサイト",
            "webサイト",
            "ホームページ",
        ],
    ),
    (
        "name",
        &[
            "company",
            "company name",
            "account",
            "account name",
            "organization",
            "organisation",
            "会社名",
            "企業名",
            "取引先名",
            "会社",
            "企業",
        ],
    ),
    (
        "annual_revenue",
        &[
            "revenue",
            "annual revenue",
            "annual sales",
            "年間売上",
            "売上高",
            "年商",
            "売上",
        ],
    ),
    (
        "is_target",
        &[
            "target",
            "target account",
            "abm target",
            "ターゲット",
            "ターゲットアカウント",
        ],
    ),
    ("tier", &["target tier", "abm tier", "account tier", "ティア"]),
];

/// The field a header means in a file of `kind`, if any: the field's own name or a synonym.
fn field_for(kind: ImportKind, header: &str) -> Option<&'static str> {
    let wanted = normalize_header(header);
    if wanted.is_empty() {
        return None;
    }
    if let Some(field) = fields(kind).iter().find(|f| normalize_header(f) == wanted) {
        return Some(field);
    }
    let own = match kind {
        ImportKind::Leads => LEAD_SYNONYMS,
        ImportKind::Accounts => ACCOUNT_SYNONYMS,
    };
    own.iter()
        .chain(SHARED_SYNONYMS)
        .find(|(_, synonyms)| synonyms.iter().any(|s| normalize_header(s) == wanted))
        .map(|(field, _)| *field)
}

/// Matches headers to fields: case-, width- and space-insensitive, ignoring `_ - . * # :`,
/// with common English and Japanese synonyms (`E-mail`, `# Employees`, `メールアドレス`,
/// `会社名`, `従業員数`, `ライフサイクルステージ`…). A field is mapped at most once: the first
/// column wins and later duplicates are ignored. Ambiguous headers (`Name` or `氏名` in a
/// lead file: a full name) are left unmapped for the user to decide.
pub fn auto_map(kind: ImportKind, headers: &[String]) -> Mapping {
    let mut columns: Vec<Option<String>> = Vec::with_capacity(headers.len());
    for header in headers {
        let field = field_for(kind, header)
            .filter(|f| !columns.iter().any(|c| c.as_deref() == Some(*f)))
            .map(str::to_owned);
        columns.push(field);
    }
    Mapping { columns }
}

/// Everything wrong with a mapping before a single row is read: its length differs from the
/// header (`mapping`/`wrong_length`), it names a field `kind` does not have
/// (`field`/`invalid_choice`), maps a field from two columns (`field`/`mapped_twice`), or
/// leaves a required field unmapped (`field`/`missing_column`).
pub fn check_mapping(kind: ImportKind, mapping: &Mapping, headers_len: usize) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if mapping.columns.len() != headers_len {
        errors.push(FieldError::new("mapping", "wrong_length"));
    }
    let known = fields(kind);
    let mapped: Vec<&str> = mapping.columns.iter().flatten().map(String::as_str).collect();
    for (i, field) in mapped.iter().enumerate() {
        let first = !mapped[..i].contains(field);
        if !known.contains(field) && first {
            errors.push(FieldError::new(field, "invalid_choice"));
        } else if known.contains(field) && !first && mapped[..i].iter().filter(|f| *f == field).count() == 1 {
            errors.push(FieldError::new(field, "mapped_twice"));
        }
    }
    for field in required_fields(kind) {
        if !mapped.contains(field) {
            errors.push(FieldError::new(field, "missing_column"));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

#[cfg(test)]
#[path = "mapping_tests.rs"]
mod tests;
