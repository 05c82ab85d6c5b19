//! Assembles the application: API, pages, assets, health checks and the layers every
//! request passes (tracing without query strings, body limit, timeout, compression,
//! security headers, CSRF check).

use crate::error::ApiError;
use crate::extract::ReqLocale;
use crate::state::AppState;
use crate::{api, assets, csrf, idempotency, openapi, pages};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router, middleware};
use khach_types::ErrorCode;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// The whole HTTP application for `state`.
pub fn build(state: AppState) -> Router {
    let (api_router, _) = api::router().split_for_parts();

    Router::new()
        .merge(api_router)
        .route("/api/{*rest}", any(api_not_found))
        .route("/api/openapi.json", get(openapi_json))
        .route("/api/docs", get(pages::api_docs::page))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/assets/app.css", get(assets::css))
        .route("/assets/app.js", get(assets::js))
        .merge(pages::router())
        .fallback(pages::not_found)
        .method_not_allowed_fallback(api_method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), idempotency::layer))
        .layer(middleware::from_fn(csrf::reject_nul))
        .layer(middleware::from_fn(csrf::check))
        .layer(DefaultBodyLimit::max(1024 * 1024))
        .layer(CompressionLayer::new())
        // Answers carry personal data and one-time secrets: not for any cache. Assets
        // set their own caching.
        .layer(security_header(header::CACHE_CONTROL, "no-store"))
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(security_header(header::REFERRER_POLICY, "same-origin"))
        .layer(security_header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(60),
        ))
        .layer(
            // Log the path only: query strings may carry one-time tokens.
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                tracing::info_span!("http", method = %req.method(), path = %req.uri().path())
            }),
        )
        .with_state(state)
}

fn security_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

async fn openapi_json() -> Response {
    Json(openapi::document()).into_response()
}

async fn api_not_found(ReqLocale(l): ReqLocale) -> ApiError {
    ApiError::new(ErrorCode::NotFound, l)
}

async fn api_method_not_allowed(ReqLocale(l): ReqLocale) -> ApiError {
    ApiError::new(ErrorCode::MethodNotAllowed, l)
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the database answers.
async fn readyz(State(s): State<AppState>) -> Response {
    match s.core.db.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}
