//! The message catalogue: every string a person reads comes from
//! `locales/<lang>/main.ftl`, Vietnamese first, English second.

use fluent_templates::{Loader, static_loader};
use khach_types::Locale;
use std::borrow::Cow;
use std::collections::HashMap;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "vi",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static VI: fluent_templates::LanguageIdentifier = fluent_templates::langid!("vi");
static EN: fluent_templates::LanguageIdentifier = fluent_templates::langid!("en");

fn lang(l: Locale) -> &'static fluent_templates::LanguageIdentifier {
    match l {
        Locale::Vi => &VI,
        Locale::En => &EN,
    }
}

/// The message `key` in language `l`.
pub fn t(l: Locale, key: &str) -> String {
    LOCALES.lookup(lang(l), key)
}

/// The message `key`, or `None` when the catalogue has no such key.
pub fn try_t(l: Locale, key: &str) -> Option<String> {
    LOCALES.try_lookup(lang(l), key)
}

/// The message `key` with named arguments.
pub fn t_args(l: Locale, key: &str, args: &[(&'static str, String)]) -> String {
    let map: HashMap<Cow<'static, str>, fluent_templates::fluent_bundle::FluentValue> = args
        .iter()
        .map(|(k, v)| (Cow::Borrowed(*k), v.clone().into()))
        .collect();
    LOCALES.lookup_with_args(lang(l), key, &map)
}

/// Picks the language from an `Accept-Language` header (Vietnamese unless English
/// comes first).
pub fn from_accept_language(h: Option<&str>) -> Locale {
    let first = h
        .and_then(|v| v.split(',').next())
        .map(|s| s.trim().to_ascii_lowercase());
    match first {
        Some(s) if s.starts_with("en") => Locale::En,
        _ => Locale::Vi,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    fn keys(src: &str) -> BTreeSet<String> {
        src.lines()
            .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && l.contains(" ="))
            .filter_map(|l| l.split(" =").next())
            .map(|k| k.trim().to_string())
            .collect()
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let vi = keys(include_str!("../locales/vi/main.ftl"));
        let en = keys(include_str!("../locales/en/main.ftl"));
        let only_vi: Vec<_> = vi.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&vi).collect();
        assert!(only_vi.is_empty(), "missing in en: {only_vi:?}");
        assert!(only_en.is_empty(), "missing in vi: {only_en:?}");
        assert!(vi.len() > 50, "catalogue looks empty");
    }

    #[test]
    fn every_error_code_and_value_error_has_a_message() {
        let vi = keys(include_str!("../locales/vi/main.ftl"));
        for code in khach_types::ErrorCode::ALL {
            let k = format!("error-{}", code.as_str().replace('_', "-"));
            assert!(vi.contains(&k), "no message for {k}");
        }
    }

    #[test]
    fn lookups_differ_by_language() {
        use khach_types::Locale;
        assert_ne!(
            super::t(Locale::Vi, "nav-accounts"),
            super::t(Locale::En, "nav-accounts")
        );
        assert_eq!(
            super::from_accept_language(Some("en-US,en;q=0.9")),
            Locale::En
        );
        assert_eq!(super::from_accept_language(Some("vi-VN")), Locale::Vi);
        assert_eq!(super::from_accept_language(None), Locale::Vi);
    }
}
