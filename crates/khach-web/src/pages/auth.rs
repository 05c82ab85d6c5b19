//! Public pages: log in / out, first-run set-up, forgotten password.

use super::SiteLocale;
use super::{Layout, render, safe_next};
use crate::extract::ClientIp;
use crate::i18n::t;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use khach_core::{CoreError, Ctx};
use khach_types::api::CreateAccount;
use khach_types::{Locale, Origin};
use serde::Deserialize;

fn public_layout(locale: Locale, title_key: &str) -> Layout {
    Layout {
        locale,
        title: t(locale, title_key),
        user: None,
        nav: vec![],
        company: "Khách".into(),
        notice: None,
        path: String::new(),
    }
}

fn anon_ctx(s: &AppState, ip: Option<String>, locale: Locale) -> Ctx {
    let mut ctx = Ctx::system(Origin::Ui, s.core.now());
    ctx.ip = ip;
    ctx.locale = locale;
    ctx
}

fn session_cookie(s: &AppState, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if s.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}",
        s.cookie_name()
    );
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    l: Layout,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    done: Option<String>,
}

pub async fn login_page(SiteLocale(locale): SiteLocale, Query(q): Query<NextQuery>) -> Response {
    let mut l = public_layout(locale, "login-title");
    l.notice = q
        .done
        .filter(|k| k.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        .and_then(|k| crate::i18n::try_t(locale, &format!("done-{k}")));
    render(
        StatusCode::OK,
        &LoginPage {
            l,
            next: safe_next(q.next.as_deref()),
            username: String::new(),
            error: None,
        },
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn login_submit(
    State(s): State<AppState>,
    SiteLocale(locale): SiteLocale,
    ClientIp(ip): ClientIp,
    Form(f): Form<LoginForm>,
) -> Response {
    let ctx = anon_ctx(&s, ip, locale);
    match khach_core::auth::login(&s.core, &ctx, &f.username, &f.password).await {
        Ok(out) => {
            let mut resp = Redirect::to(&safe_next(f.next.as_deref())).into_response();
            let max_age = s.core.config.session_hours * 3600;
            resp.headers_mut().insert(
                header::SET_COOKIE,
                session_cookie(&s, &out.session_token, max_age),
            );
            resp
        }
        Err(e) => {
            let api = crate::error::ApiError::from_core(e, locale);
            let status = StatusCode::from_u16(api.code.status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            render(
                status,
                &LoginPage {
                    l: public_layout(locale, "login-title"),
                    next: safe_next(f.next.as_deref()),
                    username: f.username,
                    error: Some(api.message),
                },
            )
        }
    }
}

pub async fn logout(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let jar = axum_extra::extract::CookieJar::from_headers(&headers);
    if let Some(c) = jar.get(s.cookie_name())
        && let Err(e) = khach_core::auth::logout(&s.core, c.value()).await
    {
        tracing::warn!(error = %e, "logout failed");
    }
    let mut resp = Redirect::to("/login?done=logged-out").into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&s, "", 0));
    resp
}

#[derive(Template)]
#[template(path = "auth/setup.html")]
struct SetupPage {
    l: Layout,
    token: String,
    f: SetupForm,
    errors: super::FormErrors,
}

#[derive(Deserialize, Default)]
pub struct SetupForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

fn invalid_link(locale: Locale) -> Response {
    super::PageError::new(CoreError::NotFound, locale)
        .with_message(t(locale, "setup-link-invalid"))
        .into_response()
}

pub async fn setup_page(
    State(s): State<AppState>,
    SiteLocale(locale): SiteLocale,
    Query(q): Query<TokenQuery>,
) -> Response {
    let token = q.token.unwrap_or_default();
    match khach_core::auth::setup_token_valid(&s.core, &token).await {
        Ok(true) => render(
            StatusCode::OK,
            &SetupPage {
                l: public_layout(locale, "setup-title"),
                token,
                f: SetupForm::default(),
                errors: Default::default(),
            },
        ),
        Ok(false) => invalid_link(locale),
        Err(e) => super::PageError::new(e, locale).into_response(),
    }
}

pub async fn setup_submit(
    State(s): State<AppState>,
    SiteLocale(locale): SiteLocale,
    ClientIp(ip): ClientIp,
    Form(f): Form<SetupForm>,
) -> Response {
    let ctx = anon_ctx(&s, ip, locale);
    if f.password != f.password_confirm {
        let errors =
            super::FormErrors::one("password_confirm", t(locale, "value-password-mismatch"));
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SetupPage {
                l: public_layout(locale, "setup-title"),
                token: f.token.clone(),
                f,
                errors,
            },
        );
    }
    let input = CreateAccount {
        username: f.username.clone(),
        password: f.password.clone(),
        full_name: f.full_name.clone(),
        email: Some(f.email.clone()).filter(|e| !e.trim().is_empty()),
        phone: None,
        department_id: None,
        role_id: 0,
        active: true,
        auto_assign: false,
        locale: Some(locale),
    };
    match khach_core::auth::complete_setup(&s.core, &ctx, &f.token, input).await {
        Ok(_) => Redirect::to("/login?done=setup").into_response(),
        Err(CoreError::NotFound) => invalid_link(locale),
        Err(e) => match super::form_errors(&e, locale) {
            Some(errors) => render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &SetupPage {
                    l: public_layout(locale, "setup-title"),
                    token: f.token.clone(),
                    f,
                    errors,
                },
            ),
            None => super::PageError::new(e, locale).into_response(),
        },
    }
}

