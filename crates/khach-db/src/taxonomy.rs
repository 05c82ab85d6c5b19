//! Tags, stages and sources: small lists, read whole.

use crate::DbError;
pub use crate::entity::sources::Model as Source;
pub use crate::entity::stages::Model as Stage;
pub use crate::entity::tags::Model as Tag;
use crate::entity::{customer_tags, customers};
use crate::entity::{sources as source_e, stages as stage_e, tags as tag_e};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
};

crud!(tags, tags, super::Tag, crate::entity::tags::Column::NameKey);
crud!(
    stages,
    stages,
    super::Stage,
    crate::entity::stages::Column::Position
);
crud!(
    sources,
    sources,
    super::Source,
    crate::entity::sources::Column::NameKey
);

pub async fn tag_by_key(c: &impl ConnectionTrait, key: &str) -> Result<Option<Tag>, DbError> {
    Ok(tag_e::Entity::find()
        .filter(tag_e::Column::NameKey.eq(key))
        .one(c)
        .await?)
}

pub async fn source_by_key(c: &impl ConnectionTrait, key: &str) -> Result<Option<Source>, DbError> {
    Ok(source_e::Entity::find()
        .filter(source_e::Column::NameKey.eq(key))
        .one(c)
        .await?)
}

pub async fn stage_by_name(c: &impl ConnectionTrait, name: &str) -> Result<Option<Stage>, DbError> {
    Ok(stage_e::Entity::find()
        .filter(stage_e::Column::Name.eq(name))
        .one(c)
        .await?)
}

#[derive(FromQueryResult)]
struct TagCount {
    tag_id: i64,
    n: i64,
}

/// Live customers per tag.
pub async fn tag_counts(c: &impl ConnectionTrait) -> Result<Vec<(i64, u64)>, DbError> {
    let q = Query::select()
        .column((customer_tags::Entity, customer_tags::Column::TagId))
        .expr_as(
            Expr::col((customer_tags::Entity, customer_tags::Column::CustomerId)).count(),
            "n",
        )
        .from(customer_tags::Entity)
        .inner_join(
            customers::Entity,
            Expr::col((customers::Entity, customers::Column::Id))
                .equals((customer_tags::Entity, customer_tags::Column::CustomerId)),
        )
        .and_where(Expr::col((customers::Entity, customers::Column::DeletedAt)).is_null())
        .group_by_col((customer_tags::Entity, customer_tags::Column::TagId))
        .to_owned();
    let mut out = Vec::new();
    for row in c.query_all(&q).await? {
        let r = TagCount::from_query_result(&row, "")?;
        out.push((r.tag_id, u64::try_from(r.n).unwrap_or(0)));
    }
    Ok(out)
}

/// Moves every customer of `from` to `into` (keeping one row where both are set).
pub async fn move_tag(c: &impl ConnectionTrait, from: i64, into: i64) -> Result<(), DbError> {
    // Insert-select of the customers not yet tagged `into`, then drop `from`'s rows.
    let select = Query::select()
        .column(customer_tags::Column::CustomerId)
        .expr(Expr::val(into))
        .from(customer_tags::Entity)
        .and_where(customer_tags::Column::TagId.eq(from))
        .to_owned();
    let insert = Query::insert()
        .into_table(customer_tags::Entity)
        .columns([
            customer_tags::Column::CustomerId,
            customer_tags::Column::TagId,
        ])
        .select_from(select)
        .map_err(|e| DbError::Corrupt(e.to_string()))?
        .on_conflict(
            OnConflict::columns([
                customer_tags::Column::CustomerId,
                customer_tags::Column::TagId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .to_owned();
    c.execute(&insert).await?;
    customer_tags::Entity::delete_many()
        .filter(customer_tags::Column::TagId.eq(from))
        .exec(c)
        .await?;
    Ok(())
}

/// Customers (live or in the bin) on a stage or from a source.
pub async fn customers_with(
    c: &impl ConnectionTrait,
    stage: Option<i64>,
    source: Option<i64>,
) -> Result<u64, DbError> {
    let mut q = customers::Entity::find();
    if let Some(s) = stage {
        q = q.filter(customers::Column::StageId.eq(s));
    }
    if let Some(s) = source {
        q = q.filter(customers::Column::SourceId.eq(s));
    }
    Ok(q.count(c).await?)
}
