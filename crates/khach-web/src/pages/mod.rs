//! Server-rendered pages. Each feature has a module with its handlers and an askama
//! template per screen under `templates/<feature>/`. Pages work without JavaScript;
//! `assets/app.js` only adds conveniences (confirmations, copy buttons).

mod accounts;
pub mod api_docs;
mod api_keys;
mod audit_log;
mod auth;
mod companies;
mod custom_fields;
mod customer_settings;
mod customers;
mod departments;
pub(crate) mod duplicates;
mod format;
pub mod imports;
mod interaction_settings;
pub mod interactions;
mod merges;
mod profile;
mod roles;
mod settings;
mod sharing;
mod webhooks;

use crate::extract::{client_ip, header_locale};
use crate::i18n::t;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::{StatusCode, request::Parts};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khach_core::{CoreError, Ctx, Principal};
use khach_types::{Action, Locale, Module, Origin};
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(auth::login_page).post(auth::login_submit))
        .route("/logout", post(auth::logout))
        .route("/setup", get(auth::setup_page).post(auth::setup_submit))
        .route(
            "/forgot-password",
            get(auth::forgot_page).post(auth::forgot_submit),
        )
        .route(
            "/reset-password",
            get(auth::reset_page).post(auth::reset_submit),
        )
        .route("/profile", get(profile::page).post(profile::save))
        .route("/profile/password", post(profile::password))
        .route("/profile/locale", post(profile::locale))
        .route(
            "/settings/accounts",
            get(accounts::list).post(accounts::create),
        )
        .route("/settings/accounts/new", get(accounts::new_form))
        .route(
            "/settings/accounts/{id}",
            get(accounts::edit_form).post(accounts::save),
        )
        .route("/settings/accounts/{id}/password", post(accounts::password))
        .route(
            "/settings/departments",
            get(departments::list).post(departments::create),
        )
        .route("/settings/departments/{id}", post(departments::save))
        .route(
            "/settings/departments/{id}/delete",
            post(departments::delete),
        )
        .route("/settings/roles", get(roles::list).post(roles::create))
        .route("/settings/roles/new", get(roles::new_form))
        .route(
            "/settings/roles/{id}",
            get(roles::edit_form).post(roles::save),
        )
        .route("/settings/roles/{id}/delete", post(roles::delete))
        .route(
            "/settings/api-keys",
            get(api_keys::list).post(api_keys::create),
        )
        .route("/settings/api-keys/{id}/revoke", post(api_keys::revoke))
        .route("/settings/audit-log", get(audit_log::list))
        .route(
            "/settings/webhooks",
            get(webhooks::list).post(webhooks::create),
        )
        .route("/settings/webhooks/settings", post(webhooks::save_settings))
        .route(
            "/settings/webhooks/{id}",
            get(webhooks::detail).post(webhooks::save),
        )
        .route("/settings/webhooks/{id}/test", post(webhooks::test))
        .route("/settings/webhooks/{id}/rotate", post(webhooks::rotate))
        .route("/settings/webhooks/{id}/delete", post(webhooks::delete))
        .route(
            "/settings/webhooks/{id}/deliveries/{delivery}/redeliver",
            post(webhooks::redeliver),
        )
        .route(
            "/settings/general",
            get(settings::page).post(settings::save),
        )
        .merge(customer_routes())
        .route("/imports", get(imports::list))
        .route(
            "/imports/upload",
            post(imports::upload).layer(axum::extract::DefaultBodyLimit::max(
                crate::api::imports::MAX_UPLOAD,
            )),
        )
        .route(
            "/imports/{id}/setup",
            get(imports::setup).post(imports::save_setup),
        )
        .route("/imports/{id}", get(imports::show))
        .route("/imports/{id}/run", post(imports::run_for_real))
        .route("/imports/{id}/undo", post(imports::undo))
        .route("/imports/{id}/errors.csv", get(imports::error_file))
        .route("/customers/export", get(imports::export))
}

