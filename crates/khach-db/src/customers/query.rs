//! The customer list query: a typed condition tree ([`Cond`]) compiled to sea-query
//! expressions with bound values, keyset paging, and counts. Callers (the core's
//! filter builder) never hand SQL text in; every user value is a bound parameter.

use crate::DbError;
use crate::entity::{customer_access, customer_emails, customer_phones, customer_tags, customers};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, BinOper, Expr, ExprTrait, LikeExpr, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect, Value,
};

pub use customers::Column as Col;

/// The ids of merged records (tombstones).
fn not_merged() -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(Alias::new("customer_id"))
        .from(Alias::new("merged_customers"))
        .to_owned()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextOp {
    Eq,
    Ne,
    Contains,
    NotContains,
    StartsWith,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetMode {
    Any,
    All,
    None,
}

/// A value stored in a custom field's JSON, for comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonScalar {
    Text(String),
    Number(f64),
    Bool(bool),
}

/// The counters the interaction history keeps for customers (`customer_counters`,
/// m0008), written only by `crate::interactions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    InteractionCount,
    Score,
    LastContactAt,
}

impl Counter {
    pub fn column(self) -> &'static str {
        match self {
            Counter::InteractionCount => "interaction_count",
            Counter::Score => "score",
            Counter::LastContactAt => "last_contact_at",
        }
    }

    /// The customer's value, from `customer_counters` (zero or null when nothing
    /// was counted yet).
    pub fn expr(self) -> Expr {
        let sub: Expr = Query::select()
            .column((Alias::new("cc"), Alias::new(self.column())))
            .from_as(Alias::new("customer_counters"), Alias::new("cc"))
            .and_where(
                Expr::col((Alias::new("cc"), Alias::new("customer_id")))
                    .equals((customers::Entity, Col::Id)),
            )
            .to_owned()
            .into();
        match self {
            Counter::LastContactAt => sub,
            _ => sea_orm::sea_query::Func::coalesce([sub, Expr::val(0)]).into(),
        }
    }
}

/// A condition on customers. Columns are named by [`Col`]; values are data.
#[derive(Debug, Clone)]
pub enum Cond {
    True,
    /// The interaction count or the score compared with a number.
    Counter {
        counter: Counter,
        op: Cmp,
        value: i64,
    },
    /// The last contact date compared with a time.
    LastContact {
        op: Cmp,
        at: DateTime<Utc>,
    },
    /// Never contacted (`true`) or contacted.
    LastContactNull(bool),
    /// Matches no customer.
    Nothing,
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
    /// In the recycle bin (`true`) or live (`false`).
    InBin(bool),
    /// Folded needle over name and code, and with `contacts` also over phones and
    /// e-mails (trigram index; needles under 3 characters match name prefixes).
    Search {
        needle: String,
        contacts: bool,
    },
    /// Exact phone (E.164) among all of a customer's phones.
    PhoneIs(String),
    /// Exact e-mail among all of a customer's e-mails.
    EmailIs(String),
    Text {
        col: Col,
        op: TextOp,
        value: String,
    },
    Ids {
        col: Col,
        ids: Vec<i64>,
        negate: bool,
    },
    Null {
        col: Col,
        null: bool,
    },
    Time {
        col: Col,
        op: Cmp,
        at: DateTime<Utc>,
    },
    Date {
        col: Col,
        op: Cmp,
        at: NaiveDate,
    },
    Bool {
        col: Col,
        value: bool,
    },
    Tags {
        mode: SetMode,
        ids: Vec<i64>,
    },
    Custom {
        key: String,
        op: Cmp,
        value: JsonScalar,
    },
    CustomText {
        key: String,
        op: TextOp,
        value: String,
    },
    CustomHas {
        key: String,
        mode: SetMode,
        values: Vec<String>,
    },
    CustomEmpty {
        key: String,
        empty: bool,
    },
    /// Reached by one of these accounts (the data scope): as owner or supporter, and
    /// unless `edit`, also as viewer, given by hand or by a sharing rule.
    Reach {
        accounts: Vec<i64>,
        edit: bool,
    },
}

/// `%needle%` with LIKE's wildcards escaped.
pub fn contains(needle: &str) -> LikeExpr {
    LikeExpr::new(format!("%{}%", crate::like_escape(needle))).escape('\\')
}

fn prefix(needle: &str) -> LikeExpr {
    LikeExpr::new(format!("{}%", crate::like_escape(needle))).escape('\\')
}

fn cmp(e: Expr, op: Cmp, v: impl Into<Value>) -> Expr {
    let v: Value = v.into();
    match op {
        Cmp::Eq => e.eq(v),
        Cmp::Ne => e.ne(v),
        Cmp::Gt => e.gt(v),
        Cmp::Gte => e.gte(v),
        Cmp::Lt => e.lt(v),
        Cmp::Lte => e.lte(v),
    }
}

