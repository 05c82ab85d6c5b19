//! Stored answers to POST requests that carried an `Idempotency-Key`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("idempotency_keys")
                // SHA-256 of (credential, key): scoped to the caller.
                .col(string_len("key_hash", 64).primary_key())
                .col(string_len("request_hash", 64))
                .col(integer_null("status"))
                .col(text_null("body"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_idempotency_keys_created")
                .table("idempotency_keys")
                .col("created_at")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("idempotency_keys").to_owned())
            .await
    }
}
