//! Extractors: who is calling (API key or session), the request context, and JSON /
//! query / path extractors whose rejections use our error envelope.

use crate::error::ApiError;
use crate::i18n::from_accept_language;
use crate::state::AppState;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{header, request::Parts};
use axum_extra::extract::CookieJar;
use khach_core::{Actor, CoreError, Ctx, Principal};
use khach_types::{ErrorCode, Locale, Origin};
use serde::de::DeserializeOwned;

/// The caller's address as seen on the socket. (Behind a proxy, configure the proxy
/// to connect from a fixed address; forwarded headers are not trusted.)
pub fn client_ip(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

pub fn header_locale(parts: &Parts) -> Locale {
    from_accept_language(
        parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// A caller already authenticated earlier in this request (by a middleware), so
/// the handler does not look the session or key up a second time.
#[derive(Clone)]
pub struct Resolved(pub Actor, pub Origin);

/// Resolves the caller: a bearer key wins over a cookie.
pub async fn resolve(state: &AppState, parts: &Parts) -> Result<(Actor, Origin), CoreError> {
    if let Some(Resolved(actor, origin)) = parts.extensions.get::<Resolved>() {
        return Ok((actor.clone(), *origin));
    }
    if let Some(secret) = bearer(parts) {
        return Ok((
            khach_core::auth::authenticate_key(&state.core, secret).await?,
            Origin::Api,
        ));
    }
    let jar = CookieJar::from_headers(&parts.headers);
    let token = jar
        .get(state.cookie_name())
        .map(|c| c.value().to_string())
        .ok_or(CoreError::Unauthenticated)?;
    Ok((
        khach_core::auth::authenticate_session(&state.core, &token).await?,
        Origin::Ui,
    ))
}

pub fn ctx_for(state: &AppState, parts: &Parts, actor: Actor, origin: Origin) -> Ctx {
    let locale = khach_types::Locale::parse(&actor.account.locale).unwrap_or_default();
    Ctx {
        principal: Principal::Account(Box::new(actor)),
        origin,
        ip: client_ip(parts),
        now: state.core.now(),
        locale,
    }
}

/// An authenticated API caller.
pub struct ApiCtx(pub Ctx);

impl FromRequestParts<AppState> for ApiCtx {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let locale = header_locale(parts);
        match resolve(state, parts).await {
            Ok((actor, origin)) => Ok(ApiCtx(ctx_for(state, parts, actor, origin))),
            Err(e) => Err(ApiError::from_core(e, locale)),
        }
    }
}

/// The caller's socket address, when known.
pub struct ClientIp(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts)))
    }
}

/// The language for an error before the caller is known.
pub struct ReqLocale(pub Locale);

impl<S: Send + Sync> FromRequestParts<S> for ReqLocale {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ReqLocale(header_locale(parts)))
    }
}

/// JSON body; malformed → 400, wrong shape or unknown field → 422, wrong content
/// type → 415, too large → 413.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let locale = from_accept_language(
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        );
        // Parsed as a value first: serde would otherwise take a JSON array as a
        // struct's fields in order, and `[null, null]` would pass for an update.
        let value = match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => v,
            Err(rej) => return Err(json_rejection(rej, locale)),
        };
        if has_nul(&value) {
            return Err(ApiError::with_detail(
                ErrorCode::ValidationFailed,
                locale,
                "text must not contain the NUL character (\\u0000)",
            ));
        }
        if !value.is_object() {
            return Err(ApiError::with_detail(
                ErrorCode::ValidationFailed,
                locale,
                "expected a JSON object",
            ));
        }
        serde_json::from_value::<T>(value)
            .map(ApiJson)
            .map_err(|e| {
                ApiError::with_detail(
                    ErrorCode::ValidationFailed,
                    locale,
                    &serde_detail(&e.to_string()),
                )
            })
    }
}

fn json_rejection(rej: JsonRejection, locale: Locale) -> ApiError {
    match rej {
        JsonRejection::JsonDataError(e) => ApiError::with_detail(
            ErrorCode::ValidationFailed,
            locale,
            &serde_detail(&e.body_text()),
        ),
        JsonRejection::JsonSyntaxError(_) => ApiError::new(ErrorCode::MalformedJson, locale),
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::new(ErrorCode::UnsupportedMediaType, locale)
        }
        JsonRejection::BytesRejection(_) => ApiError::new(ErrorCode::PayloadTooLarge, locale),
        _ => ApiError::new(ErrorCode::MalformedJson, locale),
    }
}

fn has_nul(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(a) => a.iter().any(has_nul),
        serde_json::Value::Object(o) => o.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// Keeps serde's explanation ("unknown field `x`", "invalid type…") but drops axum's
/// prefix; it names fields and types, never internals.
fn serde_detail(text: &str) -> String {
    let s = text.split_once(": ").map(|(_, rest)| rest).unwrap_or(text);
    s.chars().take(300).collect()
}

/// Query string; anything unparsable or unknown → 400.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let locale = header_locale(parts);
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(q) => Ok(ApiQuery(q.0)),
            Err(rej) => Err(query_rejection(rej, locale)),
        }
    }
}

fn query_rejection(rej: QueryRejection, locale: Locale) -> ApiError {
    ApiError::with_detail(
        ErrorCode::InvalidQuery,
        locale,
        &serde_detail(&rej.body_text()),
    )
}

/// A numeric id in the path; anything else is "not found".
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let locale = header_locale(parts);
        let raw = axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::new(ErrorCode::NotFound, locale))?;
        raw.0
            .parse::<i64>()
            .map(Id)
            .map_err(|_| ApiError::new(ErrorCode::NotFound, locale))
    }
}

/// Two numeric ids in the path (`/customers/{id}/contacts/{contact_id}`); anything
/// else is "not found".
pub struct Ids2(pub i64, pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Ids2 {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let locale = header_locale(parts);
        let not_found = || ApiError::new(ErrorCode::NotFound, locale);
        let raw = axum::extract::Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| not_found())?;
        match (raw.0.0.parse::<i64>(), raw.0.1.parse::<i64>()) {
            (Ok(a), Ok(b)) => Ok(Ids2(a, b)),
            _ => Err(not_found()),
        }
    }
}
