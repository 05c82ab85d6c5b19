//! One set of migrations for both backends, written with the portable schema builder.
//! Index names are explicit so the schema-agreement test can compare them.

use sea_orm_migration::prelude::*;

mod m0001_foundation;
mod m0002_idempotency;
mod m0003_customers;
mod m0004_ownership;
mod m0007_search_trigrams;
mod m0008_interactions;
mod m0009_imports;
mod m0010_webhooks;
mod m0011_duplicates;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_idempotency::Migration),
            Box::new(m0003_customers::Migration),
            Box::new(m0004_ownership::Migration),
            Box::new(m0007_search_trigrams::Migration),
            Box::new(m0008_interactions::Migration),
            Box::new(m0010_webhooks::Migration),
            Box::new(m0009_imports::Migration),
            Box::new(m0011_duplicates::Migration),
        ]
    }
}
