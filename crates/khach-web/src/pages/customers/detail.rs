//! `/customers/{id}`: the customer page. The profile edits in place, one field at a
//! time; tabs follow the person's own choice (gear icon) among those whose module
//! exists.

use super::form::{CustomInput, custom_inputs, custom_value, lines, wards_of};
use crate::pages::{FormErrors, PageCtx, form_errors, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use khach_core::fields::value;
use khach_core::{CoreError, companies, customers, fields, prefs};
use khach_types::api::{
    AccountRef, AuditQuery, CreateSubContact, Customer, DoNotContactInput, FieldEntity, Gender,
    ShareStatus, SubContact, UpdateCustomer,
};
use khach_types::{Action, Module};
use serde::Deserialize;
use serde_json::Map;

/// One line of the profile: label, shown value, and the input that edits it.
pub struct ProfileField {
    pub key: String,
    pub label: String,
    pub shown: String,
    /// `text`, `date`, `textarea`, `select`, `tel`, `email`.
    pub input: &'static str,
    pub raw: String,
    pub options: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "customers/detail.html")]
struct DetailPage {
    l: crate::pages::Layout,
    c: Customer,
    tabs: Vec<(String, String)>,
    tab: String,
    edit: String,
    profile: Vec<ProfileField>,
    custom: Vec<CustomInput>,
    custom_shown: Vec<(String, String, String)>,
    contacts: Vec<SubContact>,
    history: Option<crate::pages::interactions::History>,
    dupes: Option<crate::pages::duplicates::Tab>,
    audit: Vec<(String, String, String, String)>,
    errors: FormErrors,
    created: String,
    updated: String,
    can_edit: bool,
    can_delete: bool,
    can_assign: bool,
    /// Accounts for the owner, supporter and viewer pickers (when one may assign).
    accounts: Vec<AccountRef>,
    /// The owner's id as the picker's value (empty: none).
    owner_sel: String,
    is_admin: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct DetailQuery {
    #[serde(default)]
    tab: String,
    #[serde(default)]
    edit: String,
    /// The history tab's filter.
    #[serde(flatten)]
    history: crate::pages::interactions::HistoryFilter,
}

fn tab_label(l: khach_types::Locale, t: &str) -> String {
    crate::i18n::t(l, &format!("customers-tab-{t}"))
}

async fn profile_fields(s: &AppState, p: &PageCtx, c: &Customer) -> Vec<ProfileField> {
    let l = p.ctx.locale;
    let ch = super::form::choices(&s.core, &p.ctx).await;
    let t = |k: &str| crate::i18n::t(l, k);
    let pick = |v: &[(i64, String)]| {
        v.iter()
            .map(|(i, n)| (i.to_string(), n.clone()))
            .collect::<Vec<_>>()
    };
    let genders = ["male", "female", "other"]
        .iter()
        .map(|g| (g.to_string(), t(&format!("gender-{g}"))))
        .collect();
    let province = c.address.province_code.clone().unwrap_or_default();
    let f = |key: &str,
             shown: String,
             input: &'static str,
             raw: String,
             options: Vec<(String, String)>| ProfileField {
        key: key.into(),
        label: t(&format!("field-{}", key.replace('_', "-"))),
        shown,
        input,
        raw,
        options,
    };
    let phones: Vec<String> = c.phones.iter().map(|p| p.display.clone()).collect();
    let legacy = [
        &c.address.legacy_ward,
        &c.address.legacy_district,
        &c.address.legacy_province,
    ]
    .iter()
    .filter_map(|x| x.as_deref())
    .collect::<Vec<_>>()
    .join(", ");
    let mut out = vec![
        f("name", c.name.clone(), "text", c.name.clone(), vec![]),
        f("code", c.code.clone(), "text", c.code.clone(), vec![]),
        f(
            "gender",
            c.gender
                .map(|g| t(&format!("gender-{}", g.as_str())))
                .unwrap_or_default(),
            "select",
            c.gender.map(|g| g.as_str().to_string()).unwrap_or_default(),
            genders,
        ),
        f(
            "birthday",
            c.birthday
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_default(),
            "date",
            c.birthday.map(|d| d.to_string()).unwrap_or_default(),
            vec![],
        ),
        f(
            "phones",
            phones.join(", "),
            "textarea",
            phones.join("\n"),
            vec![],
        ),
        f(
            "emails",
            c.emails.join(", "),
            "textarea",
            c.emails.join("\n"),
            vec![],
        ),
        f(
            "province_code",
            c.address.province_name.clone().unwrap_or_default(),
            "select",
            province.clone(),
            ch.provinces.clone(),
        ),
        f(
            "ward_code",
            c.address.ward_name.clone().unwrap_or_default(),
            "select",
            c.address.ward_code.clone().unwrap_or_default(),
            wards_of(&province),
        ),
        f(
            "street",
            c.address.street.clone().unwrap_or_default(),
            "text",
            c.address.street.clone().unwrap_or_default(),
            vec![],
        ),
        f(
            "stage_id",
            c.stage_name.clone().unwrap_or_default(),
            "select",
            c.stage_id.map(|i| i.to_string()).unwrap_or_default(),
            pick(&ch.stages),
        ),
        f(
            "source_id",
            c.source_name.clone().unwrap_or_default(),
            "select",
            c.source_id.map(|i| i.to_string()).unwrap_or_default(),
            pick(&ch.sources),
        ),
        f(
            "company_id",
            c.company_name.clone().unwrap_or_default(),
            "select",
            c.company_id.map(|i| i.to_string()).unwrap_or_default(),
            pick(&ch.companies),
        ),
        f(
            "tags",
            c.tags
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            "text",
            c.tags
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            vec![],
        ),
        f(
            "notes",
            c.notes.clone().unwrap_or_default(),
            "textarea",
            c.notes.clone().unwrap_or_default(),
            vec![],
        ),
    ];
    if !legacy.is_empty() {
        out.push(f(
            "legacy_address",
            legacy.clone(),
            "readonly",
            legacy,
            vec![],
        ));
    }
    out
}

async fn page(
    s: &AppState,
    p: PageCtx,
    id: i64,
    q: DetailQuery,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let core = &s.core;
    let c = match customers::get(core, &p.ctx, id).await {
        Ok(c) => c,
        Err(e) => return p.err(e).into_response(),
    };
    let l = p.ctx.locale;
    let mut tabs: Vec<String> = prefs::tabs(core, &p.ctx)
        .await
        .map(|t| t.tabs)
        .unwrap_or_default();
    // Only tabs whose module this person may open.
    if !p.ctx.can(Module::AuditLog, Action::View) {
        tabs.retain(|t| t != "audit");
    }
    if tabs.is_empty() {
        tabs.push("profile".into());
    }
    let tab = if tabs.contains(&q.tab) {
        q.tab.clone()
    } else {
        tabs[0].clone()
    };
    let defs = fields::defs(core.db.conn(), FieldEntity::Customer)
        .await
        .unwrap_or_default();
    let custom_shown = defs
        .iter()
        .map(|d| {
            (
                d.key.clone(),
                d.label.clone(),
                c.custom
                    .get(&d.key)
                    .map(|v| value::display(d.kind, &d.options, v))
                    .unwrap_or_default(),
            )
        })
        .collect();
    let contacts = if tab == "contacts" {
        companies::contacts(core, &p.ctx, id)
            .await
            .map(|l| l.items)
            .unwrap_or_default()
    } else {
        vec![]
    };
    let history = if tab == "history" {
        Some(crate::pages::interactions::history(s, &p, id, q.history.clone()).await)
    } else {
        None
    };
    let dupes = if tab == "duplicates" {
        crate::pages::duplicates::customer_tab(s, &p, id).await
    } else {
        None
    };
    let audit = if tab == "audit" {
        let q = AuditQuery {
            entity: Some("customer".into()),
            entity_id: Some(id.to_string()),
            limit: Some(100),
            ..Default::default()
        };
        khach_core::audit::list(core, &p.ctx, &q)
            .await
            .map(|l| {
                l.items
                    .into_iter()
                    .map(|a| {
                        (
                            crate::pages::format::datetime(&a.at),
                            a.actor,
                            a.action,
                            a.changes.to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    } else {
        vec![]
    };
    let profile = profile_fields(s, &p, &c).await;
    // A viewer's customer shows no edit controls.
    let can_edit = p.ctx.can(Module::Customers, Action::Edit)
        && c.deleted_at.is_none()
        && customers::editable(core, &p.ctx, id).await.is_ok();
    let can_assign = p.ctx.can(Module::Customers, Action::Assign) && can_edit;
    let accounts = if can_assign && tab == "profile" {
        customers::assign::assignable(core, &p.ctx)
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let page = DetailPage {
        tabs: tabs.iter().map(|t| (t.clone(), tab_label(l, t))).collect(),
        tab,
        edit: q.edit,
        custom: custom_inputs(&defs, &c.custom),
        custom_shown,
        profile,
        contacts,
        history,
        dupes,
        audit,
        errors,
        created: crate::pages::format::datetime(&c.created_at),
        updated: crate::pages::format::datetime(&c.updated_at),
        can_edit,
        can_delete: p.ctx.can(Module::Customers, Action::Delete),
        can_assign,
        accounts,
        owner_sel: c.owner_id.map(|o| o.to_string()).unwrap_or_default(),
        is_admin: p.ctx.is_admin(),
        l: {
            let mut lay = p.layout;
            lay.title = format!("{} · {}", c.name, c.code);
            lay
        },
        c,
    };
    render(status, &page)
}

pub async fn show(
    State(s): State<AppState>,
    p: PageCtx,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> Response {
    page(&s, p, id, q, FormErrors::default(), StatusCode::OK).await
}

/// `POST /customers/{id}/field`: one field edited in place.
pub async fn save_field(
    State(s): State<AppState>,
    p: PageCtx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let field = pairs
        .iter()
        .find(|(k, _)| k == "field")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let values: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "value")
        .map(|(_, v)| v.clone())
        .collect();
    let v = values.first().cloned().unwrap_or_default();
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let mut u = UpdateCustomer::default();
    let mut bad_date = false;
    match field.as_str() {
        "name" => u.name = Some(v.clone()),
        "code" => u.code = Some(v.clone()),
        "gender" => u.gender = Some(Gender::parse(&v)),
        "birthday" => match opt(&v) {
            None => u.birthday = Some(None),
            Some(d) => match value::parse_date(&d) {
                Some(d) => u.birthday = Some(Some(d)),
                None => bad_date = true,
            },
        },
        "phones" => u.phones = Some(lines(&v)),
        "emails" => u.emails = Some(lines(&v)),
        "province_code" => u.province_code = Some(opt(&v)),
        "ward_code" => u.ward_code = Some(opt(&v)),
        "street" => u.street = Some(opt(&v)),
        "stage_id" => u.stage_id = Some(v.parse().ok()),
        "source_id" => u.source_id = Some(v.parse().ok()),
        "company_id" => u.company_id = Some(v.parse().ok()),
        "tags" => u.tags = Some(lines(&v)),
        "notes" => u.notes = Some(opt(&v)),
        other => match other.strip_prefix("cf.") {
            Some(key) => {
                let defs = fields::defs(s.core.db.conn(), FieldEntity::Customer)
                    .await
                    .unwrap_or_default();
                let Some(d) = defs.iter().find(|d| d.key == key) else {
                    return p
                        .err(CoreError::fields([("field", "value-invalid-choice")]))
                        .into_response();
                };
                let mut m = Map::new();
                m.insert(key.to_string(), custom_value(d, &values));
                u.custom = Some(m);
            }
            None => {
                return p
                    .err(CoreError::fields([("field", "value-invalid-choice")]))
                    .into_response();
            }
        },
    }
    let result = if bad_date {
        Err(CoreError::fields([("birthday", "cf-invalid-date")]))
    } else {
        customers::update(&s.core, &p.ctx, id, u).await
    };
    match result {
        Ok(_) => Redirect::to(&format!("/customers/{id}?done=saved")).into_response(),
        Err(e) => match form_errors(&e, p.ctx.locale) {
            Some(errors) => {
                page(
                    &s,
                    p,
                    id,
                    DetailQuery {
                        tab: "profile".into(),
                        edit: field,
                        ..Default::default()
                    },
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => p.err(e).into_response(),
        },
    }
}

pub async fn delete(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    match customers::delete(&s.core, &p.ctx, id).await {
        Ok(()) => Redirect::to("/customers?done=deleted").into_response(),
        Err(e) => p.err(e).into_response(),
    }
}

pub async fn restore(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    match customers::restore(&s.core, &p.ctx, id).await {
        Ok(_) => Redirect::to(&format!("/customers/{id}?done=restored")).into_response(),
        Err(e) => p.err(e).into_response(),
    }
}

pub async fn purge(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    match customers::purge(&s.core, &p.ctx, id).await {
        Ok(()) => Redirect::to("/customers/bin?done=deleted").into_response(),
        Err(e) => p.err(e).into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct DncForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    remove: Option<String>,
}

pub async fn dnc(
    State(s): State<AppState>,
    p: PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<DncForm>,
) -> Response {
    let add = if f.remove.is_some() {
        None
    } else {
        Some(DoNotContactInput {
            reason: Some(f.reason).filter(|r| !r.trim().is_empty()),
        })
    };
    match customers::do_not_contact(&s.core, &p.ctx, id, add).await {
        Ok(_) => Redirect::to(&format!("/customers/{id}?done=saved")).into_response(),
        Err(e) => p.err(e).into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct ContactForm {
    name: String,
    #[serde(default)]
    relation: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
}

pub async fn add_contact(
    State(s): State<AppState>,
    p: PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<ContactForm>,
) -> Response {
    let opt = |s: String| Some(s).filter(|s| !s.trim().is_empty());
    let input = CreateSubContact {
        name: f.name,
        relation: opt(f.relation),
        phone: opt(f.phone),
        email: opt(f.email),
    };
    match companies::add_contact(&s.core, &p.ctx, id, input).await {
        Ok(_) => Redirect::to(&format!("/customers/{id}?tab=contacts&done=saved")).into_response(),
        Err(e) => match form_errors(&e, p.ctx.locale) {
            Some(errors) => {
                page(
                    &s,
                    p,
                    id,
                    DetailQuery {
                        tab: "contacts".into(),
                        ..Default::default()
                    },
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => p.err(e).into_response(),
        },
    }
}

pub async fn delete_contact(
    State(s): State<AppState>,
    p: PageCtx,
    Path((id, cid)): Path<(i64, i64)>,
) -> Response {
    match companies::delete_contact(&s.core, &p.ctx, id, cid).await {
        Ok(()) => {
            Redirect::to(&format!("/customers/{id}?tab=contacts&done=deleted")).into_response()
        }
        Err(e) => p.err(e).into_response(),
    }
}
