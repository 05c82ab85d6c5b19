//! Imports of customers from files: the runs (`imports`, with their options, status,
//! counts and the checkpoint a resumed run starts from), an uploaded file kept until
//! its run is finished (`import_files`), and one record per handled row
//! (`import_rows`: what happened, the customer it touched, the values it overwrote
//! for undo, and the original cells of a skipped or failed row for the error file);
//! and export jobs with their finished file (`exports`).

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
                .table("imports")
                .col(big_pk_auto("id"))
                .col(string_len("file_name", 300))
                .col(string_len("encoding", 20))
                // The file on the importing machine (CLI), when not uploaded.
                .col(text_null("source_path"))
                .col(string_len("file_hash", 64))
                .col(string_len("status", 10))
                .col(json_binary("options"))
                .col(json_binary("columns"))
                .col(big_integer("total_rows"))
                // The checkpoint: data rows handled, committed with their batch.
                .col(big_integer("processed"))
                .col(big_integer("created"))
                .col(big_integer("updated"))
                .col(big_integer("skipped"))
                .col(big_integer("failed"))
                .col(text_null("error"))
                .col(big_integer_null("created_by"))
                // A run in progress renews its lease; an expired lease may be resumed.
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(super::m0003_customers::index(
            "ix_imports_hash",
            "imports",
            &["file_hash"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("import_files")
                .col(big_integer("import_id").primary_key())
                .col(blob("data"))
                .foreign_key(&mut super::m0003_customers::fk(
                    "fk_import_files_import",
                    ("import_files", "import_id"),
                    "imports",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("import_rows")
                .col(big_integer("import_id"))
                .col(big_integer("row_no"))
                .col(string_len("outcome", 10))
                .col(big_integer_null("customer_id"))
                .col(text_null("reason"))
                .col(json_binary_null("raw"))
                .col(json_binary_null("before"))
                // The customer's `updated_at` as this import left it: a different
                // value at undo time means someone changed it since.
                .col(timestamp_with_time_zone_null("stamp"))
                .col(string_len_null("undone", 10))
                .primary_key(
                    Index::create()
                        .name("pk_import_rows")
                        .col("import_id")
                        .col("row_no"),
                )
                .foreign_key(&mut super::m0003_customers::fk(
                    "fk_import_rows_import",
                    ("import_rows", "import_id"),
                    "imports",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        // Exports run as jobs: the finished file is kept for its download link.
        m.create_table(
            Table::create()
                .table("exports")
                .col(big_pk_auto("id"))
                .col(string_len("status", 10))
                .col(string_len("format", 10))
                .col(big_integer("rows"))
                .col(string_len("file_name", 200))
                .col(blob_null("data"))
                .col(text_null("error"))
                .col(big_integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["exports", "import_rows", "import_files", "imports"] {
            m.drop_table(Table::drop().table(Alias::new(t)).to_owned())
                .await?;
        }
        Ok(())
    }
}
