//! Stable, machine-readable error codes. API clients and the UI rely on these names;
//! never rename one, only add.

use serde::Serialize;
use utoipa::ToSchema;

macro_rules! error_codes {
    ($($variant:ident => ($code:literal, $status:literal)),+ $(,)?) => {
        /// A stable error code with the HTTP status it maps to.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode { $($variant),+ }

        impl ErrorCode {
            /// The snake_case name sent to clients and used as the message key.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code),+ }
            }
            /// HTTP status for this code.
            pub fn status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status),+ }
            }
            /// Every code, for tests that check the message catalogue.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];
        }
    };
}

error_codes! {
    MalformedJson => ("malformed_json", 400),
    InvalidQuery => ("invalid_query", 400),
    Unauthenticated => ("unauthenticated", 401),
    InvalidCredentials => ("invalid_credentials", 401),
    Forbidden => ("forbidden", 403),
    CsrfRejected => ("csrf_rejected", 403),
    ReadOnly => ("read_only", 403),
    NotFound => ("not_found", 404),
    MethodNotAllowed => ("method_not_allowed", 405),
    Conflict => ("conflict", 409),
    LastAdmin => ("last_admin", 409),
    InUse => ("in_use", 409),
    IdempotencyInProgress => ("idempotency_in_progress", 409),
    PayloadTooLarge => ("payload_too_large", 413),
    UnsupportedMediaType => ("unsupported_media_type", 415),
    ValidationFailed => ("validation_failed", 422),
    IdempotencyKeyReused => ("idempotency_key_reused", 422),
    TooManyRequests => ("too_many_requests", 429),
    Internal => ("internal", 500),
    Unavailable => ("unavailable", 503),
}
