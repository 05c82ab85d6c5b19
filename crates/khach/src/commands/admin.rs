//! `khach admin create | reset-password`.

use crate::cli::AdminCommand;
use crate::config::Config;
use khach_core::Ctx;
use khach_types::Origin;
use khach_types::api::{CreateAccount, ResetPassword};

pub async fn run(config: &Config, cmd: AdminCommand) -> anyhow::Result<()> {
    let core = super::open(config).await?;
    let ctx = Ctx::system(Origin::Cli, core.now());
    match cmd {
        AdminCommand::Create {
            username,
            full_name,
            email,
            password_stdin,
        } => {
            let password = super::read_password(password_stdin)?;
            let admin = khach_db::roles::by_builtin(core.db.conn(), "admin")
                .await?
                .ok_or_else(|| anyhow::anyhow!("the Admin role is missing"))?;
            let input = CreateAccount {
                full_name: full_name.unwrap_or_else(|| username.clone()),
                username,
                password,
                email,
                phone: None,
                department_id: None,
                role_id: admin.id,
                active: true,
                auto_assign: false,
                locale: None,
            };
            let a = khach_core::accounts::create(&core, &ctx, input)
                .await
                .map_err(describe)?;
            println!("created administrator {} (id {})", a.username, a.id);
        }
        AdminCommand::ResetPassword {
            username,
            password_stdin,
        } => {
            let password = super::read_password(password_stdin)?;
            let a =
                khach_db::accounts::by_username(core.db.conn(), &username.trim().to_lowercase())
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("no account named {username}"))?;
            khach_core::accounts::reset_password(
                &core,
                &ctx,
                a.id,
                ResetPassword {
                    new_password: password,
                },
            )
            .await
            .map_err(describe)?;
            println!("password of {} changed; its sessions ended", a.username);
        }
    }
    core.db.close().await?;
    Ok(())
}

/// A core error as a sentence for the terminal, with field problems spelled out.
pub fn describe(e: khach_core::CoreError) -> anyhow::Error {
    match e {
        khach_core::CoreError::Validation(fields) => {
            let parts: Vec<String> = fields
                .iter()
                .map(|(f, k)| format!("{f}: {}", khach_web::i18n::t(khach_types::Locale::En, k)))
                .collect();
            anyhow::anyhow!("invalid input: {}", parts.join("; "))
        }
        khach_core::CoreError::Conflict { field, key } => anyhow::anyhow!(
            "{field}: {}",
            khach_web::i18n::t(khach_types::Locale::En, key)
        ),
        other => anyhow::anyhow!("{other}"),
    }
}
