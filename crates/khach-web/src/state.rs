use khach_core::Core;

/// Settings of the web layer.
#[derive(Clone, Debug, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when the public URL is https).
    pub secure_cookies: bool,
}

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub core: Core,
    pub config: WebConfig,
}

impl AppState {
    pub fn new(core: Core, config: WebConfig) -> Self {
        Self { core, config }
    }

    /// Name of the session cookie: `__Host-` prefixed when served over TLS.
    pub fn cookie_name(&self) -> &'static str {
        if self.config.secure_cookies {
            "__Host-khach_session"
        } else {
            "khach_session"
        }
    }
}
