use sea_orm::{DbErr, SqlErr};

/// Storage errors. Unique and foreign-key violations are told apart from failures so
/// that the layers above can answer "already taken" or "still in use".
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("not found")]
    NotFound,
    /// A unique constraint; the value is the field it guards (e.g. `username`).
    #[error("unique constraint on {0}")]
    Unique(&'static str),
    #[error("foreign key constraint")]
    ForeignKey,
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Other(DbErr),
}

/// Unique indexes and the field each protects, matched against both backends' messages
/// (PostgreSQL names the index, SQLite names `table.column`).
const UNIQUES: &[(&str, &str, &str)] = &[
    ("ux_accounts_username", "accounts.username", "username"),
    ("ux_accounts_email", "accounts.email", "email"),
    ("ux_roles_name", "roles.name", "name"),
    ("ux_customers_code", "customers.code", "code"),
    ("ux_tags_name_key", "tags.name_key", "name"),
    ("ux_sources_name_key", "sources.name_key", "name"),
    ("ux_stages_name", "stages.name", "name"),
    ("ux_custom_fields_key", "custom_fields.entity", "key"),
    ("ux_api_keys_secret", "api_keys.secret_hash", "secret"),
    (
        "idempotency_keys_pkey",
        "idempotency_keys.key_hash",
        "idempotency_key",
    ),
];

impl From<DbErr> for DbError {
    fn from(e: DbErr) -> Self {
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(msg)) => {
                let field = UNIQUES
                    .iter()
                    .find(|(ix, col, _)| msg.contains(ix) || msg.contains(col))
                    .map(|(_, _, f)| *f)
                    .unwrap_or("value");
                DbError::Unique(field)
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => DbError::ForeignKey,
            _ => match e {
                DbErr::RecordNotFound(_) => DbError::NotFound,
                other => DbError::Other(other),
            },
        }
    }
}
