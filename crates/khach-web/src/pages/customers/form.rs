//! `/customers/new`: creating a customer, and the form pieces shared with the
//! detail page (options of selects, custom field inputs).

use crate::pages::{FormErrors, PageCtx, form_errors, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Redirect, Response};
use axum_extra::extract::Form;
use khach_core::fields::{Def, value};
use khach_core::{Core, Ctx, customers, fields, taxonomy};
use khach_types::api::{CreateCustomer, FieldEntity, FieldKind, Gender};
use khach_types::{Action, Module};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A custom field input: name `cf.<key>`, an HTML input type, current text.
pub struct CustomInput {
    pub key: String,
    pub label: String,
    pub input: &'static str,
    pub required: bool,
    pub value: String,
    pub options: Vec<(String, String, bool)>,
    pub multi: bool,
}

pub fn custom_inputs(defs: &[Def], current: &Map<String, Value>) -> Vec<CustomInput> {
    defs.iter()
        .map(|d| {
            let v = current.get(&d.key);
            let chosen = |k: &str| match v {
                Some(Value::String(s)) => s == k,
                Some(Value::Array(a)) => a.iter().any(|x| x.as_str() == Some(k)),
                _ => false,
            };
            CustomInput {
                key: d.key.clone(),
                label: d.label.clone(),
                input: match d.kind {
                    FieldKind::Number | FieldKind::Money => "number",
                    FieldKind::Date => "date",
                    FieldKind::Datetime => "datetime-local",
                    FieldKind::Email => "email",
                    FieldKind::Url => "url",
                    FieldKind::Phone => "tel",
                    FieldKind::LongText => "textarea",
                    FieldKind::Boolean => "boolean",
                    FieldKind::Select | FieldKind::MultiSelect => "select",
                    FieldKind::Text => "text",
                },
                required: d.required,
                value: match (d.kind, v) {
                    (FieldKind::Datetime, Some(Value::String(s))) => {
                        s.trim_end_matches('Z').chars().take(16).collect()
                    }
                    (FieldKind::Phone, Some(v)) => value::display(d.kind, &d.options, v),
                    (_, Some(Value::String(s))) => s.clone(),
                    (_, Some(Value::Null)) | (_, None) => String::new(),
                    (_, Some(other)) => other.to_string(),
                },
                options: d
                    .options
                    .iter()
                    .map(|o| (o.key.clone(), o.label.clone(), chosen(&o.key)))
                    .collect(),
                multi: d.kind == FieldKind::MultiSelect,
            }
        })
        .collect()
}

/// Form text of a custom field → the JSON the core parses.
pub fn custom_value(d: &Def, raw: &[String]) -> Value {
    match d.kind {
        FieldKind::MultiSelect => Value::Array(
            raw.iter()
                .filter(|s| !s.is_empty())
                .map(|s| Value::from(s.as_str()))
                .collect(),
        ),
        FieldKind::Datetime => match raw.first().filter(|s| !s.is_empty()) {
            // datetime-local has no zone: the person means Vietnam time.
            Some(s) if s.len() == 16 => Value::from(format!("{s}:00+07:00")),
            Some(s) => Value::from(s.as_str()),
            None => Value::Null,
        },
        _ => raw
            .first()
            .map(|s| Value::from(s.as_str()))
            .unwrap_or(Value::Null),
    }
}

pub struct Choices {
    pub stages: Vec<(i64, String)>,
    pub sources: Vec<(i64, String)>,
    pub companies: Vec<(i64, String)>,
    pub provinces: Vec<(String, String)>,
}

pub async fn choices(core: &Core, ctx: &Ctx) -> Choices {
    let companies = khach_core::companies::list(
        core,
        ctx,
        &khach_types::api::CompanyQuery {
            limit: Some(200),
            ..Default::default()
        },
    )
    .await
    .map(|l| l.items.into_iter().map(|c| (c.id, c.name)).collect())
    .unwrap_or_default();
    Choices {
        stages: taxonomy::list_stages(core, ctx)
            .await
            .map(|l| l.items.into_iter().map(|s| (s.id, s.name)).collect())
            .unwrap_or_default(),
        sources: taxonomy::list_sources(core, ctx)
            .await
            .map(|l| l.items.into_iter().map(|s| (s.id, s.name)).collect())
            .unwrap_or_default(),
        companies,
        provinces: khach_types::units::provinces()
            .iter()
            .map(|p| (p.code.to_string(), p.name.to_string()))
            .collect(),
    }
}

pub fn wards_of(province: &str) -> Vec<(String, String)> {
    khach_types::units::wards(province)
        .iter()
        .map(|w| (w.code.to_string(), w.name.to_string()))
        .collect()
}

/// `GET /units/wards?province=01`: wards of a province, for the address form.
pub async fn wards(Query(q): Query<BTreeMap<String, String>>) -> Response {
    let p = q.get("province").map(String::as_str).unwrap_or_default();
    Json(wards_of(p)).into_response()
}

#[derive(Template)]
#[template(path = "customers/form.html")]
struct NewPage {
    l: crate::pages::Layout,
    f: NewForm,
    choices: Choices,
    wards: Vec<(String, String)>,
    custom: Vec<CustomInput>,
    errors: FormErrors,
    owners: OwnerChoice,
}

/// The owner picker of a new customer: oneself, anyone (with the assign
/// permission), or "in turn" when automatic assignment is on.
#[derive(Default)]
pub struct OwnerChoice {
    pub me: Option<i64>,
    pub others: Vec<khach_types::api::AccountRef>,
    pub auto: bool,
}