fn text(e: Expr, op: TextOp, v: &str) -> Expr {
    match op {
        TextOp::Eq => e.eq(v),
        TextOp::Ne => e.ne(v),
        TextOp::Contains => e.like(contains(v)),
        TextOp::NotContains => e.not_like(contains(v)),
        TextOp::StartsWith => e.like(prefix(v)),
    }
}

fn custom_text(key: &str) -> Expr {
    Expr::col((customers::Entity, Col::Custom)).binary(BinOper::Custom("->>"), key)
}

/// How SQLite evaluates a tag condition. Its planner picks badly between the two
/// on its own (measured on 1M customers, a tag holding 400k of them): `IN (list)`
/// materialises every customer of the tag first (110–170 ms before anything else),
/// or drives the query from that list when it may (640 ms with a stage and a date
/// range beside it); a correlated `EXISTS` probes the tag index only for the rows
/// the other conditions leave (2–7 ms for the page, 50 ms for its count). Only a
/// count with no other narrowing condition is faster driven by the tag (70 ms
/// against 550 ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagPlan {
    Probe,
    Drive,
}

/// Whether the conjunction holds a condition an index narrows well, so a tag is
/// better probed than driven.
fn narrowed(cond: &Cond) -> bool {
    match cond {
        Cond::All(cs) => cs.iter().any(narrowed),
        Cond::Ids { col, negate, .. } => {
            !negate
                && matches!(
                    col,
                    Col::Id | Col::StageId | Col::SourceId | Col::CompanyId | Col::OwnerId
                )
        }
        Cond::Time { col, op, .. } => {
            matches!(col, Col::CreatedAt | Col::UpdatedAt) && !matches!(op, Cmp::Ne)
        }
        Cond::Search { .. } | Cond::PhoneIs(_) | Cond::EmailIs(_) | Cond::Nothing => true,
        _ => false,
    }
}

/// Compiles a condition for `backend` (for a page of rows, or anything but a count).
pub fn compile(b: DbBackend, cond: &Cond) -> Condition {
    compile_with(b, cond, TagPlan::Probe)
}

/// Compiles a condition for counting its rows.
fn compile_count(b: DbBackend, cond: &Cond) -> Condition {
    let plan = if narrowed(cond) {
        TagPlan::Probe
    } else {
        TagPlan::Drive
    };
    compile_with(b, cond, plan)
}

