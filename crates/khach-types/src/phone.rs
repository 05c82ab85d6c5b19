//! Vietnamese phone numbers, however they are typed: `0912 345 678`,
//! `+84 912 345 678`, `84912345678`, `0084…`, `+84 (0) 912…`, a lost leading zero
//! (`912345678`, as spreadsheets do), the pre-2018 11-digit mobile numbers
//! (`0162…` → `032…`), landlines `02x`, and valid foreign numbers given with `+`.
//! A `Phone` keeps what was typed beside its E.164 form, so the same person is found
//! however the number was written.

use crate::values::ValueError;
use phonenumber::{Mode, country};
use std::fmt;

/// The 2018 renumbering of 11-digit mobile numbers (Ministry of Information and
/// Communications): old 4-digit prefix → new 3-digit prefix.
const OLD_PREFIXES: [(&str, &str); 21] = [
    ("0162", "032"),
    ("0163", "033"),
    ("0164", "034"),
    ("0165", "035"),
    ("0166", "036"),
    ("0167", "037"),
    ("0168", "038"),
    ("0169", "039"),
    ("0120", "070"),
    ("0121", "079"),
    ("0122", "077"),
    ("0126", "076"),
    ("0128", "078"),
    ("0123", "083"),
    ("0124", "084"),
    ("0125", "085"),
    ("0127", "081"),
    ("0129", "082"),
    ("0186", "056"),
    ("0188", "058"),
    ("0199", "059"),
];

/// A valid phone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    typed: String,
    e164: String,
}

impl Phone {
    /// Parses what a person typed. Never panics, whatever the input.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let typed = raw.trim();
        if typed.is_empty() {
            return Err(ValueError::Required);
        }
        if typed.chars().count() > 40 {
            return Err(ValueError::TooLong);
        }
        let plus = typed.starts_with('+');
        let mut digits = String::with_capacity(typed.len());
        for (i, c) in typed.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => {}
                ' ' | '.' | '-' | '(' | ')' | '/' | '\u{a0}' => {}
                _ => return Err(ValueError::InvalidPhone),
            }
        }
        let e164 = if plus && !digits.starts_with("84") {
            foreign(&digits)?
        } else {
            let national = national_form(&digits, plus).ok_or(ValueError::InvalidPhone)?;
            vietnamese(&national)?
        };
        Ok(Self {
            typed: typed.to_string(),
            e164,
        })
    }

    /// Loads the numbering metadata now rather than on the first request that
    /// needs it (it takes a fraction of a second).
    pub fn warm_up() {
        let _ = Self::parse("0912345678");
    }

    /// As typed (trimmed).
    pub fn typed(&self) -> &str {
        &self.typed
    }

    /// `+84912345678`.
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// The national form for Vietnamese numbers (`0912345678`), else E.164.
    pub fn national(&self) -> String {
        match self.e164.strip_prefix("+84") {
            Some(rest) => format!("0{rest}"),
            None => self.e164.clone(),
        }
    }

    /// For roles that may not see phone numbers: `091****678`.
    pub fn masked(&self) -> String {
        mask_digits(&self.national())
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.typed)
    }
}

/// Keeps the first three and last three characters: `0912345678` → `091****678`.
pub fn mask_digits(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 6 {
        return "*".repeat(chars.len());
    }
    let head: String = chars.iter().take(3).collect();
    let tail: String = chars.iter().skip(chars.len() - 3).collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 6))
}

/// The national form (leading 0) of digits meant as a Vietnamese number.
fn national_form(digits: &str, plus: bool) -> Option<String> {
    let rest = if let Some(r) = digits.strip_prefix("0084") {
        r
    } else if plus || (digits.starts_with("84") && digits.len() >= 11) {
        digits.strip_prefix("84")?
    } else {
        digits
    };
    // "+84 (0) 912…" carries the trunk zero twice over.
    let rest = rest.strip_prefix('0').unwrap_or(rest);
    if rest.len() < 8 || rest.len() > 11 {
        return None;
    }
    let national = format!("0{rest}");
    // Old 11-digit mobile numbers get their 2018 prefix.
    if national.len() == 11 {
        for (old, new) in OLD_PREFIXES {
            if let Some(tail) = national.strip_prefix(old) {
                return Some(format!("{new}{tail}"));
            }
        }
    }
    Some(national)
}

/// Runs a parse that must not take the process down: the library has panicked on
/// crafted input before (whisperfish/rust-phonenumber#43).
fn guarded<T>(f: impl FnOnce() -> Option<T> + std::panic::UnwindSafe) -> Option<T> {
    std::panic::catch_unwind(f).ok().flatten()
}

