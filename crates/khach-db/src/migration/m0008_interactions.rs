//! Interaction history: what an ingested event carries beyond m0003's timeline row
//! (the interaction-count change it made, whether it was a contact, a free-text
//! actor), the counters of each customer (interaction count, score, last contact, in
//! `customer_counters`), score
//! levels with their actions, and in-app notifications.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn ts(name: &str) -> ColumnDef {
    timestamp_with_time_zone(Alias::new(name))
}

fn index(name: &str, table: &str, cols: &[&str]) -> IndexCreateStatement {
    super::m0003_customers::index(name, table, cols, false)
}

/// SQLite adds one column per ALTER TABLE.
async fn add(m: &SchemaManager<'_>, table: &str, col: ColumnDef) -> Result<(), DbErr> {
    m.alter_table(
        Table::alter()
            .table(Alias::new(table))
            .add_column(col)
            .to_owned(),
    )
    .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add(
            m,
            "events",
            integer("interaction_delta").default(0).to_owned(),
        )
        .await?;
        add(m, "events", boolean("contact").default(false).to_owned()).await?;
        add(m, "events", string_len_null("actor_label", 200)).await?;
        // The counters live beside the customer, not in its row: a customer row
        // carries many indexes (search trigrams among them), and rewriting it for
        // every counted event cost each of them an entry (80–200 ms per 1,000
        // customers on PostgreSQL).
        m.create_table(
            Table::create()
                .table("customer_counters")
                .col(big_integer("customer_id").primary_key())
                .col(big_integer("interaction_count").default(0))
                .col(big_integer("score").default(0))
                .col(timestamp_with_time_zone_null("last_contact_at"))
                .foreign_key(&mut super::m0003_customers::fk(
                    "fk_customer_counters_customer",
                    ("customer_counters", "customer_id"),
                    "customers",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("ix_customer_counters_interactions", "interaction_count"),
            ("ix_customer_counters_score", "score"),
            ("ix_customer_counters_last_contact", "last_contact_at"),
        ] {
            m.create_index(index(name, "customer_counters", &[col, "customer_id"]))
                .await?;
        }

        m.create_table(
            Table::create()
                .table("score_levels")
                .col(big_pk_auto("id"))
                .col(string_len("name", 200))
                .col(big_integer("threshold"))
                .col(json_binary("actions"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("notifications")
                .col(big_pk_auto("id"))
                .col(big_integer("account_id"))
                .col(string_len("kind", 64))
                .col(big_integer_null("customer_id"))
                .col(json_binary("payload"))
                .col(ts("created_at"))
                .col(timestamp_with_time_zone_null("read_at"))
                .foreign_key(&mut super::m0003_customers::fk(
                    "fk_notifications_account",
                    ("notifications", "account_id"),
                    "accounts",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut super::m0003_customers::fk(
                    "fk_notifications_customer",
                    ("notifications", "customer_id"),
                    "customers",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_notifications_account",
            "notifications",
            &["account_id", "id"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("notifications").to_owned())
            .await?;
        m.drop_table(Table::drop().table("score_levels").to_owned())
            .await?;
        m.drop_table(Table::drop().table("customer_counters").to_owned())
            .await?;
        for (t, c) in [
            ("events", "actor_label"),
            ("events", "contact"),
            ("events", "interaction_delta"),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Alias::new(t))
                    .drop_column(c)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
