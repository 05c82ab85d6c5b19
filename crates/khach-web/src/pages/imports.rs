//! The import wizard (`/imports`): upload → preview and mapping with the options →
//! dry run → the real run with live progress → result, error file, undo; and the
//! history of runs. Progress pages refresh themselves while a run works (no script
//! needed). Export of the customer list (`/customers/export`) is here too.

use crate::api::imports::{download, spawn_run};
use crate::i18n::t;
use crate::pages::{PageCtx, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use khach_core::imports::{self, read::Input};
use khach_core::{CoreError, exports};
use khach_types::api::{
    AccountRef, ExportFormat, ExportRequest, FieldEntity, Import, ImportOptions, ImportProblem,
    ImportStatus, MatchBy, OnMatch, OwnerMode,
};
use khach_types::{Action, Locale, Module};
use std::sync::Arc;

/// Fields offered for a column, as `(value, label key)`.
const FIELDS: &[(&str, &str)] = &[
    ("name", "field-name"),
    ("code", "field-code"),
    ("phone", "field-phones"),
    ("email", "field-emails"),
    ("gender", "field-gender"),
    ("birthday", "field-birthday"),
    ("province_code", "field-province-code"),
    ("ward_code", "field-ward-code"),
    ("street", "field-street"),
    ("notes", "field-notes"),
    ("stage", "field-stage"),
    ("source", "field-source"),
    ("tags", "field-tags"),
    ("owner", "field-owner"),
];

/// A problem reason in the page's language: `field: key` → `field: message`.
fn reason(l: Locale, r: &str) -> String {
    match r.rsplit_once(": ") {
        Some((key, n)) if n.parse::<u64>().is_ok() => format!("{}: {n}", t(l, key)),
        Some((field, key)) => format!("{field}: {}", t(l, key)),
        None => t(l, r),
    }
}

#[derive(Template)]
#[template(path = "imports/list.html")]
struct ListPage {
    l: crate::pages::Layout,
    runs: Vec<(Import, String)>,
    error: Option<String>,
}

pub async fn list(State(s): State<AppState>, p: PageCtx) -> Response {
    show_list(&s, p, None).await
}

async fn show_list(s: &AppState, p: PageCtx, error: Option<String>) -> Response {
    let runs = match imports::list(&s.core, &p.ctx, 50).await {
        Ok(r) => r.items,
        Err(e) => return p.err(e).into_response(),
    };
    let l = p.ctx.locale;
    let runs = runs
        .into_iter()
        .map(|r| {
            let s = t(l, &format!("imports-status-{}", r.status.as_str()));
            (r, s)
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ListPage {
        runs,
        error,
        l: p.with_title("imports-title").layout,
    };
    render(status, &page)
}

/// Step 1: the uploaded file becomes a run not started yet.
pub async fn upload(State(s): State<AppState>, p: PageCtx, mut form: Multipart) -> Response {
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("import.csv").to_string();
            match field.bytes().await {
                Ok(b) => file = Some((name, b.to_vec())),
                Err(_) => break,
            }
        }
    }
    let l = p.ctx.locale;
    let Some((name, bytes)) = file.filter(|f| !f.1.is_empty()) else {
        return show_list(&s, p, Some(t(l, "import-file-empty"))).await;
    };
    let opts = ImportOptions {
        dry_run: true,
        ..ImportOptions::default()
    };
    match imports::start(&s.core, &p.ctx, &name, Input::Bytes(Arc::new(bytes)), opts).await {
        Ok(i) => Redirect::to(&format!("/imports/{}/setup", i.id)).into_response(),
        Err(e) => {
            let msg = crate::pages::form_errors(&e, l)
                .map(|f| f.values().cloned().collect::<Vec<_>>().join(" "))
                .unwrap_or_else(|| t(l, e.code().as_str()));
            show_list(&s, p, Some(msg)).await
        }
    }
}

#[derive(Template)]
#[template(path = "imports/setup.html")]
struct SetupPage {
    l: crate::pages::Layout,
    run: Import,
    encoding: String,
    /// `(header, chosen field or "")` per column.
    columns: Vec<(String, String, Option<String>)>,
    rows: Vec<Vec<String>>,
    fields: Vec<(String, String)>,
    accounts: Vec<(i64, String, bool)>,
    stages: Vec<(i64, String, bool)>,
    sources: Vec<(i64, String, bool)>,
    match_by: String,
    on_match: String,
    owner_mode: String,
    tags: String,
    errors: Vec<String>,
}

pub async fn setup(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    show_setup(&s, p, id, None, Vec::new()).await
}

async fn show_setup(
    s: &AppState,
    p: PageCtx,
    id: i64,
    sent: Option<ImportOptions>,
    errors: Vec<String>,
) -> Response {
    let l = p.ctx.locale;
    let run = match imports::get(&s.core, &p.ctx, id).await {
        Ok(r) => r,
        Err(e) => return p.err(e).into_response(),
    };
    if run.status != ImportStatus::Queued || run.counts.processed > 0 {
        return Redirect::to(&format!("/imports/{id}")).into_response();
    }
    let o = sent.unwrap_or_else(|| run.options.clone());
    let pre = match imports::preview_of(&s.core, &p.ctx, id).await {
        Ok(x) => x,
        Err(e) => return p.err(e).into_response(),
    };
    let c = s.core.db.conn();
    let defs = khach_core::fields::defs(c, FieldEntity::Customer)
        .await
        .unwrap_or_default();
    let mut fields: Vec<(String, String)> = FIELDS
        .iter()
        .map(|(k, key)| ((*k).to_string(), t(l, key)))
        .collect();
    fields.extend(
        defs.iter()
            .map(|d| (format!("custom.{}", d.key), d.label.clone())),
    );
    let accounts: Vec<AccountRef> = khach_core::customers::assign::assignable(&s.core, &p.ctx)
        .await
        .unwrap_or_default();
    let accounts = accounts
        .into_iter()
        .map(|a| {
            (
                a.id,
                format!("{} ({})", a.full_name, a.username),
                o.owners.contains(&a.id),
            )
        })
        .collect();
    let pick = |v: Vec<(i64, String)>, chosen: Option<i64>| -> Vec<(i64, String, bool)> {
        v.into_iter()
            .map(|(id, n)| (id, n, Some(id) == chosen))
            .collect()
    };
    let word = |v: serde_json::Result<serde_json::Value>| {
        v.ok()
            .and_then(|x| x.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let stages = khach_db_list(
        khach_core::taxonomy::list_stages(&s.core, &p.ctx)
            .await
            .map(|x| x.items.into_iter().map(|s| (s.id, s.name)).collect()),
    );
    let sources = khach_db_list(
        khach_core::taxonomy::list_sources(&s.core, &p.ctx)
            .await
            .map(|x| x.items.into_iter().map(|s| (s.id, s.name)).collect()),
    );
    let columns = pre
        .columns
        .into_iter()
        .map(|c| {
            let chosen = o
                .mapping
                .get(&c.header)
                .cloned()
                .or(c.field)
                .unwrap_or_default();
            let why = c.reason.map(|r| t(l, &r));
            (c.header, chosen, why)
        })
        .collect();
    let page = SetupPage {
        stages: pick(stages, o.stage_id),
        sources: pick(sources, o.source_id),
        match_by: word(serde_json::to_value(o.match_by)),
        on_match: word(serde_json::to_value(o.on_match)),
        owner_mode: word(serde_json::to_value(o.owner_mode)),
        tags: o.tags.join(", "),
        run,
        encoding: pre.encoding,
        columns,
        rows: pre.rows,
        fields,
        accounts,
        errors: errors.clone(),
        l: p.with_title("imports-setup-title").layout,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(status, &page)
}

fn khach_db_list(r: Result<Vec<(i64, String)>, CoreError>) -> Vec<(i64, String)> {
    r.unwrap_or_default()
}

fn options_from(pairs: &[(String, String)]) -> ImportOptions {
    let mut o = ImportOptions {
        dry_run: true,
        ..ImportOptions::default()
    };
    let mut headers = Vec::new();
    let mut maps = Vec::new();
    let one = |v: &str| serde_json::Value::String(v.to_string());
    for (k, v) in pairs {
        match k.as_str() {
            "header" => headers.push(v.clone()),
            "map" => maps.push(v.clone()),
            "match_by" => o.match_by = serde_json::from_value(one(v)).unwrap_or(MatchBy::None),
            "on_match" => o.on_match = serde_json::from_value(one(v)).unwrap_or(OnMatch::Skip),
            "owner_mode" => {
                o.owner_mode = serde_json::from_value(one(v)).unwrap_or(OwnerMode::Mine)
            }
            "owners" => o.owners.extend(v.parse::<i64>().ok()),
            "tags" => {
                o.tags = v
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect();
            }
            "stage_id" => o.stage_id = v.parse().ok(),
            "source_id" => o.source_id = v.parse().ok(),
            _ => {}
        }
    }
    for (h, m) in headers.into_iter().zip(maps) {
        o.mapping.insert(h, m);
    }
    o
}

/// Step 2 → 3: save the mapping and options, start the dry run.
pub async fn save_setup(
    State(s): State<AppState>,
    p: PageCtx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let o = options_from(&pairs);
    let l = p.ctx.locale;
    match imports::configure(&s.core, &p.ctx, id, o.clone()).await {
        Ok(_) => {
            spawn_run(s.core.clone(), p.ctx.clone(), id);
            Redirect::to(&format!("/imports/{id}")).into_response()
        }
        Err(e) => {
            let errors = match &e {
                CoreError::Validation(m) => {
                    m.iter().map(|(k, v)| format!("{k}: {}", t(l, v))).collect()
                }
                other => vec![t(l, other.code().as_str())],
            };
            show_setup(&s, p, id, Some(o), errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "imports/show.html")]
struct ShowPage {
    l: crate::pages::Layout,
    run: Import,
    status: String,
    error: Option<String>,
    done: bool,
    working: bool,
    percent: u64,
    /// Row, outcome and reason, in the page's language.
    problems: Vec<(u64, String, String)>,
    notice: Option<String>,
}

pub async fn show(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    show_run(&s, p, id, None).await
}

async fn show_run(s: &AppState, p: PageCtx, id: i64, notice: Option<String>) -> Response {
    let l = p.ctx.locale;
    let run = match imports::get(&s.core, &p.ctx, id).await {
        Ok(r) => r,
        Err(e) => return p.err(e).into_response(),
    };
    let problems = imports::problems(&s.core, &p.ctx, id, 0, 100)
        .await
        .map(|x| x.items)
        .unwrap_or_default()
        .into_iter()
        .map(|pr: ImportProblem| {
            let outcome = t(l, &format!("imports-{}", pr.outcome.as_str()));
            (pr.row, outcome, reason(l, &pr.reason))
        })
        .collect();
    let c = run.counts;
    let percent = (c.processed * 100).checked_div(c.total).unwrap_or(0);
    let page = ShowPage {
        status: t(l, &format!("imports-status-{}", run.status.as_str())),
        error: run.error.as_deref().map(|e| reason(l, e)),
        done: run.status == ImportStatus::Done,
        working: matches!(run.status, ImportStatus::Queued | ImportStatus::Running),
        percent,
        run,
        problems,
        notice,
        l: p.with_title("imports-run-title").layout,
    };
    render(StatusCode::OK, &page)
}

/// After a dry run: the real run of the same file and options.
pub async fn run_for_real(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    match imports::promote(&s.core, &p.ctx, id).await {
        Ok(i) => {
            spawn_run(s.core.clone(), p.ctx.clone(), i.id);
            Redirect::to(&format!("/imports/{}", i.id)).into_response()
        }
        Err(e) => p.err(e).into_response(),
    }
}

pub async fn undo(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    let l = p.ctx.locale;
    match imports::undo(&s.core, &p.ctx, id).await {
        Ok((_, r)) => {
            let notice = format!(
                "{}: {} {}, {} {}, {} {}",
                t(l, "imports-undone"),
                r.deleted,
                t(l, "imports-undo-deleted"),
                r.restored,
                t(l, "imports-undo-restored"),
                r.refused,
                t(l, "imports-undo-refused"),
            );
            show_run(&s, p, id, Some(notice)).await
        }
        Err(e) => p.err(e).into_response(),
    }
}

pub async fn error_file(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    match imports::error_file(&s.core, &p.ctx, id).await {
        Ok(b) => download(
            b,
            "text/csv; charset=utf-8",
            &format!("import-{id}-errors.csv"),
        ),
        Err(e) => p.err(e).into_response(),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct ExportQuery {
    #[serde(default)]
    format: String,
    q: Option<String>,
}

/// The customer list's export: its quick search, CSV or XLSX.
pub async fn export(
    State(s): State<AppState>,
    p: PageCtx,
    Query(q): Query<ExportQuery>,
) -> Response {
    if let Err(e) = p.require(Module::Customers, Action::Export) {
        return e.into_response();
    }
    let req = ExportRequest {
        search: khach_types::api::CustomerSearch {
            q: q.q.filter(|s| !s.trim().is_empty()),
            ..Default::default()
        },
        format: if q.format == "xlsx" {
            ExportFormat::Xlsx
        } else {
            ExportFormat::Csv
        },
        ..ExportRequest::default()
    };
    match exports::export(&s.core, &p.ctx, req).await {
        Ok(f) => download(f.bytes, f.content_type, &f.file_name),
        Err(e) => p.err(e).into_response(),
    }
}