fn compile_with(b: DbBackend, cond: &Cond, plan: TagPlan) -> Condition {
    let compile = |b: DbBackend, c: &Cond| compile_with(b, c, plan);
    match cond {
        Cond::True => Condition::all(),
        Cond::Nothing => Condition::all().add(Expr::val(1).eq(0)),
        Cond::All(cs) => cs
            .iter()
            .fold(Condition::all(), |acc, c| acc.add(compile(b, c))),
        Cond::Any(cs) => {
            if cs.is_empty() {
                return Condition::all();
            }
            cs.iter()
                .fold(Condition::any(), |acc, c| acc.add(compile(b, c)))
        }
        Cond::Not(c) => compile(b, c).not(),
        // Merged records (tombstones) are out of the lists and not in the bin.
        Cond::InBin(true) => Condition::all()
            .add(Col::DeletedAt.is_not_null())
            .add(Expr::col((customers::Entity, Col::Id)).not_in_subquery(not_merged())),
        Cond::InBin(false) => Condition::all().add(Col::DeletedAt.is_null()),
        Cond::Search { needle, contacts } => Condition::all().add(search(b, needle, *contacts)),
        Cond::PhoneIs(e164) => Condition::all().add(
            Expr::col((customers::Entity, Col::Id)).in_subquery(
                Query::select()
                    .column(customer_phones::Column::CustomerId)
                    .from(customer_phones::Entity)
                    .and_where(customer_phones::Column::E164.eq(e164.as_str()))
                    .to_owned(),
            ),
        ),
        Cond::EmailIs(email) => Condition::all().add(
            Expr::col((customers::Entity, Col::Id)).in_subquery(
                Query::select()
                    .column(customer_emails::Column::CustomerId)
                    .from(customer_emails::Entity)
                    .and_where(customer_emails::Column::Email.eq(email.as_str()))
                    .to_owned(),
            ),
        ),
        Cond::Text { col, op, value } => {
            Condition::all().add(text(Expr::col((customers::Entity, *col)), *op, value))
        }
        Cond::Ids { col, ids, negate } => {
            let e = Expr::col((customers::Entity, *col));
            Condition::all().add(if *negate {
                // "not on stage X" includes customers with no stage.
                Expr::col((customers::Entity, *col))
                    .is_null()
                    .or(e.is_not_in(ids.iter().copied()))
            } else {
                e.is_in(ids.iter().copied())
            })
        }
        Cond::Null { col, null } => {
            let e = Expr::col((customers::Entity, *col));
            Condition::all().add(if *null { e.is_null() } else { e.is_not_null() })
        }
        Cond::Time { col, op, at } => {
            Condition::all().add(cmp(Expr::col((customers::Entity, *col)), *op, *at))
        }
        Cond::Date { col, op, at } => {
            Condition::all().add(cmp(Expr::col((customers::Entity, *col)), *op, *at))
        }
        Cond::Bool { col, value } => {
            Condition::all().add(Expr::col((customers::Entity, *col)).eq(*value))
        }
        Cond::Tags { mode, ids } => {
            // No ids: any tag at all.
            let has = |ids: Vec<i64>| {
                let mut sub = Query::select()
                    .column(customer_tags::Column::CustomerId)
                    .from(customer_tags::Entity)
                    .to_owned();
                if !ids.is_empty() {
                    sub.and_where(customer_tags::Column::TagId.is_in(ids));
                }
                match (b, plan) {
                    (DbBackend::Sqlite, TagPlan::Probe) => {
                        sub.and_where(
                            Expr::col((customer_tags::Entity, customer_tags::Column::CustomerId))
                                .equals((customers::Entity, Col::Id)),
                        );
                        Expr::exists(sub)
                    }
                    _ => Expr::col((customers::Entity, Col::Id)).in_subquery(sub),
                }
            };
            match mode {
                SetMode::Any => Condition::all().add(has(ids.clone())),
                SetMode::None => Condition::all().add(has(ids.clone())).not(),
                SetMode::All => ids
                    .iter()
                    .fold(Condition::all(), |acc, id| acc.add(has(vec![*id]))),
            }
        }
        Cond::Custom { key, op, value } => {
            let e = custom_text(key);
            Condition::all().add(match value {
                JsonScalar::Text(s) => cmp(e, *op, s.as_str()),
                JsonScalar::Number(n) => cmp(e.cast_as(Alias::new("NUMERIC")), *op, *n),
                JsonScalar::Bool(v) => match b {
                    DbBackend::Postgres => cmp(e, *op, if *v { "true" } else { "false" }),
                    _ => cmp(e, *op, i32::from(*v)),
                },
            })
        }
        Cond::CustomText { key, op, value } => {
            let e = custom_text(key);
            let c = Condition::all().add(text(e, *op, value));
            if matches!(op, TextOp::Ne | TextOp::NotContains) {
                // An empty field does not contain anything.
                Condition::any().add(c).add(custom_text(key).is_null())
            } else {
                c
            }
        }
        Cond::CustomEmpty { key, empty } => {
            let e = custom_text(key);
            Condition::all().add(if *empty { e.is_null() } else { e.is_not_null() })
        }
        Cond::CustomHas { key, mode, values } => {
            let one = |v: &str| custom_has(b, key, v);
            match mode {
                SetMode::Any => values
                    .iter()
                    .fold(Condition::any(), |acc, v| acc.add(one(v))),
                SetMode::All => values
                    .iter()
                    .fold(Condition::all(), |acc, v| acc.add(one(v))),
                SetMode::None => values
                    .iter()
                    .fold(Condition::any(), |acc, v| acc.add(one(v)))
                    .not(),
            }
        }
        Cond::Reach { accounts, edit } => reach(accounts, *edit),
        Cond::Counter { counter, op, value } => {
            Condition::all().add(cmp(counter.expr(), *op, *value))
        }
        Cond::LastContact { op, at } => {
            Condition::all().add(cmp(Counter::LastContactAt.expr(), *op, *at))
        }
        Cond::LastContactNull(null) => {
            let e = Counter::LastContactAt.expr();
            Condition::all().add(if *null { e.is_null() } else { e.is_not_null() })
        }
    }
}

fn reach(accounts: &[i64], edit: bool) -> Condition {
    let id = || Expr::col((customers::Entity, Col::Id));
    let mut access = Query::select()
        .column(customer_access::Column::CustomerId)
        .from(customer_access::Entity)
        .and_where(customer_access::Column::AccountId.is_in(accounts.iter().copied()))
        .to_owned();
    if edit {
        access.and_where(customer_access::Column::Kind.eq("supporter"));
    }
    let mut c = Condition::any()
        .add(Expr::col((customers::Entity, Col::OwnerId)).is_in(accounts.iter().copied()))
        .add(id().in_subquery(access));
    if !edit {
        c = c.add(id().in_subquery(crate::ownership::shared_with(accounts)));
    }
    c
}