fn vietnamese(national: &str) -> Result<String, ValueError> {
    let n = national.to_string();
    guarded(move || {
        let p = phonenumber::parse(Some(country::Id::VN), &n).ok()?;
        phonenumber::is_valid(&p).then(|| p.format().mode(Mode::E164).to_string())
    })
    .ok_or(ValueError::InvalidPhone)
}

fn foreign(digits: &str) -> Result<String, ValueError> {
    if digits.len() < 7 || digits.len() > 15 {
        return Err(ValueError::InvalidPhone);
    }
    let n = format!("+{digits}");
    guarded(move || {
        let p = phonenumber::parse(None, &n).ok()?;
        phonenumber::is_valid(&p).then(|| p.format().mode(Mode::E164).to_string())
    })
    .ok_or(ValueError::InvalidPhone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn e164(s: &str) -> String {
        Phone::parse(s)
            .unwrap_or_else(|e| panic!("{s:?}: {e}"))
            .e164()
            .to_string()
    }

    #[test]
    fn every_common_way_of_writing_a_mobile_number() {
        for s in [
            "0912345678",
            "0912 345 678",
            "0912.345.678",
            "0912-345-678",
            "+84 912 345 678",
            "+84912345678",
            "84912345678",
            "0084912345678",
            "+84 (0) 912 345 678",
            "912345678",
            " 0912345678 ",
        ] {
            assert_eq!(e164(s), "+84912345678", "{s}");
        }
    }

    #[test]
    fn pre_2018_eleven_digit_mobiles_get_their_new_prefix() {
        assert_eq!(e164("01623456789"), "+84323456789");
        assert_eq!(e164("0169 345 6789"), "+84393456789");
        assert_eq!(e164("01203456789"), "+84703456789");
        assert_eq!(e164("01233456789"), "+84833456789");
        assert_eq!(e164("01863456789"), "+84563456789");
        assert_eq!(e164("01993456789"), "+84593456789");
        assert_eq!(e164("+84 1623 456 789"), "+84323456789");
        for (old, new) in OLD_PREFIXES {
            let p = Phone::parse(&format!("{old}3456789")).unwrap();
            assert_eq!(p.national(), format!("{new}3456789"), "{old}");
        }
    }

    #[test]
    fn landlines_and_foreign_numbers() {
        assert_eq!(e164("024 3826 1234"), "+842438261234");
        assert_eq!(e164("028 3829 5555"), "+842838295555");
        assert_eq!(e164("+1 650 253 0000"), "+16502530000");
        assert_eq!(e164("+81 3-1234-5678"), "+81312345678");
    }

    #[test]
    fn clear_errors_for_what_is_not_a_phone() {
        assert_eq!(Phone::parse(""), Err(ValueError::Required));
        assert_eq!(Phone::parse("   "), Err(ValueError::Required));
        for bad in [
            "0912 345 67",
            "abc",
            "0912x345678",
            "12345",
            "++84912345678",
            "0000000000",
            "+84",
            "1900 1234 5678 9999",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Phone::parse(&"9".repeat(41)), Err(ValueError::TooLong));
    }

    #[test]
    fn masking_keeps_three_digits_each_side() {
        let p = Phone::parse("+84 912 345 678").unwrap();
        assert_eq!(p.masked(), "091****678");
        assert_eq!(p.typed(), "+84 912 345 678");
        assert_eq!(p.national(), "0912345678");
        assert_eq!(mask_digits("12345"), "*****");
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,60}") {
            let _ = Phone::parse(&s);
        }

        #[test]
        fn never_panics_on_digit_soup(s in "[+0-9 ().-]{0,45}") {
            let _ = Phone::parse(&s);
        }

        #[test]
        fn separators_do_not_change_the_number(tail in "[0-9]{7}", sep in "[ .-]{0,1}") {
            let plain = format!("091{tail}");
            let spaced = format!("091{sep}{}{sep}{}", &tail[..3], &tail[3..]);
            let a = Phone::parse(&plain).map(|p| p.e164().to_string());
            let b = Phone::parse(&spaced).map(|p| p.e164().to_string());
            prop_assert_eq!(a, b);
        }

        #[test]
        fn national_and_international_forms_agree(tail in "[0-9]{7}") {
            let national = Phone::parse(&format!("098{tail}")).map(|p| p.e164().to_string());
            let intl = Phone::parse(&format!("+8498{tail}")).map(|p| p.e164().to_string());
            let lost_zero = Phone::parse(&format!("98{tail}")).map(|p| p.e164().to_string());
            prop_assert_eq!(&national, &intl);
            prop_assert_eq!(&national, &lost_zero);
            prop_assert!(national.is_ok());
        }
    }
}
