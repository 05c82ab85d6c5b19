use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "import_rows")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub import_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub row_no: i64,
    pub outcome: String,
    pub customer_id: Option<i64>,
    pub reason: Option<String>,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub raw: Option<Json>,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub before: Option<Json>,
    pub stamp: Option<ChronoDateTimeUtc>,
    pub undone: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
