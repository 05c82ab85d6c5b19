//! Who is in charge of a customer: the main owner (`customers.owner_id`), supporters
//! and viewers given by hand (`customer_access`), and the accounts that receive
//! automatically assigned customers.

use crate::DbError;
use crate::entity::{accounts, customer_access, customers};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::HashMap;

/// A supporter may view and edit; a viewer may only view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccessKind {
    Supporter,
    Viewer,
}

impl AccessKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessKind::Supporter => "supporter",
            AccessKind::Viewer => "viewer",
        }
    }
    fn parse(s: &str) -> Option<Self> {
        match s {
            "supporter" => Some(AccessKind::Supporter),
            "viewer" => Some(AccessKind::Viewer),
            _ => None,
        }
    }
}

/// Bound variables per statement stay far below SQLite's limit.
const CHUNK: usize = 500;

/// Sets the owner of these customers (and their `updated_at`).
pub async fn set_owner(
    c: &impl ConnectionTrait,
    ids: &[i64],
    owner: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    for chunk in ids.chunks(CHUNK) {
        customers::Entity::update_many()
            .col_expr(customers::Column::OwnerId, Expr::val(owner))
            .col_expr(customers::Column::UpdatedAt, Expr::val(now))
            .filter(customers::Column::Id.is_in(chunk.iter().copied()))
            .exec(c)
            .await?;
    }
    Ok(())
}

/// `(account, kind)` of the supporters and viewers of each customer, by account id.
pub async fn access_of(
    c: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<(i64, AccessKind)>>, DbError> {
    let mut out: HashMap<i64, Vec<(i64, AccessKind)>> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows = customer_access::Entity::find()
            .filter(customer_access::Column::CustomerId.is_in(chunk.iter().copied()))
            .order_by_asc(customer_access::Column::AccountId)
            .all(c)
            .await?;
        for r in rows {
            if let Some(k) = AccessKind::parse(&r.kind) {
                out.entry(r.customer_id)
                    .or_default()
                    .push((r.account_id, k));
            }
        }
    }
    Ok(out)
}

/// Gives `kind` access on every customer to every account; pairs already there stay.
pub async fn grant(
    c: &impl ConnectionTrait,
    customers: &[i64],
    accounts: &[i64],
    kind: AccessKind,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let rows: Vec<customer_access::ActiveModel> = customers
        .iter()
        .flat_map(|&cid| accounts.iter().map(move |&a| (cid, a)))
        .map(|(cid, a)| customer_access::ActiveModel {
            customer_id: Set(cid),
            account_id: Set(a),
            kind: Set(kind.as_str().to_string()),
            granted_by: Set(by),
            created_at: Set(now),
        })
        .collect();
    for chunk in rows.chunks(CHUNK) {
        customer_access::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    customer_access::Column::CustomerId,
                    customer_access::Column::AccountId,
                    customer_access::Column::Kind,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(c)
            .await?;
    }
    Ok(())
}

/// Removes the `kind` access (or any, with `None`) of these accounts on these customers.
pub async fn revoke(
    c: &impl ConnectionTrait,
    customers: &[i64],
    accounts: &[i64],
    kind: Option<AccessKind>,
) -> Result<(), DbError> {
    if accounts.is_empty() {
        return Ok(());
    }
    for chunk in customers.chunks(CHUNK) {
        let mut q = customer_access::Entity::delete_many()
            .filter(customer_access::Column::CustomerId.is_in(chunk.iter().copied()))
            .filter(customer_access::Column::AccountId.is_in(accounts.iter().copied()));
        if let Some(k) = kind {
            q = q.filter(customer_access::Column::Kind.eq(k.as_str()));
        }
        q.exec(c).await?;
    }
    Ok(())
}

/// Active accounts whose switch "receives automatically assigned customers" is on,
/// by id: the order of the rotation.
pub async fn auto_assignees(c: &impl ConnectionTrait) -> Result<Vec<i64>, DbError> {
    Ok(accounts::Entity::find()
        .select_only()
        .column(accounts::Column::Id)
        .filter(accounts::Column::Active.eq(true))
        .filter(accounts::Column::AutoAssign.eq(true))
        .order_by_asc(accounts::Column::Id)
        .into_tuple()
        .all(c)
        .await?)
}

/// `(id, username, full name)` of every active account, by full name.
pub async fn active_accounts(
    c: &impl ConnectionTrait,
) -> Result<Vec<(i64, String, String)>, DbError> {
    Ok(accounts::Entity::find()
        .select_only()
        .column(accounts::Column::Id)
        .column(accounts::Column::Username)
        .column(accounts::Column::FullName)
        .filter(accounts::Column::Active.eq(true))
        .order_by_asc(accounts::Column::FullName)
        .order_by_asc(accounts::Column::Id)
        .into_tuple()
        .all(c)
        .await?)
}

/// Customers these accounts reach besides owning them: as supporters, and unless
/// `edit`, as viewers by hand or through a sharing rule. At most `limit` ids.
pub async fn reached_ids(
    c: &impl ConnectionTrait,
    accounts: &[i64],
    edit: bool,
    limit: u64,
) -> Result<Vec<i64>, DbError> {
    use sea_orm::sea_query::{Query, UnionType};
    let mut q = Query::select()
        .column(customer_access::Column::CustomerId)
        .from(customer_access::Entity)
        .and_where(customer_access::Column::AccountId.is_in(accounts.iter().copied()))
        .to_owned();
    if edit {
        q.and_where(customer_access::Column::Kind.eq(AccessKind::Supporter.as_str()));
    } else {
        q.union(UnionType::Distinct, shared_with(accounts));
    }
    q.limit(limit);
    let rows = c.query_all(&q).await?;
    rows.into_iter()
        .map(|r| r.try_get_by_index::<i64>(0).map_err(DbError::from))
        .collect()
}

/// Ids of customers shared with any of these accounts through an active sharing
/// rule; one builder so the list filter and `reached_ids` cannot drift apart.
pub(crate) fn shared_with(accounts: &[i64]) -> sea_orm::sea_query::SelectStatement {
    use crate::entity::{customer_shares as cs, sharing_rule_accounts as sra};
    sea_orm::sea_query::Query::select()
        .column((cs::Entity, cs::Column::CustomerId))
        .from(cs::Entity)
        .inner_join(
            sra::Entity,
            Expr::col((sra::Entity, sra::Column::RuleId)).equals((cs::Entity, cs::Column::RuleId)),
        )
        .and_where(Expr::col((sra::Entity, sra::Column::AccountId)).is_in(accounts.iter().copied()))
        .and_where(Expr::col((cs::Entity, cs::Column::Status)).eq(crate::sharing::SHARED))
        .to_owned()
}

/// Current owners of these customers.
pub async fn owners_of(
    c: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Option<i64>>, DbError> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(i64, Option<i64>)> = customers::Entity::find()
            .select_only()
            .column(customers::Column::Id)
            .column(customers::Column::OwnerId)
            .filter(customers::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(c)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}
