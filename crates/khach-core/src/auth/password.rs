//! Argon2id hashing, off the async threads (a hash costs tens of milliseconds).

use crate::{Core, CoreError, CoreResult};
use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};

pub async fn hash(core: &Core, password: &str) -> CoreResult<String> {
    let params = Params::new(
        core.config.argon2_memory_kib,
        core.config.argon2_iterations,
        1,
        None,
    )
    .map_err(|e| CoreError::Internal(format!("argon2 params: {e}")))?;
    let pw = password.to_string();
    tokio::task::spawn_blocking(move || {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(pw.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| CoreError::Internal(format!("argon2 hash: {e}")))
    })
    .await
    .map_err(|e| CoreError::Internal(format!("hash task: {e}")))?
}

/// True when `password` matches the stored PHC string (its own parameters apply).
pub async fn verify(password: &str, stored: &str) -> CoreResult<bool> {
    let pw = password.to_string();
    let stored = stored.to_string();
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        Argon2::default()
            .verify_password(pw.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .map_err(|e| CoreError::Internal(format!("verify task: {e}")))
}
