//! `Idempotency-Key` on POST: the first request with a key runs and its answer is
//! kept for 24 hours; a retry with the same key and the same request gets that answer
//! again instead of doing the work twice. Keys are scoped to the caller's credential.

use crate::core::sha256_hex;
use crate::{Core, CoreResult};
use chrono::Duration;
use khach_db::DbError;

/// How long a stored answer is replayed.
pub const KEEP_HOURS: i64 = 24;

/// After this, a request still "in progress" is taken as abandoned (requests time out
/// after one minute).
pub const ABANDONED_MINUTES: i64 = 2;

/// What to do with a request that carries a key.
pub enum Begin {
    /// First time: run it, then call [`finish`] (or [`abandon`] on a server error).
    Run { key_hash: String },
    /// Seen before with the same request: answer this.
    Replay { status: u16, body: String },
    /// The key was used for a different request.
    Mismatch,
    /// The first request with this key is still running.
    InProgress,
}

/// `credential` identifies the caller (API key or session); `request` is the method,
/// path and body.
pub async fn begin(core: &Core, credential: &str, key: &str, request: &[u8]) -> CoreResult<Begin> {
    let key_hash = sha256_hex(&format!("{}\n{key}", sha256_hex(credential)));
    let request_hash = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(request))
    };
    let now = core.now();
    let conn = core.db.conn();
    if let Some(found) = khach_db::idempotency::get(conn, &key_hash).await? {
        // A reservation whose request never finished (timed out, client gone) is
        // released after a while, so the retry the key exists for can run.
        let abandoned = found.status.is_none()
            && found.created_at <= now - Duration::minutes(ABANDONED_MINUTES);
        if found.created_at > now - Duration::hours(KEEP_HOURS) && !abandoned {
            return Ok(classify(found, &request_hash));
        }
        khach_db::idempotency::release(conn, &key_hash).await?;
    }
    khach_db::idempotency::purge_before(conn, now - Duration::hours(KEEP_HOURS)).await?;
    match khach_db::idempotency::reserve(conn, &key_hash, &request_hash, now).await {
        Ok(()) => Ok(Begin::Run { key_hash }),
        // Lost a race with an identical request.
        Err(DbError::Unique(_)) => match khach_db::idempotency::get(conn, &key_hash).await? {
            Some(found) => Ok(classify(found, &request_hash)),
            None => Ok(Begin::InProgress),
        },
        Err(e) => Err(e.into()),
    }
}

fn classify(found: khach_db::idempotency::Record, request_hash: &str) -> Begin {
    if found.request_hash != request_hash {
        return Begin::Mismatch;
    }
    match (found.status, found.body) {
        (Some(status), Some(body)) => Begin::Replay {
            status: u16::try_from(status).unwrap_or(500),
            body,
        },
        _ => Begin::InProgress,
    }
}

pub async fn finish(core: &Core, key_hash: &str, status: u16, body: String) -> CoreResult<()> {
    khach_db::idempotency::complete(core.db.conn(), key_hash, i32::from(status), body).await?;
    Ok(())
}

/// Forgets a reservation (the request failed on the server), so a retry runs again.
pub async fn abandon(core: &Core, key_hash: &str) -> CoreResult<()> {
    khach_db::idempotency::release(core.db.conn(), key_hash).await?;
    Ok(())
}