fn customer_routes() -> Router<AppState> {
    use customers::{assign, detail, form, list, prefs};
    Router::new()
        .route("/customers", get(list::list).post(form::create))
        .route("/customers/new", get(form::new_form))
        .route("/customers/bulk", post(list::bulk))
        .route("/customers/assign", post(assign::submit))
        .route("/customers/members", post(assign::members))
        .route("/customers/filters", post(list::save_filter))
        .route("/customers/bin", get(list::bin))
        .route(
            "/customers/columns",
            get(prefs::columns).post(prefs::save_columns),
        )
        .route("/customers/tabs", get(prefs::tabs).post(prefs::save_tabs))
        .route("/customers/{id}", get(detail::show))
        .route("/customers/{id}/events.csv", get(interactions::export_csv))
        .route(
            "/customers/{id}/events.xlsx",
            get(interactions::export_xlsx),
        )
        .route(
            "/settings/interactions",
            get(interaction_settings::settings),
        )
        .route(
            "/settings/interactions/rules",
            post(interaction_settings::save_rules),
        )
        .route(
            "/settings/interactions/levels",
            post(interaction_settings::create_level),
        )
        .route(
            "/settings/interactions/levels/{id}/delete",
            post(interaction_settings::delete_level),
        )
        .route("/notifications", get(interactions::notifications))
        .route(
            "/notifications/read",
            post(interactions::read_notifications),
        )
        .route("/customers/{id}/field", post(detail::save_field))
        .route("/customers/{id}/delete", post(detail::delete))
        .route("/customers/{id}/restore", post(detail::restore))
        .route("/customers/{id}/purge", post(detail::purge))
        .route("/customers/{id}/do-not-contact", post(detail::dnc))
        .route("/customers/{id}/owner", post(customers::ownership_owner))
        .route("/customers/{id}/members", post(customers::ownership_member))
        .route("/customers/{id}/contacts", post(detail::add_contact))
        .route(
            "/customers/{id}/contacts/{cid}/delete",
            post(detail::delete_contact),
        )
        .route("/customers/merge", get(merges::form).post(merges::submit))
        .route("/customers/merges/{id}/undo", post(merges::undo))
        .route("/duplicates", get(duplicates::list))
        .route("/duplicates/scan", post(duplicates::scan))
        .route("/duplicates/{id}/decision", post(duplicates::decide))
        .route("/units/wards", get(form::wards))
        .route("/companies", get(companies::list).post(companies::create))
        .route(
            "/companies/{id}",
            get(companies::edit).post(companies::save),
        )
        .route("/companies/{id}/delete", post(companies::delete))
        .route(
            "/settings/custom-fields",
            get(custom_fields::list).post(custom_fields::create),
        )
        .route(
            "/settings/custom-fields/{id}",
            get(custom_fields::edit).post(custom_fields::save),
        )
        .route(
            "/settings/custom-fields/{id}/kind",
            post(custom_fields::change_kind),
        )
        .route(
            "/settings/custom-fields/{id}/delete",
            post(custom_fields::delete),
        )
        .route(
            "/settings/customers",
            get(customer_settings::page).post(customer_settings::save_rules),
        )
        .route(
            "/settings/customers/stages",
            post(customer_settings::add_stage),
        )
        .route(
            "/settings/customers/stages/{id}",
            post(customer_settings::save_stage),
        )
        .route(
            "/settings/customers/stages/{id}/delete",
            post(customer_settings::delete_stage),
        )
        .route(
            "/settings/customers/sources",
            post(customer_settings::add_source),
        )
        .route(
            "/settings/customers/sources/{id}",
            post(customer_settings::save_source),
        )
        .route(
            "/settings/customers/sources/{id}/delete",
            post(customer_settings::delete_source),
        )
        .route(
            "/settings/sharing",
            get(sharing::list).post(sharing::create),
        )
        .route("/settings/sharing/run", post(sharing::run))
        .route("/settings/sharing/{id}", post(sharing::save))
        .route("/settings/sharing/{id}/delete", post(sharing::delete))
        .route("/settings/customers/tags", post(customer_settings::add_tag))
        .route(
            "/settings/customers/tags/{id}",
            post(customer_settings::save_tag),
        )
        .route(
            "/settings/customers/tags/{id}/delete",
            post(customer_settings::delete_tag),
        )
}

/// One entry of the navigation.
pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub active: bool,
    /// Work screens (customers) rather than settings.
    pub main: bool,
}

/// What every page's frame needs: language, who is signed in, navigation, notices.
pub struct Layout {
    pub locale: Locale,
    pub title: String,
    pub user: Option<String>,
    pub nav: Vec<NavItem>,
    pub company: String,
    pub notice: Option<String>,
    pub path: String,
}

