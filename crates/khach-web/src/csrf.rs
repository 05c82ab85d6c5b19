//! Cross-site request forgery check for browser requests, after the Fetch-Metadata /
//! Origin algorithm (Go 1.25 CrossOriginProtection): a state-changing request is
//! refused when the browser says it came from another site. Requests with a bearer key
//! are not browser requests and pass; so do safe methods. SameSite=Lax cookies are
//! the second line.

use crate::error::ApiError;
use crate::extract::header_locale;
use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use khach_types::ErrorCode;

fn is_cross_origin(req: &Request) -> bool {
    let h = req.headers();
    // A bearer-key request is not a browser's; pages never accept a bearer key.
    if h.get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "))
    {
        return false;
    }
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        // Neither header: not a modern browser's cross-site request.
        return false;
    };
    let host = h
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or("null");
    origin_host != host
}

pub async fn check(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && is_cross_origin(&req) {
        let (parts, _) = req.into_parts();
        tracing::warn!(path = %parts.uri.path(), "cross-origin request refused");
        return ApiError::new(ErrorCode::CsrfRejected, header_locale(&parts)).into_response();
    }
    next.run(req).await
}

/// NUL characters are refused at the door: no text we keep may contain one
/// (PostgreSQL cannot store it). Covers query strings and form bodies; JSON bodies
/// are checked by `ApiJson`.
pub async fn reject_nul(req: Request, next: Next) -> Response {
    let in_query = req
        .uri()
        .query()
        .is_some_and(|q| q.to_ascii_lowercase().contains("%00"));
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if in_query {
        let (parts, _) = req.into_parts();
        return ApiError::with_detail(ErrorCode::InvalidQuery, header_locale(&parts), "NUL")
            .into_response();
    }
    if !is_form {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1024 * 1024).await else {
        return ApiError::new(ErrorCode::PayloadTooLarge, header_locale(&parts)).into_response();
    };
    if bytes.contains(&0) || bytes.windows(3).any(|w| w.eq_ignore_ascii_case(b"%00")) {
        let locale = header_locale(&parts);
        if parts.uri.path().starts_with("/api/") {
            return ApiError::with_detail(ErrorCode::ValidationFailed, locale, "NUL")
                .into_response();
        }
        // A person at a form gets a page, not JSON.
        let e = khach_core::CoreError::fields([("form", "value-nul")]);
        return crate::pages::PageError::new(e, locale)
            .with_message(crate::i18n::t(locale, "value-nul"))
            .into_response();
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}
