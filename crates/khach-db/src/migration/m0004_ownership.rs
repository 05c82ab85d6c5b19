//! Ownership beyond the main owner (`customers.owner_id`): supporters and viewers set
//! by hand (`customer_access`), sharing rules with their audience
//! (`sharing_rules`, `sharing_rule_accounts`), and the customers each rule shares
//! (`customer_shares`, whose status is the care status "to be shared" → "shared").

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(name: &str, from: (&str, &str), to: &str) -> ForeignKeyCreateStatement {
    super::m0003_customers::fk(name, from, to, ForeignKeyAction::Cascade)
}

fn index(name: &str, table: &str, cols: &[&str]) -> IndexCreateStatement {
    super::m0003_customers::index(name, table, cols, false)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Supporters (view and edit) and viewers (view only), given by hand.
        m.create_table(
            Table::create()
                .table("customer_access")
                .col(big_integer("customer_id"))
                .col(big_integer("account_id"))
                .col(string_len("kind", 10))
                .col(big_integer_null("granted_by"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(
                    Index::create()
                        .name("pk_customer_access")
                        .col("customer_id")
                        .col("account_id")
                        .col("kind"),
                )
                .foreign_key(&mut fk(
                    "fk_customer_access_customer",
                    ("customer_access", "customer_id"),
                    "customers",
                ))
                .foreign_key(&mut fk(
                    "fk_customer_access_account",
                    ("customer_access", "account_id"),
                    "accounts",
                ))
                .to_owned(),
        )
        .await?;
        // The data scope looks customers up by account.
        m.create_index(index(
            "ix_customer_access_account",
            "customer_access",
            &["account_id", "kind", "customer_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("sharing_rules")
                .col(big_pk_auto("id"))
                .col(string_len("name", 200))
                // What a customer must match: `filter` (a saved filter), `tag`, `stage`.
                .col(string_len("match_kind", 10))
                .col(big_integer("match_id"))
                // Accounts named on the rule, and a department whose members share too.
                .col(json_binary("account_ids"))
                .col(big_integer_null("department_id"))
                .col(boolean("active"))
                // Set when the rule changed and its matches must be worked out again.
                .col(boolean("dirty"))
                .col(timestamp_with_time_zone_null("last_run_at"))
                .col(big_integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;

        // Who a rule shares with, worked out from its accounts and department.
        m.create_table(
            Table::create()
                .table("sharing_rule_accounts")
                .col(big_integer("rule_id"))
                .col(big_integer("account_id"))
                .primary_key(
                    Index::create()
                        .name("pk_sharing_rule_accounts")
                        .col("rule_id")
                        .col("account_id"),
                )
                .foreign_key(&mut fk(
                    "fk_sharing_rule_accounts_rule",
                    ("sharing_rule_accounts", "rule_id"),
                    "sharing_rules",
                ))
                .foreign_key(&mut fk(
                    "fk_sharing_rule_accounts_account",
                    ("sharing_rule_accounts", "account_id"),
                    "accounts",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_sharing_rule_accounts_account",
            "sharing_rule_accounts",
            &["account_id", "rule_id"],
        ))
        .await?;

        // The customers a rule shares: `pending` ("to be shared") until the sharing
        // run makes it effective, then `shared`. Only `shared` rows grant access.
        m.create_table(
            Table::create()
                .table("customer_shares")
                .col(big_integer("rule_id"))
                .col(big_integer("customer_id"))
                .col(string_len("status", 10))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(
                    Index::create()
                        .name("pk_customer_shares")
                        .col("rule_id")
                        .col("customer_id"),
                )
                .foreign_key(&mut fk(
                    "fk_customer_shares_rule",
                    ("customer_shares", "rule_id"),
                    "sharing_rules",
                ))
                .foreign_key(&mut fk(
                    "fk_customer_shares_customer",
                    ("customer_shares", "customer_id"),
                    "customers",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_customer_shares_customer",
            "customer_shares",
            &["customer_id", "status"],
        ))
        .await?;
        m.create_index(index(
            "ix_customer_shares_status",
            "customer_shares",
            &["status", "rule_id"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "customer_shares",
            "sharing_rule_accounts",
            "sharing_rules",
            "customer_access",
        ] {
            m.drop_table(Table::drop().table(Alias::new(t)).to_owned())
                .await?;
        }
        Ok(())
    }
}
