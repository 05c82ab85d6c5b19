//! Import runs, their uploaded files and per-row records, and the batched look-ups
//! an import makes (which live customers hold these codes, phones, e-mails).

use crate::DbError;
use crate::entity::{
    customer_emails, customer_phones, customers, import_files, import_rows, imports,
};
use chrono::{DateTime, Utc};
pub use import_rows::Model as ImportRow;
pub use imports::Model as Import;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// Values bound per look-up statement, well under both backends' limits.
const CHUNK: usize = 5_000;

pub async fn insert(c: &impl ConnectionTrait, r: Import) -> Result<Import, DbError> {
    let mut am = r.into_active_model();
    am.id = ActiveValue::NotSet;
    Ok(am.insert(c).await?)
}

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<Option<Import>, DbError> {
    Ok(imports::Entity::find_by_id(id).one(c).await?)
}

pub async fn save(c: &impl ConnectionTrait, r: Import) -> Result<Import, DbError> {
    Ok(r.into_active_model().reset_all().update(c).await?)
}

/// Runs, newest first; only those of `by` when given.
pub async fn list(
    c: &impl ConnectionTrait,
    by: Option<i64>,
    limit: u64,
) -> Result<Vec<Import>, DbError> {
    let mut q = imports::Entity::find().order_by_desc(imports::Column::Id);
    if let Some(a) = by {
        q = q.filter(imports::Column::CreatedBy.eq(a));
    }
    Ok(q.limit(limit).all(c).await?)
}

/// The newest run of the same file with the same options that has not finished.
pub async fn unfinished(
    c: &impl ConnectionTrait,
    hash: &str,
    options: &serde_json::Value,
) -> Result<Option<Import>, DbError> {
    let runs = imports::Entity::find()
        .filter(imports::Column::FileHash.eq(hash))
        .filter(imports::Column::Status.is_in(["queued", "running", "failed"]))
        .order_by_desc(imports::Column::Id)
        .all(c)
        .await?;
    Ok(runs.into_iter().find(|r| &r.options == options))
}

