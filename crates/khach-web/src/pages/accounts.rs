//! `/settings/accounts`: list, create, edit, deactivate accounts; set a password.

use super::{FormErrors, Layout, PageCtx, form_errors, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use khach_types::api::{
    Account, CreateAccount, Department, PageQuery, ResetPassword, Role, UpdateAccount,
};
use khach_types::{Action, Locale, Module};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "accounts/list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<Row>,
    can_create: bool,
    can_edit: bool,
    next_cursor: Option<String>,
}

struct Row {
    a: Account,
    role: String,
    department: String,
}

async fn choices(s: &AppState) -> (Vec<Role>, Vec<Department>) {
    let all = PageQuery {
        limit: Some(200),
        cursor: None,
    };
    let roles = khach_core::roles::list_all(&s.core, &all)
        .await
        .map(|r| r.items)
        .unwrap_or_default();
    let deps = khach_core::departments::list_all(&s.core, &all)
        .await
        .map(|d| d.items)
        .unwrap_or_default();
    (roles, deps)
}

#[derive(Deserialize)]
pub struct ListQuery {
    cursor: Option<String>,
}

pub async fn list(
    State(s): State<AppState>,
    p: PageCtx,
    axum::extract::Query(q): axum::extract::Query<ListQuery>,
) -> Response {
    let page = PageQuery {
        limit: Some(100),
        cursor: q.cursor,
    };
    let accounts = match khach_core::accounts::list(&s.core, &p.ctx, &page).await {
        Ok(a) => a,
        Err(e) => return p.err(e).into_response(),
    };
    let (roles, deps) = choices(&s).await;
    let rows = accounts
        .items
        .into_iter()
        .map(|a| Row {
            role: roles
                .iter()
                .find(|r| r.id == a.role_id)
                .map(|r| r.name.clone())
                .unwrap_or_default(),
            department: a
                .department_id
                .and_then(|d| deps.iter().find(|x| x.id == d))
                .map(|d| d.name.clone())
                .unwrap_or_default(),
            a,
        })
        .collect();
    let can_create = p.ctx.can(Module::Accounts, Action::Create);
    let can_edit = p.ctx.can(Module::Accounts, Action::Edit);
    render(
        StatusCode::OK,
        &ListPage {
            l: p.with_title("accounts-title").layout,
            rows,
            can_create,
            can_edit,
            next_cursor: accounts.next_cursor,
        },
    )
}

/// The values of the account form, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct AccountForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    role_id: String,
    active: Option<String>,
    auto_assign: Option<String>,
    #[serde(default)]
    locale: String,
}

impl AccountForm {
    fn from_account(a: &Account) -> Self {
        Self {
            username: a.username.clone(),
            password: String::new(),
            full_name: a.full_name.clone(),
            email: a.email.clone().unwrap_or_default(),
            phone: a.phone.clone().unwrap_or_default(),
            department_id: a.department_id.map(|d| d.to_string()).unwrap_or_default(),
            role_id: a.role_id.to_string(),
            active: a.active.then(|| "on".into()),
            auto_assign: a.auto_assign.then(|| "on".into()),
            locale: a.locale.as_str().into(),
        }
    }
    fn opt(s: &str) -> Option<String> {
        Some(s.trim().to_string()).filter(|s| !s.is_empty())
    }
}

#[derive(Template)]
#[template(path = "accounts/form.html")]
struct FormPage {
    l: Layout,
    id: Option<i64>,
    f: AccountForm,
    roles: Vec<Role>,
    departments: Vec<Department>,
    errors: FormErrors,
    pw_errors: FormErrors,
}

async fn form_page(
    s: &AppState,
    p: PageCtx,
    id: Option<i64>,
    f: AccountForm,
    errors: FormErrors,
    pw_errors: FormErrors,
) -> FormPage {
    let (roles, departments) = choices(s).await;
    // Offer only the roles this person may hand out.
    let roles = roles
        .into_iter()
        .filter(|r| (!r.is_admin || p.ctx.is_admin()) && p.ctx.can_grant(&r.permissions, r.scope))
        .collect();
    let title = if id.is_some() {
        "accounts-edit-title"
    } else {
        "accounts-new-title"
    };
    FormPage {
        l: p.with_title(title).layout,
        id,
        f,
        roles,
        departments,
        errors,
        pw_errors,
    }
}

