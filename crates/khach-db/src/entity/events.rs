use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub customer_id: i64,
    pub kind: String,
    pub source: String,
    pub occurred_at: ChronoDateTimeUtc,
    pub actor_id: Option<i64>,
    #[sea_orm(column_type = "JsonBinary")]
    pub payload: Json,
    pub score_delta: i32,
    pub idem_key: Option<String>,
    /// Change of the customer's interaction count this event made (m0008).
    pub interaction_delta: i32,
    /// Whether it set the last contact date (m0008).
    pub contact: bool,
    /// The actor as the sender named it (m0008).
    pub actor_label: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
