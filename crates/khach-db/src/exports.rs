//! Export jobs and their finished files.

use crate::DbError;
use crate::entity::exports;
pub use exports::Model as ExportJob;
use sea_orm::{ActiveModelTrait, ActiveValue, ConnectionTrait, EntityTrait, IntoActiveModel};

pub async fn insert(c: &impl ConnectionTrait, r: ExportJob) -> Result<ExportJob, DbError> {
    let mut am = r.into_active_model();
    am.id = ActiveValue::NotSet;
    Ok(am.insert(c).await?)
}

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<Option<ExportJob>, DbError> {
    Ok(exports::Entity::find_by_id(id).one(c).await?)
}

pub async fn save(c: &impl ConnectionTrait, r: ExportJob) -> Result<ExportJob, DbError> {
    Ok(r.into_active_model().reset_all().update(c).await?)
}
