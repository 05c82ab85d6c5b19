use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "custom_fields")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub entity: String,
    pub key: String,
    pub label: String,
    pub kind: String,
    pub required: bool,
    pub unique_values: bool,
    pub position: i32,
    pub show_in_list: bool,
    pub filterable: bool,
    pub importable: bool,
    #[sea_orm(column_type = "JsonBinary")]
    pub options: Json,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
