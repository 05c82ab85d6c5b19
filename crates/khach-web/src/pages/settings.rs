//! `/settings/general`: company name and default language.

use super::{FormErrors, Layout, PageCtx, form_errors, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use khach_types::api::UpdateSettings;
use khach_types::{Action, Locale, Module};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "settings/general.html")]
struct Page {
    l: Layout,
    company_name: String,
    default_locale: String,
    can_edit: bool,
    errors: FormErrors,
}

pub async fn page(State(s): State<AppState>, p: PageCtx) -> Response {
    match khach_core::settings::read(&s.core, &p.ctx).await {
        Ok(st) => {
            let can_edit = p.ctx.can(Module::Settings, Action::Edit);
            render(
                StatusCode::OK,
                &Page {
                    l: p.with_title("general-title").layout,
                    company_name: st.company_name,
                    default_locale: st.default_locale.as_str().into(),
                    can_edit,
                    errors: Default::default(),
                },
            )
        }
        Err(e) => p.err(e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct SettingsForm {
    company_name: String,
    default_locale: String,
}

pub async fn save(State(s): State<AppState>, p: PageCtx, Form(f): Form<SettingsForm>) -> Response {
    let input = UpdateSettings {
        company_name: Some(f.company_name.clone()),
        default_locale: Locale::parse(&f.default_locale).ok(),
    };
    match khach_core::settings::update(&s.core, &p.ctx, input).await {
        Ok(_) => Redirect::to("/settings/general?done=saved").into_response(),
        Err(e) => match form_errors(&e, p.ctx.locale) {
            Some(errors) => render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &Page {
                    l: p.with_title("general-title").layout,
                    company_name: f.company_name,
                    default_locale: f.default_locale,
                    can_edit: true,
                    errors,
                },
            ),
            None => p.err(e).into_response(),
        },
    }
}
