//! The one place where errors become HTTP answers. Internal causes are logged, never
//! sent; every answer carries a stable code and a message in the caller's language.

use crate::i18n::{t, t_args};
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use khach_core::CoreError;
use khach_types::api::{ErrorBody, ErrorResponse};
use khach_types::{ErrorCode, Locale};
use std::collections::BTreeMap;

/// An API error with the language to explain it in.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub fields: BTreeMap<String, String>,
    pub retry_after: Option<u64>,
}

fn code_key(code: ErrorCode) -> String {
    format!("error-{}", code.as_str().replace('_', "-"))
}

impl ApiError {
    pub fn new(code: ErrorCode, locale: Locale) -> Self {
        Self {
            code,
            message: t(locale, &code_key(code)),
            fields: BTreeMap::new(),
            retry_after: None,
        }
    }

    pub fn with_detail(code: ErrorCode, locale: Locale, detail: &str) -> Self {
        let mut e = Self::new(code, locale);
        e.message = t_args(
            locale,
            &format!("{}-detail", code_key(code)),
            &[("detail", detail.to_string())],
        );
        e
    }

    pub fn from_core(e: CoreError, locale: Locale) -> Self {
        let code = e.code();
        let mut out = Self::new(code, locale);
        match e {
            CoreError::Validation(fields) => {
                out.fields = fields
                    .into_iter()
                    .map(|(f, key)| (f, t(locale, key)))
                    .collect();
            }
            CoreError::Conflict { field, key } => {
                out.fields.insert(field.to_string(), t(locale, key));
            }
            CoreError::InUse(key) => out.message = t(locale, key),
            CoreError::TooManyRequests { retry_after_secs } => {
                out.retry_after = Some(retry_after_secs);
                out.message = t_args(
                    locale,
                    "error-too-many-requests-wait",
                    &[("minutes", retry_after_secs.div_ceil(60).to_string())],
                );
            }
            CoreError::Internal(cause) => {
                tracing::error!(error = %cause, "internal error");
            }
            CoreError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "dependency unavailable");
            }
            _ => {}
        }
        out
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorResponse {
            error: ErrorBody {
                code: self.code.as_str().to_string(),
                message: self.message,
                fields: self.fields,
            },
        };
        let mut resp = (status, Json(body)).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        resp
    }
}

/// A core result as an API answer, explained in the caller's language.
pub trait ApiResult<T> {
    fn api(self, ctx: &khach_core::Ctx) -> Result<T, ApiError>;
}

impl<T> ApiResult<T> for khach_core::CoreResult<T> {
    fn api(self, ctx: &khach_core::Ctx) -> Result<T, ApiError> {
        self.map_err(|e| ApiError::from_core(e, ctx.locale))
    }
}
