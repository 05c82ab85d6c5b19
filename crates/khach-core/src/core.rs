//! The service handle every use case hangs off: database, clock, randomness, config.

use crate::mail::{Mailer, SmtpConfig};
use chrono::{DateTime, Utc};
use khach_db::Db;
use std::sync::Arc;

/// Time is passed in so that tests decide what "now" is.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// Wall-clock time.
pub struct SystemClock;
impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Source of secret bytes (session ids, API keys, one-time tokens).
pub trait Randomness: Send + Sync {
    fn fill(&self, buf: &mut [u8]);
}

/// The operating system's CSPRNG.
pub struct SystemRandomness;
impl Randomness for SystemRandomness {
    fn fill(&self, buf: &mut [u8]) {
        use rand::Rng;
        rand::rng().fill_bytes(buf);
    }
}

/// Settings of the core that come from configuration, not from the database.
#[derive(Clone, Debug)]
pub struct CoreConfig {
    /// Base URL used in links sent by e-mail and printed at first start.
    pub public_url: String,
    /// How long a login session lasts.
    pub session_hours: i64,
    /// Argon2id memory cost in KiB and passes. Tests lower them; production keeps
    /// the defaults (19 MiB, 2 passes: OWASP's recommendation).
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub smtp: Option<SmtpConfig>,
}

impl Default for CoreConfig {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8080".into(),
            session_hours: 24 * 7,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            smtp: None,
        }
    }
}

/// Cheap to clone; shared by every request.
#[derive(Clone)]
pub struct Core {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Randomness>,
    pub config: Arc<CoreConfig>,
    pub mailer: Option<Mailer>,
}

impl Core {
    pub fn new(
        db: Db,
        config: CoreConfig,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Randomness>,
    ) -> Result<Self, crate::CoreError> {
        let mailer = match &config.smtp {
            Some(s) => Some(Mailer::new(s)?),
            None => None,
        };
        Ok(Self {
            db,
            clock,
            random,
            config: Arc::new(config),
            mailer,
        })
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// `n` random bytes as URL-safe text.
    pub fn token(&self, prefix: &str, n: usize) -> String {
        let mut buf = vec![0u8; n];
        self.random.fill(&mut buf);
        format!("{prefix}{}", hex::encode(buf))
    }

    /// Run once at start-up: migrations, then the built-in roles and settings.
    pub async fn bootstrap(&self) -> Result<(), crate::CoreError> {
        self.db.migrate().await?;
        crate::roles::ensure_builtins(self).await?;
        crate::taxonomy::ensure_default_stages(self).await?;
        Ok(())
    }
}

/// SHA-256 as lower-case hex: how secrets (session ids, keys, tokens) are stored.
pub fn sha256_hex(s: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}
