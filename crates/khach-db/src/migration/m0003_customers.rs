//! Customers and what hangs off them: phones, emails, tags, stages, sources,
//! companies, sub-contacts, custom field definitions, the timeline `events`, saved
//! filters, per-account preferences, and the SQLite search index (FTS5 trigram;
//! PostgreSQL's comes with m0007). Roles gain the "mask phone and email" switch.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn ts(name: &str) -> ColumnDef {
    timestamp_with_time_zone(Alias::new(name))
}
fn ts_null(name: &str) -> ColumnDef {
    timestamp_with_time_zone_null(Alias::new(name))
}
pub(super) fn fk(
    name: &str,
    from: (&str, &str),
    to: &str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(Alias::new(from.0), Alias::new(from.1))
        .to(Alias::new(to), Alias::new("id"))
        .on_delete(on_delete)
        .to_owned()
}
pub(super) fn index(name: &str, table: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
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

const SQLITE_SEARCH: &[&str] = &[
    // One FTS table over both search columns: one MATCH serves name, code, phone
    // fragments and e-mail (see notes/performance.md: LIKE … OR … is not accelerated).
    "CREATE VIRTUAL TABLE customers_fts USING fts5(search_name, search_contact, \
     content='customers', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER customers_fts_ai AFTER INSERT ON customers BEGIN \
     INSERT INTO customers_fts(rowid, search_name, search_contact) \
     VALUES (new.id, new.search_name, new.search_contact); END",
    "CREATE TRIGGER customers_fts_ad AFTER DELETE ON customers BEGIN \
     INSERT INTO customers_fts(customers_fts, rowid, search_name, search_contact) \
     VALUES ('delete', old.id, old.search_name, old.search_contact); END",
    "CREATE TRIGGER customers_fts_au AFTER UPDATE OF search_name, search_contact ON customers BEGIN \
     INSERT INTO customers_fts(customers_fts, rowid, search_name, search_contact) \
     VALUES ('delete', old.id, old.search_name, old.search_contact); \
     INSERT INTO customers_fts(rowid, search_name, search_contact) \
     VALUES (new.id, new.search_name, new.search_contact); END",
];

/// PostgreSQL's search index comes with m0007 (our own trigrams under GIN).
const POSTGRES_SEARCH: &[&str] = &[];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("roles")
                .add_column(boolean("mask_contacts").default(false))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("stages")
                .col(big_pk_auto("id"))
                .col(string_len("name", 100))
                .col(integer("position"))
                .col(string_len("color", 7))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ux_stages_name", "stages", &["name"], true))
            .await?;

        m.create_table(
            Table::create()
                .table("sources")
                .col(big_pk_auto("id"))
                .col(string_len("name", 100))
                .col(string_len("name_key", 100))
                .col(integer("priority"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ux_sources_name_key", "sources", &["name_key"], true))
            .await?;

        m.create_table(
            Table::create()
                .table("tags")
                .col(big_pk_auto("id"))
                .col(string_len("name", 100))
                .col(string_len("name_key", 100))
                .col(string_len("color", 7))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ux_tags_name_key", "tags", &["name_key"], true))
            .await?;

        m.create_table(
            Table::create()
                .table("custom_fields")
                .col(big_pk_auto("id"))
                .col(string_len("entity", 20))
                .col(string_len("key", 64))
                .col(string_len("label", 200))
                .col(string_len("kind", 20))
                .col(boolean("required"))
                .col(boolean("unique_values"))
                .col(integer("position"))
                .col(boolean("show_in_list"))
                .col(boolean("filterable"))
                .col(boolean("importable"))
                .col(json_binary("options"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_custom_fields_key",
            "custom_fields",
            &["entity", "key"],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("companies")
                .col(big_pk_auto("id"))
                .col(string_len("name", 200))
                .col(text("search_name"))
                .col(string_len_null("tax_code", 20))
                .col(string_len_null("phone", 20))
                .col(string_len_null("phone_typed", 40))
                .col(string_len_null("email", 254))
                .col(string_len_null("website", 300))
                .col(string_len_null("address", 300))
                .col(json_binary("custom"))
                .col(big_integer_null("created_by"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(
                    "fk_companies_created_by",
                    ("companies", "created_by"),
                    "accounts",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_companies_name", "companies", &["name"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("customers")
                .col(big_pk_auto("id"))
                .col(string_len("code", 32))
                .col(string_len("name", 200))
                // NFC lower case: sorting by name, and "exact diacritics first".
                .col(string_len("name_lc", 200))
                // Folded (see khach_types::fold): name and code; contact: phones, e-mails.
                .col(text("search_name"))
                .col(text("search_contact"))
                .col(string_len_null("gender", 10))
                .col(date_null("birthday"))
                .col(string_len_null("phone", 20))
                .col(string_len_null("email", 254))
                .col(string_len_null("province_code", 2))
                .col(string_len_null("ward_code", 5))
                .col(string_len_null("street", 300))
                .col(string_len_null("legacy_province", 100))
                .col(string_len_null("legacy_district", 100))
                .col(string_len_null("legacy_ward", 100))
                .col(big_integer_null("company_id"))
                .col(big_integer_null("source_id"))
                .col(big_integer_null("stage_id"))
                .col(big_integer_null("owner_id"))
                .col(text_null("notes"))
                .col(json_binary("custom"))
                .col(boolean("dnc").default(false))
                .col(string_len_null("dnc_reason", 500))
                .col(ts_null("dnc_at"))
                .col(big_integer_null("created_by"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .col(ts_null("deleted_at"))
                .col(big_integer_null("deleted_by"))
                .foreign_key(&mut fk(
                    "fk_customers_company",
                    ("customers", "company_id"),
                    "companies",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "fk_customers_source",
                    ("customers", "source_id"),
                    "sources",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "fk_customers_stage",
                    ("customers", "stage_id"),
                    "stages",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "fk_customers_owner",
                    ("customers", "owner_id"),
                    "accounts",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "fk_customers_created_by",
                    ("customers", "created_by"),
                    "accounts",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        // Codes of customers in the bin are free; restoring into a taken code is a
        // conflict the restore reports.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_customers_code ON customers (code) WHERE deleted_at IS NULL",
            )
            .await?;
        m.create_index(index(
            "ix_customers_code",
            "customers",
            &["code", "id"],
            false,
        ))
        .await?;
        m.create_index(index(
            "ix_customers_created",
            "customers",
            &["created_at", "id"],
            false,
        ))
        .await?;
        m.create_index(index(
            "ix_customers_updated",
            "customers",
            &["updated_at", "id"],
            false,
        ))
        .await?;
        m.create_index(index(
            "ix_customers_name",
            "customers",
            &["name_lc", "id"],
            false,
        ))
        .await?;
        m.create_index(index(
            "ix_customers_stage",
            "customers",
            &["stage_id", "created_at"],
            false,
        ))
        .await?;
        m.create_index(index(
            "ix_customers_source",
            "customers",
            &["source_id"],
            false,
        ))
        .await?;
        m.create_index(index(
            "ix_customers_company",
            "customers",
            &["company_id"],
            false,
        ))
        .await?;
        m.create_index(index(
            "ix_customers_owner",
            "customers",
            &["owner_id"],
            false,
        ))
        .await?;
        m.create_index(index(
            "ix_customers_deleted",
            "customers",
            &["deleted_at"],
            false,
        ))
        .await?;

        for (table, col, len) in [
            ("customer_phones", "e164", 20),
            ("customer_emails", "email", 254),
        ] {
            m.create_table(
                Table::create()
                    .table(table)
                    .col(big_pk_auto("id"))
                    .col(big_integer("customer_id"))
                    .col(string_len(col, len))
                    .col(string_len_null("typed", 60))
                    .col(integer("position"))
                    .foreign_key(&mut fk(
                        &format!("fk_{table}_customer"),
                        (table, "customer_id"),
                        "customers",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
            m.create_index(index(&format!("ix_{table}_value"), table, &[col], false))
                .await?;
            m.create_index(index(
                &format!("ix_{table}_customer"),
                table,
                &["customer_id"],
                false,
            ))
            .await?;
        }

        m.create_table(
            Table::create()
                .table("customer_tags")
                .col(big_integer("customer_id"))
                .col(big_integer("tag_id"))
                .primary_key(
                    Index::create()
                        .name("pk_customer_tags")
                        .col("customer_id")
                        .col("tag_id"),
                )
                .foreign_key(&mut fk(
                    "fk_customer_tags_customer",
                    ("customer_tags", "customer_id"),
                    "customers",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_customer_tags_tag",
                    ("customer_tags", "tag_id"),
                    "tags",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_customer_tags_tag",
            "customer_tags",
            &["tag_id", "customer_id"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("sub_contacts")
                .col(big_pk_auto("id"))
                .col(big_integer("customer_id"))
                .col(string_len("name", 200))
                .col(string_len_null("relation", 100))
                .col(string_len_null("phone", 20))
                .col(string_len_null("phone_typed", 60))
                .col(string_len_null("email", 254))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(
                    "fk_sub_contacts_customer",
                    ("sub_contacts", "customer_id"),
                    "customers",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_sub_contacts_customer",
            "sub_contacts",
            &["customer_id"],
            false,
        ))
        .await?;

        // The customer timeline: append-only. Interaction history (a later module)
        // reads and extends it; customer writes append `customer.*` entries now.
        m.create_table(
            Table::create()
                .table("events")
                .col(big_pk_auto("id"))
                .col(big_integer("customer_id"))
                .col(string_len("kind", 64))
                .col(string_len("source", 32))
                .col(ts("occurred_at"))
                .col(big_integer_null("actor_id"))
                .col(json_binary("payload"))
                .col(integer("score_delta").default(0))
                .col(string_len_null("idem_key", 200))
                .foreign_key(&mut fk(
                    "fk_events_customer",
                    ("events", "customer_id"),
                    "customers",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_events_actor",
                    ("events", "actor_id"),
                    "accounts",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_events_customer",
            "events",
            &["customer_id", "occurred_at"],
            false,
        ))
        .await?;
        m.create_index(index(
            "ux_events_idem",
            "events",
            &["source", "idem_key"],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("saved_filters")
                .col(big_pk_auto("id"))
                .col(big_integer("owner_id"))
                .col(string_len("entity", 20))
                .col(string_len("name", 200))
                .col(boolean("shared"))
                .col(json_binary("definition"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(
                    "fk_saved_filters_owner",
                    ("saved_filters", "owner_id"),
                    "accounts",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_saved_filters_owner",
            "saved_filters",
            &["owner_id"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("account_prefs")
                .col(big_integer("account_id"))
                .col(string_len("key", 64))
                .col(json_binary("value"))
                .col(ts("updated_at"))
                .primary_key(
                    Index::create()
                        .name("pk_account_prefs")
                        .col("account_id")
                        .col("key"),
                )
                .foreign_key(&mut fk(
                    "fk_account_prefs_account",
                    ("account_prefs", "account_id"),
                    "accounts",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        let db = m.get_connection();
        let stmts = match m.get_database_backend() {
            sea_orm::DatabaseBackend::Sqlite => SQLITE_SEARCH,
            _ => POSTGRES_SEARCH,
        };
        for s in stmts {
            db.execute_unprepared(s).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
            m.get_connection()
                .execute_unprepared("DROP TABLE IF EXISTS customers_fts")
                .await?;
        }
        for t in [
            "account_prefs",
            "saved_filters",
            "events",
            "sub_contacts",
            "customer_tags",
            "customer_emails",
            "customer_phones",
            "customers",
            "companies",
            "custom_fields",
            "tags",
            "sources",
            "stages",
        ] {
            m.drop_table(Table::drop().table(Alias::new(t)).to_owned())
                .await?;
        }
        m.alter_table(
            Table::alter()
                .table("roles")
                .drop_column("mask_contacts")
                .to_owned(),
        )
        .await
    }
}
