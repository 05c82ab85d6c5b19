//! Sharing rules ("share every customer matching X with these accounts as viewers"),
//! their audience, and the customers each rule shares with its care status.

use crate::DbError;
use crate::customers::query::{Cond, compile};
use crate::entity::{customer_shares, customers, sharing_rule_accounts, sharing_rules};
use chrono::{DateTime, Utc};
pub use customer_shares::Model as Share;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set,
};
pub use sharing_rules::Model as Rule;
use std::collections::HashMap;

crud!(
    rules,
    sharing_rules,
    super::Rule,
    crate::entity::sharing_rules::Column::Name
);

/// "To be shared": the rule matches, the access is not effective yet.
pub const PENDING: &str = "pending";
/// The rule's audience may view the customer.
pub const SHARED: &str = "shared";

const CHUNK: usize = 500;

/// Replaces the accounts a rule shares with.
pub async fn set_audience(
    c: &impl ConnectionTrait,
    rule: i64,
    accounts: &[i64],
) -> Result<(), DbError> {
    sharing_rule_accounts::Entity::delete_many()
        .filter(sharing_rule_accounts::Column::RuleId.eq(rule))
        .exec(c)
        .await?;
    for chunk in accounts.chunks(CHUNK) {
        let rows = chunk.iter().map(|&a| sharing_rule_accounts::ActiveModel {
            rule_id: Set(rule),
            account_id: Set(a),
        });
        sharing_rule_accounts::Entity::insert_many(rows)
            .exec_without_returning(c)
            .await?;
    }
    Ok(())
}

pub async fn audience(c: &impl ConnectionTrait, rule: i64) -> Result<Vec<i64>, DbError> {
    Ok(sharing_rule_accounts::Entity::find()
        .select_only()
        .column(sharing_rule_accounts::Column::AccountId)
        .filter(sharing_rule_accounts::Column::RuleId.eq(rule))
        .into_tuple()
        .all(c)
        .await?)
}

