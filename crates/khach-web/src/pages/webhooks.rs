//! `/settings/webhooks`: endpoints (secret shown once), the private-target setting,
//! and per endpoint its form, "send test", secret rotation and the delivery log.

use super::format::{datetime, opt_datetime};
use super::{FormErrors, Layout, PageCtx, form_errors, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use khach_core::{CoreError, webhooks};
use khach_types::api::{
    CreateWebhook, PageQuery, UpdateWebhook, WEBHOOK_KINDS, WebhookDelivery, WebhookEndpoint,
    WebhookSettings,
};
use khach_types::{Action, Module};

/// An endpoint as the pages show it.
struct EndpointView {
    e: WebhookEndpoint,
    /// `(kind, label, subscribed)` for every kind.
    kinds: Vec<(String, String, bool)>,
    disabled: String,
    failing_since: String,
}

fn view(l: &Layout, e: WebhookEndpoint) -> EndpointView {
    let kinds = WEBHOOK_KINDS
        .iter()
        .map(|k| {
            (
                (*k).to_string(),
                l.t(&format!("webhook-kind-{}", k.replace('.', "-"))),
                e.kinds.iter().any(|s| s == k),
            )
        })
        .collect();
    EndpointView {
        disabled: e
            .disabled_reason
            .as_deref()
            .map(|r| l.t(r))
            .unwrap_or_default(),
        failing_since: opt_datetime(&e.failing_since),
        kinds,
        e,
    }
}

#[derive(Template)]
#[template(path = "webhooks/list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<EndpointView>,
    can_edit: bool,
    is_admin: bool,
    allow_private: bool,
    secret: Option<String>,
    /// The new endpoint form, refilled after an error.
    name: String,
    url: String,
    kinds: Vec<(String, String, bool)>,
    errors: FormErrors,
}

struct Form1 {
    name: String,
    url: String,
    kinds: Vec<String>,
    active: bool,
}

fn read(pairs: &[(String, String)]) -> Form1 {
    let mut f = Form1 {
        name: String::new(),
        url: String::new(),
        kinds: vec![],
        active: false,
    };
    for (k, v) in pairs {
        match k.as_str() {
            "name" => f.name = v.clone(),
            "url" => f.url = v.clone(),
            "kind" => f.kinds.push(v.clone()),
            "active" => f.active = true,
            _ => {}
        }
    }
    f
}

async fn list_page(
    s: &AppState,
    p: PageCtx,
    secret: Option<String>,
    form: Option<Form1>,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let (core, ctx) = (&s.core, &p.ctx);
    let items = match webhooks::list(core, ctx).await {
        Ok(l) => l.items,
        Err(e) => return p.err(e).into_response(),
    };
    let allow_private = webhooks::settings(core, ctx)
        .await
        .map(|s| s.allow_private)
        .unwrap_or(false);
    let p = p.with_title("webhooks-title");
    let l = p.layout;
    let form = form.unwrap_or(Form1 {
        name: String::new(),
        url: String::new(),
        kinds: vec![],
        active: true,
    });
    let kinds = WEBHOOK_KINDS
        .iter()
        .map(|k| {
            (
                (*k).to_string(),
                l.t(&format!("webhook-kind-{}", k.replace('.', "-"))),
                form.kinds.iter().any(|s| s == k),
            )
        })
        .collect();
    let page = ListPage {
        rows: items.into_iter().map(|e| view(&l, e)).collect(),
        can_edit: p.ctx.can(Module::Settings, Action::Edit),
        is_admin: p.ctx.is_admin(),
        allow_private,
        secret,
        name: form.name,
        url: form.url,
        kinds,
        errors,
        l,
    };
    render(status, &page)
}

pub async fn list(State(s): State<AppState>, p: PageCtx) -> Response {
    list_page(&s, p, None, None, FormErrors::default(), StatusCode::OK).await
}