impl Layout {
    /// A message from the catalogue in the page's language.
    pub fn t(&self, key: &str) -> String {
        t(self.locale, key)
    }
    /// The message `prefix-value` (a label per value of a setting).
    pub fn tv(&self, prefix: &str, value: &str) -> String {
        t(self.locale, &format!("{prefix}-{value}"))
    }
    pub fn lang(&self) -> &'static str {
        self.locale.as_str()
    }
}

/// The navigation entries this person may open; sections appear as modules exist.
fn nav(ctx: &Ctx, path: &str) -> Vec<NavItem> {
    use Action::{Settings, View};
    let entries: [(&'static str, &str, Module, Action); 16] = [
        ("/customers", "nav-customers", Module::Customers, View),
        (
            "/notifications",
            "nav-notifications",
            Module::Customers,
            View,
        ),
        ("/imports", "nav-imports", Module::Customers, Action::Import),
        (
            "/duplicates",
            "nav-duplicates",
            Module::Customers,
            Action::Merge,
        ),
        ("/companies", "nav-companies", Module::Customers, View),
        (
            "/settings/customers",
            "nav-customer-settings",
            Module::Customers,
            View,
        ),
        (
            "/settings/custom-fields",
            "nav-custom-fields",
            Module::Customers,
            View,
        ),
        (
            "/settings/interactions",
            "nav-interactions",
            Module::Customers,
            View,
        ),
        (
            "/settings/sharing",
            "nav-sharing",
            Module::Customers,
            Settings,
        ),
        ("/settings/accounts", "nav-accounts", Module::Accounts, View),
        (
            "/settings/departments",
            "nav-departments",
            Module::Departments,
            View,
        ),
        ("/settings/roles", "nav-roles", Module::Roles, View),
        ("/settings/api-keys", "nav-api-keys", Module::ApiKeys, View),
        ("/settings/webhooks", "nav-webhooks", Module::Settings, View),
        (
            "/settings/audit-log",
            "nav-audit-log",
            Module::AuditLog,
            View,
        ),
        ("/settings/general", "nav-general", Module::Settings, View),
    ];
    entries
        .into_iter()
        .filter(|(_, _, m, a)| ctx.can(*m, *a))
        .map(|(href, key, _, _)| NavItem {
            href,
            label: t(ctx.locale, key),
            active: path.starts_with(href),
            main: !href.starts_with("/settings"),
        })
        .collect()
}

/// A signed-in person on a page. Without a session: redirect to the login page.
pub struct PageCtx {
    pub ctx: Ctx,
    pub layout: Layout,
}

impl PageCtx {
    /// Fails with `Forbidden` unless permitted.
    pub fn require(&self, m: Module, a: Action) -> Result<(), PageError> {
        self.ctx.require(m, a).map_err(|e| self.err(e))
    }
    pub fn err(&self, e: CoreError) -> PageError {
        PageError::new(e, self.ctx.locale)
    }
    pub fn with_title(mut self, key: &str) -> Self {
        self.layout.title = self.layout.t(key);
        self
    }
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let path = parts.uri.path().to_string();
        let jar = axum_extra::extract::CookieJar::from_headers(&parts.headers);
        let Some(token) = jar.get(state.cookie_name()).map(|c| c.value().to_string()) else {
            return Err(login_redirect(&path));
        };
        let actor = match khach_core::auth::authenticate_session(&state.core, &token).await {
            Ok(a) => a,
            Err(CoreError::Unauthenticated) => return Err(login_redirect(&path)),
            Err(e) => return Err(PageError::new(e, header_locale(parts)).into_response()),
        };
        let locale = Locale::parse(&actor.account.locale).unwrap_or_default();
        let user = Some(actor.account.full_name.clone());
        let ctx = Ctx {
            principal: Principal::Account(Box::new(actor)),
            origin: Origin::Ui,
            ip: client_ip(parts),
            now: state.core.now(),
            locale,
        };
        let company = khach_core::settings::get(&state.core)
            .await
            .map(|s| s.company_name)
            .unwrap_or_else(|_| "Khách".into());
        let notice = parts
            .uri
            .query()
            .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("done=")))
            .filter(|k| k.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
            .and_then(|k| crate::i18n::try_t(locale, &format!("done-{k}")));
        let layout = Layout {
            locale,
            title: String::new(),
            user,
            nav: nav(&ctx, &path),
            company,
            notice,
            path,
        };
        Ok(PageCtx { ctx, layout })
    }
}