pub async fn new_form(State(s): State<AppState>, p: PageCtx) -> Response {
    if let Err(e) = p.require(Module::Accounts, Action::Create) {
        return e.into_response();
    }
    let f = AccountForm {
        active: Some("on".into()),
        ..Default::default()
    };
    render(
        StatusCode::OK,
        &form_page(&s, p, None, f, Default::default(), Default::default()).await,
    )
}

/// A select value that must be a number; anything else becomes a field error later.
fn parse_id(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

pub async fn create(State(s): State<AppState>, p: PageCtx, Form(f): Form<AccountForm>) -> Response {
    let input = CreateAccount {
        username: f.username.clone(),
        password: f.password.clone(),
        full_name: f.full_name.clone(),
        email: AccountForm::opt(&f.email),
        phone: AccountForm::opt(&f.phone),
        department_id: parse_id(&f.department_id),
        role_id: parse_id(&f.role_id).unwrap_or(0),
        active: f.active.is_some(),
        auto_assign: f.auto_assign.is_some(),
        locale: Locale::parse(&f.locale).ok(),
    };
    match khach_core::accounts::create(&s.core, &p.ctx, input).await {
        Ok(_) => Redirect::to("/settings/accounts?done=account-created").into_response(),
        Err(e) => match form_errors(&e, p.ctx.locale) {
            Some(errs) => render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form_page(&s, p, None, f, errs, Default::default()).await,
            ),
            None => p.err(e).into_response(),
        },
    }
}

pub async fn edit_form(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    if let Err(e) = p.require(Module::Accounts, Action::Edit) {
        return e.into_response();
    }
    match khach_core::accounts::get(&s.core, &p.ctx, id).await {
        Ok(a) if !khach_core::accounts::can_manage(&s.core, &p.ctx, &a).await => {
            p.err(khach_core::CoreError::Forbidden).into_response()
        }
        Ok(a) => {
            let f = AccountForm::from_account(&a);
            render(
                StatusCode::OK,
                &form_page(&s, p, Some(id), f, Default::default(), Default::default()).await,
            )
        }
        Err(e) => p.err(e).into_response(),
    }
}

pub async fn save(
    State(s): State<AppState>,
    p: PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<AccountForm>,
) -> Response {
    let input = UpdateAccount {
        full_name: Some(f.full_name.clone()),
        email: Some(AccountForm::opt(&f.email)),
        phone: Some(AccountForm::opt(&f.phone)),
        department_id: Some(parse_id(&f.department_id)),
        role_id: parse_id(&f.role_id),
        active: Some(f.active.is_some()),
        auto_assign: Some(f.auto_assign.is_some()),
        locale: Locale::parse(&f.locale).ok(),
    };
    match khach_core::accounts::update(&s.core, &p.ctx, id, input).await {
        Ok(_) => Redirect::to("/settings/accounts?done=saved").into_response(),
        Err(e) => match form_errors(&e, p.ctx.locale) {
            Some(errs) => render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form_page(&s, p, Some(id), f, errs, Default::default()).await,
            ),
            None => p.err(e).into_response(),
        },
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    new_password: String,
}

pub async fn password(
    State(s): State<AppState>,
    p: PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<PasswordForm>,
) -> Response {
    let input = ResetPassword {
        new_password: f.new_password,
    };
    match khach_core::accounts::reset_password(&s.core, &p.ctx, id, input).await {
        Ok(()) => {
            Redirect::to(&format!("/settings/accounts/{id}?done=password-set")).into_response()
        }
        Err(e) => match (
            form_errors(&e, p.ctx.locale),
            khach_core::accounts::get(&s.core, &p.ctx, id).await,
        ) {
            (Some(errs), Ok(a)) => {
                let f = AccountForm::from_account(&a);
                render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &form_page(&s, p, Some(id), f, Default::default(), errs).await,
                )
            }
            _ => p.err(e).into_response(),
        },
    }
}
