//! The HTTP face of Khách: the REST API under `/api/v1` (JSON, OpenAPI document at
//! `/api/openapi.json`, reference at `/api/docs`), the server-rendered pages, and the
//! cross-cutting pieces: authentication extractors, CSRF check, error mapping,
//! message catalogue, security headers. Business rules live in `khach-core`.

mod api;
/// Runs an import in the background of this process (see `khach_core::imports`).
pub use api::imports::spawn_run as spawn_import;
mod assets;
mod csrf;
mod error;
mod extract;
pub mod i18n;
mod idempotency;
mod openapi;
pub(crate) mod pages;
mod router;
mod state;

pub use router::build;
pub use state::{AppState, WebConfig};

/// The OpenAPI document, for tests and tooling.
pub fn openapi_json() -> String {
    openapi::document().to_pretty_json().unwrap_or_default()
}

/// Serves the application on `listener` until `shutdown` resolves, then finishes the
/// requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = build(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
