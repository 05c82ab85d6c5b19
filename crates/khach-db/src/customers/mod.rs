//! Customers: rows, their phones, e-mails and tags, the recycle bin, and the list
//! query (see [`query`]).

pub mod bulk;
pub mod page;
pub mod query;

use crate::DbError;
use crate::entity::{customer_emails, customer_phones, customer_tags, customers};
use chrono::{DateTime, Utc};
pub use customers::Column;
pub use customers::Model as Customer;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::HashMap;

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<Option<Customer>, DbError> {
    Ok(customers::Entity::find_by_id(id).one(c).await?)
}

pub async fn by_code(c: &impl ConnectionTrait, code: &str) -> Result<Option<Customer>, DbError> {
    Ok(customers::Entity::find()
        .filter(customers::Column::Code.eq(code))
        .one(c)
        .await?)
}

pub async fn get_many(c: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<Customer>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(customers::Entity::find()
        .filter(customers::Column::Id.is_in(ids.iter().copied()))
        .all(c)
        .await?)
}

/// Every distinct 3-character window of the search texts, for PostgreSQL's search
/// index (m0007); `None` on SQLite, whose FTS5 table reads the texts themselves.
pub(crate) fn search_tri(b: DbBackend, r: &Customer) -> Option<serde_json::Value> {
    if b != DbBackend::Postgres {
        return None;
    }
    let mut tri: Vec<String> = Vec::new();
    for text in [&r.search_name, &r.search_contact] {
        let chars: Vec<char> = text.chars().collect();
        for w in chars.windows(3) {
            let t: String = w.iter().collect();
            if !tri.contains(&t) {
                tri.push(t);
            }
        }
    }
    Some(serde_json::Value::from(tri))
}

pub async fn insert(c: &impl ConnectionTrait, mut r: Customer) -> Result<Customer, DbError> {
    r.search_tri = search_tri(c.get_database_backend(), &r);
    let mut am = r.into_active_model();
    am.id = sea_orm::ActiveValue::NotSet;
    Ok(am.insert(c).await?)
}

pub async fn update(c: &impl ConnectionTrait, mut r: Customer) -> Result<Customer, DbError> {
    r.search_tri = search_tri(c.get_database_backend(), &r);
    Ok(r.into_active_model().reset_all().update(c).await?)
}

/// Deletes the row and, by cascade, everything attached to it.
pub async fn purge(c: &impl ConnectionTrait, id: i64) -> Result<(), DbError> {
    customers::Entity::delete_by_id(id).exec(c).await?;
    Ok(())
}