#[derive(Template)]
#[template(path = "auth/forgot.html")]
struct ForgotPage {
    l: Layout,
    smtp: bool,
    sent: bool,
}

pub async fn forgot_page(State(s): State<AppState>, SiteLocale(locale): SiteLocale) -> Response {
    render(
        StatusCode::OK,
        &ForgotPage {
            l: public_layout(locale, "forgot-title"),
            smtp: s.core.mailer.is_some(),
            sent: false,
        },
    )
}

#[derive(Deserialize)]
pub struct ForgotForm {
    who: String,
}

pub async fn forgot_submit(
    State(s): State<AppState>,
    SiteLocale(locale): SiteLocale,
    ClientIp(ip): ClientIp,
    Form(f): Form<ForgotForm>,
) -> Response {
    let ctx = anon_ctx(&s, ip, locale);
    let subject = t(locale, "reset-mail-subject");
    let result = khach_core::auth::request_reset(&s.core, &ctx, &f.who, &subject, |link| {
        crate::i18n::t_args(locale, "reset-mail-body", &[("link", link.to_string())])
    })
    .await;
    match result {
        Ok(()) => render(
            StatusCode::OK,
            &ForgotPage {
                l: public_layout(locale, "forgot-title"),
                smtp: true,
                sent: true,
            },
        ),
        Err(e) => super::PageError::new(e, locale).into_response(),
    }
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
struct ResetPage {
    l: Layout,
    token: String,
    errors: super::FormErrors,
}

pub async fn reset_page(
    State(s): State<AppState>,
    SiteLocale(locale): SiteLocale,
    Query(q): Query<TokenQuery>,
) -> Response {
    let token = q.token.unwrap_or_default();
    match khach_core::auth::reset_token_valid(&s.core, &token).await {
        Ok(true) => render(
            StatusCode::OK,
            &ResetPage {
                l: public_layout(locale, "reset-title"),
                token,
                errors: Default::default(),
            },
        ),
        Ok(false) => super::PageError::new(CoreError::NotFound, locale)
            .with_message(t(locale, "reset-link-invalid"))
            .into_response(),
        Err(e) => super::PageError::new(e, locale).into_response(),
    }
}

#[derive(Deserialize)]
pub struct ResetForm {
    token: String,
    password: String,
    password_confirm: String,
}

pub async fn reset_submit(
    State(s): State<AppState>,
    SiteLocale(locale): SiteLocale,
    ClientIp(ip): ClientIp,
    Form(f): Form<ResetForm>,
) -> Response {
    let ctx = anon_ctx(&s, ip, locale);
    let page = |errors| ResetPage {
        l: public_layout(locale, "reset-title"),
        token: f.token.clone(),
        errors,
    };
    if f.password != f.password_confirm {
        let errors =
            super::FormErrors::one("password_confirm", t(locale, "value-password-mismatch"));
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page(errors));
    }
    match khach_core::auth::complete_reset(&s.core, &ctx, &f.token, &f.password).await {
        Ok(()) => Redirect::to("/login?done=password-reset").into_response(),
        Err(CoreError::NotFound) => super::PageError::new(CoreError::NotFound, locale)
            .with_message(t(locale, "reset-link-invalid"))
            .into_response(),
        Err(e) => match super::form_errors(&e, locale) {
            Some(mut errors) => {
                errors.rename("new_password", "password");
                render(StatusCode::UNPROCESSABLE_ENTITY, &page(errors))
            }
            None => super::PageError::new(e, locale).into_response(),
        },
    }
}
