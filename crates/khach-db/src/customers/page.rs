//! One page of the customer list: sorted by any column the list can show, or by
//! search rank, with keyset paging (never OFFSET: a deep page costs as much as the
//! first). Each row comes back with its position, for the next page's cursor.
//!
//! Created, updated, code and name walk their `(column, id)` indexes. The other keys
//! sort by an expression (a linked record's name, a stage's position, a custom
//! field); empty values sort as `''` (or the lowest number): first when ascending.

use super::Customer;
use super::query::{Col, Cond, Counter, compile, contains};
use crate::DbError;
use crate::entity::{accounts, companies, customers, sources, stages};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, BinOper, Expr, ExprTrait, Func, Query};
use sea_orm::{
    Condition, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
    Value,
};

/// What the list can be sorted by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortKey {
    CreatedAt,
    UpdatedAt,
    Code,
    Name,
    Phone,
    Email,
    Gender,
    Birthday,
    Province,
    Company,
    Source,
    /// By the stage's place in the lifecycle.
    Stage,
    /// By the owner's full name.
    Owner,
    /// An interaction counter: count, score, last contact.
    Counter(Counter),
    /// A custom field's value, as text or (`numeric`) as a number.
    Custom {
        key: String,
        numeric: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Order {
    By {
        key: SortKey,
        desc: bool,
    },
    /// Search results: names containing `typed` as typed (NFC, lower case) first.
    Rank {
        typed: String,
    },
}

/// Where a row sits in its order: the next page starts after it.
#[derive(Debug, Clone, PartialEq)]
pub enum After {
    Time(DateTime<Utc>, i64),
    Text(String, i64),
    Num(f64, i64),
    Rank(i32, i64),
}

/// Lowest number: where empty numeric values sort.
const NUM_EMPTY: f64 = -1e300;

enum Kind {
    Text,
    Num,
}

/// `(SELECT table.col FROM table WHERE table.id = customers.<fk>)`: a linked
/// record's value.
fn name_of<T>(table: T, col: T::Column, fk: Col) -> Expr
where
    T: EntityTrait + Copy,
{
    Query::select()
        .column((table, col))
        .from(table)
        .and_where(Expr::col((table, Alias::new("id"))).equals((customers::Entity, fk)))
        .to_owned()
        .into()
}

fn text_or_empty(e: Expr) -> Expr {
    Func::coalesce([e, Expr::val("")]).into()
}

/// The expression a key sorts by, and how its values compare.
fn sort_expr(key: &SortKey) -> (Expr, Kind) {
    let col = |c: Col| Expr::col((customers::Entity, c));
    match key {
        SortKey::Phone => (text_or_empty(col(Col::Phone)), Kind::Text),
        SortKey::Email => (text_or_empty(col(Col::Email)), Kind::Text),
        SortKey::Gender => (text_or_empty(col(Col::Gender)), Kind::Text),
        SortKey::Province => (text_or_empty(col(Col::ProvinceCode)), Kind::Text),
        SortKey::Birthday => (
            text_or_empty(col(Col::Birthday).cast_as(Alias::new("TEXT"))),
            Kind::Text,
        ),
        SortKey::Company => (
            text_or_empty(name_of(
                companies::Entity,
                companies::Column::Name,
                Col::CompanyId,
            )),
            Kind::Text,
        ),
        SortKey::Source => (
            text_or_empty(name_of(
                sources::Entity,
                sources::Column::Name,
                Col::SourceId,
            )),
            Kind::Text,
        ),
        SortKey::Owner => (
            text_or_empty(name_of(
                accounts::Entity,
                accounts::Column::FullName,
                Col::OwnerId,
            )),
            Kind::Text,
        ),
        SortKey::Stage => (
            Func::coalesce([
                name_of(stages::Entity, stages::Column::Position, Col::StageId),
                Expr::val(-1),
            ])
            .into(),
            Kind::Num,
        ),
        SortKey::Custom { key, numeric } => {
            let v = col(Col::Custom).binary(BinOper::Custom("->>"), key.as_str());
            if *numeric {
                (
                    Func::coalesce([v.cast_as(Alias::new("NUMERIC")), Expr::val(NUM_EMPTY)]).into(),
                    Kind::Num,
                )
            } else {
                (text_or_empty(v), Kind::Text)
            }
        }
        SortKey::CreatedAt => (col(Col::CreatedAt), Kind::Text),
        SortKey::UpdatedAt => (col(Col::UpdatedAt), Kind::Text),
        SortKey::Code => (col(Col::Code), Kind::Text),
        SortKey::Name => (col(Col::NameLc), Kind::Text),
        SortKey::Counter(Counter::LastContactAt) => (
            text_or_empty(Counter::LastContactAt.expr().cast_as(Alias::new("TEXT"))),
            Kind::Text,
        ),
        SortKey::Counter(c) => (c.expr(), Kind::Num),
    }
}

/// Where a row sits in an indexed order.
type Position = fn(&Customer) -> After;

/// The indexed keys: the column, and the row's position in it.
fn indexed(key: &SortKey) -> Option<(Col, Position)> {
    Some(match key {
        SortKey::CreatedAt => (Col::CreatedAt, |r| After::Time(r.created_at, r.id)),
        SortKey::UpdatedAt => (Col::UpdatedAt, |r| After::Time(r.updated_at, r.id)),
        SortKey::Code => (Col::Code, |r| After::Text(r.code.clone(), r.id)),
        SortKey::Name => (Col::NameLc, |r| After::Text(r.name_lc.clone(), r.id)),
        _ => return None,
    })
}

fn after_value(a: &After) -> (Value, i64) {
    match a {
        After::Time(t, i) => ((*t).into(), *i),
        After::Text(s, i) => (s.clone().into(), *i),
        After::Num(n, i) => ((*n).into(), *i),
        After::Rank(r, i) => ((*r).into(), *i),
    }
}

/// Keyset condition: rows strictly after `a` in `(e, id)` order.
fn past(e: Expr, a: &After, desc: bool) -> Expr {
    let (v, aid) = after_value(a);
    // Row-value comparison lets both planners seek a (col, id) index.
    let lhs = Expr::tuple([e, Expr::col((customers::Entity, Col::Id))]);
    let rhs = Expr::tuple([Expr::val(v), Expr::val(aid)]);
    if desc { lhs.lt(rhs) } else { lhs.gt(rhs) }
}

#[derive(FromQueryResult)]
struct Keyed {
    id: i64,
    text: Option<String>,
    num: Option<f64>,
}

#[derive(FromQueryResult)]
struct Ranked {
    id: i64,
    rank: i32,
}

/// The rows of `keys` (id first), in that order, each with what was selected beside
/// its id; a row gone in between is left out.
async fn with_rows<K>(
    c: &impl ConnectionTrait,
    keys: Vec<(i64, K)>,
) -> Result<Vec<(Customer, K)>, DbError> {
    let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
    let mut rows: std::collections::HashMap<i64, Customer> = super::get_many(c, &ids)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    Ok(keys
        .into_iter()
        .filter_map(|(id, k)| rows.remove(&id).map(|r| (r, k)))
        .collect())
}

/// One page of customers matching `cond`, each with its position.
pub async fn page(
    c: &impl ConnectionTrait,
    cond: &Cond,
    order: &Order,
    after: Option<&After>,
    limit: u64,
) -> Result<Vec<(Customer, After)>, DbError> {
    let b = c.get_database_backend();
    let mut q = customers::Entity::find().filter(compile(b, cond));
    match order {
        Order::By { key, desc } => {
            let ord = if *desc {
                sea_orm::Order::Desc
            } else {
                sea_orm::Order::Asc
            };
            if let Some((col, pos)) = indexed(key) {
                if let Some(a) = after {
                    q = q.filter(past(Expr::col((customers::Entity, col)), a, *desc));
                }
                let rows = q
                    .order_by(col, ord.clone())
                    .order_by(Col::Id, ord)
                    .limit(limit)
                    .all(c)
                    .await?;
                return Ok(rows
                    .into_iter()
                    .map(|r| {
                        let p = pos(&r);
                        (r, p)
                    })
                    .collect());
            }
            let (e, kind) = sort_expr(key);
            if let Some(a) = after {
                q = q.filter(past(e.clone(), a, *desc));
            }
            let (text, num) = match kind {
                Kind::Text => (e.clone(), Expr::val(Option::<f64>::None)),
                Kind::Num => (
                    Expr::val(Option::<String>::None),
                    e.clone().cast_as(Alias::new("DOUBLE PRECISION")),
                ),
            };
            let keyed: Vec<Keyed> = q
                .select_only()
                .column(Col::Id)
                .expr_as(text, "text")
                .expr_as(num, "num")
                .order_by(e, ord.clone())
                .order_by(Col::Id, ord)
                .limit(limit)
                .into_model()
                .all(c)
                .await?;
            let keys = keyed
                .into_iter()
                .map(|k| {
                    let pos = match k.num {
                        Some(n) => After::Num(n, k.id),
                        None => After::Text(k.text.unwrap_or_default(), k.id),
                    };
                    (k.id, pos)
                })
                .collect();
            with_rows(c, keys).await
        }
        Order::Rank { typed } => {
            let rank = Expr::case(
                Expr::col((customers::Entity, Col::NameLc)).like(contains(typed)),
                0,
            )
            .finally(1);
            let rank: Expr = rank.into();
            if let Some(After::Rank(r, id)) = after {
                q = q.filter(
                    Condition::any().add(rank.clone().gt(*r)).add(
                        Condition::all()
                            .add(rank.clone().eq(*r))
                            .add(Expr::col((customers::Entity, Col::Id)).lt(*id)),
                    ),
                );
            }
            let ranked: Vec<Ranked> = q
                .select_only()
                .column(Col::Id)
                .expr_as(rank.clone(), "rank")
                .order_by(rank, sea_orm::Order::Asc)
                .order_by_desc(Col::Id)
                .limit(limit)
                .into_model()
                .all(c)
                .await?;
            let keys = ranked
                .into_iter()
                .map(|k| (k.id, After::Rank(k.rank, k.id)))
                .collect();
            with_rows(c, keys).await
        }
    }
}