fn login_redirect(path: &str) -> Response {
    let next = if path == "/" {
        String::new()
    } else {
        format!("?next={}", encode(path))
    };
    Redirect::to(&format!("/login{next}")).into_response()
}

/// Percent-encodes a path for a query parameter.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only local paths are followed after login (no open redirect).
pub fn safe_next(next: Option<&str>) -> String {
    let local_path = |n: &str| {
        n.starts_with('/')
            && !n.starts_with("//")
            && n.len() <= 2000
            // Whitelist: no backslash, no control character or space that a browser
            // would strip to turn "/\t/evil" into "//evil".
            && n.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-_.~?=&%+".contains(&b))
    };
    match next {
        Some(n) if local_path(n) => n.into(),
        _ => "/".into(),
    }
}

/// Renders a template, or a plain 500 if rendering itself fails.
pub fn render<T: Template>(status: StatusCode, tpl: &T) -> Response {
    match tpl.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// Field errors of a form, as messages in the page's language.
#[derive(Default, Debug)]
pub struct FormErrors(BTreeMap<String, String>);

impl FormErrors {
    pub fn one(field: &str, message: String) -> Self {
        Self(BTreeMap::from([(field.to_string(), message)]))
    }
    pub fn get(&self, field: &str) -> Option<&String> {
        self.0.get(field)
    }
    /// The first error of a field or of its items (`phones`, `phones.0`, …).
    pub fn any(&self, field: &str) -> Option<&String> {
        self.0.get(field).or_else(|| {
            self.0
                .iter()
                .find(|(k, _)| k.strip_prefix(field).is_some_and(|r| r.starts_with('.')))
                .map(|(_, v)| v)
        })
    }
    /// Every message, in field order.
    pub fn values(&self) -> impl Iterator<Item = &String> {
        self.0.values()
    }
    pub fn rename(&mut self, from: &str, to: &str) {
        if let Some(m) = self.0.remove(from) {
            self.0.insert(to.to_string(), m);
        }
    }
}

pub fn form_errors(e: &CoreError, l: Locale) -> Option<FormErrors> {
    match e {
        CoreError::Validation(f) => Some(FormErrors(
            f.iter().map(|(k, v)| (k.clone(), t(l, v))).collect(),
        )),
        CoreError::Conflict { field, key } => Some(FormErrors::one(field, t(l, key))),
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    status: u16,
    message: String,
}

/// An error shown as a page in the person's language.
pub struct PageError {
    status: StatusCode,
    message: String,
    locale: Locale,
}

impl PageError {
    pub fn new(e: CoreError, locale: Locale) -> Self {
        let api = crate::error::ApiError::from_core(e, locale);
        Self {
            status: StatusCode::from_u16(api.code.status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            message: api.message,
            locale,
        }
    }
}

impl PageError {
    /// Replaces the generic message with a more specific one.
    pub fn with_message(mut self, m: String) -> Self {
        self.message = m;
        self
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let l = Layout {
            locale: self.locale,
            title: t(self.locale, "error-title"),
            user: None,
            nav: vec![],
            company: "Khách".into(),
            notice: None,
            path: String::new(),
        };
        render(
            self.status,
            &ErrorPage {
                l,
                status: self.status.as_u16(),
                message: self.message,
            },
        )
    }
}

/// `/`: the first section this person may use.
async fn home(p: PageCtx) -> Response {
    match p.layout.nav.first() {
        Some(item) => Redirect::to(item.href).into_response(),
        None => Redirect::to("/profile").into_response(),
    }
}

/// The business's default language, for pages seen before anyone logs in.
pub struct SiteLocale(pub Locale);

impl FromRequestParts<AppState> for SiteLocale {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(_: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let l = khach_core::settings::get(&state.core)
            .await
            .map(|s| s.default_locale)
            .unwrap_or_default();
        Ok(SiteLocale(l))
    }
}

/// Unknown page.
pub async fn not_found(SiteLocale(locale): SiteLocale) -> Response {
    PageError {
        status: StatusCode::NOT_FOUND,
        message: t(locale, "error-not-found"),
        locale,
    }
    .into_response()
}
