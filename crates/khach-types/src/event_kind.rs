//! Event types of the interaction history, parsed once at the edge.

use crate::ValueError;

/// The typed events an integration may send. `customer.*` entries are also written
/// by Khách itself; `custom.<name>` carries anything else.
pub const KNOWN: &[&str] = &[
    "customer.created",
    "customer.updated",
    "customer.stage_changed",
    "customer.owner_changed",
    "note.added",
    "comment.added",
    "comment.deleted",
    "contact.updated",
    "task.created",
    "task.done",
    "task.cancelled",
    "meeting.done",
    "call.out.answered",
    "call.out.missed",
    "call.in.answered",
    "call.in.missed",
    "email.sent",
    "email.delivered",
    "email.opened",
    "email.clicked",
    "sms.sent",
    "sms.delivered",
    "sms.deleted",
    "zns.sent",
    "zns.delivered",
    "zns.deleted",
    "message.sent",
    "order.placed",
    "form.submitted",
    "page.viewed",
    "visit.checked_in",
    "visit.checked_out",
];

/// Written by Khách when a customer crosses a score level.
pub const LEVEL_CROSSED: &str = "score.level_crossed";

/// A valid event type: one of [`KNOWN`] or `custom.<name>` (1–56 characters of
/// `a-z 0-9 _ - .`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventKind(String);

impl EventKind {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ValueError::Required);
        }
        if KNOWN.contains(&s) {
            return Ok(Self(s.to_string()));
        }
        match s.strip_prefix("custom.") {
            Some(name) if name.len() > 56 => Err(ValueError::TooLong),
            Some(name)
                if !name.is_empty()
                    && name.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-.".contains(&b)
                    }) =>
            {
                Ok(Self(s.to_string()))
            }
            _ => Err(ValueError::InvalidChoice),
        }
    }

    /// Any `customer.*` entry Khách writes itself (no check: our own code names it).
    pub fn internal(kind: String) -> Self {
        Self(kind)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A source (channel or system): 1–32 characters of `a-z 0-9 _ - .`, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventSource(String);

impl EventSource {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(ValueError::Required);
        }
        if s.len() > 32 {
            return Err(ValueError::TooLong);
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-.".contains(&b))
        {
            return Err(ValueError::InvalidChoice);
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert!(EventKind::parse("email.opened").is_ok());
        assert!(EventKind::parse("custom.webinar_joined").is_ok());
        assert_eq!(EventKind::parse("custom."), Err(ValueError::InvalidChoice));
        assert_eq!(
            EventKind::parse("email.eaten"),
            Err(ValueError::InvalidChoice)
        );
        assert_eq!(EventKind::parse(" "), Err(ValueError::Required));
        assert_eq!(
            EventKind::parse(LEVEL_CROSSED),
            Err(ValueError::InvalidChoice)
        );
    }

    #[test]
    fn sources() {
        assert_eq!(EventSource::parse(" Zalo ").unwrap().as_str(), "zalo");
        assert!(EventSource::parse("a b").is_err());
    }
}