/// Whether the multi-select `key` holds option `v`.
fn custom_has(b: DbBackend, key: &str, v: &str) -> SimpleExpr {
    match b {
        DbBackend::Postgres => {
            let doc = serde_json::json!({ key: [v] });
            Expr::cust_with_values(
                "\"customers\".\"custom\" @> $1",
                [Value::Json(Some(Box::new(doc)))],
            )
        }
        _ => Expr::cust_with_values(
            "EXISTS (SELECT 1 FROM json_each(\"customers\".\"custom\", ?) WHERE value = ?)",
            [Value::from(format!("$.\"{key}\"")), Value::from(v)],
        ),
    }
}

fn search(b: DbBackend, needle: &str, contacts: bool) -> SimpleExpr {
    let short = needle.chars().count() < 3;
    if short {
        // Trigrams need three characters; short needles match the start of the name.
        return Expr::col((customers::Entity, Col::SearchName)).like(prefix(needle));
    }
    // Phones and e-mails hold no space: a needle with one is a name (or code).
    let contacts = contacts && !needle.contains(char::is_whitespace);
    let mut cols = vec![Col::SearchName];
    if contacts {
        cols.push(Col::SearchContact);
    }
    // An e-mail's domain is shared by many customers, and its trigrams are among the
    // most frequent in the index: the index looks up the part up to the `@`, the row
    // is then checked for the whole needle.
    let probe = match needle.split_once('@') {
        Some((local, _)) if local.chars().count() >= 3 => &needle[..=local.len()],
        _ => needle,
    };
    // Both indexes answer for a few of the needle's trigrams (see `fts_terms`): those
    // inside common syllables ("ngu", "yen", "anh") hold a third of all customers,
    // and reading them all is what makes a substring search slow. The row is then
    // checked for the whole needle.
    let terms = fts_terms(probe);
    let exact = |c: Col| {
        Expr::cust_with_exprs(
            match b {
                DbBackend::Postgres => "strpos($1, $2) > 0",
                _ => "instr(?, ?) > 0",
            },
            [Expr::col((customers::Entity, c)), Expr::val(needle)],
        )
    };
    let exact = cols
        .into_iter()
        .map(exact)
        .reduce(|a, e| a.or(e))
        .unwrap_or_else(|| Expr::cust("1 = 0"));
    match b {
        DbBackend::Postgres => {
            // `search_tri` (m0007) holds every 3-character window, spaces included,
            // under a GIN index.
            let lookup = Expr::cust_with_values(
                "\"customers\".\"search_tri\" @> $1",
                [Value::Json(Some(Box::new(serde_json::Value::from(terms))))],
            );
            lookup.and(exact)
        }
        _ => {
            let quoted: Vec<String> = terms
                .into_iter()
                .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
                .collect();
            let filter = if contacts { "" } else { "search_name : " };
            let m = format!("{filter}({})", quoted.join(" AND "));
            let candidates = Expr::col((customers::Entity, Col::Id)).in_subquery(
                Query::select()
                    .expr(Expr::cust("rowid"))
                    .from(Alias::new("customers_fts"))
                    .and_where(Expr::cust_with_values("customers_fts MATCH ?", [m]))
                    .to_owned(),
            );
            candidates.and(exact)
        }
    }
}

/// The trigrams of a needle (3+ characters) that the FTS index looks up. One that
/// spans a space ("n t" in "nguyen thi") ties two words together and is far rarer
/// than those inside a syllable: a needle of several words gets the first trigram,
/// every such one, and the last. Otherwise every third trigram (together they still
/// cover the needle) and the last.
fn fts_terms(needle: &str) -> Vec<String> {
    let chars: Vec<char> = needle.chars().collect();
    let last = chars.len().saturating_sub(3);
    let tri = |i: usize| -> String { chars.get(i..i + 3).unwrap_or_default().iter().collect() };
    let starts: Vec<usize> = if chars.contains(&' ') {
        std::iter::once(0)
            .chain((0..=last).filter(|&i| chars.get(i + 1) == Some(&' ')))
            .chain(std::iter::once(last))
            .collect()
    } else {
        (0..=last).step_by(3).chain(std::iter::once(last)).collect()
    };
    let mut out: Vec<String> = Vec::new();
    for i in starts {
        let t = tri(i);
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

pub async fn count(c: &impl ConnectionTrait, cond: &Cond) -> Result<u64, DbError> {
    let b = c.get_database_backend();
    Ok(customers::Entity::find()
        .filter(compile_count(b, cond))
        .count(c)
        .await?)
}

/// Ids matching `cond`, at most `limit` (for bulk actions over a filter).
pub async fn ids(c: &impl ConnectionTrait, cond: &Cond, limit: u64) -> Result<Vec<i64>, DbError> {
    let b = c.get_database_backend();
    Ok(customers::Entity::find()
        .select_only()
        .column(Col::Id)
        .filter(compile(b, cond))
        .limit(limit)
        .into_tuple()
        .all(c)
        .await?)
}
