//! Business rules of Khách, one module per feature, shared by every entry point (UI,
//! API, CLI, and later import, integrations and automation). Each use case takes a
//! [`Ctx`] (who, from where, when), checks permissions here, writes through `khach-db`
//! and records the change in the audit log in the same transaction. No HTTP here.

pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod companies;
mod core;
mod ctx;
pub mod customers;
pub mod departments;
pub mod duplicates;
mod error;
pub mod exports;
pub mod fields;
pub mod idempotency;
pub mod imports;
pub mod interactions;
pub mod mail;
pub mod merge;
pub mod paging;
pub mod prefs;
pub mod roles;
pub mod saved_filters;
pub mod settings;
pub mod sharing;
pub mod taxonomy;
pub mod webhooks;

pub use crate::core::{Clock, Core, CoreConfig, Randomness, SystemClock, SystemRandomness};
pub use ctx::{Actor, Ctx, Principal};
pub use error::{CoreError, CoreResult};
pub use khach_db::{Backend, Db};
