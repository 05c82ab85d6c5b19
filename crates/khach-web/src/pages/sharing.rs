//! `/settings/sharing`: sharing rules ("share every customer with tag X / at stage Y /
//! matching shared filter Z with these accounts as viewers"), their care status
//! counts, and "run now".

use crate::pages::{PageCtx, form_errors, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use khach_core::{CoreError, customers, sharing, taxonomy};
use khach_types::api::{
    AccountRef, CreateSharingRule, Department, PageQuery, ShareMatch, SharingRule,
    UpdateSharingRule,
};

#[derive(Template)]
#[template(path = "sharing/list.html")]
struct ListPage {
    l: crate::pages::Layout,
    rules: Vec<RuleView>,
    /// `(value, label)` per kind: tags, stages, shared filters.
    tags: Vec<(String, String)>,
    stages: Vec<(String, String)>,
    filters: Vec<(String, String)>,
    accounts: Vec<AccountRef>,
    departments: Vec<Department>,
    error: Option<String>,
}

/// A rule as its form shows it: the match as a select value and label, and each
/// account with whether the rule names it.
struct RuleView {
    r: SharingRule,
    value: String,
    shown: String,
    checks: Vec<(i64, String, bool)>,
    department: String,
}

fn match_value(m: ShareMatch) -> String {
    match m {
        ShareMatch::Filter(id) => format!("filter:{id}"),
        ShareMatch::Tag(id) => format!("tag:{id}"),
        ShareMatch::Stage(id) => format!("stage:{id}"),
    }
}

fn parse_match(v: &str) -> Option<ShareMatch> {
    let (kind, id) = v.split_once(':')?;
    let id = id.parse().ok()?;
    Some(match kind {
        "filter" => ShareMatch::Filter(id),
        "tag" => ShareMatch::Tag(id),
        "stage" => ShareMatch::Stage(id),
        _ => return None,
    })
}

async fn show(s: &AppState, p: PageCtx, error: Option<String>, status: StatusCode) -> Response {
    let (core, ctx) = (&s.core, &p.ctx);
    let rules = match sharing::list(core, ctx).await {
        Ok(r) => r.items,
        Err(e) => return p.err(e).into_response(),
    };
    let tags: Vec<(String, String)> = taxonomy::list_tags(core, ctx)
        .await
        .map(|l| {
            l.items
                .into_iter()
                .map(|t| (format!("tag:{}", t.id), t.name))
                .collect()
        })
        .unwrap_or_default();
    let stages: Vec<(String, String)> = taxonomy::list_stages(core, ctx)
        .await
        .map(|l| {
            l.items
                .into_iter()
                .map(|t| (format!("stage:{}", t.id), t.name))
                .collect()
        })
        .unwrap_or_default();
    let filters: Vec<(String, String)> = khach_core::saved_filters::list(core, ctx)
        .await
        .map(|l| {
            l.items
                .into_iter()
                .filter(|f| f.shared)
                .map(|f| (format!("filter:{}", f.id), f.name))
                .collect()
        })
        .unwrap_or_default();
    let label = |v: &str| {
        tags.iter()
            .chain(&stages)
            .chain(&filters)
            .find(|(k, _)| k == v)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let accounts = customers::assign::assignable(core, ctx)
        .await
        .unwrap_or_default();
    let rules = rules
        .into_iter()
        .map(|r| {
            let value = match_value(r.matches);
            let shown = label(&value);
            let checks = accounts
                .iter()
                .map(|a| {
                    let on = r.accounts.iter().any(|x| x.id == a.id);
                    (a.id, a.full_name.clone(), on)
                })
                .collect();
            let department = r.department_id.map(|d| d.to_string()).unwrap_or_default();
            RuleView {
                r,
                value,
                shown,
                checks,
                department,
            }
        })
        .collect();
    let all = PageQuery {
        limit: Some(200),
        cursor: None,
    };
    let page = ListPage {
        rules,
        accounts,
        departments: khach_core::departments::list_all(core, &all)
            .await
            .map(|d| d.items)
            .unwrap_or_default(),
        tags,
        stages,
        filters,
        error,
        l: p.with_title("sharing-title").layout,
    };
    render(status, &page)
}

pub async fn list(State(s): State<AppState>, p: PageCtx) -> Response {
    show(&s, p, None, StatusCode::OK).await
}

async fn done(s: &AppState, p: PageCtx, r: Result<(), CoreError>) -> Response {
    match r {
        Ok(()) => Redirect::to("/settings/sharing?done=saved").into_response(),
        Err(e) => match form_errors(&e, p.ctx.locale) {
            Some(f) => {
                let msg = f.values().cloned().collect::<Vec<_>>().join(" ");
                show(s, p, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await
            }
            None => p.err(e).into_response(),
        },
    }
}

/// The rule form: repeated `account` fields.
struct RuleForm {
    name: String,
    matches: Option<ShareMatch>,
    accounts: Vec<i64>,
    department: Option<i64>,
    active: bool,
}

fn read(pairs: &[(String, String)]) -> RuleForm {
    let mut f = RuleForm {
        name: String::new(),
        matches: None,
        accounts: Vec::new(),
        department: None,
        active: false,
    };
    for (k, v) in pairs {
        match k.as_str() {
            "name" => f.name = v.clone(),
            "match" => f.matches = parse_match(v),
            "account" => f.accounts.extend(v.parse::<i64>().ok()),
            "department_id" => f.department = v.parse().ok(),
            "active" => f.active = true,
            _ => {}
        }
    }
    f
}

pub async fn create(
    State(s): State<AppState>,
    p: PageCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let f = read(&pairs);
    let r = match f.matches {
        None => Err(CoreError::fields([("match", "sharing-unknown-match")])),
        Some(m) => sharing::create(
            &s.core,
            &p.ctx,
            CreateSharingRule {
                name: f.name,
                matches: m,
                account_ids: f.accounts,
                department_id: f.department,
                active: f.active,
            },
        )
        .await
        .map(|_| ()),
    };
    done(&s, p, r).await
}

pub async fn save(
    State(s): State<AppState>,
    p: PageCtx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let f = read(&pairs);
    let r = sharing::update(
        &s.core,
        &p.ctx,
        id,
        UpdateSharingRule {
            name: Some(f.name),
            matches: f.matches,
            account_ids: Some(f.accounts),
            department_id: Some(f.department),
            active: Some(f.active),
        },
    )
    .await
    .map(|_| ());
    done(&s, p, r).await
}

pub async fn delete(State(s): State<AppState>, p: PageCtx, Path(id): Path<i64>) -> Response {
    let r = sharing::delete(&s.core, &p.ctx, id).await;
    done(&s, p, r).await
}

/// "Run now": share what is waiting instead of waiting for the next minute.
pub async fn run(State(s): State<AppState>, p: PageCtx) -> Response {
    let r = sharing::run(&s.core, &p.ctx, false).await.map(|_| ());
    done(&s, p, r).await
}
