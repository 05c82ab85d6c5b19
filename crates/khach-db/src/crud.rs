//! `crud!`: the get / list / insert / update / delete every small table needs.

/// `crud!(module, entity, Row, order column)` makes `pub mod module` with `all`, `get`,
/// `insert` (id assigned by the database), `update` (every column) and `delete`.
macro_rules! crud {
    ($m:ident, $ent:ident, $row:ty, $order:expr) => {
        pub mod $m {
            use crate::DbError;
            use crate::entity::$ent as e;
            use sea_orm::{
                ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryOrder,
            };

            pub async fn all(c: &impl ConnectionTrait) -> Result<Vec<$row>, DbError> {
                Ok(e::Entity::find()
                    .order_by_asc($order)
                    .order_by_asc(e::Column::Id)
                    .all(c)
                    .await?)
            }
            pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<Option<$row>, DbError> {
                Ok(e::Entity::find_by_id(id).one(c).await?)
            }
            pub async fn insert(c: &impl ConnectionTrait, r: $row) -> Result<$row, DbError> {
                let mut am = r.into_active_model();
                am.id = sea_orm::ActiveValue::NotSet;
                Ok(am.insert(c).await?)
            }
            pub async fn update(c: &impl ConnectionTrait, r: $row) -> Result<$row, DbError> {
                Ok(r.into_active_model().reset_all().update(c).await?)
            }
            pub async fn delete(c: &impl ConnectionTrait, id: i64) -> Result<(), DbError> {
                e::Entity::delete_by_id(id).exec(c).await?;
                Ok(())
            }
        }
    };
}
