//! Outgoing e-mail over SMTP (password reset links for now).

use crate::{CoreError, CoreResult};
use lettre::message::Mailbox;
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};

/// `smtp://user:pass@host:port` (plain), `smtps://…` (TLS) or `smtp://…?tls=required`.
#[derive(Clone, Debug)]
pub struct SmtpConfig {
    pub url: String,
    pub from: String,
}

#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(cfg: &SmtpConfig) -> CoreResult<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&cfg.url)
            .map_err(|e| CoreError::Internal(format!("smtp url: {e}")))?
            .build();
        let from = cfg
            .from
            .parse()
            .map_err(|e| CoreError::Internal(format!("smtp from: {e}")))?;
        Ok(Self { transport, from })
    }

    pub async fn send(&self, to: &str, subject: &str, body: String) -> CoreResult<()> {
        let to: Mailbox = to
            .parse()
            .map_err(|_| CoreError::fields([("email", "value-invalid-email")]))?;
        let msg = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .body(body)
            .map_err(|e| CoreError::Internal(format!("mail build: {e}")))?;
        self.transport
            .send(msg)
            .await
            .map_err(|e| CoreError::Unavailable(format!("smtp: {e}")))?;
        Ok(())
    }
}
