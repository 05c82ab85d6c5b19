//! Honours `Idempotency-Key` on `POST /api/v1/…` (see `khach_core::idempotency`).
//! A replayed answer carries `Idempotent-Replayed: true`.

use crate::error::ApiError;
use crate::extract::header_locale;
use crate::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};

use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use khach_core::idempotency::{self, Begin};
use khach_types::ErrorCode;

const HEADER: &str = "idempotency-key";
const MAX_BODY: usize = 1024 * 1024;
const MAX_STORED: usize = 4 * 1024 * 1024;

fn valid_key(k: &str) -> bool {
    (1..=255).contains(&k.len()) && k.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

/// Routes whose requests or answers carry secrets (passwords, API key secrets): no
/// copy of them is ever stored, so they are not deduplicated.
pub(crate) fn carries_secrets(path: &str) -> bool {
    path == "/api/v1/accounts" || path == "/api/v1/api-keys" || path.ends_with("/password")
}

pub async fn layer(State(s): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST
        || !req.uri().path().starts_with("/api/v1/")
        || carries_secrets(req.uri().path())
    {
        return next.run(req).await;
    }
    let Some(raw) = req.headers().get(HEADER).cloned() else {
        return next.run(req).await;
    };
    let (mut parts, body) = req.into_parts();
    let locale = header_locale(&parts);
    let key = match raw.to_str() {
        Ok(k) if valid_key(k) => k.to_string(),
        _ => {
            let mut e = ApiError::new(ErrorCode::ValidationFailed, locale);
            e.fields.insert(
                "Idempotency-Key".into(),
                crate::i18n::t(locale, "value-idempotency-key"),
            );
            return e.into_response();
        }
    };
    // Authenticated first: a stored answer is replayed only to the account (and key)
    // that made it, and never to a revoked key or an ended session.
    let credential = match crate::extract::resolve(&s, &parts).await {
        Ok((actor, origin)) => {
            let c = format!("account:{} key:{:?}", actor.account.id, actor.api_key_id);
            // Handed to the handler's extractor: one authentication per request.
            parts
                .extensions
                .insert(crate::extract::Resolved(actor, origin));
            c
        }
        Err(_) => return next.run(Request::from_parts(parts, body)).await,
    };
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return ApiError::new(ErrorCode::PayloadTooLarge, locale).into_response();
    };
    let mut fingerprint = format!("{} {}\n", parts.method, parts.uri).into_bytes();
    fingerprint.extend_from_slice(&bytes);
    let begun = match idempotency::begin(&s.core, &credential, &key, &fingerprint).await {
        Ok(b) => b,
        Err(e) => return ApiError::from_core(e, locale).into_response(),
    };
    match begun {
        Begin::Run { key_hash } => {
            let resp = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            if resp.status().is_server_error() {
                if let Err(e) = idempotency::abandon(&s.core, &key_hash).await {
                    tracing::warn!(error = %e, "could not release an idempotency key");
                }
                return resp;
            }
            let (rparts, rbody) = resp.into_parts();
            let Ok(rbytes) = to_bytes(rbody, MAX_STORED).await else {
                let _ = idempotency::abandon(&s.core, &key_hash).await;
                return ApiError::new(ErrorCode::Internal, locale).into_response();
            };
            let text = String::from_utf8_lossy(&rbytes).into_owned();
            if let Err(e) =
                idempotency::finish(&s.core, &key_hash, rparts.status.as_u16(), text).await
            {
                tracing::warn!(error = %e, "could not store an idempotent answer");
            }
            Response::from_parts(rparts, Body::from(rbytes))
        }
        Begin::Replay { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let mut r = (status, body.clone()).into_response();
            let h = r.headers_mut();
            if !body.is_empty() {
                h.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
            }
            h.insert("idempotent-replayed", HeaderValue::from_static("true"));
            r
        }
        Begin::Mismatch => ApiError::new(ErrorCode::IdempotencyKeyReused, locale).into_response(),
        Begin::InProgress => {
            ApiError::new(ErrorCode::IdempotencyInProgress, locale).into_response()
        }
    }
}
