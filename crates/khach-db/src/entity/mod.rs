//! SeaORM entities, one per table. Only `khach-db` sees them as entities; other crates
//! get the `Model` structs as plain data.

pub mod accounts;
pub mod api_keys;
pub mod audit_log;
pub mod departments;
pub mod idempotency_keys;
pub mod login_attempts;
pub mod one_time_tokens;
pub mod roles;
pub mod sessions;
pub mod settings;
