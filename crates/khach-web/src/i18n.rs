//! The message catalogue: every string a person reads comes from
//! `locales/<lang>/*.ftl` (every file of a language directory is loaded),
//! Vietnamese first, English second.

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

/// The e-mail that tells an administrator a webhook endpoint was switched off.
pub fn webhook_notice() -> khach_core::webhooks::NoticeText {
    std::sync::Arc::new(|l, name: &str, url: &str, link: &str| {
        let args = [
            ("name", name.to_string()),
            ("url", url.to_string()),
            ("link", link.to_string()),
        ];
        (
            t_args(l, "webhooks-mail-off-subject", &args),
            t_args(l, "webhooks-mail-off-body", &args),
        )
    })
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
    use super::{LOCALES, lang as lang_id};
    use khach_types::Locale;
    use std::collections::{BTreeSet, HashMap};

    fn keys(src: &str) -> BTreeSet<String> {
        src.lines()
            .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && l.contains(" ="))
            .filter_map(|l| l.split(" =").next())
            .map(|k| k.trim().to_string())
            .collect()
    }

    /// Every `.ftl` file of a language (the loader reads them all): file name → keys.
    fn files(lang: &str) -> Vec<(String, BTreeSet<String>)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(lang);
        let mut out: Vec<(String, BTreeSet<String>)> = std::fs::read_dir(&dir)
            .expect("locales directory")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
            .map(|p| {
                let name = p
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                let src = std::fs::read_to_string(&p).expect("readable .ftl");
                (name, keys(&src))
            })
            .collect();
        out.sort();
        out
    }

    /// All keys of a language; a key defined in two files of one language is an
    /// error (the loader would refuse the bundle at start-up).
    fn all_keys(lang: &str) -> BTreeSet<String> {
        let mut all = BTreeSet::new();
        for (file, ks) in files(lang) {
            for k in ks {
                assert!(
                    all.insert(k.clone()),
                    "{lang}: {k} is defined twice (again in {file})"
                );
            }
        }
        all
    }

    #[test]
    fn both_languages_have_the_same_files_and_keys() {
        let names = |l| files(l).into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        assert_eq!(
            names("vi"),
            names("en"),
            "each .ftl file exists in both languages"
        );
        for ((file, vi), (_, en)) in files("vi").into_iter().zip(files("en")) {
            let only_vi: Vec<_> = vi.difference(&en).collect();
            let only_en: Vec<_> = en.difference(&vi).collect();
            assert!(only_vi.is_empty(), "missing in en/{file}: {only_vi:?}");
            assert!(only_en.is_empty(), "missing in vi/{file}: {only_en:?}");
        }
        assert!(all_keys("vi").len() > 50, "catalogue looks empty");
        assert_eq!(all_keys("vi"), all_keys("en"));
    }

    /// Every key of every file resolves in its own language (no fallback), which
    /// proves the loader reads every `.ftl` file of the directory.
    #[test]
    fn every_file_is_loaded() {
        use fluent_templates::fluent_bundle::FluentValue;
        for (lang, l) in [("vi", Locale::Vi), ("en", Locale::En)] {
            // Placeholders get a dummy value, so messages with arguments resolve too.
            let mut args: HashMap<String, FluentValue> = HashMap::new();
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("locales")
                .join(lang);
            for (file, _) in files(lang) {
                let src = std::fs::read_to_string(dir.join(file)).expect("readable .ftl");
                for part in src.split('$').skip(1) {
                    let name: String = part
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                        .collect();
                    args.insert(name, "x".into());
                }
            }
            for k in all_keys(lang) {
                let found = LOCALES.lookup_single_language(lang_id(l), &k, Some(&args));
                assert!(
                    found.is_ok(),
                    "{lang}: {k} is in a file but not loaded: {found:?}"
                );
            }
        }
    }

    /// Message keys the core hands up (field errors, conflicts, "in use"): string
    /// literals of the core and the value types that look like catalogue keys,
    /// outside their test modules.
    fn core_keys() -> BTreeSet<String> {
        const PREFIXES: [&str; 11] = [
            "value-",
            "cf-",
            "customer-",
            "filter-",
            "search-",
            "tag-",
            "stage-",
            "source-",
            "company-",
            "department-",
            "role-",
        ];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut stack = vec![root.join("khach-core/src"), root.join("khach-types/src")];
        let mut out = BTreeSet::new();
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir)
                .expect("source directory")
                .filter_map(Result::ok)
            {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                if p.extension().is_none_or(|x| x != "rs") {
                    continue;
                }
                let src = std::fs::read_to_string(&p).expect("readable source");
                let code = src.split("#[cfg(test)]").next().unwrap_or_default();
                for lit in code.split('"').skip(1).step_by(2) {
                    let shaped = lit
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                    if shaped && PREFIXES.iter().any(|p| lit.starts_with(p)) {
                        out.insert(lit.to_string());
                    }
                }
            }
        }
        out
    }

    #[test]
    fn every_error_code_and_value_error_has_a_message() {
        let vi = all_keys("vi");
        for code in khach_types::ErrorCode::ALL {
            let k = format!("error-{}", code.as_str().replace('_', "-"));
            assert!(vi.contains(&k), "no message for {k}");
        }
        let keys = core_keys();
        assert!(
            keys.contains("customer-code-taken"),
            "scan found nothing: {keys:?}"
        );
        let missing: Vec<_> = keys.iter().filter(|k| !vi.contains(*k)).collect();
        assert!(
            missing.is_empty(),
            "core message keys without a message: {missing:?}"
        );
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
