//! `/settings/api-keys`: create (secret shown once), list, revoke.

use super::format::{datetime, opt_datetime};
use super::roles::{MatrixRow, matrix, parse_matrix};
use super::{FormErrors, Layout, PageCtx, form_errors, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use khach_types::api::{ApiKey, CreateApiKey, PageQuery};
use khach_types::{Action, Module, PermissionSet};
use serde::Deserialize;

struct KeyRow {
    k: ApiKey,
    owner: String,
    created: String,
    last_used: String,
}

#[derive(Template)]
#[template(path = "api_keys/list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<KeyRow>,
    can_create: bool,
    can_delete: bool,
    secret: Option<String>,
    name: String,
    headers: Vec<String>,
    matrix: Vec<MatrixRow>,
    errors: FormErrors,
}

async fn page(
    s: &AppState,
    p: PageCtx,
    secret: Option<String>,
    name: String,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let q = PageQuery {
        limit: Some(200),
        cursor: None,
    };
    let keys = match khach_core::api_keys::list(&s.core, &p.ctx, &q).await {
        Ok(k) => k.items,
        Err(e) => return p.err(e).into_response(),
    };
    let accounts = if p.ctx.can(Module::Accounts, Action::View) {
        khach_core::accounts::list(&s.core, &p.ctx, &q)
            .await
            .map(|a| a.items)
            .unwrap_or_default()
    } else {
        vec![]
    };
    let me = p
        .ctx
        .actor()
        .map(|a| (a.account.id, a.account.username.clone()));
    let rows = keys
        .into_iter()
        .map(|k| KeyRow {
            owner: accounts
                .iter()
                .find(|a| a.id == k.account_id)
                .map(|a| a.username.clone())
                .or_else(|| me.clone().filter(|m| m.0 == k.account_id).map(|m| m.1))
                .unwrap_or_else(|| k.account_id.to_string()),
            created: datetime(&k.created_at),
            last_used: opt_datetime(&k.last_used_at),
            k,
        })
        .collect();
    let grants = p
        .ctx
        .actor()
        .map(|a| a.permissions.clone())
        .unwrap_or_default();
    let (headers, mut m) = matrix(&PermissionSet::default(), p.ctx.locale);
    // Offer only what the person holds: a key can never exceed its owner.
    let (_, held) = matrix(&grants, p.ctx.locale);
    for (row, h) in m.iter_mut().zip(held) {
        for (c, hc) in row.cells.iter_mut().zip(h.cells) {
            c.exists = c.exists && hc.checked;
        }
    }
    let can_create = p.ctx.can(Module::ApiKeys, Action::Create);
    let can_delete = p.ctx.can(Module::ApiKeys, Action::Delete);
    render(
        status,
        &ListPage {
            l: p.with_title("api-keys-title").layout,
            rows,
            can_create,
            can_delete,
            secret,
            name,
            headers,
            matrix: m,
            errors,
        },
    )
}

pub async fn list(State(s): State<AppState>, p: PageCtx) -> Response {
    page(
        &s,
        p,
        None,
        String::new(),
        Default::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct KeyForm {
    name: String,
    #[serde(default)]
    narrow: Option<String>,
    #[serde(default)]
    perm: Vec<String>,
}

pub async fn create(State(s): State<AppState>, p: PageCtx, Form(f): Form<KeyForm>) -> Response {
    let permissions = f.narrow.is_some().then(|| parse_matrix(&f.perm));
    let input = CreateApiKey {
        name: f.name.clone(),
        permissions,
    };
    match khach_core::api_keys::create(&s.core, &p.ctx, input).await {
        // The secret is rendered in this answer only, never put in a URL or a log.
        Ok(created) => {
            page(
                &s,
                p,
                Some(created.secret),
                String::new(),
                Default::default(),
                StatusCode::CREATED,
            )
            .await
        }
        Err(e) => match form_errors(&e, p.ctx.locale) {
            Some(errs) => page(&s, p, None, f.name, errs, StatusCode::UNPROCESSABLE_ENTITY).await,
            None => p.err(e).into_response(),
        },
    }
}

pub async fn revoke(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    match khach_core::api_keys::revoke(&s.core, &p.ctx, id).await {
        Ok(()) => Redirect::to("/settings/api-keys?done=revoked").into_response(),
        Err(e) => p.err(e).into_response(),
    }
}
