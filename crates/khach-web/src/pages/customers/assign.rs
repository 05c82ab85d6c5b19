//! Assigning ticked customers (`/customers/assign`): one owner, in turn, evenly, or
//! by count or percentage per owner, with a preview of who gets how many before
//! anything changes; and adding or removing supporters and viewers of the ticked
//! customers (`/customers/members`). Reached from the list's bulk actions.

use crate::pages::{PageCtx, form_errors, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use khach_core::{CoreError, customers};
use khach_types::api::{
    AccountRef, AssignMode, AssignRequest, AssignResult, AssignShare, MembersRequest, SplitBy,
};

/// Rows of owners the form offers (the order of the rows is the order chosen).
const ROWS: usize = 6;

#[derive(Template)]
#[template(path = "customers/assign.html")]
struct AssignPage {
    l: crate::pages::Layout,
    ids: Vec<i64>,
    back: String,
    accounts: Vec<AccountRef>,
    mode: String,
    split_by: String,
    /// `(account id or empty, value)` per row.
    rows: Vec<(String, String)>,
    keep_old: bool,
    result: Option<AssignResult>,
    error: Option<String>,
}

/// What the assign form sent (repeated fields in their order).
#[derive(Default)]
struct Sent {
    ids: Vec<i64>,
    back: String,
    mode: String,
    split_by: String,
    rows: Vec<(String, String)>,
    keep_old: bool,
    op: String,
    account: String,
    kind: String,
}

fn read(pairs: &[(String, String)]) -> Sent {
    let mut s = Sent::default();
    let mut owners = Vec::new();
    let mut values = Vec::new();
    for (k, v) in pairs {
        match k.as_str() {
            "ids" => s.ids.extend(v.parse::<i64>().ok()),
            "back" => s.back = v.clone(),
            "mode" => s.mode = v.clone(),
            "split_by" => s.split_by = v.clone(),
            "owner" => owners.push(v.clone()),
            "value" => values.push(v.clone()),
            "keep_old" => s.keep_old = true,
            "op" => s.op = v.clone(),
            "account" => s.account = v.clone(),
            "kind" => s.kind = v.clone(),
            _ => {}
        }
    }
    s.rows = owners
        .into_iter()
        .enumerate()
        .map(|(i, o)| (o, values.get(i).cloned().unwrap_or_default()))
        .collect();
    s
}

fn back_to(back: &str) -> String {
    crate::pages::safe_next(Some(&format!("/customers?{back}")))
}

async fn show(
    s: &AppState,
    p: PageCtx,
    sent: Sent,
    result: Option<AssignResult>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let accounts = match customers::assign::assignable(&s.core, &p.ctx).await {
        Ok(a) => a,
        Err(e) => return p.err(e).into_response(),
    };
    let mut rows = sent.rows;
    rows.resize(ROWS.max(rows.len()), (String::new(), String::new()));
    let page = AssignPage {
        ids: sent.ids,
        back: sent.back,
        accounts,
        mode: if sent.mode.is_empty() {
            "single".into()
        } else {
            sent.mode
        },
        split_by: sent.split_by,
        rows,
        keep_old: sent.keep_old,
        result,
        error,
        l: p.with_title("assign-title").layout,
    };
    render(status, &page)
}

/// The bulk action "assign" on the list: the form for the ticked customers.
pub async fn start(s: &AppState, p: PageCtx, ids: Vec<i64>, back: String) -> Response {
    if let Err(e) = p.require(khach_types::Module::Customers, khach_types::Action::Assign) {
        return e.into_response();
    }
    let sent = Sent {
        ids,
        back,
        ..Sent::default()
    };
    show(s, p, sent, None, None, StatusCode::OK).await
}

fn request(sent: &Sent) -> Result<AssignRequest, CoreError> {
    let mode = match sent.mode.as_str() {
        "sequential" => AssignMode::Sequential,
        "even" => AssignMode::Even,
        "advanced" => AssignMode::Advanced,
        _ => AssignMode::Single,
    };
    let chosen: Vec<(i64, &str)> = sent
        .rows
        .iter()
        .filter_map(|(o, v)| o.parse().ok().map(|o| (o, v.as_str())))
        .collect();
    let mut shares = Vec::new();
    if mode == AssignMode::Advanced {
        for (account_id, v) in &chosen {
            let value = v
                .trim()
                .parse()
                .map_err(|_| CoreError::fields([("shares", "assign-share-zero")]))?;
            shares.push(AssignShare {
                account_id: *account_id,
                value,
            });
        }
    }
    Ok(AssignRequest {
        ids: sent.ids.clone(),
        mode,
        owners: if mode == AssignMode::Advanced {
            Vec::new()
        } else {
            chosen.iter().map(|c| c.0).collect()
        },
        split_by: if sent.split_by == "percent" {
            SplitBy::Percent
        } else {
            SplitBy::Count
        },
        shares,
        keep_old_owner_as_viewer: sent.keep_old,
        preview: sent.op != "apply",
    })
}

/// Every field error of a refused form, as one line.
fn message(e: &CoreError, l: khach_types::Locale) -> String {
    form_errors(e, l)
        .map(|f| f.values().cloned().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// After an assignment or a members change: back to the list, or the form again
/// with what was wrong.
async fn finish(s: &AppState, p: PageCtx, sent: Sent, r: Result<(), CoreError>) -> Response {
    match r {
        Ok(()) => {
            let back = back_to(&sent.back);
            let sep = if back.contains('?') { '&' } else { '?' };
            Redirect::to(&format!("{back}{sep}done=assigned")).into_response()
        }
        Err(e @ CoreError::Validation(_)) => {
            let msg = message(&e, p.ctx.locale);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            show(s, p, sent, None, Some(msg), status).await
        }
        Err(e) => p.err(e).into_response(),
    }
}

/// `POST /customers/assign`: preview (default) or apply.
pub async fn submit(
    State(s): State<AppState>,
    p: PageCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let sent = read(&pairs);
    let result = match request(&sent) {
        Ok(req) => customers::assign(&s.core, &p.ctx, req).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(r) if r.preview => show(&s, p, sent, Some(r), None, StatusCode::OK).await,
        other => finish(&s, p, sent, other.map(|_| ())).await,
    }
}

/// One supporter or viewer (`kind`) added or removed (`op`) on customers.
pub(super) fn member_change(ids: Vec<i64>, account: &str, kind: &str, op: &str) -> MembersRequest {
    let account: Vec<i64> = account.trim().parse().ok().into_iter().collect();
    let mut req = MembersRequest {
        ids,
        ..MembersRequest::default()
    };
    match (kind, op) {
        ("viewer", "remove") => req.remove_viewers = account,
        ("viewer", _) => req.add_viewers = account,
        (_, "remove") => req.remove_supporters = account,
        _ => req.add_supporters = account,
    }
    req
}

/// `POST /customers/members`: add or remove one supporter or viewer on the ticked
/// customers.
pub async fn members(
    State(s): State<AppState>,
    p: PageCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let sent = read(&pairs);
    let req = member_change(sent.ids.clone(), &sent.account, &sent.kind, &sent.op);
    let r = customers::members(&s.core, &p.ctx, req).await.map(|_| ());
    finish(&s, p, sent, r).await
}
