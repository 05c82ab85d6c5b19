//! `khach api-key create`.

use crate::cli::ApiKeyCommand;
use crate::config::Config;
use anyhow::Context;
use khach_core::Ctx;
use khach_types::api::CreateApiKey;
use khach_types::{Origin, PermissionSet};

pub async fn run(config: &Config, cmd: ApiKeyCommand) -> anyhow::Result<()> {
    let core = super::open(config).await?;
    let ctx = Ctx::system(Origin::Cli, core.now());
    match cmd {
        ApiKeyCommand::Create {
            user,
            name,
            permissions,
        } => {
            let account =
                khach_db::accounts::by_username(core.db.conn(), &user.trim().to_lowercase())
                    .await?
                    .filter(|a| a.active)
                    .ok_or_else(|| anyhow::anyhow!("no active account named {user}"))?;
            let permissions = permissions
                .map(|p| serde_json::from_str::<PermissionSet>(&p))
                .transpose()
                .context("--permissions must be JSON like {\"accounts\":[\"view\"]}")?;
            let created = khach_core::api_keys::create_for(
                &core,
                &ctx,
                account.id,
                CreateApiKey { name, permissions },
            )
            .await
            .map_err(super::admin::describe)?;
            // The only output on stdout, so scripts can capture it.
            println!("{}", created.secret);
            eprintln!(
                "API key {} created for {} (shown once; store it now)",
                created.key.id, account.username
            );
        }
    }
    core.db.close().await?;
    Ok(())
}
