//! `/settings/roles`: roles as a matrix of modules × actions plus a data scope.

use super::{FormErrors, Layout, PageCtx, form_errors, render};
use crate::i18n::t;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use khach_types::api::{CreateRole, PageQuery, Role, UpdateRole};
use khach_types::{Action, Locale, Module, PermissionSet, Scope};
use serde::Deserialize;

/// One cell of the permission matrix.
pub struct Cell {
    pub value: String,
    pub exists: bool,
    pub checked: bool,
}

/// One row (module) of the matrix.
pub struct MatrixRow {
    pub label: String,
    pub cells: Vec<Cell>,
}

/// The matrix for a permission set, with translated labels.
pub fn matrix(perms: &PermissionSet, l: Locale) -> (Vec<String>, Vec<MatrixRow>) {
    let headers = Action::ALL
        .iter()
        .map(|a| t(l, &format!("action-{}", a.as_str())))
        .collect();
    let rows = Module::ALL
        .iter()
        .map(|m| MatrixRow {
            label: t(l, &format!("module-{}", m.as_str().replace('_', "-"))),
            cells: Action::ALL
                .iter()
                .map(|a| Cell {
                    value: format!("{}.{}", m.as_str(), a.as_str()),
                    exists: m.actions().contains(a),
                    checked: perms.allows(*m, *a),
                })
                .collect(),
        })
        .collect();
    (headers, rows)
}

/// Reads ticked `module.action` boxes back into a permission set.
pub fn parse_matrix(values: &[String]) -> PermissionSet {
    let mut p = PermissionSet::default();
    for v in values {
        if let Some((m, a)) = v.split_once('.') {
            let m = Module::ALL.iter().find(|x| x.as_str() == m);
            let a = Action::ALL.iter().find(|x| x.as_str() == a);
            if let (Some(m), Some(a)) = (m, a) {
                p.grant(*m, *a);
            }
        }
    }
    p
}

fn scope_label(s: Scope, l: Locale) -> String {
    t(l, &format!("scope-{}", s.as_str()))
}

struct RoleRow {
    r: Role,
    scope: String,
    granted: usize,
}

#[derive(Template)]
#[template(path = "roles/list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<RoleRow>,
    can_create: bool,
    error: Option<String>,
}

pub async fn list(State(s): State<AppState>, p: PageCtx) -> Response {
    list_with(&s, p, None, StatusCode::OK).await
}

async fn list_with(
    s: &AppState,
    p: PageCtx,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let q = PageQuery {
        limit: Some(200),
        cursor: None,
    };
    let roles = match khach_core::roles::list(&s.core, &p.ctx, &q).await {
        Ok(r) => r.items,
        Err(e) => return p.err(e).into_response(),
    };
    let l = p.ctx.locale;
    let rows = roles
        .into_iter()
        .map(|r| RoleRow {
            scope: scope_label(r.scope, l),
            granted: r.permissions.0.values().map(|a| a.len()).sum(),
            r,
        })
        .collect();
    let can_create = p.ctx.can(Module::Roles, Action::Create);
    render(
        status,
        &ListPage {
            l: p.with_title("roles-title").layout,
            rows,
            can_create,
            error,
        },
    )
}

#[derive(Template)]
#[template(path = "roles/form.html")]
struct FormPage {
    l: Layout,
    id: Option<i64>,
    name: String,
    is_admin: bool,
    scope: String,
    scopes: Vec<(String, String)>,
    mask_contacts: bool,
    headers: Vec<String>,
    rows: Vec<MatrixRow>,
    errors: FormErrors,
    can_delete: bool,
    can_save: bool,
}

