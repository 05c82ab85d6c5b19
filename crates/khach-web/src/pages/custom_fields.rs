//! `/settings/custom-fields`: custom fields per entity; a type change shows what it
//! does to stored values before it is applied.

use crate::pages::{FormErrors, PageCtx, form_errors, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use khach_core::{CoreError, fields};
use khach_types::api::{
    ChangeFieldKind, CreateCustomField, CustomField, CustomFieldQuery, FieldEntity, FieldKind,
    FieldOption, KindChangePreview, UpdateCustomField,
};
use khach_types::{Action, Module};
use serde::Deserialize;

fn kinds(l: khach_types::Locale) -> Vec<(String, String)> {
    FieldKind::ALL
        .iter()
        .map(|k| {
            (
                k.as_str().to_string(),
                crate::i18n::t(l, &format!("kind-{}", k.as_str().replace('_', "-"))),
            )
        })
        .collect()
}

/// "vang=Vàng" per line (or just a label: the key is made from it).
fn parse_options(text: &str) -> Vec<FieldOption> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| match line.split_once('=') {
            Some((k, v)) => FieldOption {
                key: k.trim().to_string(),
                label: v.trim().to_string(),
            },
            None => {
                let key: String = khach_types::fold(line)
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                    .collect();
                FieldOption {
                    key,
                    label: line.to_string(),
                }
            }
        })
        .collect()
}