/// Customers in the bin since before `before`.
pub async fn expired_in_bin(
    c: &impl ConnectionTrait,
    before: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<i64>, DbError> {
    Ok(customers::Entity::find()
        .select_only()
        .column(customers::Column::Id)
        .filter(customers::Column::DeletedAt.lt(before))
        // Merged records stay: their ids and codes lead to the survivor.
        .filter(sea_orm::sea_query::ExprTrait::not_in_subquery(
            sea_orm::sea_query::Expr::col(customers::Column::Id),
            sea_orm::sea_query::Query::select()
                .column(sea_orm::sea_query::Alias::new("customer_id"))
                .from(sea_orm::sea_query::Alias::new("merged_customers"))
                .to_owned(),
        ))
        .limit(limit)
        .into_tuple()
        .all(c)
        .await?)
}

/// `(e164, typed)` per customer, in order.
pub async fn phones_of(
    c: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<(String, Option<String>)>>, DbError> {
    let rows = customer_phones::Entity::find()
        .filter(customer_phones::Column::CustomerId.is_in(ids.iter().copied()))
        .order_by_asc(customer_phones::Column::Position)
        .all(c)
        .await?;
    let mut m: HashMap<i64, Vec<_>> = HashMap::new();
    for r in rows {
        m.entry(r.customer_id).or_default().push((r.e164, r.typed));
    }
    Ok(m)
}

pub async fn emails_of(
    c: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<String>>, DbError> {
    let rows = customer_emails::Entity::find()
        .filter(customer_emails::Column::CustomerId.is_in(ids.iter().copied()))
        .order_by_asc(customer_emails::Column::Position)
        .all(c)
        .await?;
    let mut m: HashMap<i64, Vec<_>> = HashMap::new();
    for r in rows {
        m.entry(r.customer_id).or_default().push(r.email);
    }
    Ok(m)
}

pub async fn tags_of(
    c: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<i64>>, DbError> {
    let rows = customer_tags::Entity::find()
        .filter(customer_tags::Column::CustomerId.is_in(ids.iter().copied()))
        .all(c)
        .await?;
    let mut m: HashMap<i64, Vec<_>> = HashMap::new();
    for r in rows {
        m.entry(r.customer_id).or_default().push(r.tag_id);
    }
    Ok(m)
}

pub async fn set_phones(
    c: &impl ConnectionTrait,
    id: i64,
    phones: &[(String, String)],
) -> Result<(), DbError> {
    customer_phones::Entity::delete_many()
        .filter(customer_phones::Column::CustomerId.eq(id))
        .exec(c)
        .await?;
    if phones.is_empty() {
        return Ok(());
    }
    let rows = phones
        .iter()
        .enumerate()
        .map(|(i, (e164, typed))| customer_phones::ActiveModel {
            customer_id: Set(id),
            e164: Set(e164.clone()),
            typed: Set(Some(typed.clone())),
            position: Set(i as i32),
            ..Default::default()
        });
    customer_phones::Entity::insert_many(rows).exec(c).await?;
    Ok(())
}

pub async fn set_emails(
    c: &impl ConnectionTrait,
    id: i64,
    emails: &[String],
) -> Result<(), DbError> {
    customer_emails::Entity::delete_many()
        .filter(customer_emails::Column::CustomerId.eq(id))
        .exec(c)
        .await?;
    if emails.is_empty() {
        return Ok(());
    }
    let rows = emails
        .iter()
        .enumerate()
        .map(|(i, e)| customer_emails::ActiveModel {
            customer_id: Set(id),
            email: Set(e.clone()),
            typed: Set(None),
            position: Set(i as i32),
            ..Default::default()
        });
    customer_emails::Entity::insert_many(rows).exec(c).await?;
    Ok(())
}

/// Adds tags to customers; pairs already present are kept as they are.
pub async fn add_tags(c: &impl ConnectionTrait, ids: &[i64], tags: &[i64]) -> Result<(), DbError> {
    let rows: Vec<_> = ids
        .iter()
        .flat_map(|&cid| tags.iter().map(move |&t| (cid, t)))
        .map(|(cid, t)| customer_tags::ActiveModel {
            customer_id: Set(cid),
            tag_id: Set(t),
        })
        .collect();
    // Well below SQLite's bound-variable limit per statement.
    for chunk in rows.chunks(5000) {
        customer_tags::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    customer_tags::Column::CustomerId,
                    customer_tags::Column::TagId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(c)
            .await?;
    }
    Ok(())
}

pub async fn remove_tags(
    c: &impl ConnectionTrait,
    ids: &[i64],
    tags: &[i64],
) -> Result<(), DbError> {
    customer_tags::Entity::delete_many()
        .filter(customer_tags::Column::CustomerId.is_in(ids.iter().copied()))
        .filter(customer_tags::Column::TagId.is_in(tags.iter().copied()))
        .exec(c)
        .await?;
    Ok(())
}

/// Live customers other than `except` holding any of these phones (E.164).
pub async fn live_with_phones(
    c: &impl ConnectionTrait,
    e164: &[String],
    except: Option<i64>,
) -> Result<Vec<Customer>, DbError> {
    if e164.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = customer_phones::Entity::find()
        .select_only()
        .column(customer_phones::Column::CustomerId)
        .filter(customer_phones::Column::E164.is_in(e164.iter().cloned()))
        .into_tuple()
        .all(c)
        .await?;
    live_among(c, ids, except).await
}

pub async fn live_with_emails(
    c: &impl ConnectionTrait,
    emails: &[String],
    except: Option<i64>,
) -> Result<Vec<Customer>, DbError> {
    if emails.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = customer_emails::Entity::find()
        .select_only()
        .column(customer_emails::Column::CustomerId)
        .filter(customer_emails::Column::Email.is_in(emails.iter().cloned()))
        .into_tuple()
        .all(c)
        .await?;
    live_among(c, ids, except).await
}

async fn live_among(
    c: &impl ConnectionTrait,
    ids: Vec<i64>,
    except: Option<i64>,
) -> Result<Vec<Customer>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut cond = Condition::all()
        .add(customers::Column::Id.is_in(ids))
        .add(customers::Column::DeletedAt.is_null());
    if let Some(e) = except {
        cond = cond.add(customers::Column::Id.ne(e));
    }
    Ok(customers::Entity::find()
        .filter(cond)
        .limit(5)
        .all(c)
        .await?)
}

/// Whether another live customer holds `code`.
pub async fn code_taken(
    c: &impl ConnectionTrait,
    code: &str,
    except: Option<i64>,
) -> Result<bool, DbError> {
    let mut q = customers::Entity::find()
        .filter(customers::Column::Code.eq(code))
        .filter(customers::Column::DeletedAt.is_null());
    if let Some(e) = except {
        q = q.filter(customers::Column::Id.ne(e));
    }
    Ok(q.count(c).await? > 0)
}
