//! English and Japanese. Translations live in `app/locales/{en,ja}.json` (loaded at compile
//! time by rust-i18n); components read the current [`Locale`] from the [`I18n`] context so
//! that switching language re-renders every string without a reload.

use std::borrow::Cow;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A language of the interface.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Locale {
    /// English.
    #[default]
    En,
    /// Japanese.
    Ja,
}

impl Locale {
    /// Every supported locale, in the order the switch shows them.
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Ja];

    /// The BCP 47 tag (`en`, `ja`), also the stored and cookie value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ja => "ja",
        }
    }

    /// Parses a stored or submitted tag; `None` for anything else.
    pub fn parse(tag: &str) -> Option<Self> {
        match tag.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Self::En),
            "ja" => Some(Self::Ja),
            _ => None,
        }
    }

    /// Picks the best locale from an `Accept-Language` header value.
    pub fn from_accept_language(header: &str) -> Self {
        header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim();
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q=")?.parse::<f32>().ok())
                    .unwrap_or(1.0);
                let primary = tag.split('-').next()?;
                Some((Self::parse(primary)?, q))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(l, _)| l)
            .unwrap_or_default()
    }

    /// The name of the language in itself, for the switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::Ja => "日本語",
        }
    }
}

/// The translation of `key` in `locale`.
pub fn tr(locale: Locale, key: &str) -> String {
    let text: Cow<'_, str> = rust_i18n::t!(key, locale = locale.as_str());
    text.into_owned()
}

/// The translation of `key` with `%{name}` placeholders replaced.
pub fn tr_with(locale: Locale, key: &str, args: &[(&str, &str)]) -> String {
    args.iter().fold(tr(locale, key), |text, (name, value)| {
        text.replace(&format!("%{{{name}}}"), value)
    })
}

/// The interface language of this page, shared through Leptos context.
#[derive(Clone, Copy, Debug)]
pub struct I18n {
    locale: RwSignal<Locale>,
}

impl I18n {
    /// Provides a new context starting in `locale`.
    pub fn provide(locale: Locale) -> Self {
        let i18n = Self {
            locale: RwSignal::new(locale),
        };
        provide_context(i18n);
        i18n
    }

    /// The current locale (reactive).
    pub fn locale(&self) -> Locale {
        self.locale.get()
    }

    /// Changes the locale; every string re-renders.
    pub fn set_locale(&self, locale: Locale) {
        self.locale.set(locale);
    }

    /// Translates `key` in the current locale (reactive when called inside a closure).
    pub fn t(&self, key: &str) -> String {
        tr(self.locale(), key)
    }

    /// Translates `key` with `%{name}` placeholders (reactive when called inside a closure).
    pub fn t_with(&self, key: &str, args: &[(&str, &str)]) -> String {
        tr_with(self.locale(), key, args)
    }
}

/// The page's [`I18n`] context; falls back to English outside the shell (error pages).
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| I18n::provide(Locale::En))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(value: &serde_json::Value, prefix: &str, out: &mut BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    let path = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    keys(v, &path, out);
                }
            }
            _ => {
                out.insert(prefix.to_owned());
            }
        }
    }

    /// Every key of `name`.json anywhere under app/locales (rust-i18n merges them all).
    fn locale_keys(name: &str) -> BTreeSet<String> {
        fn walk(dir: &std::path::Path, name: &str, out: &mut BTreeSet<String>) {
            for entry in std::fs::read_dir(dir).expect("locales dir").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, name, out);
                } else if path.file_name().and_then(|f| f.to_str()) == Some(&format!("{name}.json")) {
                    let text = std::fs::read_to_string(&path).expect("locale file");
                    let json: serde_json::Value = serde_json::from_str(&text).expect("locale file is JSON");
                    keys(&json, "", out);
                }
            }
        }
        let mut out = BTreeSet::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales"),
            name,
            &mut out,
        );
        out
    }

    #[test]
    fn english_and_japanese_have_exactly_the_same_keys() {
        let en = locale_keys("en");
        let ja = locale_keys("ja");
        let only_en: Vec<_> = en.difference(&ja).collect();
        let only_ja: Vec<_> = ja.difference(&en).collect();
        assert!(
            only_en.is_empty() && only_ja.is_empty(),
            "only en: {only_en:?}; only ja: {only_ja:?}"
        );
        assert!(en.len() > 20);
    }

    #[test]
    fn translation_differs_between_languages() {
        assert_eq!(tr(Locale::En, "auth.sign_in"), "Sign in");
        assert_eq!(tr(Locale::Ja, "auth.sign_in"), "サインイン");
    }

    #[test]
    fn placeholders_are_filled() {
        let text = tr_with(Locale::En, "funnel.table.median_over", &[("n", "Aiko")]);
        assert!(text.contains("Aiko") && !text.contains("%{"), "{text}");
    }

    #[test]
    fn accept_language_prefers_the_highest_quality_supported_tag() {
        assert_eq!(
            Locale::from_accept_language("ja-JP,ja;q=0.9,en;q=0.8"),
            Locale::Ja
        );
        assert_eq!(
            Locale::from_accept_language("fr-FR, en;q=0.5, ja;q=0.4"),
            Locale::En
        );
        assert_eq!(Locale::from_accept_language("de"), Locale::En);
        assert_eq!(Locale::from_accept_language(""), Locale::En);
    }
}