pub async fn create(
    State(s): State<AppState>,
    p: PageCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let f = read(&pairs);
    let input = CreateWebhook {
        name: f.name.clone(),
        url: f.url.clone(),
        kinds: f.kinds.clone(),
    };
    match webhooks::create(&s.core, &p.ctx, input).await {
        // The secret is in this answer only, never in a URL or a log.
        Ok(w) => {
            list_page(
                &s,
                p,
                Some(w.secret),
                None,
                FormErrors::default(),
                StatusCode::CREATED,
            )
            .await
        }
        Err(e) => match form_errors(&e, p.ctx.locale) {
            Some(errs) => {
                list_page(&s, p, None, Some(f), errs, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            None => p.err(e).into_response(),
        },
    }
}

pub async fn save_settings(
    State(s): State<AppState>,
    p: PageCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let allow_private = pairs.iter().any(|(k, _)| k == "allow_private");
    match webhooks::update_settings(&s.core, &p.ctx, WebhookSettings { allow_private }).await {
        Ok(_) => Redirect::to("/settings/webhooks?done=saved").into_response(),
        Err(e) => p.err(e).into_response(),
    }
}

struct DeliveryView {
    d: WebhookDelivery,
    created: String,
    next: String,
    last_status: String,
    last_ms: String,
    last_error: String,
    body: String,
    /// `(time, status, ms, error)` per attempt.
    tries: Vec<(String, String, i32, String)>,
}

fn delivery_view(l: &Layout, d: WebhookDelivery) -> DeliveryView {
    let last = d.tries.last();
    let error_text = |e: &Option<String>| {
        e.as_deref()
            .map(|e| crate::i18n::try_t(l.locale, e).unwrap_or_else(|| e.to_string()))
            .unwrap_or_default()
    };
    DeliveryView {
        created: datetime(&d.created_at),
        next: opt_datetime(&d.next_at),
        last_status: last
            .and_then(|a| a.status)
            .map(|s| s.to_string())
            .unwrap_or_else(|| "—".into()),
        last_ms: last
            .map(|a| format!("{} ms", a.duration_ms))
            .unwrap_or_default(),
        last_error: last.map(|a| error_text(&a.error)).unwrap_or_default(),
        body: serde_json::to_string_pretty(&d.body).unwrap_or_default(),
        tries: d
            .tries
            .iter()
            .map(|a| {
                (
                    datetime(&a.at),
                    a.status
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| "—".into()),
                    a.duration_ms,
                    error_text(&a.error),
                )
            })
            .collect(),
        d,
    }
}

#[derive(Template)]
#[template(path = "webhooks/detail.html")]
struct DetailPage {
    l: Layout,
    v: EndpointView,
    deliveries: Vec<DeliveryView>,
    next_cursor: Option<String>,
    can_edit: bool,
    secret: Option<String>,
    test: Option<DeliveryView>,
    errors: FormErrors,
}

#[derive(serde::Deserialize)]
pub struct LogQuery {
    cursor: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn detail_page(
    s: &AppState,
    p: PageCtx,
    id: i64,
    cursor: Option<String>,
    secret: Option<String>,
    test: Option<WebhookDelivery>,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let (core, ctx) = (&s.core, &p.ctx);
    let e = match webhooks::get(core, ctx, id).await {
        Ok(e) => e,
        Err(e) => return p.err(e).into_response(),
    };
    let q = PageQuery {
        limit: Some(50),
        cursor,
    };
    let log = match webhooks::deliveries(core, ctx, id, &q).await {
        Ok(l) => l,
        Err(e) => return p.err(e).into_response(),
    };
    let can_edit = ctx.can(Module::Settings, Action::Edit);
    let mut p = p.with_title("webhooks-title");
    p.layout.title = format!("{} · {}", p.layout.title, e.name);
    let l = p.layout;
    let page = DetailPage {
        v: view(&l, e),
        deliveries: log
            .items
            .into_iter()
            .map(|d| delivery_view(&l, d))
            .collect(),
        next_cursor: log.next_cursor,
        can_edit,
        secret,
        test: test.map(|d| delivery_view(&l, d)),
        errors,
        l,
    };
    render(status, &page)
}

pub async fn detail(
    State(s): State<AppState>,
    p: PageCtx,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<LogQuery>,
) -> Response {
    detail_page(
        &s,
        p,
        id,
        q.cursor,
        None,
        None,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn save(
    State(s): State<AppState>,
    p: PageCtx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let f = read(&pairs);
    let input = UpdateWebhook {
        name: Some(f.name),
        url: Some(f.url),
        kinds: Some(f.kinds),
        active: Some(f.active),
    };
    match webhooks::update(&s.core, &p.ctx, id, input).await {
        Ok(_) => Redirect::to(&format!("/settings/webhooks/{id}?done=saved")).into_response(),
        Err(e) => match form_errors(&e, p.ctx.locale) {
            Some(errs) => {
                detail_page(
                    &s,
                    p,
                    id,
                    None,
                    None,
                    None,
                    errs,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => p.err(e).into_response(),
        },
    }
}

pub async fn rotate(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    match webhooks::rotate_secret(&s.core, &p.ctx, id).await {
        Ok(w) => {
            detail_page(
                &s,
                p,
                id,
                None,
                Some(w.secret),
                None,
                FormErrors::default(),
                StatusCode::OK,
            )
            .await
        }
        Err(e) => p.err(e).into_response(),
    }
}

pub async fn test(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    match webhooks::send_test(&s.core, &p.ctx, id).await {
        Ok(d) => {
            detail_page(
                &s,
                p,
                id,
                None,
                None,
                Some(d),
                FormErrors::default(),
                StatusCode::OK,
            )
            .await
        }
        Err(e) => p.err(e).into_response(),
    }
}

pub async fn delete(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    match webhooks::delete(&s.core, &p.ctx, id).await {
        Ok(()) => Redirect::to("/settings/webhooks?done=deleted").into_response(),
        Err(e) => p.err(e).into_response(),
    }
}

pub async fn redeliver(
    State(s): State<AppState>,
    p: PageCtx,
    Path((id, delivery)): Path<(i64, i64)>,
) -> Response {
    match webhooks::redeliver(&s.core, &p.ctx, id, delivery).await {
        Ok(()) => Redirect::to(&format!("/settings/webhooks/{id}?done=queued")).into_response(),
        Err(CoreError::Validation(_)) => {
            Redirect::to(&format!("/settings/webhooks/{id}?done=inactive")).into_response()
        }
        Err(e) => p.err(e).into_response(),
    }
}
