//! Configuration: defaults → `khach.toml` → `KHACH_*` environment → flags.

use crate::cli::GlobalOpts;
use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;

#[derive(Clone, Serialize, Deserialize)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// Where the SQLite database lives.
    pub data_dir: PathBuf,
    /// Overrides the SQLite default, e.g. `postgres://…`.
    pub database_url: Option<String>,
    /// Base URL in links (set-up, password reset). `https://…` turns on Secure cookies.
    pub public_url: Option<String>,
    /// `smtp://user:pass@host:587?tls=required`; without it, no e-mail is sent.
    pub smtp_url: Option<String>,
    /// Sender of e-mails, e.g. `Khách <crm@example.vn>`.
    pub smtp_from: Option<String>,
    /// `text` or `json` log lines.
    pub log_format: String,
    /// Session lifetime in hours.
    pub session_hours: i64,
}

// The database URL and SMTP URL may hold passwords: never print them.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("database", &self.database_url.as_ref().map(|_| "<set>"))
            .field("public_url", &self.public_url)
            .field("smtp", &self.smtp_url.as_ref().map(|_| "<set>"))
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            public_url: None,
            smtp_url: None,
            smtp_from: None,
            log_format: "text".into(),
            session_hours: 24 * 7,
        }
    }
}

impl Config {
    pub fn load(g: &GlobalOpts) -> anyhow::Result<Self> {
        let file = g
            .config
            .clone()
            .unwrap_or_else(|| PathBuf::from("khach.toml"));
        if g.config.is_some() && !file.exists() {
            anyhow::bail!("configuration file {} does not exist", file.display());
        }
        let mut fig = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(&file))
            .merge(Env::prefixed("KHACH_").ignore(&["config"]));
        if let Some(d) = &g.data_dir {
            fig = fig.merge(("data_dir", d));
        }
        if let Some(u) = &g.database_url {
            fig = fig.merge(("database_url", u));
        }
        fig.extract().context("invalid configuration")
    }

    /// The database URL, creating the data directory for the SQLite default.
    pub fn database_url(&self) -> anyhow::Result<String> {
        if let Some(u) = &self.database_url {
            return Ok(u.clone());
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("cannot create data directory {}", self.data_dir.display()))?;
        Ok(format!(
            "sqlite://{}?mode=rwc",
            self.data_dir.join("khach.db").display()
        ))
    }

    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
    }
}