/// Takes the run for `until` unless another worker holds an unexpired lease.
/// Returns whether it was taken.
pub async fn claim(
    c: &impl ConnectionTrait,
    id: i64,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool, DbError> {
    let r = imports::Entity::update_many()
        .col_expr(imports::Column::LockedUntil, Expr::value(until))
        .col_expr(imports::Column::Status, Expr::value("running"))
        .filter(imports::Column::Id.eq(id))
        .filter(imports::Column::Status.is_in(["queued", "running", "failed"]))
        .filter(
            Condition::any()
                .add(imports::Column::LockedUntil.is_null())
                .add(imports::Column::LockedUntil.lt(now)),
        )
        .exec(c)
        .await?;
    Ok(r.rows_affected == 1)
}

pub async fn put_file(c: &impl ConnectionTrait, id: i64, data: Vec<u8>) -> Result<(), DbError> {
    import_files::ActiveModel {
        import_id: Set(id),
        data: Set(data),
    }
    .insert(c)
    .await?;
    Ok(())
}

pub async fn file(c: &impl ConnectionTrait, id: i64) -> Result<Option<Vec<u8>>, DbError> {
    Ok(import_files::Entity::find_by_id(id)
        .one(c)
        .await?
        .map(|f| f.data))
}

/// Records of handled rows, in as few statements as the bound-variable limit allows.
pub async fn insert_rows(c: &impl ConnectionTrait, rows: Vec<ImportRow>) -> Result<(), DbError> {
    let mut rest: Vec<import_rows::ActiveModel> = rows
        .into_iter()
        .map(IntoActiveModel::into_active_model)
        .collect();
    while !rest.is_empty() {
        // 9 columns a row.
        let tail = rest.split_off(rest.len().min(3_000));
        import_rows::Entity::insert_many(rest)
            .exec_without_returning(c)
            .await?;
        rest = tail;
    }
    Ok(())
}

/// Row records of a run from `after` on, in file order, of the given outcomes (all
/// when empty).
pub async fn rows(
    c: &impl ConnectionTrait,
    import_id: i64,
    outcomes: &[&str],
    after: i64,
    limit: u64,
) -> Result<Vec<ImportRow>, DbError> {
    let mut q = import_rows::Entity::find()
        .filter(import_rows::Column::ImportId.eq(import_id))
        .filter(import_rows::Column::RowNo.gt(after))
        .order_by_asc(import_rows::Column::RowNo)
        .limit(limit);
    if !outcomes.is_empty() {
        q = q.filter(import_rows::Column::Outcome.is_in(outcomes.iter().copied()));
    }
    Ok(q.all(c).await?)
}

/// Rows of a run not yet undone that wrote something, from `after` on.
pub async fn rows_to_undo(
    c: &impl ConnectionTrait,
    import_id: i64,
    after: i64,
    limit: u64,
) -> Result<Vec<ImportRow>, DbError> {
    Ok(import_rows::Entity::find()
        .filter(import_rows::Column::ImportId.eq(import_id))
        .filter(import_rows::Column::RowNo.gt(after))
        .filter(import_rows::Column::Outcome.is_in(["created", "updated"]))
        .filter(import_rows::Column::Undone.is_null())
        .order_by_asc(import_rows::Column::RowNo)
        .limit(limit)
        .all(c)
        .await?)
}

pub async fn mark_undone(
    c: &impl ConnectionTrait,
    import_id: i64,
    row_no: i64,
    how: &str,
) -> Result<(), DbError> {
    import_rows::Entity::update_many()
        .col_expr(import_rows::Column::Undone, Expr::value(how))
        .filter(import_rows::Column::ImportId.eq(import_id))
        .filter(import_rows::Column::RowNo.eq(row_no))
        .exec(c)
        .await?;
    Ok(())
}

/// Live customers holding each of these codes: `(code, id)`.
pub async fn live_codes(
    c: &impl ConnectionTrait,
    codes: &[String],
) -> Result<Vec<(String, i64)>, DbError> {
    let mut out = Vec::new();
    for chunk in codes.chunks(CHUNK) {
        let found: Vec<(String, i64)> = customers::Entity::find()
            .select_only()
            .column(customers::Column::Code)
            .column(customers::Column::Id)
            .filter(customers::Column::Code.is_in(chunk.iter().cloned()))
            .filter(customers::Column::DeletedAt.is_null())
            .into_tuple()
            .all(c)
            .await?;
        out.extend(found);
    }
    Ok(out)
}

/// Codes held by any customer, live or in the bin (a new code must be free of both).
pub async fn any_codes(c: &impl ConnectionTrait, codes: &[String]) -> Result<Vec<String>, DbError> {
    crate::customers::bulk::taken_codes(c, codes).await
}

/// Live customers holding each of these phones (E.164): `(e164, id)`.
pub async fn live_phones(
    c: &impl ConnectionTrait,
    e164: &[String],
) -> Result<Vec<(String, i64)>, DbError> {
    let mut out = Vec::new();
    for chunk in e164.chunks(CHUNK) {
        let found: Vec<(String, i64)> = customer_phones::Entity::find()
            .select_only()
            .column(customer_phones::Column::E164)
            .column(customer_phones::Column::CustomerId)
            .filter(customer_phones::Column::E164.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(c)
            .await?;
        out.extend(found);
    }
    only_live(c, out).await
}

/// Live customers holding each of these e-mails: `(email, id)`.
pub async fn live_emails(
    c: &impl ConnectionTrait,
    emails: &[String],
) -> Result<Vec<(String, i64)>, DbError> {
    let mut out = Vec::new();
    for chunk in emails.chunks(CHUNK) {
        let found: Vec<(String, i64)> = customer_emails::Entity::find()
            .select_only()
            .column(customer_emails::Column::Email)
            .column(customer_emails::Column::CustomerId)
            .filter(customer_emails::Column::Email.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(c)
            .await?;
        out.extend(found);
    }
    only_live(c, out).await
}

async fn only_live(
    c: &impl ConnectionTrait,
    pairs: Vec<(String, i64)>,
) -> Result<Vec<(String, i64)>, DbError> {
    if pairs.is_empty() {
        return Ok(pairs);
    }
    let mut ids: Vec<i64> = pairs.iter().map(|p| p.1).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut live = std::collections::HashSet::new();
    for chunk in ids.chunks(CHUNK) {
        let found: Vec<i64> = customers::Entity::find()
            .select_only()
            .column(customers::Column::Id)
            .filter(customers::Column::Id.is_in(chunk.iter().copied()))
            .filter(customers::Column::DeletedAt.is_null())
            .into_tuple()
            .all(c)
            .await?;
        live.extend(found);
    }
    Ok(pairs.into_iter().filter(|p| live.contains(&p.1)).collect())
}

/// Rows a resumed run must not count as taken: failed ones and in-file duplicates.
pub async fn excluded_rows(c: &impl ConnectionTrait, import_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(import_rows::Entity::find()
        .select_only()
        .column(import_rows::Column::RowNo)
        .filter(import_rows::Column::ImportId.eq(import_id))
        .filter(
            Condition::any()
                .add(import_rows::Column::Outcome.eq("failed"))
                .add(import_rows::Column::Reason.like("row.%")),
        )
        .into_tuple()
        .all(c)
        .await?)
}

/// Forgets the uploaded file of a finished run.
pub async fn drop_file(c: &impl ConnectionTrait, id: i64) -> Result<(), DbError> {
    import_files::Entity::delete_by_id(id).exec(c).await?;
    Ok(())
}

/// Runs whose worker stopped without finishing (status `running`, lease expired).
pub async fn orphans(c: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Vec<Import>, DbError> {
    Ok(imports::Entity::find()
        .filter(imports::Column::Status.eq("running"))
        .filter(imports::Column::LockedUntil.lt(now))
        .order_by_asc(imports::Column::Id)
        .limit(20)
        .all(c)
        .await?)
}
