//! Outgoing webhooks: endpoints (`webhook_endpoints`), one delivery per endpoint and
//! timeline event (`webhook_deliveries`, also the work queue: retries are `next_at`),
//! and every attempt with its answer (`webhook_attempts`, the delivery log).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(name: &str, from: (&str, &str), to: &str) -> ForeignKeyCreateStatement {
    super::m0003_customers::fk(name, from, to, ForeignKeyAction::Cascade)
}

fn index(name: &str, table: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    super::m0003_customers::index(name, table, cols, unique)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("webhook_endpoints")
                .col(big_pk_auto("id"))
                .col(string_len("name", 200))
                .col(string_len("url", 2000))
                // The signing secret must be usable, so it is kept; it is shown once.
                .col(string_len("secret", 100))
                // After a rotation the old secret signs too, until `prev_until`.
                .col(string_len_null("prev_secret", 100))
                .col(timestamp_with_time_zone_null("prev_until"))
                .col(json_binary("kinds"))
                .col(boolean("active"))
                .col(string_len_null("disabled_reason", 500))
                .col(timestamp_with_time_zone_null("disabled_at"))
                // The first failure of the current run of failures.
                .col(timestamp_with_time_zone_null("failing_since"))
                // Only timeline events after this id are sent to the endpoint.
                .col(big_integer("start_event_id"))
                .col(big_integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("webhook_deliveries")
                .col(big_pk_auto("id"))
                .col(big_integer("endpoint_id"))
                .col(big_integer_null("event_id"))
                // `webhook-id`: the same on every retry, the receiver's dedupe key.
                .col(string_len("msg_id", 64))
                .col(string_len("kind", 64))
                .col(text("body"))
                // pending, succeeded, failed (gave up), cancelled (endpoint disabled)
                .col(string_len("status", 12))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_at"))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(integer_null("last_status"))
                .col(string_len_null("last_error", 500))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .foreign_key(&mut fk(
                    "fk_webhook_deliveries_endpoint",
                    ("webhook_deliveries", "endpoint_id"),
                    "webhook_endpoints",
                ))
                .to_owned(),
        )
        .await?;
        // One delivery per endpoint and event, however often the dispatcher looks.
        m.create_index(index(
            "ux_webhook_deliveries_event",
            "webhook_deliveries",
            &["endpoint_id", "event_id"],
            true,
        ))
        .await?;
        m.create_index(index(
            "ix_webhook_deliveries_due",
            "webhook_deliveries",
            &["status", "next_at"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("webhook_attempts")
                .col(big_pk_auto("id"))
                .col(big_integer("delivery_id"))
                .col(big_integer("endpoint_id"))
                .col(timestamp_with_time_zone("at"))
                .col(integer_null("status"))
                .col(integer("duration_ms"))
                .col(string_len_null("error", 500))
                .foreign_key(&mut fk(
                    "fk_webhook_attempts_delivery",
                    ("webhook_attempts", "delivery_id"),
                    "webhook_deliveries",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_webhook_attempts_endpoint",
            "webhook_attempts",
            &["endpoint_id", "id"],
            false,
        ))
        .await?;
        m.create_index(index(
            "ix_webhook_attempts_delivery",
            "webhook_attempts",
            &["delivery_id"],
            false,
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "webhook_attempts",
            "webhook_deliveries",
            "webhook_endpoints",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
