use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "customers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub code: String,
    pub name: String,
    pub name_lc: String,
    pub search_name: String,
    pub search_contact: String,
    /// PostgreSQL only: every 3-character window of the two search texts (a JSON
    /// array), filled by khach-db on every write; empty on SQLite (FTS5 instead).
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub search_tri: Option<Json>,
    pub gender: Option<String>,
    pub birthday: Option<ChronoDate>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub province_code: Option<String>,
    pub ward_code: Option<String>,
    pub street: Option<String>,
    pub legacy_province: Option<String>,
    pub legacy_district: Option<String>,
    pub legacy_ward: Option<String>,
    pub company_id: Option<i64>,
    pub source_id: Option<i64>,
    pub stage_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub notes: Option<String>,
    #[sea_orm(column_type = "JsonBinary")]
    pub custom: Json,
    pub dnc: bool,
    pub dnc_reason: Option<String>,
    pub dnc_at: Option<ChronoDateTimeUtc>,
    pub created_by: Option<i64>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
    pub deleted_at: Option<ChronoDateTimeUtc>,
    pub deleted_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
