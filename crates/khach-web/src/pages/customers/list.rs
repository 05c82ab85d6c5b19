//! `/customers`: the list screen.

use super::filter_form::{GroupView, encode_params, filter_of, groups_of};
use super::{cell, column_label};
use crate::pages::{PageCtx, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::{Form, Query};
use khach_core::{customers, fields, prefs, saved_filters, taxonomy};
use khach_types::api::{
    BulkAction, BulkRequest, CreateSavedFilter, CustomerSearch, FieldEntity, SavedFilter, Stage,
    Tag,
};
use khach_types::{Action, Module};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    pub(super) q: String,
    #[serde(default)]
    pub(super) stage_id: String,
    #[serde(default)]
    pub(super) tag_id: String,
    #[serde(default)]
    pub(super) filter_id: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    cursor: String,
    /// `all` (default) or `any`.
    #[serde(default)]
    pub(super) r#match: String,
    /// Filter builder rows: field, operator, value, group number.
    #[serde(default)]
    pub(super) rf: Vec<String>,
    #[serde(default)]
    pub(super) ro: Vec<String>,
    #[serde(default)]
    pub(super) rv: Vec<String>,
    #[serde(default)]
    pub(super) rg: Vec<String>,
    /// `all` or `any` within each group, in group order.
    #[serde(default)]
    pub(super) gm: Vec<String>,
}

pub struct FieldChoice {
    pub key: String,
    pub label: String,
    pub ops: Vec<(String, String)>,
}

pub struct Row {
    pub id: i64,
    pub cells: Vec<String>,
    pub dnc: bool,
}

#[derive(Template)]
#[template(path = "customers/list.html")]
struct ListPage {
    l: crate::pages::Layout,
    q: String,
    stage_id: String,
    tag_id: String,
    filter_id: String,
    sort: String,
    any: bool,
    columns: Vec<(String, String, Option<String>)>,
    rows: Vec<Row>,
    total: u64,
    next: Option<String>,
    stages: Vec<Stage>,
    tags: Vec<Tag>,
    saved: Vec<SavedFilter>,
    fields: Vec<FieldChoice>,
    groups: Vec<GroupView>,
    error: Option<String>,
    query_string: String,
    can_create: bool,
    can_export: bool,
    can_import: bool,
    can_edit: bool,
    can_delete: bool,
    can_assign: bool,
}

