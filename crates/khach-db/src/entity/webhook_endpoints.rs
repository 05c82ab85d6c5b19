use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub url: String,
    pub secret: String,
    pub prev_secret: Option<String>,
    pub prev_until: Option<ChronoDateTimeUtc>,
    /// The subscribed kinds, a JSON array of strings.
    #[sea_orm(column_type = "JsonBinary")]
    pub kinds: Json,
    pub active: bool,
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<ChronoDateTimeUtc>,
    pub failing_since: Option<ChronoDateTimeUtc>,
    pub start_event_id: i64,
    pub created_by: Option<i64>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
