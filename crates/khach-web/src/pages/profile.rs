//! `/profile`: one's own name, contact details, language and password.

use super::{FormErrors, Layout, PageCtx, form_errors, render, safe_next};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use khach_types::Locale;
use khach_types::api::{ChangePassword, UpdateProfile};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "profile/page.html")]
struct ProfilePage {
    l: Layout,
    username: String,
    full_name: String,
    email: String,
    phone: String,
    errors: FormErrors,
    pw_errors: FormErrors,
}

fn page_for(
    p: PageCtx,
    errors: FormErrors,
    pw_errors: FormErrors,
    f: Option<ProfileForm>,
) -> ProfilePage {
    let a = p.ctx.actor().map(|a| a.account.clone());
    let (username, full_name, email, phone) = match (a, f) {
        (Some(a), Some(f)) => (a.username, f.full_name, f.email, f.phone),
        (Some(a), None) => (
            a.username,
            a.full_name,
            a.email.unwrap_or_default(),
            a.phone.unwrap_or_default(),
        ),
        (None, _) => Default::default(),
    };
    ProfilePage {
        l: p.with_title("profile-title").layout,
        username,
        full_name,
        email,
        phone,
        errors,
        pw_errors,
    }
}

pub async fn page(p: PageCtx) -> Response {
    render(
        StatusCode::OK,
        &page_for(p, Default::default(), Default::default(), None),
    )
}

#[derive(Deserialize)]
pub struct ProfileForm {
    full_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    current_password: String,
}

pub async fn save(State(s): State<AppState>, p: PageCtx, Form(f): Form<ProfileForm>) -> Response {
    let input = UpdateProfile {
        full_name: Some(f.full_name.clone()),
        email: Some(Some(f.email.clone()).filter(|e| !e.trim().is_empty())),
        phone: Some(Some(f.phone.clone()).filter(|e| !e.trim().is_empty())),
        locale: None,
        current_password: Some(f.current_password.clone()).filter(|p| !p.is_empty()),
    };
    match khach_core::accounts::update_profile(&s.core, &p.ctx, input).await {
        Ok(_) => Redirect::to("/profile?done=saved").into_response(),
        Err(e) => match form_errors(&e, p.ctx.locale) {
            Some(errs) => render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page_for(p, errs, Default::default(), Some(f)),
            ),
            None => p.err(e).into_response(),
        },
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    new_password_confirm: String,
}

pub async fn password(
    State(s): State<AppState>,
    p: PageCtx,
    Form(f): Form<PasswordForm>,
) -> Response {
    if f.new_password != f.new_password_confirm {
        let errs = FormErrors::one(
            "new_password_confirm",
            p.layout.t("value-password-mismatch"),
        );
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page_for(p, Default::default(), errs, None),
        );
    }
    let input = ChangePassword {
        current_password: f.current_password,
        new_password: f.new_password,
    };
    match khach_core::accounts::change_password(&s.core, &p.ctx, input).await {
        Ok(()) => Redirect::to("/profile?done=password-changed").into_response(),
        Err(e) => match form_errors(&e, p.ctx.locale) {
            Some(errs) => render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page_for(p, Default::default(), errs, None),
            ),
            None => p.err(e).into_response(),
        },
    }
}

#[derive(Deserialize)]
pub struct LocaleForm {
    locale: String,
    next: Option<String>,
}

/// The language switch in the header.
pub async fn locale(State(s): State<AppState>, p: PageCtx, Form(f): Form<LocaleForm>) -> Response {
    let Ok(locale) = Locale::parse(&f.locale) else {
        return Redirect::to(&safe_next(f.next.as_deref())).into_response();
    };
    let input = UpdateProfile {
        locale: Some(locale),
        ..Default::default()
    };
    match khach_core::accounts::update_profile(&s.core, &p.ctx, input).await {
        Ok(_) => Redirect::to(&safe_next(f.next.as_deref())).into_response(),
        Err(e) => p.err(e).into_response(),
    }
}