async fn owner_choice(core: &Core, ctx: &Ctx) -> OwnerChoice {
    let auto = customers::read_settings(core, ctx)
        .await
        .map(|s| s.auto_assign)
        .unwrap_or(false);
    let others = if ctx.can(Module::Customers, Action::Assign) {
        customers::assign::assignable(core, ctx)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|a| Some(a.id) != ctx.account_id())
            .collect()
    } else {
        Vec::new()
    };
    OwnerChoice {
        me: ctx.account_id(),
        others,
        auto,
    }
}

#[derive(Debug, Default)]
pub struct NewForm {
    pub name: String,
    pub code: String,
    pub gender: String,
    pub birthday: String,
    pub phones: String,
    pub emails: String,
    pub province_code: String,
    pub ward_code: String,
    pub street: String,
    pub stage_id: String,
    pub source_id: String,
    pub company_id: String,
    pub tags: String,
    pub notes: String,
    /// An account id, `auto` (the next in turn), or empty (oneself).
    pub owner: String,
    /// `cf.<key>` inputs; multi-selects repeat.
    pub custom: BTreeMap<String, Vec<String>>,
}

impl NewForm {
    /// From the submitted pairs (custom fields have names known only at run time).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = NewForm::default();
        for (k, v) in pairs {
            let slot = match k.as_str() {
                "name" => &mut f.name,
                "code" => &mut f.code,
                "gender" => &mut f.gender,
                "birthday" => &mut f.birthday,
                "phones" => &mut f.phones,
                "emails" => &mut f.emails,
                "province_code" => &mut f.province_code,
                "ward_code" => &mut f.ward_code,
                "street" => &mut f.street,
                "stage_id" => &mut f.stage_id,
                "source_id" => &mut f.source_id,
                "company_id" => &mut f.company_id,
                "tags" => &mut f.tags,
                "notes" => &mut f.notes,
                "owner" => &mut f.owner,
                other => {
                    if let Some(key) = other.strip_prefix("cf.") {
                        f.custom.entry(key.to_string()).or_default().push(v);
                    }
                    continue;
                }
            };
            *slot = v;
        }
        f
    }

    /// Custom values for the fields the form carried.
    pub fn custom_values(&self, defs: &[Def]) -> Map<String, Value> {
        defs.iter()
            .filter_map(|d| {
                self.custom
                    .get(&d.key)
                    .map(|v| (d.key.clone(), custom_value(d, v)))
            })
            .collect()
    }
}

pub fn lines(s: &str) -> Vec<String> {
    s.split(['\n', ',', ';'])
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

pub async fn new_form(State(s): State<AppState>, p: PageCtx) -> Response {
    if let Err(e) = p.require(Module::Customers, Action::Create) {
        return e.into_response();
    }
    let defs = fields::defs(s.core.db.conn(), FieldEntity::Customer)
        .await
        .unwrap_or_default();
    let page = NewPage {
        choices: choices(&s.core, &p.ctx).await,
        wards: Vec::new(),
        custom: custom_inputs(&defs, &Map::new()),
        f: NewForm::default(),
        errors: FormErrors::default(),
        owners: owner_choice(&s.core, &p.ctx).await,
        l: p.with_title("customers-new-title").layout,
    };
    render(StatusCode::OK, &page)
}

pub async fn create(
    State(s): State<AppState>,
    p: PageCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let f = NewForm::from_pairs(pairs);
    let defs = fields::defs(s.core.db.conn(), FieldEntity::Customer)
        .await
        .unwrap_or_default();
    let custom = f.custom_values(&defs);
    let birthday = opt(&f.birthday).map(|b| value::parse_date(&b).ok_or(()));
    let input = CreateCustomer {
        code: opt(&f.code),
        name: f.name.clone(),
        gender: Gender::parse(&f.gender),
        birthday: birthday.and_then(Result::ok),
        phones: lines(&f.phones),
        emails: lines(&f.emails),
        province_code: opt(&f.province_code),
        ward_code: opt(&f.ward_code),
        street: opt(&f.street),
        company_id: f.company_id.parse().ok(),
        source_id: f.source_id.parse().ok(),
        stage_id: f.stage_id.parse().ok(),
        tags: lines(&f.tags),
        notes: opt(&f.notes),
        custom,
        owner_id: match f.owner.as_str() {
            "auto" => None,
            o => o.parse().ok().or(p.ctx.account_id()),
        },
        supporters: Vec::new(),
        viewers: Vec::new(),
    };
    let result = match birthday {
        Some(Err(())) => Err(khach_core::CoreError::fields([(
            "birthday",
            "cf-invalid-date",
        )])),
        _ => customers::create(&s.core, &p.ctx, input).await,
    };
    match result {
        Ok(c) => Redirect::to(&format!("/customers/{}?done=created", c.id)).into_response(),
        Err(e) => match form_errors(&e, p.ctx.locale) {
            Some(errors) => {
                let current = f.custom_values(&defs);
                let page = NewPage {
                    choices: choices(&s.core, &p.ctx).await,
                    wards: wards_of(&f.province_code),
                    custom: custom_inputs(&defs, &current),
                    f,
                    errors,
                    owners: owner_choice(&s.core, &p.ctx).await,
                    l: p.with_title("customers-new-title").layout,
                };
                render(StatusCode::UNPROCESSABLE_ENTITY, &page)
            }
            None => p.err(e).into_response(),
        },
    }
}
