//! Automatic assignment: new customers that arrive without an owner go in turn to the
//! active accounts whose switch "receives automatically assigned customers" is on.
//!
//! The turn is the last account served, kept in the database and read and written
//! inside the caller's transaction under the customers lock, so it holds across
//! restarts and several server processes: accounts are served in id order, none
//! skipped and none twice in a row out of turn. An account switched off is passed
//! over; switched on again, it takes its place in the order.

use crate::CoreResult;
use chrono::{DateTime, Utc};
use khach_db::ConnectionTrait;

const LAST_SERVED: &str = "seq.auto_assign_last";

/// The account whose turn it is among `eligible`, without taking it.
pub(crate) async fn peek(c: &impl ConnectionTrait, eligible: &[i64]) -> CoreResult<Option<i64>> {
    let last: Option<i64> = khach_db::settings::get(c, LAST_SERVED)
        .await?
        .and_then(|v| v.parse().ok());
    Ok(after(eligible, last))
}

fn after(eligible: &[i64], last: Option<i64>) -> Option<i64> {
    match last {
        Some(l) => eligible
            .iter()
            .copied()
            .find(|id| *id > l)
            .or_else(|| eligible.first().copied()),
        None => eligible.first().copied(),
    }
}

/// The account whose turn it is, recorded as served; `None` when nobody receives.
/// Call inside a writing transaction that holds `Lock::Customers`.
pub async fn next_auto_owner(
    c: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> CoreResult<Option<i64>> {
    let eligible = khach_db::ownership::auto_assignees(c).await?;
    let next = peek(c, &eligible).await?;
    if let Some(n) = next {
        khach_db::settings::put(c, LAST_SERVED, n.to_string(), now).await?;
    }
    Ok(next)
}
