//! Accounts, departments, roles, sessions, API keys, one-time tokens, login attempts,
//! the audit log and settings.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn ts(name: &str) -> ColumnDef {
    timestamp_with_time_zone(Alias::new(name))
}
fn ts_null(name: &str) -> ColumnDef {
    timestamp_with_time_zone_null(Alias::new(name))
}
fn fk(
    name: &str,
    from: (&str, &str),
    to: (&str, &str),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(Alias::new(from.0), Alias::new(from.1))
        .to(Alias::new(to.0), Alias::new(to.1))
        .on_delete(on_delete)
        .to_owned()
}
fn index(name: &str, table: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(Alias::new(table));
    for c in cols {
        idx.col(Alias::new(*c));
    }
    if unique {
        idx.unique();
    }
    idx.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    // SQLite does not run migrations in a transaction unless asked; a half-applied
    // migration would leave a schema no code expects.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("departments")
                .col(big_pk_auto("id"))
                .col(string_len("name", 200))
                .col(big_integer_null("parent_id"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(
                    "fk_departments_parent",
                    ("departments", "parent_id"),
                    ("departments", "id"),
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_departments_parent",
            "departments",
            &["parent_id"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("roles")
                .col(big_pk_auto("id"))
                .col(string_len("name", 100))
                .col(string_len_null("builtin", 20))
                .col(boolean("is_admin"))
                .col(text("permissions"))
                .col(string_len("scope", 20))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ux_roles_name", "roles", &["name"], true))
            .await?;

        m.create_table(
            Table::create()
                .table("accounts")
                .col(big_pk_auto("id"))
                .col(string_len("username", 64))
                .col(string_len("full_name", 200))
                .col(string_len_null("email", 254))
                .col(string_len_null("phone", 32))
                .col(big_integer_null("department_id"))
                .col(big_integer("role_id"))
                .col(boolean("active"))
                .col(boolean("auto_assign"))
                .col(string_len("locale", 5))
                .col(text("password_hash"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(
                    "fk_accounts_department",
                    ("accounts", "department_id"),
                    ("departments", "id"),
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "fk_accounts_role",
                    ("accounts", "role_id"),
                    ("roles", "id"),
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_accounts_username",
            "accounts",
            &["username"],
            true,
        ))
        .await?;
        m.create_index(index("ux_accounts_email", "accounts", &["email"], true))
            .await?;
        m.create_index(index("ix_accounts_role", "accounts", &["role_id"], false))
            .await?;
        m.create_index(index(
            "ix_accounts_department",
            "accounts",
            &["department_id"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("sessions")
                .col(string_len("id_hash", 64).primary_key())
                .col(big_integer("account_id"))
                .col(ts("created_at"))
                .col(ts("expires_at"))
                .col(string_len_null("ip", 64))
                .foreign_key(&mut fk(
                    "fk_sessions_account",
                    ("sessions", "account_id"),
                    ("accounts", "id"),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_sessions_account",
            "sessions",
            &["account_id"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("api_keys")
                .col(big_pk_auto("id"))
                .col(big_integer("account_id"))
                .col(string_len("name", 100))
                .col(string_len("prefix", 16))
                .col(string_len("secret_hash", 64))
                .col(text_null("permissions"))
                .col(ts("created_at"))
                .col(ts_null("last_used_at"))
                .col(ts_null("revoked_at"))
                .foreign_key(&mut fk(
                    "fk_api_keys_account",
                    ("api_keys", "account_id"),
                    ("accounts", "id"),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_api_keys_secret",
            "api_keys",
            &["secret_hash"],
            true,
        ))
        .await?;
        m.create_index(index(
            "ix_api_keys_account",
            "api_keys",
            &["account_id"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("one_time_tokens")
                .col(string_len("token_hash", 64).primary_key())
                .col(string_len("purpose", 20))
                .col(big_integer_null("account_id"))
                .col(ts("created_at"))
                .col(ts("expires_at"))
                .col(ts_null("used_at"))
                .foreign_key(&mut fk(
                    "fk_one_time_tokens_account",
                    ("one_time_tokens", "account_id"),
                    ("accounts", "id"),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("login_attempts")
                .col(big_pk_auto("id"))
                .col(string_len("key", 200))
                .col(ts("at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_login_attempts_key_at",
            "login_attempts",
            &["key", "at"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("audit_log")
                .col(big_pk_auto("id"))
                .col(ts("at"))
                .col(big_integer_null("actor_id"))
                .col(string_len("actor", 64))
                .col(string_len("origin", 20))
                .col(string_len("entity", 40))
                .col(string_len_null("entity_id", 64))
                .col(string_len("action", 40))
                .col(text("changes"))
                .col(string_len_null("ip", 64))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_audit_log_entity",
            "audit_log",
            &["entity", "entity_id"],
            false,
        ))
        .await?;
        m.create_index(index(
            "ix_audit_log_actor",
            "audit_log",
            &["actor_id"],
            false,
        ))
        .await?;
        m.create_index(index("ix_audit_log_at", "audit_log", &["at"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("settings")
                .col(string_len("key", 100).primary_key())
                .col(text("value"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "settings",
            "audit_log",
            "login_attempts",
            "one_time_tokens",
            "api_keys",
            "sessions",
            "accounts",
            "roles",
            "departments",
        ] {
            m.drop_table(Table::drop().table(Alias::new(t)).to_owned())
                .await?;
        }
        Ok(())
    }
}
