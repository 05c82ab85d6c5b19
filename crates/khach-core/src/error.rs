//! The one error type of the core. Message keys name entries in the message catalogue;
//! the web layer turns them into text in the caller's language.

use khach_db::DbError;
use khach_types::{ErrorCode, ValueError};
use std::collections::BTreeMap;

pub type CoreResult<T> = Result<T, CoreError>;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("not signed in")]
    Unauthenticated,
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("not permitted")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// The record is visible to the caller but not changeable by it (a viewer's).
    #[error("read only")]
    ReadOnly,
    /// Field name → message key.
    #[error("validation failed")]
    Validation(BTreeMap<String, &'static str>),
    /// A unique value already taken: field name and message key.
    #[error("conflict on {field}")]
    Conflict {
        field: &'static str,
        key: &'static str,
    },
    #[error("the last administrator cannot be locked out")]
    LastAdmin,
    /// Still referenced elsewhere; the key explains by what.
    #[error("in use")]
    InUse(&'static str),
    #[error("too many attempts")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Never shown to clients; logged.
    #[error("internal: {0}")]
    Internal(String),
}

impl CoreError {
    /// One field failed with a value error.
    pub fn field(name: &str, e: ValueError) -> Self {
        Self::fields([(name, e.message_key())])
    }

    pub fn fields<'a>(it: impl IntoIterator<Item = (&'a str, &'static str)>) -> Self {
        CoreError::Validation(it.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            CoreError::Unauthenticated => ErrorCode::Unauthenticated,
            CoreError::InvalidCredentials => ErrorCode::InvalidCredentials,
            CoreError::Forbidden => ErrorCode::Forbidden,
            CoreError::NotFound => ErrorCode::NotFound,
            CoreError::ReadOnly => ErrorCode::ReadOnly,
            CoreError::Validation(_) => ErrorCode::ValidationFailed,
            CoreError::Conflict { .. } => ErrorCode::Conflict,
            CoreError::LastAdmin => ErrorCode::LastAdmin,
            CoreError::InUse(_) => ErrorCode::InUse,
            CoreError::TooManyRequests { .. } => ErrorCode::TooManyRequests,
            CoreError::Unavailable(_) => ErrorCode::Unavailable,
            CoreError::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<DbError> for CoreError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound => CoreError::NotFound,
            DbError::Unique(field) => CoreError::Conflict {
                field,
                key: "value-taken",
            },
            DbError::ForeignKey => CoreError::InUse("error-in-use"),
            other => CoreError::Internal(other.to_string()),
        }
    }
}

/// Collects field errors so a form reports every problem at once.
#[derive(Default)]
pub struct FieldErrors(BTreeMap<String, &'static str>);

impl FieldErrors {
    pub fn check<T>(&mut self, field: &str, r: Result<T, ValueError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.insert(field.to_string(), e.message_key());
                None
            }
        }
    }
    pub fn add(&mut self, field: &str, key: &'static str) {
        self.0.insert(field.to_string(), key);
    }
    pub fn finish(self) -> CoreResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(CoreError::Validation(self.0))
        }
    }
}
