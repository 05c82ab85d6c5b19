//! `/settings/customers`: stages, sources, tags and the customer rules (source
//! attribution, recycle-bin retention, shared contacts, automatic assignment).

use crate::pages::{PageCtx, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use khach_core::{CoreError, customers, taxonomy};
use khach_types::api::{
    CreateSource, CreateStage, CreateTag, CustomerSettings, MergeTag, Source, SourceRule, Stage,
    Tag, UpdateCustomerSettings, UpdateSource, UpdateStage, UpdateTag,
};
use khach_types::{Action, Module};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "customer_settings/page.html")]
struct SettingsPage {
    l: crate::pages::Layout,
    settings: CustomerSettings,
    stages: Vec<Stage>,
    sources: Vec<Source>,
    tags: Vec<Tag>,
    /// Accounts that receive automatically assigned customers, and whose turn is next.
    receivers: Vec<(String, bool)>,
    can_edit: bool,
    error: Option<String>,
}

async fn show(s: &AppState, p: PageCtx, error: Option<String>, status: StatusCode) -> Response {
    let core = &s.core;
    let ctx = &p.ctx;
    let settings = match customers::read_settings(core, ctx).await {
        Ok(v) => v,
        Err(e) => return p.err(e).into_response(),
    };
    let (receivers, next) = customers::assign::receivers(core, ctx)
        .await
        .unwrap_or_default();
    let page = SettingsPage {
        receivers: receivers
            .into_iter()
            .map(|a| (a.full_name, Some(a.id) == next))
            .collect(),
        settings,
        stages: taxonomy::list_stages(core, ctx)
            .await
            .map(|l| l.items)
            .unwrap_or_default(),
        sources: taxonomy::list_sources(core, ctx)
            .await
            .map(|l| l.items)
            .unwrap_or_default(),
        tags: taxonomy::list_tags(core, ctx)
            .await
            .map(|l| l.items)
            .unwrap_or_default(),
        can_edit: ctx.can(Module::Customers, Action::Settings),
        error,
        l: p.with_title("customer-settings-title").layout,
    };
    render(status, &page)
}

pub async fn page(State(s): State<AppState>, p: PageCtx) -> Response {
    show(&s, p, None, StatusCode::OK).await
}

/// Every change answers by showing the page again: done, or what went wrong.
async fn done(s: &AppState, p: PageCtx, r: Result<(), CoreError>) -> Response {
    match r {
        Ok(()) => Redirect::to("/settings/customers?done=saved").into_response(),
        Err(e @ (CoreError::Validation(_) | CoreError::Conflict { .. } | CoreError::InUse(_))) => {
            let api = crate::error::ApiError::from_core(e, p.ctx.locale);
            let mut msg = api.message;
            for v in api.fields.values() {
                msg = format!("{msg} {v}");
            }
            show(s, p, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => p.err(e).into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct RulesForm {
    source_rule: String,
    bin_retention_days: String,
    #[serde(default)]
    allow_duplicate_contacts: Option<String>,
    #[serde(default)]
    auto_assign: Option<String>,
}

pub async fn save_rules(
    State(s): State<AppState>,
    p: PageCtx,
    Form(f): Form<RulesForm>,
) -> Response {
    let rule = match f.source_rule.as_str() {
        "last" => SourceRule::Last,
        "priority" => SourceRule::Priority,
        _ => SourceRule::First,
    };
    let days = f.bin_retention_days.trim().parse().ok();
    let r = match days {
        None => Err(CoreError::fields([(
            "bin_retention_days",
            "value-retention-days",
        )])),
        Some(d) => customers::update_settings(
            &s.core,
            &p.ctx,
            UpdateCustomerSettings {
                source_rule: Some(rule),
                bin_retention_days: Some(d),
                allow_duplicate_contacts: Some(f.allow_duplicate_contacts.is_some()),
                auto_assign: Some(f.auto_assign.is_some()),
            },
        )
        .await
        .map(|_| ()),
    };
    done(&s, p, r).await
}

#[derive(Debug, Deserialize)]
pub struct NamedForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    color: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    into: String,
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

pub async fn add_stage(
    State(s): State<AppState>,
    p: PageCtx,
    Form(f): Form<NamedForm>,
) -> Response {
    let r = taxonomy::create_stage(
        &s.core,
        &p.ctx,
        CreateStage {
            name: f.name,
            color: opt(&f.color),
            position: f.position.trim().parse().ok(),
        },
    )
    .await;
    done(&s, p, r.map(|_| ())).await
}

pub async fn save_stage(
    State(s): State<AppState>,
    p: PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<NamedForm>,
) -> Response {
    let r = taxonomy::update_stage(
        &s.core,
        &p.ctx,
        id,
        UpdateStage {
            name: opt(&f.name),
            color: opt(&f.color),
            position: f.position.trim().parse().ok(),
        },
    )
    .await;
    done(&s, p, r.map(|_| ())).await
}

pub async fn delete_stage(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    let r = taxonomy::delete_stage(&s.core, &p.ctx, id).await;
    done(&s, p, r).await
}

pub async fn add_source(
    State(s): State<AppState>,
    p: PageCtx,
    Form(f): Form<NamedForm>,
) -> Response {
    let r = taxonomy::create_source(
        &s.core,
        &p.ctx,
        CreateSource {
            name: f.name,
            priority: f.priority.trim().parse().unwrap_or(100),
        },
    )
    .await;
    done(&s, p, r.map(|_| ())).await
}

pub async fn save_source(
    State(s): State<AppState>,
    p: PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<NamedForm>,
) -> Response {
    let r = taxonomy::update_source(
        &s.core,
        &p.ctx,
        id,
        UpdateSource {
            name: opt(&f.name),
            priority: f.priority.trim().parse().ok(),
        },
    )
    .await;
    done(&s, p, r.map(|_| ())).await
}

pub async fn delete_source(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    let r = taxonomy::delete_source(&s.core, &p.ctx, id).await;
    done(&s, p, r).await
}

pub async fn add_tag(State(s): State<AppState>, p: PageCtx, Form(f): Form<NamedForm>) -> Response {
    let r = taxonomy::create_tag(
        &s.core,
        &p.ctx,
        CreateTag {
            name: f.name,
            color: opt(&f.color),
        },
    )
    .await;
    done(&s, p, r.map(|_| ())).await
}

pub async fn save_tag(
    State(s): State<AppState>,
    p: PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<NamedForm>,
) -> Response {
    let r = match f.into.trim().parse::<i64>() {
        Ok(into) => taxonomy::merge_tag(&s.core, &p.ctx, id, MergeTag { into }).await,
        Err(_) => {
            taxonomy::update_tag(
                &s.core,
                &p.ctx,
                id,
                UpdateTag {
                    name: opt(&f.name),
                    color: opt(&f.color),
                },
            )
            .await
        }
    };
    done(&s, p, r.map(|_| ())).await
}

pub async fn delete_tag(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    let r = taxonomy::delete_tag(&s.core, &p.ctx, id).await;
    done(&s, p, r).await
}
