//! Display settings per person: list columns (cài đặt hiển thị) and detail tabs.

use crate::pages::{PageCtx, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use khach_core::{fields, prefs};
use khach_types::api::{DetailTabs, FieldEntity, ListColumns};
use khach_types::{Action, Module};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "customers/columns.html")]
struct ColumnsPage {
    l: crate::pages::Layout,
    /// (key, label, shown, position)
    columns: Vec<(String, String, bool, usize)>,
}

pub async fn columns(State(s): State<AppState>, p: PageCtx) -> Response {
    if let Err(e) = p.require(Module::Customers, Action::View) {
        return e.into_response();
    }
    let l = p.ctx.locale;
    let chosen = prefs::columns(&s.core, &p.ctx)
        .await
        .map(|c| c.columns)
        .unwrap_or_default();
    let defs = fields::defs(s.core.db.conn(), FieldEntity::Customer)
        .await
        .unwrap_or_default();
    let mut all: Vec<String> = prefs::COLUMNS.iter().map(|c| c.to_string()).collect();
    all.extend(defs.iter().map(|d| format!("cf.{}", d.key)));
    let mut columns: Vec<(String, String, bool, usize)> = all
        .into_iter()
        .map(|c| {
            let pos = chosen.iter().position(|x| *x == c);
            let label = super::column_label(l, &c, &defs);
            (c, label, pos.is_some(), pos.map_or(99, |p| p + 1))
        })
        .collect();
    columns.sort_by_key(|c| c.3);
    render(
        StatusCode::OK,
        &ColumnsPage {
            columns,
            l: p.with_title("customers-columns-title").layout,
        },
    )
}

pub async fn save_columns(
    State(s): State<AppState>,
    p: PageCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    // `col` checkboxes in page order, `pos.<col>` numbers to reorder.
    let mut chosen: Vec<(usize, usize, String)> = Vec::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if k == "col" {
            let pos = pairs
                .iter()
                .find(|(pk, _)| *pk == format!("pos.{v}"))
                .and_then(|(_, n)| n.trim().parse().ok())
                .unwrap_or(99);
            chosen.push((pos, i, v.clone()));
        }
    }
    chosen.sort();
    let input = ListColumns {
        columns: chosen.into_iter().map(|c| c.2).collect(),
    };
    match prefs::set_columns(&s.core, &p.ctx, input).await {
        Ok(_) => Redirect::to("/customers?done=saved").into_response(),
        Err(e) => p.err(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "customers/tabs.html")]
struct TabsPage {
    l: crate::pages::Layout,
    tabs: Vec<(String, String, bool)>,
    back: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct Back {
    #[serde(default)]
    back: String,
}

pub async fn tabs(State(s): State<AppState>, p: PageCtx, Query(b): Query<Back>) -> Response {
    let l = p.ctx.locale;
    let chosen = prefs::tabs(&s.core, &p.ctx)
        .await
        .map(|t| t.tabs)
        .unwrap_or_default();
    let mut tabs: Vec<(String, String, bool)> = chosen
        .iter()
        .map(|t| {
            (
                t.clone(),
                crate::i18n::t(l, &format!("customers-tab-{t}")),
                true,
            )
        })
        .collect();
    for t in prefs::TABS {
        if !chosen.iter().any(|c| c == t) {
            tabs.push((
                t.to_string(),
                crate::i18n::t(l, &format!("customers-tab-{t}")),
                false,
            ));
        }
    }
    let back = if b.back.chars().all(|c| c.is_ascii_digit()) {
        b.back
    } else {
        String::new()
    };
    render(
        StatusCode::OK,
        &TabsPage {
            tabs,
            back,
            l: p.with_title("customers-tabs-settings").layout,
        },
    )
}

pub async fn save_tabs(
    State(s): State<AppState>,
    p: PageCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let tabs: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "tab")
        .map(|(_, v)| v.clone())
        .collect();
    let back: String = pairs
        .iter()
        .find(|(k, _)| k == "back")
        .map(|(_, v)| v.clone())
        .filter(|b| !b.is_empty() && b.chars().all(|c| c.is_ascii_digit()))
        .unwrap_or_default();
    match prefs::set_tabs(&s.core, &p.ctx, DetailTabs { tabs }).await {
        Ok(_) if back.is_empty() => Redirect::to("/customers?done=saved").into_response(),
        Ok(_) => Redirect::to(&format!("/customers/{back}?done=saved")).into_response(),
        Err(e) => p.err(e).into_response(),
    }
}