fn form_page(
    p: PageCtx,
    id: Option<i64>,
    name: String,
    is_admin: bool,
    (scope, mask_contacts): (Scope, bool),
    perms: &PermissionSet,
    errors: FormErrors,
) -> FormPage {
    let l = p.ctx.locale;
    let (headers, rows) = matrix(perms, l);
    let scopes = [Scope::Own, Scope::Department, Scope::All]
        .into_iter()
        .map(|s| (s.as_str().to_string(), scope_label(s, l)))
        .collect();
    let can_delete = id.is_some() && !is_admin && p.ctx.can(Module::Roles, Action::Delete);
    let can_save = p.ctx.can(
        Module::Roles,
        if id.is_some() {
            Action::Edit
        } else {
            Action::Create
        },
    );
    let title = if id.is_some() {
        "roles-edit-title"
    } else {
        "roles-new-title"
    };
    FormPage {
        l: p.with_title(title).layout,
        id,
        name,
        is_admin,
        scope: scope.as_str().into(),
        scopes,
        mask_contacts,
        headers,
        rows,
        errors,
        can_delete,
        can_save,
    }
}

pub async fn new_form(p: PageCtx) -> Response {
    if let Err(e) = p.require(Module::Roles, Action::Create) {
        return e.into_response();
    }
    render(
        StatusCode::OK,
        &form_page(
            p,
            None,
            String::new(),
            false,
            (Scope::Own, false),
            &PermissionSet::default(),
            Default::default(),
        ),
    )
}

pub async fn edit_form(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    match khach_core::roles::get(&s.core, &p.ctx, id).await {
        Ok(r) => render(
            StatusCode::OK,
            &form_page(
                p,
                Some(id),
                r.name,
                r.is_admin,
                (r.scope, r.mask_contacts),
                &r.permissions,
                Default::default(),
            ),
        ),
        Err(e) => p.err(e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct RoleForm {
    name: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    perm: Vec<String>,
    mask_contacts: Option<String>,
}

pub async fn create(State(s): State<AppState>, p: PageCtx, Form(f): Form<RoleForm>) -> Response {
    let scope = Scope::parse(&f.scope).unwrap_or(Scope::Own);
    let perms = parse_matrix(&f.perm);
    let input = CreateRole {
        name: f.name.clone(),
        permissions: perms.clone(),
        scope,
        mask_contacts: f.mask_contacts.is_some(),
    };
    match khach_core::roles::create(&s.core, &p.ctx, input).await {
        Ok(_) => Redirect::to("/settings/roles?done=saved").into_response(),
        Err(e) => match form_errors(&e, p.ctx.locale) {
            Some(errs) => render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form_page(
                    p,
                    None,
                    f.name,
                    false,
                    (scope, f.mask_contacts.is_some()),
                    &perms,
                    errs,
                ),
            ),
            None => p.err(e).into_response(),
        },
    }
}

pub async fn save(
    State(s): State<AppState>,
    p: PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<RoleForm>,
) -> Response {
    let current = match khach_core::roles::get(&s.core, &p.ctx, id).await {
        Ok(r) => r,
        Err(e) => return p.err(e).into_response(),
    };
    let scope = Scope::parse(&f.scope).unwrap_or(current.scope);
    let perms = parse_matrix(&f.perm);
    let input = if current.is_admin {
        UpdateRole {
            name: Some(f.name.clone()),
            ..Default::default()
        }
    } else {
        UpdateRole {
            name: Some(f.name.clone()),
            permissions: Some(perms.clone()),
            scope: Some(scope),
            mask_contacts: Some(f.mask_contacts.is_some()),
        }
    };
    match khach_core::roles::update(&s.core, &p.ctx, id, input).await {
        Ok(_) => Redirect::to("/settings/roles?done=saved").into_response(),
        Err(e) => match form_errors(&e, p.ctx.locale) {
            Some(errs) => render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form_page(
                    p,
                    Some(id),
                    f.name,
                    current.is_admin,
                    (scope, f.mask_contacts.is_some()),
                    &perms,
                    errs,
                ),
            ),
            None => p.err(e).into_response(),
        },
    }
}

pub async fn delete(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    match khach_core::roles::delete(&s.core, &p.ctx, id).await {
        Ok(()) => Redirect::to("/settings/roles?done=deleted").into_response(),
        Err(e @ khach_core::CoreError::InUse(_)) => {
            let msg = crate::error::ApiError::from_core(e, p.ctx.locale).message;
            list_with(&s, p, Some(msg), StatusCode::CONFLICT).await
        }
        Err(e) => p.err(e).into_response(),
    }
}
