//! `/companies`: companies (danh sách công ty) and their customers.

use crate::pages::{FormErrors, PageCtx, form_errors, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use khach_core::{companies, customers};
use khach_types::api::{Company, CompanyQuery, CreateCompany, CustomerQuery, UpdateCompany};
use khach_types::{Action, Module};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct CompanyForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    tax_code: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    address: String,
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

#[derive(Template)]
#[template(path = "companies/list.html")]
struct ListPage {
    l: crate::pages::Layout,
    q: String,
    items: Vec<Company>,
    next: Option<String>,
    f: CompanyForm,
    errors: FormErrors,
    can_create: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    cursor: String,
}

async fn list_page(
    s: &AppState,
    p: PageCtx,
    q: ListQuery,
    f: CompanyForm,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let query = CompanyQuery {
        q: opt(&q.q),
        limit: Some(50),
        cursor: opt(&q.cursor),
    };
    let list = match companies::list(&s.core, &p.ctx, &query).await {
        Ok(l) => l,
        Err(e) => return p.err(e).into_response(),
    };
    let page = ListPage {
        q: q.q,
        items: list.items,
        next: list.next_cursor,
        f,
        errors,
        can_create: p.ctx.can(Module::Customers, Action::Create),
        l: p.with_title("companies-title").layout,
    };
    render(status, &page)
}

pub async fn list(State(s): State<AppState>, p: PageCtx, Query(q): Query<ListQuery>) -> Response {
    list_page(
        &s,
        p,
        q,
        CompanyForm::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn create(State(s): State<AppState>, p: PageCtx, Form(f): Form<CompanyForm>) -> Response {
    let input = CreateCompany {
        name: f.name.clone(),
        tax_code: opt(&f.tax_code),
        phone: opt(&f.phone),
        email: opt(&f.email),
        website: opt(&f.website),
        address: opt(&f.address),
        custom: Default::default(),
    };
    match companies::create(&s.core, &p.ctx, input).await {
        Ok(c) => Redirect::to(&format!("/companies/{}?done=saved", c.id)).into_response(),
        Err(e) => match form_errors(&e, p.ctx.locale) {
            Some(errors) => {
                list_page(
                    &s,
                    p,
                    ListQuery::default(),
                    f,
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => p.err(e).into_response(),
        },
    }
}

#[derive(Template)]
#[template(path = "companies/edit.html")]
struct EditPage {
    l: crate::pages::Layout,
    c: Company,
    customers: Vec<(i64, String, String)>,
    errors: FormErrors,
    can_edit: bool,
    can_delete: bool,
}

async fn edit_page(
    s: &AppState,
    p: PageCtx,
    id: i64,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let c = match companies::get(&s.core, &p.ctx, id).await {
        Ok(c) => c,
        Err(e) => return p.err(e).into_response(),
    };
    let q = CustomerQuery {
        company_id: Some(id),
        limit: Some(200),
        ..Default::default()
    };
    let customers = customers::list(&s.core, &p.ctx, &q, false)
        .await
        .map(|l| {
            l.items
                .into_iter()
                .map(|c| (c.id, c.code, c.name))
                .collect()
        })
        .unwrap_or_default();
    let page = EditPage {
        customers,
        errors,
        can_edit: p.ctx.can(Module::Customers, Action::Edit),
        can_delete: p.ctx.can(Module::Customers, Action::Delete),
        l: {
            let mut lay = p.layout;
            lay.title = c.name.clone();
            lay
        },
        c,
    };
    render(status, &page)
}

pub async fn edit(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    edit_page(&s, p, id, FormErrors::default(), StatusCode::OK).await
}

pub async fn save(
    State(s): State<AppState>,
    p: PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<CompanyForm>,
) -> Response {
    let input = UpdateCompany {
        name: Some(f.name.clone()),
        tax_code: Some(opt(&f.tax_code)),
        phone: Some(opt(&f.phone)),
        email: Some(opt(&f.email)),
        website: Some(opt(&f.website)),
        address: Some(opt(&f.address)),
        custom: None,
    };
    match companies::update(&s.core, &p.ctx, id, input).await {
        Ok(_) => Redirect::to(&format!("/companies/{id}?done=saved")).into_response(),
        Err(e) => match form_errors(&e, p.ctx.locale) {
            Some(errors) => edit_page(&s, p, id, errors, StatusCode::UNPROCESSABLE_ENTITY).await,
            None => p.err(e).into_response(),
        },
    }
}

pub async fn delete(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    match companies::delete(&s.core, &p.ctx, id).await {
        Ok(()) => Redirect::to("/companies?done=deleted").into_response(),
        Err(e) => p.err(e).into_response(),
    }
}
