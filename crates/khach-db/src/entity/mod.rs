//! SeaORM entities, one per table. Only `khach-db` sees them as entities; other crates
//! get the `Model` structs as plain data.

pub mod account_prefs;
pub mod accounts;
pub mod api_keys;
pub mod audit_log;
pub mod companies;
pub mod custom_fields;
pub mod customer_access;
pub mod customer_emails;
pub mod customer_phones;
pub mod customer_shares;
pub mod customer_tags;
pub mod customers;
pub mod departments;
pub mod events;
pub mod exports;
pub mod idempotency_keys;
pub mod import_files;
pub mod import_rows;
pub mod imports;
pub mod login_attempts;
pub mod one_time_tokens;
pub mod roles;
pub mod saved_filters;
pub mod sessions;
pub mod settings;
pub mod sharing_rule_accounts;
pub mod sharing_rules;
pub mod sources;
pub mod stages;
pub mod sub_contacts;
pub mod tags;
pub mod webhook_attempts;
pub mod webhook_deliveries;
pub mod webhook_endpoints;
