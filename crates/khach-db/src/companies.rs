//! Companies and sub-contacts.

use crate::DbError;
use crate::entity::{companies, customers, sub_contacts};
pub use companies::Model as Company;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
pub use sub_contacts::Model as SubContact;

crud!(
    rows,
    companies,
    super::Company,
    crate::entity::companies::Column::Id
);
crud!(
    contacts,
    sub_contacts,
    super::SubContact,
    crate::entity::sub_contacts::Column::Id
);

/// A page by id; `needle` (folded) narrows by name.
pub async fn list(
    c: &impl ConnectionTrait,
    needle: Option<&str>,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Company>, DbError> {
    let mut q = companies::Entity::find().order_by_asc(companies::Column::Id);
    if let Some(n) = needle {
        q = q.filter(companies::Column::SearchName.like(crate::customers::query::contains(n)));
    }
    if let Some(a) = after {
        q = q.filter(companies::Column::Id.gt(a));
    }
    Ok(q.limit(limit).all(c).await?)
}

/// Live customers of a company.
pub async fn customer_count(c: &impl ConnectionTrait, id: i64) -> Result<u64, DbError> {
    Ok(customers::Entity::find()
        .filter(customers::Column::CompanyId.eq(id))
        .filter(customers::Column::DeletedAt.is_null())
        .count(c)
        .await?)
}

/// Any customer at all (also in the bin) still pointing at the company.
pub async fn any_customer(c: &impl ConnectionTrait, id: i64) -> Result<bool, DbError> {
    Ok(customers::Entity::find()
        .filter(customers::Column::CompanyId.eq(id))
        .count(c)
        .await?
        > 0)
}

pub async fn contacts_of(
    c: &impl ConnectionTrait,
    customer: i64,
) -> Result<Vec<SubContact>, DbError> {
    Ok(sub_contacts::Entity::find()
        .filter(sub_contacts::Column::CustomerId.eq(customer))
        .order_by_asc(sub_contacts::Column::Id)
        .all(c)
        .await?)
}
