use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sharing_rules")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// `filter`, `tag` or `stage`.
    pub match_kind: String,
    pub match_id: i64,
    /// The accounts named on the rule (a JSON array of ids).
    #[sea_orm(column_type = "JsonBinary")]
    pub account_ids: Json,
    pub department_id: Option<i64>,
    pub active: bool,
    pub dirty: bool,
    pub last_run_at: Option<ChronoDateTimeUtc>,
    pub created_by: Option<i64>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
