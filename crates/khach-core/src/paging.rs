//! Cursor pagination shared by every list: `limit` 1–200 (default 50) and an opaque
//! cursor that is the last id of the previous page.

use crate::{CoreError, CoreResult};

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 200;

pub fn page_limit(limit: Option<u32>) -> CoreResult<u64> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT as u32).contains(&n) => Ok(u64::from(n)),
        Some(_) => Err(CoreError::fields([("limit", "value-limit-range")])),
    }
}

pub fn parse_cursor(cursor: Option<&str>) -> CoreResult<Option<i64>> {
    match cursor {
        None => Ok(None),
        Some(c) => c
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .map(Some)
            .ok_or_else(|| CoreError::fields([("cursor", "value-cursor")])),
    }
}

/// Given `limit + 1` rows, keeps `limit` and returns the next cursor if more exist.
pub fn split_page<T>(
    mut rows: Vec<T>,
    limit: u64,
    id: impl Fn(&T) -> i64,
) -> (Vec<T>, Option<String>) {
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last().map(|r| id(r).to_string())
    } else {
        None
    };
    (rows, next)
}
