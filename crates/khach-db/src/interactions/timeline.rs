//! One customer's timeline: filtered, newest first, keyset-paged; and the points of
//! its chart.

use crate::DbError;
use crate::entity::events;
use crate::events::Event;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// Filters of the timeline. `text` is matched lower-case against the type, source,
/// actor and properties.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub text: Option<String>,
    pub source: Option<String>,
    pub except_source: Option<String>,
}

fn condition(customer: i64, f: &Filter) -> Condition {
    let mut cond = Condition::all().add(events::Column::CustomerId.eq(customer));
    if let Some(s) = &f.source {
        cond = cond.add(events::Column::Source.eq(s.as_str()));
    }
    if let Some(s) = &f.except_source {
        cond = cond.add(events::Column::Source.ne(s.as_str()));
    }
    if let Some(t) = &f.text {
        let pat = format!("%{}%", crate::like_escape(&t.to_lowercase()));
        let like = |e: Expr| {
            Expr::expr(Func::lower(e))
                .like(sea_orm::sea_query::LikeExpr::new(pat.clone()).escape('\\'))
        };
        cond = cond.add(
            Condition::any()
                .add(like(Expr::col(events::Column::Kind)))
                .add(like(Expr::col(events::Column::Source)))
                .add(like(Expr::col(events::Column::ActorLabel)))
                .add(like(
                    Expr::col(events::Column::Payload).cast_as(Alias::new("TEXT")),
                )),
        );
    }
    cond
}

/// A page of events, newest first (by time of occurrence, then id), after `before`.
pub async fn page(
    c: &impl ConnectionTrait,
    customer: i64,
    f: &Filter,
    before: Option<(DateTime<Utc>, i64)>,
    limit: u64,
) -> Result<Vec<Event>, DbError> {
    let mut cond = condition(customer, f);
    if let Some((at, id)) = before {
        cond = cond.add(
            Condition::any().add(events::Column::OccurredAt.lt(at)).add(
                Condition::all()
                    .add(events::Column::OccurredAt.eq(at))
                    .add(events::Column::Id.lt(id)),
            ),
        );
    }
    Ok(events::Entity::find()
        .filter(cond)
        .order_by_desc(events::Column::OccurredAt)
        .order_by_desc(events::Column::Id)
        .limit(limit)
        .all(c)
        .await?)
}

/// (time, interaction change, score change) of every event of the customer, oldest
/// first: the chart's data.
pub async fn points(
    c: &impl ConnectionTrait,
    customer: i64,
) -> Result<Vec<(DateTime<Utc>, i32, i32)>, DbError> {
    Ok(events::Entity::find()
        .select_only()
        .columns([
            events::Column::OccurredAt,
            events::Column::InteractionDelta,
            events::Column::ScoreDelta,
        ])
        .filter(events::Column::CustomerId.eq(customer))
        .order_by_asc(events::Column::OccurredAt)
        .limit(100_000)
        .into_tuple()
        .all(c)
        .await?)
}

/// The sources seen on a customer's timeline, for the filter's choices.
pub async fn sources(c: &impl ConnectionTrait, customer: i64) -> Result<Vec<String>, DbError> {
    Ok(events::Entity::find()
        .select_only()
        .column(events::Column::Source)
        .distinct()
        .filter(events::Column::CustomerId.eq(customer))
        .order_by_asc(events::Column::Source)
        .into_tuple()
        .all(c)
        .await?)
}
