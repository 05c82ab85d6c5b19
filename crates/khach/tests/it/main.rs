//! The integration suite: the real application on a real database, driven through its
//! public surfaces (HTTP API, pages, CLI, browser). Every test runs on SQLite, and on
//! PostgreSQL too when `KHACH_TEST_POSTGRES_URL` is set. One binary on purpose: each
//! extra test binary is another slow link on 2 cores.

#![allow(clippy::unwrap_used)]

mod access_matrix;
mod accounts;
mod auth;
mod bad_input;
mod browser;
mod browser_imports;
mod browser_interactions;
mod browser_merge;
mod browser_ownership;
mod cli;
mod customer_bin_scope;
mod customer_fields;
mod customer_filter_page;
mod customer_filters;
mod customer_kit;
mod customer_lists;
mod customer_masking;
mod customer_pages;
mod customer_search;
mod customer_sorting;
mod customer_taxonomy;
mod customers_api;
mod demo_bench;
mod duplicates;
mod hardening;
mod idempotency;
mod import_kill;
mod import_readers;
mod imports;
mod interactions;
mod interactions_concurrent;
mod interactions_decay;
mod interactions_levels;
mod merge;
mod merge_props;
mod ownership;
mod ownership_pages;
mod ownership_reach;
mod pages;
mod roles_departments;
mod schema;
mod security;
mod serve;
mod sharing;
mod smtp_sink;
mod webhook_kit;
mod webhook_pages;
mod webhooks;