fn options_text(o: &[FieldOption]) -> String {
    o.iter()
        .map(|o| format!("{}={}", o.key, o.label))
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(Template)]
#[template(path = "custom_fields/list.html")]
struct ListPage {
    l: crate::pages::Layout,
    entity: String,
    q: String,
    items: Vec<(CustomField, String)>,
    kinds: Vec<(String, String)>,
    f: FieldForm,
    errors: FormErrors,
    can_edit: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    entity: String,
    #[serde(default)]
    q: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct FieldForm {
    #[serde(default)]
    entity: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    options: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    required: Option<String>,
    #[serde(default)]
    unique: Option<String>,
    #[serde(default)]
    show_in_list: Option<String>,
    #[serde(default)]
    filterable: Option<String>,
    #[serde(default)]
    importable: Option<String>,
}

async fn list_page(
    s: &AppState,
    p: PageCtx,
    q: ListQuery,
    f: FieldForm,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let entity = FieldEntity::parse(&q.entity).unwrap_or(FieldEntity::Customer);
    let l = p.ctx.locale;
    let list = match fields::list(
        &s.core,
        &p.ctx,
        &CustomFieldQuery {
            entity: Some(entity),
            q: Some(q.q.clone()),
        },
    )
    .await
    {
        Ok(v) => v,
        Err(e) => return p.err(e).into_response(),
    };
    let page = ListPage {
        entity: entity.as_str().into(),
        q: q.q,
        items: list
            .items
            .into_iter()
            .map(|f| {
                let k = crate::i18n::t(l, &format!("kind-{}", f.kind.as_str().replace('_', "-")));
                (f, k)
            })
            .collect(),
        kinds: kinds(l),
        f,
        errors,
        can_edit: p.ctx.can(Module::Customers, Action::Settings),
        l: p.with_title("custom-fields-title").layout,
    };
    render(status, &page)
}

pub async fn list(State(s): State<AppState>, p: PageCtx, Query(q): Query<ListQuery>) -> Response {
    list_page(
        &s,
        p,
        q,
        FieldForm {
            filterable: Some("1".into()),
            importable: Some("1".into()),
            ..Default::default()
        },
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn create(State(s): State<AppState>, p: PageCtx, Form(f): Form<FieldForm>) -> Response {
    let entity = FieldEntity::parse(&f.entity).unwrap_or(FieldEntity::Customer);
    let Some(kind) = FieldKind::parse(&f.kind) else {
        return p
            .err(CoreError::fields([("kind", "value-invalid-choice")]))
            .into_response();
    };
    let input = CreateCustomField {
        entity,
        key: Some(f.key.trim().to_string()).filter(|k| !k.is_empty()),
        label: f.label.clone(),
        kind,
        required: f.required.is_some(),
        unique: f.unique.is_some(),
        position: f.position.trim().parse().ok(),
        show_in_list: f.show_in_list.is_some(),
        filterable: f.filterable.is_some(),
        importable: f.importable.is_some(),
        options: parse_options(&f.options),
    };
    match fields::create(&s.core, &p.ctx, input).await {
        Ok(_) => Redirect::to(&format!(
            "/settings/custom-fields?entity={}&done=saved",
            entity.as_str()
        ))
        .into_response(),
        Err(e) => match form_errors(&e, p.ctx.locale) {
            Some(errors) => {
                list_page(
                    &s,
                    p,
                    ListQuery {
                        entity: entity.as_str().into(),
                        q: String::new(),
                    },
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
#[template(path = "custom_fields/edit.html")]
struct EditPage {
    l: crate::pages::Layout,
    field: CustomField,
    options: String,
    kinds: Vec<(String, String)>,
    preview: Option<KindChangePreview>,
    error: Option<String>,
    can_edit: bool,
}

async fn edit_page(
    s: &AppState,
    p: PageCtx,
    id: i64,
    preview: Option<KindChangePreview>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let field = match fields::get(&s.core, &p.ctx, id).await {
        Ok(f) => f,
        Err(e) => return p.err(e).into_response(),
    };
    let l = p.ctx.locale;
    let page = EditPage {
        options: options_text(&field.options),
        field,
        kinds: kinds(l),
        preview,
        error,
        can_edit: p.ctx.can(Module::Customers, Action::Settings),
        l: p.with_title("custom-fields-edit-title").layout,
    };
    render(status, &page)
}

pub async fn edit(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    edit_page(&s, p, id, None, None, StatusCode::OK).await
}

fn message(e: CoreError, l: khach_types::Locale) -> String {
    let api = crate::error::ApiError::from_core(e, l);
    let mut msg = api.message;
    for v in api.fields.values() {
        msg = format!("{msg} {v}");
    }
    msg
}

pub async fn save(
    State(s): State<AppState>,
    p: PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<FieldForm>,
) -> Response {
    let current = match fields::get(&s.core, &p.ctx, id).await {
        Ok(c) => c,
        Err(e) => return p.err(e).into_response(),
    };
    let input = UpdateCustomField {
        label: Some(f.label.clone()),
        required: Some(f.required.is_some()),
        unique: Some(f.unique.is_some()),
        position: f.position.trim().parse().ok(),
        show_in_list: Some(f.show_in_list.is_some()),
        filterable: Some(f.filterable.is_some()),
        importable: Some(f.importable.is_some()),
        options: current
            .kind
            .has_options()
            .then(|| parse_options(&f.options)),
    };
    match fields::update(&s.core, &p.ctx, id, input).await {
        Ok(_) => Redirect::to(&format!("/settings/custom-fields/{id}?done=saved")).into_response(),
        Err(e @ (CoreError::Validation(_) | CoreError::Conflict { .. } | CoreError::InUse(_))) => {
            let msg = message(e, p.ctx.locale);
            edit_page(&s, p, id, None, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => p.err(e).into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct KindForm {
    kind: String,
    #[serde(default)]
    apply: Option<String>,
}

pub async fn change_kind(
    State(s): State<AppState>,
    p: PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<KindForm>,
) -> Response {
    let Some(kind) = FieldKind::parse(&f.kind) else {
        return p
            .err(CoreError::fields([("kind", "value-invalid-choice")]))
            .into_response();
    };
    match fields::change_kind(
        &s.core,
        &p.ctx,
        id,
        ChangeFieldKind {
            kind,
            apply: f.apply.is_some(),
        },
    )
    .await
    {
        Ok(pv) if pv.applied => {
            Redirect::to(&format!("/settings/custom-fields/{id}?done=saved")).into_response()
        }
        Ok(pv) => edit_page(&s, p, id, Some(pv), None, StatusCode::OK).await,
        Err(e @ (CoreError::Validation(_) | CoreError::InUse(_))) => {
            let msg = message(e, p.ctx.locale);
            edit_page(&s, p, id, None, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => p.err(e).into_response(),
    }
}

pub async fn delete(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    match fields::delete(&s.core, &p.ctx, id).await {
        Ok(()) => Redirect::to("/settings/custom-fields?done=deleted").into_response(),
        Err(e @ CoreError::InUse(_)) => {
            let msg = message(e, p.ctx.locale);
            edit_page(&s, p, id, None, Some(msg), StatusCode::CONFLICT).await
        }
        Err(e) => p.err(e).into_response(),
    }
}
