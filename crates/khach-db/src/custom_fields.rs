//! Custom field definitions, and the stored values they govern.

use crate::DbError;
use crate::entity::{companies, custom_fields, customers};
pub use custom_fields::Model as CustomField;
use sea_orm::sea_query::{BinOper, Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::Value;

crud!(
    defs,
    custom_fields,
    super::CustomField,
    crate::entity::custom_fields::Column::Position
);

pub async fn for_entity(
    c: &impl ConnectionTrait,
    entity: &str,
) -> Result<Vec<CustomField>, DbError> {
    Ok(custom_fields::Entity::find()
        .filter(custom_fields::Column::Entity.eq(entity))
        .order_by_asc(custom_fields::Column::Position)
        .order_by_asc(custom_fields::Column::Id)
        .all(c)
        .await?)
}

/// `(record id, value)` of every record (live or in the bin) holding a value under
/// `key`. Used for type-change previews, option removal and the unique check.
pub async fn values(
    c: &impl ConnectionTrait,
    entity: &str,
    key: &str,
) -> Result<Vec<(i64, Value)>, DbError> {
    let rows: Vec<(i64, Value)> = match entity {
        "company" => {
            companies::Entity::find()
                .select_only()
                .column(companies::Column::Id)
                .column(companies::Column::Custom)
                .filter(has_key(companies::Column::Custom, key))
                .into_tuple()
                .all(c)
                .await?
        }
        _ => {
            customers::Entity::find()
                .select_only()
                .column(customers::Column::Id)
                .column(customers::Column::Custom)
                .filter(has_key(customers::Column::Custom, key))
                .into_tuple()
                .all(c)
                .await?
        }
    };
    Ok(rows
        .into_iter()
        .filter_map(|(id, doc)| {
            doc.get(key)
                .filter(|v| !v.is_null())
                .cloned()
                .map(|v| (id, v))
        })
        .collect())
}

/// `custom ->> key IS NOT NULL`, the same text on both backends.
pub fn has_key<C: ColumnTrait>(col: C, key: &str) -> sea_orm::sea_query::Expr {
    Expr::col(col)
        .binary(BinOper::Custom("->>"), key)
        .is_not_null()
}

/// Rewrites the `custom` document of one record.
pub async fn set_doc(
    c: &impl ConnectionTrait,
    entity: &str,
    id: i64,
    doc: Value,
) -> Result<(), DbError> {
    match entity {
        "company" => {
            companies::Entity::update_many()
                .col_expr(companies::Column::Custom, Expr::value(doc))
                .filter(companies::Column::Id.eq(id))
                .exec(c)
                .await?;
        }
        _ => {
            customers::Entity::update_many()
                .col_expr(customers::Column::Custom, Expr::value(doc))
                .filter(customers::Column::Id.eq(id))
                .exec(c)
                .await?;
        }
    }
    Ok(())
}
