//! `/duplicates`: the review queue of possible duplicates (best score first,
//! filtered by status, kind, level and score), with "not a duplicate", "later" and
//! "merge" per pair, and the detection job's state with "scan now". The customer
//! page's "same phone" tab comes from [`customer_tab`].

use crate::pages::{PageCtx, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use khach_core::duplicates;
use khach_types::api::{
    CustomerDuplicates, DuplicateDecision, DuplicatePair, DuplicateQuery, DuplicateScan,
    MergeRecord,
};
use khach_types::{Action, Module};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "duplicates/list.html")]
struct ListPage {
    l: crate::pages::Layout,
    pairs: Vec<DuplicatePair>,
    scan: Option<DuplicateScan>,
    scan_finished: String,
    q: DuplicateQuery,
    next: Option<String>,
    /// The filters as a query string, for the next page's link.
    filters: String,
}

/// The filter form: empty fields mean "any".
#[derive(Debug, Default, Deserialize)]
pub struct ListForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    min_score: String,
    #[serde(default)]
    cursor: Option<String>,
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

pub async fn list(State(s): State<AppState>, p: PageCtx, Query(f): Query<ListForm>) -> Response {
    if let Err(e) = p.require(Module::Customers, Action::Merge) {
        return e.into_response();
    }
    let q = DuplicateQuery {
        limit: Some(50),
        cursor: f.cursor.clone().filter(|c| !c.is_empty()),
        status: opt(&f.status),
        kind: opt(&f.kind),
        level: opt(&f.level),
        min_score: f.min_score.trim().parse().ok(),
    };
    let mut list = match duplicates::list(&s.core, &p.ctx, &q).await {
        Ok(l) => l,
        Err(e) => return p.err(e).into_response(),
    };
    for pair in &mut list.items {
        crate::api::duplicates::explain(p.ctx.locale, pair);
    }
    let scan = duplicates::latest_scan(&s.core, &p.ctx)
        .await
        .unwrap_or_default();
    let filters = format!(
        "status={}&kind={}&level={}&min_score={}",
        crate::pages::encode(&f.status),
        crate::pages::encode(&f.kind),
        crate::pages::encode(&f.level),
        crate::pages::encode(&f.min_score)
    );
    let page = ListPage {
        scan_finished: scan
            .as_ref()
            .map(|sc| crate::pages::format::opt_datetime(&sc.finished_at))
            .unwrap_or_default(),
        scan,
        pairs: list.items,
        next: list.next_cursor,
        q,
        filters,
        l: p.with_title("duplicates-title").layout,
    };
    render(axum::http::StatusCode::OK, &page)
}

/// `POST /duplicates/scan`: starts detection in the background.
pub async fn scan(State(s): State<AppState>, p: PageCtx) -> Response {
    match crate::api::duplicates::start_scan(&s.core, &p.ctx).await {
        Ok(_) => Redirect::to("/duplicates?done=scan-started").into_response(),
        Err(e) => p.err(e).into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    decision: String,
    #[serde(default)]
    back: String,
}

/// `POST /duplicates/{id}/decision`.
pub async fn decide(
    State(s): State<AppState>,
    p: PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> Response {
    let d = DuplicateDecision {
        decision: f.decision,
    };
    match duplicates::decide(&s.core, &p.ctx, id, &d).await {
        Ok(_) => {
            let back = crate::pages::safe_next(Some(&f.back));
            let back = if back == "/" {
                "/duplicates".into()
            } else {
                back
            };
            let sep = if back.contains('?') { '&' } else { '?' };
            Redirect::to(&format!("{back}{sep}done=saved")).into_response()
        }
        Err(e) => p.err(e).into_response(),
    }
}

/// What the customer page's "same phone" tab shows.
pub struct Tab {
    pub d: CustomerDuplicates,
    /// Merges into this customer that can be undone, with "until when" in words.
    pub merges: Vec<(MergeRecord, String)>,
    /// The caller may merge (tick customers and merge them with this one).
    pub can_merge: bool,
}

/// The customer page's "same phone" tab.
pub async fn customer_tab(s: &AppState, p: &PageCtx, id: i64) -> Option<Tab> {
    let mut d = duplicates::of_customer(&s.core, &p.ctx, id).await.ok()?;
    for pair in &mut d.pairs {
        crate::api::duplicates::explain(p.ctx.locale, pair);
    }
    let can_merge = p.ctx.can(Module::Customers, Action::Merge);
    let merges = if can_merge {
        khach_core::merge::of_survivor(&s.core, &p.ctx, id)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|m| m.undo_until > p.ctx.now)
            .map(|m| {
                let until = crate::i18n::t_args(
                    p.ctx.locale,
                    "merge-undo-until",
                    &[("until", crate::pages::format::datetime(&m.undo_until))],
                );
                (m, until)
            })
            .collect()
    } else {
        Vec::new()
    };
    Some(Tab {
        d,
        merges,
        can_merge,
    })
}
