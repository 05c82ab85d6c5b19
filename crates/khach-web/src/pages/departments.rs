//! `/settings/departments`: the department tree, edited in place.

use super::{FormErrors, Layout, PageCtx, form_errors, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use khach_types::api::{CreateDepartment, Department, PageQuery, UpdateDepartment};
use khach_types::{Action, Module};
use serde::Deserialize;

/// A department with its depth in the tree, for indentation.
struct Node {
    d: Department,
    depth: usize,
}

impl Node {
    fn parent_is(&self, p: &Department) -> bool {
        self.d.parent_id == Some(p.id)
    }
}

#[derive(Template)]
#[template(path = "departments/list.html")]
struct ListPage {
    l: Layout,
    nodes: Vec<Node>,
    all: Vec<Department>,
    can_create: bool,
    can_edit: bool,
    can_delete: bool,
    errors: FormErrors,
    error: Option<String>,
}

/// Orders departments depth-first under their parents.
fn tree(all: &[Department]) -> Vec<Node> {
    fn walk(all: &[Department], parent: Option<i64>, depth: usize, out: &mut Vec<Node>) {
        if depth > 50 {
            return;
        }
        for d in all.iter().filter(|d| d.parent_id == parent) {
            out.push(Node {
                d: d.clone(),
                depth,
            });
            walk(all, Some(d.id), depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(all, None, 0, &mut out);
    out
}

async fn page(
    s: &AppState,
    p: PageCtx,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let q = PageQuery {
        limit: Some(200),
        cursor: None,
    };
    let all = match khach_core::departments::list(&s.core, &p.ctx, &q).await {
        Ok(l) => l.items,
        Err(e) => return p.err(e).into_response(),
    };
    let nodes = tree(&all);
    let can_create = p.ctx.can(Module::Departments, Action::Create);
    let can_edit = p.ctx.can(Module::Departments, Action::Edit);
    let can_delete = p.ctx.can(Module::Departments, Action::Delete);
    render(
        status,
        &ListPage {
            l: p.with_title("departments-title").layout,
            nodes,
            all,
            can_create,
            can_edit,
            can_delete,
            errors,
            error,
        },
    )
}

pub async fn list(State(s): State<AppState>, p: PageCtx) -> Response {
    page(&s, p, Default::default(), None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct DepartmentForm {
    name: String,
    #[serde(default)]
    parent_id: String,
}

fn parent(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

async fn outcome(s: &AppState, p: PageCtx, r: Result<(), khach_core::CoreError>) -> Response {
    match r {
        Ok(()) => Redirect::to("/settings/departments?done=saved").into_response(),
        Err(e) => {
            let status =
                StatusCode::from_u16(e.code().status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            match form_errors(&e, p.ctx.locale) {
                Some(errs) => page(s, p, errs, None, status).await,
                None if matches!(e, khach_core::CoreError::InUse(_)) => {
                    let msg = crate::error::ApiError::from_core(e, p.ctx.locale).message;
                    page(s, p, Default::default(), Some(msg), status).await
                }
                None => p.err(e).into_response(),
            }
        }
    }
}

pub async fn create(
    State(s): State<AppState>,
    p: PageCtx,
    Form(f): Form<DepartmentForm>,
) -> Response {
    let input = CreateDepartment {
        name: f.name,
        parent_id: parent(&f.parent_id),
    };
    let r = khach_core::departments::create(&s.core, &p.ctx, input)
        .await
        .map(|_| ());
    outcome(&s, p, r).await
}

pub async fn save(
    State(s): State<AppState>,
    p: PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<DepartmentForm>,
) -> Response {
    let input = UpdateDepartment {
        name: Some(f.name),
        parent_id: Some(parent(&f.parent_id)),
    };
    let r = khach_core::departments::update(&s.core, &p.ctx, id, input)
        .await
        .map(|_| ());
    outcome(&s, p, r).await
}

pub async fn delete(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    let r = khach_core::departments::delete(&s.core, &p.ctx, id).await;
    outcome(&s, p, r).await
}