/// Every customer matching `cond` becomes "to be shared" by `rule` (those already
/// shared stay shared), in one statement.
pub async fn mark_matches(
    c: &impl ConnectionTrait,
    rule: i64,
    cond: &Cond,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let b = c.get_database_backend();
    let select = Query::select()
        .expr(Expr::val(rule))
        .column((customers::Entity, customers::Column::Id))
        .expr(Expr::val(PENDING))
        .expr(Expr::val(now))
        .from(customers::Entity)
        // Always a WHERE: SQLite reads `SELECT … ON CONFLICT` without one as a join.
        .cond_where(compile(
            b,
            &Cond::All(vec![Cond::InBin(false), cond.clone()]),
        ))
        .to_owned();
    let insert = Query::insert()
        .into_table(customer_shares::Entity)
        .columns([
            customer_shares::Column::RuleId,
            customer_shares::Column::CustomerId,
            customer_shares::Column::Status,
            customer_shares::Column::UpdatedAt,
        ])
        .select_from(select)
        .map_err(|e| DbError::Other(sea_orm::DbErr::Custom(e.to_string())))?
        .on_conflict(
            OnConflict::columns([
                customer_shares::Column::RuleId,
                customer_shares::Column::CustomerId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .to_owned();
    c.execute(&insert).await?;
    Ok(())
}

/// Drops what `rule` shares with customers that no longer match `cond` (or are in the
/// bin). Returns how many.
pub async fn drop_unmatched(
    c: &impl ConnectionTrait,
    rule: i64,
    cond: &Cond,
) -> Result<u64, DbError> {
    let b = c.get_database_backend();
    let matching = Query::select()
        .column((customers::Entity, customers::Column::Id))
        .from(customers::Entity)
        .cond_where(compile(
            b,
            &Cond::All(vec![Cond::InBin(false), cond.clone()]),
        ))
        .to_owned();
    let r = customer_shares::Entity::delete_many()
        .filter(customer_shares::Column::RuleId.eq(rule))
        .filter(Expr::col(customer_shares::Column::CustomerId).not_in_subquery(matching))
        .exec(c)
        .await?;
    Ok(r.rows_affected)
}

/// Makes up to `limit` "to be shared" rows effective. Returns how many.
pub async fn flip_pending(
    c: &impl ConnectionTrait,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    let rows: Vec<(i64, i64)> = customer_shares::Entity::find()
        .select_only()
        .column(customer_shares::Column::RuleId)
        .column(customer_shares::Column::CustomerId)
        .filter(customer_shares::Column::Status.eq(PENDING))
        .limit(limit)
        .into_tuple()
        .all(c)
        .await?;
    let mut by_rule: HashMap<i64, Vec<i64>> = HashMap::new();
    for (r, cid) in &rows {
        by_rule.entry(*r).or_default().push(*cid);
    }
    for (rule, ids) in by_rule {
        set_status(c, rule, &ids, SHARED, now).await?;
    }
    Ok(rows.len() as u64)
}

async fn set_status(
    c: &impl ConnectionTrait,
    rule: i64,
    ids: &[i64],
    status: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    for chunk in ids.chunks(CHUNK) {
        customer_shares::Entity::update_many()
            .col_expr(customer_shares::Column::Status, Expr::val(status))
            .col_expr(customer_shares::Column::UpdatedAt, Expr::val(now))
            .filter(customer_shares::Column::RuleId.eq(rule))
            .filter(customer_shares::Column::CustomerId.is_in(chunk.iter().copied()))
            .exec(c)
            .await?;
    }
    Ok(())
}

/// Shares these customers by `rule` right away (they just came to match).
pub async fn share_now(
    c: &impl ConnectionTrait,
    rule: i64,
    ids: &[i64],
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    for chunk in ids.chunks(CHUNK) {
        let rows = chunk.iter().map(|&cid| customer_shares::ActiveModel {
            rule_id: Set(rule),
            customer_id: Set(cid),
            status: Set(SHARED.to_string()),
            updated_at: Set(now),
        });
        customer_shares::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::columns([
                    customer_shares::Column::RuleId,
                    customer_shares::Column::CustomerId,
                ])
                .update_columns([
                    customer_shares::Column::Status,
                    customer_shares::Column::UpdatedAt,
                ])
                .to_owned(),
            )
            .exec_without_returning(c)
            .await?;
    }
    Ok(())
}

/// Stops sharing these customers by `rule`.
pub async fn unshare(c: &impl ConnectionTrait, rule: i64, ids: &[i64]) -> Result<(), DbError> {
    for chunk in ids.chunks(CHUNK) {
        customer_shares::Entity::delete_many()
            .filter(customer_shares::Column::RuleId.eq(rule))
            .filter(customer_shares::Column::CustomerId.is_in(chunk.iter().copied()))
            .exec(c)
            .await?;
    }
    Ok(())
}

/// `(rule, status)` of each customer's shares.
pub async fn shares_of(
    c: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<(i64, String)>>, DbError> {
    let mut out: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows = customer_shares::Entity::find()
            .filter(customer_shares::Column::CustomerId.is_in(chunk.iter().copied()))
            .all(c)
            .await?;
        for r in rows {
            out.entry(r.customer_id)
                .or_default()
                .push((r.rule_id, r.status));
        }
    }
    Ok(out)
}

/// How many customers a rule has "to be shared" and "shared".
pub async fn counts(c: &impl ConnectionTrait, rule: i64) -> Result<(u64, u64), DbError> {
    let n = |status: &'static str| {
        customer_shares::Entity::find()
            .filter(customer_shares::Column::RuleId.eq(rule))
            .filter(customer_shares::Column::Status.eq(status))
            .count(c)
    };
    Ok((n(PENDING).await?, n(SHARED).await?))
}

/// Rules whose matches must be worked out again.
pub async fn dirty(c: &impl ConnectionTrait) -> Result<Vec<Rule>, DbError> {
    Ok(sharing_rules::Entity::find()
        .filter(sharing_rules::Column::Dirty.eq(true))
        .all(c)
        .await?)
}

/// Marks every active rule to be worked out again (the periodic resync).
pub async fn mark_all_dirty(c: &impl ConnectionTrait) -> Result<(), DbError> {
    sharing_rules::Entity::update_many()
        .col_expr(sharing_rules::Column::Dirty, Expr::val(true))
        .filter(sharing_rules::Column::Active.eq(true))
        .exec(c)
        .await?;
    Ok(())
}
