//! `/customers/merge?ids=…`: the merge screen — choose the record that stays and,
//! per field where the records differ, the value to keep; preview; merge. And
//! `POST /customers/merges/{id}/undo` from the customer page's same-phone tab.

use crate::pages::{PageCtx, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::{Form, Query};
use khach_core::{customers, fields, merge};
use khach_types::api::{Customer, FieldEntity, MergeInput, MergePreview};
use std::collections::BTreeMap;

/// One line of the field table: key, label, and per record (id, shown value,
/// chosen).
pub struct FieldRow {
    pub key: String,
    pub label: String,
    pub conflict: bool,
    pub cells: Vec<(i64, String, bool)>,
}

#[derive(Template)]
#[template(path = "merges/form.html")]
struct MergePage {
    l: crate::pages::Layout,
    records: Vec<Customer>,
    survivor: i64,
    rows: Vec<FieldRow>,
    preview: Option<MergePreview>,
    /// Whether the preview was asked for (then the summary is shown).
    previewed: bool,
    /// What moves to the survivor, in words.
    moved: String,
    error: Option<String>,
}

/// The form and the query string: `ids` (every record), `survivor`,
/// `field.<key>` = the record whose value to keep, `action` = preview | merge.
fn parse(pairs: &[(String, String)]) -> (Vec<i64>, Option<i64>, BTreeMap<String, i64>, String) {
    let mut ids = Vec::new();
    let mut survivor = None;
    let mut chosen = BTreeMap::new();
    let mut action = String::new();
    for (k, v) in pairs {
        match k.as_str() {
            "ids" => {
                if let Ok(i) = v.parse::<i64>()
                    && !ids.contains(&i)
                {
                    ids.push(i);
                }
            }
            "survivor" => survivor = v.parse().ok(),
            "action" => action = v.clone(),
            _ => {
                if let (Some(f), Ok(i)) = (k.strip_prefix("field."), v.parse::<i64>()) {
                    chosen.insert(f.to_string(), i);
                }
            }
        }
    }
    (ids, survivor, chosen, action)
}

fn label(l: khach_types::Locale, defs: &[fields::Def], key: &str) -> String {
    match key {
        "owner_id" => crate::i18n::t(l, "field-owner"),
        "address" => crate::i18n::t(l, "merge-field-address"),
        k => match k.strip_prefix("custom.") {
            Some(ck) => defs
                .iter()
                .find(|d| d.key == ck)
                .map_or(ck.to_string(), |d| d.label.clone()),
            None => crate::i18n::t(l, &format!("field-{}", k.replace('_', "-"))),
        },
    }
}

async fn show(
    s: &AppState,
    p: PageCtx,
    pairs: Vec<(String, String)>,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let (ids, survivor, chosen, action) = parse(&pairs);
    let survivor = survivor
        .filter(|x| ids.contains(x))
        .or(ids.first().copied())
        .unwrap_or(0);
    let mut records = Vec::new();
    for id in &ids {
        match customers::get(&s.core, &p.ctx, *id).await {
            Ok(c) => records.push(c),
            Err(e) => return p.err(e).into_response(),
        }
    }
    let input = MergeInput {
        survivor_id: survivor,
        merged_ids: ids.iter().copied().filter(|i| *i != survivor).collect(),
        fields: chosen,
        dry_run: true,
    };
    let preview = match merge::merge(&s.core, &p.ctx, input).await {
        Ok(pv) => pv,
        Err(e) => return p.err(e).into_response(),
    };
    let l = p.ctx.locale;
    let defs = fields::defs(s.core.db.conn(), FieldEntity::Customer)
        .await
        .unwrap_or_default();
    let rows = preview
        .fields
        .iter()
        .filter(|f| f.values.values().any(|v| !v.is_empty()))
        .map(|f| FieldRow {
            key: f.key.clone(),
            label: label(l, &defs, &f.key),
            conflict: f.conflict,
            cells: records
                .iter()
                .map(|r| {
                    let shown = f.values.get(&r.id).cloned().unwrap_or_default();
                    let shown = if f.key == "gender" && !shown.is_empty() {
                        crate::i18n::t(l, &format!("gender-{shown}"))
                    } else {
                        shown
                    };
                    (r.id, shown, f.chosen == r.id)
                })
                .collect(),
        })
        .collect();
    let moved = crate::i18n::t_args(
        l,
        "merge-moved",
        &[
            ("events", preview.events_moved.to_string()),
            ("contacts", preview.contacts_moved.to_string()),
            ("rows", preview.import_rows_moved.to_string()),
        ],
    );
    let page = MergePage {
        moved,
        records,
        survivor,
        rows,
        previewed: action == "preview",
        preview: Some(preview),
        error,
        l: p.with_title("merge-title").layout,
    };
    render(status, &page)
}

/// `GET /customers/merge?ids=1&ids=2…`.
pub async fn form(
    State(s): State<AppState>,
    p: PageCtx,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    show(&s, p, pairs, StatusCode::OK, None).await
}

/// `POST /customers/merge`: preview again, or merge.
pub async fn submit(
    State(s): State<AppState>,
    p: PageCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (ids, survivor, chosen, action) = parse(&pairs);
    if action != "merge" {
        return show(&s, p, pairs, StatusCode::OK, None).await;
    }
    let survivor = survivor.unwrap_or_default();
    let input = MergeInput {
        survivor_id: survivor,
        merged_ids: ids.into_iter().filter(|i| *i != survivor).collect(),
        fields: chosen,
        dry_run: false,
    };
    match merge::merge(&s.core, &p.ctx, input).await {
        Ok(_) => Redirect::to(&format!("/customers/{survivor}?tab=duplicates&done=merged"))
            .into_response(),
        Err(e) => match crate::pages::form_errors(&e, p.ctx.locale) {
            Some(errs) => {
                let msg = errs.values().cloned().collect::<Vec<_>>().join(" ");
                show(&s, p, pairs, StatusCode::UNPROCESSABLE_ENTITY, Some(msg)).await
            }
            None => p.err(e).into_response(),
        },
    }
}

/// `POST /customers/merges/{id}/undo`.
pub async fn undo(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    match merge::undo(&s.core, &p.ctx, id).await {
        Ok(c) => Redirect::to(&format!("/customers/{}?tab=duplicates&done=unmerged", c.id))
            .into_response(),
        Err(e) => match crate::pages::form_errors(&e, p.ctx.locale) {
            Some(errs) => {
                let msg = errs.values().cloned().collect::<Vec<_>>().join(" ");
                p.err(e).with_message(msg).into_response()
            }
            None => p.err(e).into_response(),
        },
    }
}
