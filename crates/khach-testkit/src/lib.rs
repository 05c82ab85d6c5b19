//! Test support for Khách: spawn the real application on a fresh database (a
//! temporary SQLite file, or a fresh PostgreSQL database when
//! `KHACH_TEST_POSTGRES_URL` is set), log in as people with each built-in role, take a
//! fingerprint of everything stored, and drive headless Chromium.

#![allow(clippy::unwrap_used)]

mod app;
mod browser;
mod clock;

pub use app::{Backend, Principal, TestApp, backends};
pub use browser::{Browser, available as browser_available};
pub use clock::TestClock;

/// Installs the process-wide TLS provider (ring) that HTTP clients need; idempotent.
pub fn init() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