pub async fn list(
    State(s): State<AppState>,
    p: PageCtx,
    Query(params): Query<ListParams>,
) -> Response {
    if let Err(e) = p.require(Module::Customers, Action::View) {
        return e.into_response();
    }
    let core = &s.core;
    let ctx = &p.ctx;
    let l = ctx.locale;
    let mut filter = filter_of(&params);
    if let Ok(id) = params.filter_id.parse::<i64>() {
        match saved_filters::definition(core, ctx, id).await {
            Ok(def) => {
                filter = Some(match filter {
                    Some(mut f) => {
                        f.groups.push(def);
                        f
                    }
                    None => def,
                })
            }
            Err(e) => return p.err(e).into_response(),
        }
    }
    let search = CustomerSearch {
        q: Some(params.q.clone()).filter(|q| !q.trim().is_empty()),
        filter,
        sort: Some(params.sort.clone()).filter(|s| !s.is_empty()),
        limit: Some(50),
        cursor: Some(params.cursor.clone()).filter(|s| !s.is_empty()),
    };
    let (result, error, status) = match customers::search(core, ctx, search).await {
        Ok(r) => (Some(r), None, StatusCode::OK),
        Err(e @ khach_core::CoreError::Validation(_)) => {
            let msg = crate::error::ApiError::from_core(e, l);
            let detail: Vec<String> = msg.fields.values().cloned().collect();
            (
                None,
                Some(if detail.is_empty() {
                    msg.message
                } else {
                    detail.join(" ")
                }),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => return p.err(e).into_response(),
    };
    let defs = fields::defs(core.db.conn(), FieldEntity::Customer)
        .await
        .unwrap_or_default();
    let cols = match prefs::columns(core, ctx).await {
        Ok(c) => c.columns,
        Err(e) => return p.err(e).into_response(),
    };
    let columns = cols
        .iter()
        .map(|c| {
            let sort = customers::sortable(ctx, c, &defs).then(|| {
                if params.sort == *c {
                    format!("-{c}")
                } else {
                    c.clone()
                }
            });
            (c.clone(), column_label(l, c, &defs), sort)
        })
        .collect();
    let (rows, total, next) = match result {
        Some(r) => (
            r.items
                .iter()
                .map(|c| Row {
                    id: c.id,
                    cells: cols.iter().map(|col| cell(l, c, col, &defs)).collect(),
                    dnc: c.do_not_contact.is_some(),
                })
                .collect(),
            r.total,
            r.next_cursor,
        ),
        None => (Vec::new(), 0, None),
    };
    let fields_info = customers::filterable_fields(core, ctx)
        .await
        .unwrap_or_default();
    let fields = fields_info
        .into_iter()
        .map(|f| FieldChoice {
            label: if f.custom {
                f.label.clone()
            } else {
                crate::i18n::t(l, &f.label)
            },
            ops: f
                .ops
                .iter()
                .map(|o| {
                    (
                        o.as_str().to_string(),
                        crate::i18n::t(l, &format!("op-{}", o.as_str().replace('_', "-"))),
                    )
                })
                .collect(),
            key: f.key,
        })
        .collect();
    let groups = groups_of(&params);
    let page = ListPage {
        q: params.q.clone(),
        stage_id: params.stage_id.clone(),
        tag_id: params.tag_id.clone(),
        filter_id: params.filter_id.clone(),
        sort: params.sort.clone(),
        any: params.r#match == "any",
        columns,
        rows,
        total,
        next,
        stages: taxonomy::list_stages(core, ctx)
            .await
            .map(|s| s.items)
            .unwrap_or_default(),
        tags: taxonomy::list_tags(core, ctx)
            .await
            .map(|s| s.items)
            .unwrap_or_default(),
        saved: saved_filters::list(core, ctx)
            .await
            .map(|s| s.items)
            .unwrap_or_default(),
        fields,
        groups,
        error,
        query_string: encode_params(&params),
        can_create: ctx.can(Module::Customers, Action::Create),
        can_export: ctx.can(Module::Customers, Action::Export),
        can_import: ctx.can(Module::Customers, Action::Import),
        can_edit: ctx.can(Module::Customers, Action::Edit),
        can_delete: ctx.can(Module::Customers, Action::Delete),
        can_assign: ctx.can(Module::Customers, Action::Assign),
        l: p.with_title("customers-title").layout,
    };
    render(status, &page)
}

#[derive(Debug, Deserialize)]
pub struct BulkForm {
    #[serde(default)]
    ids: Vec<i64>,
    action: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    back: String,
}

pub async fn bulk(State(s): State<AppState>, p: PageCtx, Form(f): Form<BulkForm>) -> Response {
    let back = crate::pages::safe_next(Some(&format!("/customers?{}", f.back)));
    if f.action == "assign" {
        if f.ids.is_empty() {
            return Redirect::to(&back).into_response();
        }
        return super::assign::start(&s, p, f.ids, f.back).await;
    }
    let action = match f.action.as_str() {
        "tag" => BulkAction::Tag {
            tags: f
                .value
                .split(',')
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect(),
        },
        "untag" => {
            // Tags by name, as typed for "add tags".
            let wanted: Vec<String> = f
                .value
                .split(',')
                .map(khach_types::fold)
                .filter(|t| !t.is_empty())
                .collect();
            let tags = khach_core::taxonomy::list_tags(&s.core, &p.ctx)
                .await
                .map(|l| l.items)
                .unwrap_or_default();
            BulkAction::Untag {
                tag_ids: tags
                    .iter()
                    .filter(|t| wanted.contains(&khach_types::fold(&t.name)))
                    .map(|t| t.id)
                    .collect(),
            }
        }
        "stage" => {
            // A stage by its name (accents optional) or its id.
            let stages = khach_core::taxonomy::list_stages(&s.core, &p.ctx)
                .await
                .map(|l| l.items)
                .unwrap_or_default();
            let want = khach_types::fold(&f.value);
            match stages.iter().find(|st| {
                st.id.to_string() == f.value.trim() || khach_types::fold(&st.name) == want
            }) {
                Some(st) => BulkAction::SetStage { stage_id: st.id },
                None => {
                    return p
                        .err(khach_core::CoreError::fields([(
                            "stage_id",
                            "value-unknown-ref",
                        )]))
                        .into_response();
                }
            }
        }
        "dnc" => BulkAction::DoNotContact {
            reason: Some(f.value.clone()).filter(|v| !v.trim().is_empty()),
        },
        "delete" => BulkAction::Delete,
        _ => {
            return p
                .err(khach_core::CoreError::fields([(
                    "action",
                    "value-invalid-choice",
                )]))
                .into_response();
        }
    };
    if f.ids.is_empty() {
        return Redirect::to(&back).into_response();
    }
    match customers::bulk(&s.core, &p.ctx, BulkRequest { ids: f.ids, action }).await {
        Ok(_) => {
            let sep = if back.contains('?') { '&' } else { '?' };
            Redirect::to(&format!("{back}{sep}done=bulk")).into_response()
        }
        Err(e) => p.err(e).into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct SaveFilterForm {
    name: String,
    #[serde(default)]
    shared: Option<String>,
    #[serde(default)]
    r#match: String,
    #[serde(default)]
    rf: Vec<String>,
    #[serde(default)]
    ro: Vec<String>,
    #[serde(default)]
    rv: Vec<String>,
    #[serde(default)]
    rg: Vec<String>,
    #[serde(default)]
    gm: Vec<String>,
}

pub async fn save_filter(
    State(s): State<AppState>,
    p: PageCtx,
    Form(f): Form<SaveFilterForm>,
) -> Response {
    let params = ListParams {
        r#match: f.r#match,
        rf: f.rf,
        ro: f.ro,
        rv: f.rv,
        rg: f.rg,
        gm: f.gm,
        ..Default::default()
    };
    let Some(definition) = filter_of(&params) else {
        return Redirect::to("/customers").into_response();
    };
    let input = CreateSavedFilter {
        name: f.name,
        shared: f.shared.is_some(),
        definition,
    };
    match saved_filters::create(&s.core, &p.ctx, input).await {
        Ok(sf) => {
            Redirect::to(&format!("/customers?filter_id={}&done=saved", sf.id)).into_response()
        }
        Err(e) => p.err(e).into_response(),
    }
}

pub async fn bin(
    State(s): State<AppState>,
    p: PageCtx,
    Query(params): Query<ListParams>,
) -> Response {
    let q = khach_types::api::CustomerQuery {
        q: Some(params.q.clone()).filter(|q| !q.is_empty()),
        cursor: Some(params.cursor.clone()).filter(|c| !c.is_empty()),
        ..Default::default()
    };
    let list = match customers::list(&s.core, &p.ctx, &q, true).await {
        Ok(l) => l,
        Err(e) => return p.err(e).into_response(),
    };
    let page = BinPage {
        items: list
            .items
            .into_iter()
            .map(|c| {
                (
                    c.id,
                    c.code,
                    c.name,
                    crate::pages::format::opt_datetime(&c.deleted_at),
                )
            })
            .collect(),
        next: list.next_cursor,
        is_admin: p.ctx.is_admin(),
        l: p.with_title("customers-bin-title").layout,
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "customers/bin.html")]
struct BinPage {
    l: crate::pages::Layout,
    items: Vec<(i64, String, String, String)>,
    next: Option<String>,
    is_admin: bool,
}
