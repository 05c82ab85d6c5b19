//! Parsed value types: once built, a value is known to be valid.

use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

/// Why a value was refused; the key names a catalogue message (`value-<key>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("required")]
    Required,
    #[error("too_short")]
    TooShort,
    #[error("too_long")]
    TooLong,
    #[error("invalid_username")]
    InvalidUsername,
    #[error("invalid_email")]
    InvalidEmail,
    #[error("invalid_phone")]
    InvalidPhone,
    #[error("invalid_choice")]
    InvalidChoice,
}

impl ValueError {
    /// Catalogue key of the message that explains this error to a person.
    pub fn message_key(self) -> &'static str {
        match self {
            ValueError::Required => "value-required",
            ValueError::TooShort => "value-too-short",
            ValueError::TooLong => "value-too-long",
            ValueError::InvalidUsername => "value-invalid-username",
            ValueError::InvalidEmail => "value-invalid-email",
            ValueError::InvalidPhone => "value-invalid-phone",
            ValueError::InvalidChoice => "value-invalid-choice",
        }
    }
}

/// A login name: 3–64 characters of `a-z 0-9 . _ -`, stored lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(ValueError::Required);
        }
        if s.chars().count() < 3 {
            return Err(ValueError::TooShort);
        }
        if s.chars().count() > 64 {
            return Err(ValueError::TooLong);
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        {
            return Err(ValueError::InvalidUsername);
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Keeps the first two characters of the local part and the domain.
pub fn mask_email(s: &str) -> String {
    match s.split_once('@') {
        Some((local, domain)) => {
            let head: String = local.chars().take(2).collect();
            format!("{head}***@{domain}")
        }
        None => "***".into(),
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An e-mail address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(ValueError::Required);
        }
        if s.len() > 254 {
            return Err(ValueError::TooLong);
        }
        let (local, domain) = s.split_once('@').ok_or(ValueError::InvalidEmail)?;
        let domain_ok = !domain.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        if domain_ok && local_ok {
            Ok(Self(s))
        } else {
            Err(ValueError::InvalidEmail)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For roles that may not see e-mails: `ng***@gmail.com`.
    pub fn masked(&self) -> String {
        mask_email(&self.0)
    }
}

/// A staff member's contact phone: 8–15 digits with the usual separators. (Customer
/// phones get the full Vietnamese normalisation in `Phone`.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactPhone(String);

impl ContactPhone {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ValueError::Required);
        }
        if s.chars().count() > 32 {
            return Err(ValueError::TooLong);
        }
        let digits = s.chars().filter(char::is_ascii_digit).count();
        let allowed = s
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || " .-()".contains(c) || (c == '+' && i == 0));
        if !allowed || !(8..=15).contains(&digits) {
            return Err(ValueError::InvalidPhone);
        }
        Ok(Self(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: 8 to 128 characters (ASVS 6.2.1 / 6.2.9). Never printed.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let n = raw.chars().count();
        if n == 0 {
            return Err(ValueError::Required);
        }
        if n < 8 {
            return Err(ValueError::TooShort);
        }
        if n > 128 {
            return Err(ValueError::TooLong);
        }
        Ok(Self(raw.to_string()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// The two languages of the UI and of error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub enum Locale {
    #[default]
    #[serde(rename = "vi")]
    Vi,
    #[serde(rename = "en")]
    En,
}

impl Locale {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        match raw.trim() {
            "vi" => Ok(Locale::Vi),
            "en" => Ok(Locale::En),
            _ => Err(ValueError::InvalidChoice),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Vi => "vi",
            Locale::En => "en",
        }
    }
}

/// Where a change came from, recorded in the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Ui,
    Api,
    Cli,
    Import,
    Integration,
    Automation,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Ui => "ui",
            Origin::Api => "api",
            Origin::Cli => "cli",
            Origin::Import => "import",
            Origin::Integration => "integration",
            Origin::Automation => "automation",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        [
            Origin::Ui,
            Origin::Api,
            Origin::Cli,
            Origin::Import,
            Origin::Integration,
            Origin::Automation,
        ]
        .into_iter()
        .find(|o| o.as_str() == raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_rules() {
        assert_eq!(
            Username::parse(" Lan.Nguyen ").unwrap().as_str(),
            "lan.nguyen"
        );
        assert_eq!(Username::parse("ab"), Err(ValueError::TooShort));
        assert_eq!(
            Username::parse("lan nguyen"),
            Err(ValueError::InvalidUsername)
        );
        assert_eq!(Username::parse("nguyễn"), Err(ValueError::InvalidUsername));
        assert_eq!(Username::parse(""), Err(ValueError::Required));
    }

    #[test]
    fn email_rules() {
        assert_eq!(
            Email::parse(" An@Example.VN ").unwrap().as_str(),
            "an@example.vn"
        );
        for bad in [
            "an",
            "an@",
            "@x.vn",
            "an@x",
            "a..b@x.vn",
            "an@x..vn",
            "a b@x.vn",
        ] {
            assert_eq!(Email::parse(bad), Err(ValueError::InvalidEmail), "{bad}");
        }
    }

    #[test]
    fn phone_and_password_rules() {
        assert!(ContactPhone::parse("+84 912 345 678").is_ok());
        assert!(ContactPhone::parse("0912-345-678").is_ok());
        assert_eq!(ContactPhone::parse("12ab"), Err(ValueError::InvalidPhone));
        assert_eq!(ContactPhone::parse("12345"), Err(ValueError::InvalidPhone));
        assert_eq!(Password::parse("short").err(), Some(ValueError::TooShort));
        assert!(Password::parse("long enough").is_ok());
        assert_eq!(
            format!("{:?}", Password::parse("secret-pass").unwrap()),
            "Password(***)"
        );
    }
}
