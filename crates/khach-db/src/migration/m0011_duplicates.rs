//! Duplicates and merge: the pairs detection found with the reviewers' decisions
//! (`duplicate_pairs`), detection runs (`duplicate_scans`), merges
//! (`customer_merges`), the merged records kept as tombstones that resolve to their
//! survivor (`merged_customers`), and what each merge moved or added, so that it can
//! be undone (`customer_merge_moves`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(name: &str, from: (&str, &str), to: &str) -> ForeignKeyCreateStatement {
    super::m0003_customers::fk(name, from, to, ForeignKeyAction::Cascade)
}

fn index(name: &str, table: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    super::m0003_customers::index(name, table, cols, unique)
}

fn ts(name: &str) -> ColumnDef {
    timestamp_with_time_zone(Alias::new(name))
}

fn ts_null(name: &str) -> ColumnDef {
    timestamp_with_time_zone_null(Alias::new(name))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("duplicate_scans")
                .col(big_pk_auto("id"))
                .col(string_len("status", 10))
                .col(big_integer("customers"))
                .col(big_integer("pairs"))
                .col(ts("started_at"))
                // A run whose heartbeat stopped (its process died) may be replaced.
                .col(ts("heartbeat_at"))
                .col(ts_null("finished_at"))
                .col(text_null("error"))
                .col(big_integer_null("created_by"))
                .to_owned(),
        )
        .await?;
        // Always a < b: one row per unordered pair.
        m.create_table(
            Table::create()
                .table("duplicate_pairs")
                .col(big_pk_auto("id"))
                .col(big_integer("a_id"))
                .col(big_integer("b_id"))
                .col(integer("score"))
                .col(string_len("kind", 10))
                .col(string_len("level", 10))
                .col(json_binary("reasons"))
                .col(string_len("status", 10))
                .col(big_integer_null("scan_id"))
                .col(ts("found_at"))
                .col(big_integer_null("decided_by"))
                .col(ts_null("decided_at"))
                .foreign_key(&mut fk(
                    "fk_duplicate_pairs_a",
                    ("duplicate_pairs", "a_id"),
                    "customers",
                ))
                .foreign_key(&mut fk(
                    "fk_duplicate_pairs_b",
                    ("duplicate_pairs", "b_id"),
                    "customers",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_duplicate_pairs_ab",
            "duplicate_pairs",
            &["a_id", "b_id"],
            true,
        ))
        .await?;
        m.create_index(index(
            "ix_duplicate_pairs_b",
            "duplicate_pairs",
            &["b_id"],
            false,
        ))
        .await?;
        // The review queue: a status, best score first.
        m.create_index(index(
            "ix_duplicate_pairs_queue",
            "duplicate_pairs",
            &["status", "score", "id"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("customer_merges")
                .col(big_pk_auto("id"))
                .col(big_integer("survivor_id"))
                .col(json_binary("merged_ids"))
                // The survivor's and the merged records' rows as they were: what an
                // undo puts back.
                .col(json_binary("snapshot"))
                .col(big_integer_null("created_by"))
                .col(ts("created_at"))
                .col(ts_null("undone_at"))
                .col(big_integer_null("undone_by"))
                .foreign_key(&mut fk(
                    "fk_customer_merges_survivor",
                    ("customer_merges", "survivor_id"),
                    "customers",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_customer_merges_survivor",
            "customer_merges",
            &["survivor_id"],
            false,
        ))
        .await?;

        // A merged record: in `customers` with `deleted_at` set (so every live
        // query leaves it out), never in the bin, and resolved to its survivor.
        m.create_table(
            Table::create()
                .table("merged_customers")
                .col(big_integer("customer_id").primary_key())
                .col(big_integer("merge_id"))
                .col(big_integer("survivor_id"))
                .foreign_key(&mut fk(
                    "fk_merged_customers_customer",
                    ("merged_customers", "customer_id"),
                    "customers",
                ))
                .foreign_key(&mut fk(
                    "fk_merged_customers_merge",
                    ("merged_customers", "merge_id"),
                    "customer_merges",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_merged_customers_survivor",
            "merged_customers",
            &["survivor_id"],
            false,
        ))
        .await?;

        // `kind`: `event`, `contact`, `import_row`, `notification` (rows moved from
        // `from_id`), `tag`, `phone`, `email`, `access` (rows added to the survivor).
        m.create_table(
            Table::create()
                .table("customer_merge_moves")
                .col(big_integer("merge_id"))
                .col(string_len("kind", 16))
                .col(big_integer("row_id"))
                .col(big_integer("row_sub"))
                .col(big_integer("from_id"))
                .primary_key(
                    Index::create()
                        .name("pk_customer_merge_moves")
                        .col("merge_id")
                        .col("kind")
                        .col("row_id")
                        .col("row_sub"),
                )
                .foreign_key(&mut fk(
                    "fk_customer_merge_moves_merge",
                    ("customer_merge_moves", "merge_id"),
                    "customer_merges",
                ))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "customer_merge_moves",
            "merged_customers",
            "customer_merges",
            "duplicate_pairs",
            "duplicate_scans",
        ] {
            m.drop_table(Table::drop().table(Alias::new(t)).to_owned())
                .await?;
        }
        Ok(())
    }
}
