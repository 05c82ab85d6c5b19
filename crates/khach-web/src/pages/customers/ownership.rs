//! The "in charge" card of the customer page: change the main owner (the old one
//! loses access unless kept as a viewer) and add or remove supporters and viewers.

use crate::pages::PageCtx;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use khach_core::customers;
use khach_types::api::UpdateCustomer;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct OwnerForm {
    #[serde(default)]
    owner: String,
    #[serde(default)]
    keep_old: Option<String>,
}

/// `POST /customers/{id}/owner`.
pub async fn owner(
    State(s): State<AppState>,
    p: PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<OwnerForm>,
) -> Response {
    let u = UpdateCustomer {
        owner_id: Some(f.owner.trim().parse().ok()),
        keep_old_owner_as_viewer: f.keep_old.is_some(),
        ..UpdateCustomer::default()
    };
    match customers::update(&s.core, &p.ctx, id, u).await {
        Ok(_) => Redirect::to(&format!("/customers/{id}?done=saved")).into_response(),
        Err(e) => p.err(e).into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    account: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    op: String,
}

/// `POST /customers/{id}/members`: one supporter or viewer added or removed.
pub async fn member(
    State(s): State<AppState>,
    p: PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<MemberForm>,
) -> Response {
    let req = super::assign::member_change(vec![id], &f.account, &f.kind, &f.op);
    match customers::members(&s.core, &p.ctx, req).await {
        Ok(r) if r.done == 1 => {
            Redirect::to(&format!("/customers/{id}?done=saved")).into_response()
        }
        Ok(r) => {
            let e = match r.skipped.first().map(|k| k.reason.as_str()) {
                Some("read_only") => khach_core::CoreError::ReadOnly,
                _ => khach_core::CoreError::NotFound,
            };
            p.err(e).into_response()
        }
        Err(e) => p.err(e).into_response(),
    }
}
