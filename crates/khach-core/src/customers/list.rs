//! The customer list: quick search, filters, the data scope, sorting and keyset
//! paging, with a total count.

use super::{filter, hydrate, scope_cond};
use crate::audit::{self, Changes};
use crate::fields::Def;
use crate::{Core, CoreError, CoreResult, Ctx};
use chrono::{TimeZone, Utc};
use khach_db::customers::page::{After, Order, SortKey};
use khach_db::customers::query::{Col, Cond, Counter};
use khach_types::api::{
    CustomerList, CustomerQuery, CustomerSearch, FieldEntity, FieldKind, FilterGroup,
};
use khach_types::{Action, Email, Module, Phone};

fn bad(field: &str, key: &'static str) -> CoreError {
    CoreError::fields([(field, key)])
}

/// Whether the list may be sorted by this column for this caller: contacts are
/// not an order a role with masking may learn from.
pub fn sortable(ctx: &Ctx, col: &str, defs: &[Def]) -> bool {
    sort_key(ctx, col, defs).is_some()
}

fn sort_key(ctx: &Ctx, name: &str, defs: &[Def]) -> Option<SortKey> {
    let masked = ctx.masked();
    Some(match name {
        "created_at" => SortKey::CreatedAt,
        "updated_at" => SortKey::UpdatedAt,
        "code" => SortKey::Code,
        "name" => SortKey::Name,
        "phone" if !masked => SortKey::Phone,
        "email" if !masked => SortKey::Email,
        "gender" => SortKey::Gender,
        "birthday" => SortKey::Birthday,
        "province" => SortKey::Province,
        "company" => SortKey::Company,
        "source" => SortKey::Source,
        "stage" => SortKey::Stage,
        "owner" => SortKey::Owner,
        "interaction_count" => SortKey::Counter(Counter::InteractionCount),
        "score" => SortKey::Counter(Counter::Score),
        "last_contact" => SortKey::Counter(Counter::LastContactAt),
        other => {
            let d = defs
                .iter()
                .find(|d| Some(d.key.as_str()) == other.strip_prefix("cf."))?;
            match d.kind {
                FieldKind::MultiSelect => return None,
                FieldKind::Phone | FieldKind::Email if masked => return None,
                FieldKind::Number | FieldKind::Money => SortKey::Custom {
                    key: d.key.clone(),
                    numeric: true,
                },
                _ => SortKey::Custom {
                    key: d.key.clone(),
                    numeric: false,
                },
            }
        }
    })
}

async fn parse_sort(
    c: &impl khach_db::ConnectionTrait,
    ctx: &Ctx,
    s: Option<&str>,
) -> CoreResult<Option<(SortKey, bool)>> {
    let Some(s) = s.filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let (desc, name) = match s.strip_prefix('-') {
        Some(n) => (true, n),
        None => (false, s),
    };
    let defs = if name.starts_with("cf.") {
        crate::fields::defs(c, FieldEntity::Customer).await?
    } else {
        Vec::new()
    };
    let key = sort_key(ctx, name, &defs).ok_or_else(|| bad("sort", "value-invalid-choice"))?;
    Ok(Some((key, desc)))
}

fn encode(a: &After) -> String {
    let s = match a {
        After::Time(t, id) => format!("t|{}|{id}", t.timestamp_micros()),
        After::Text(s, id) => format!("s|{id}|{s}"),
        After::Rank(r, id) => format!("r|{r}|{id}"),
        After::Num(n, id) => format!("n|{n}|{id}"),
    };
    hex::encode(s)
}

fn decode(c: &str) -> CoreResult<After> {
    let err = || bad("cursor", "value-cursor");
    let s = String::from_utf8(hex::decode(c).map_err(|_| err())?).map_err(|_| err())?;
    let mut parts = s.splitn(3, '|');
    let (k, a, b) = (parts.next(), parts.next(), parts.next());
    match (k, a, b) {
        (Some("t"), Some(t), Some(id)) => {
            let t = Utc
                .timestamp_micros(t.parse().map_err(|_| err())?)
                .single()
                .ok_or_else(err)?;
            Ok(After::Time(t, id.parse().map_err(|_| err())?))
        }
        (Some("s"), Some(id), Some(s)) => {
            Ok(After::Text(s.to_string(), id.parse().map_err(|_| err())?))
        }
        (Some("n"), Some(n), Some(id)) => Ok(After::Num(
            n.parse().map_err(|_| err())?,
            id.parse().map_err(|_| err())?,
        )),
        (Some("r"), Some(r), Some(id)) => Ok(After::Rank(
            r.parse().map_err(|_| err())?,
            id.parse().map_err(|_| err())?,
        )),
        _ => Err(err()),
    }
}

/// What the quick-search box means for this caller. A role with masking finds a
/// customer by a whole phone number or e-mail only (and that look-up is audited);
/// fragments then match names and codes, never contacts.
fn quick(ctx: &Ctx, q: &str) -> CoreResult<(Option<Cond>, Option<String>, Option<String>)> {
    if q.chars().count() > 200 {
        return Err(bad("q", "value-too-long"));
    }
    let q = q.trim();
    if q.is_empty() {
        return Ok((None, None, None));
    }
    let masked = ctx.masked();
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let phone_like = !digits.is_empty()
        && q.chars()
            .all(|c| c.is_ascii_digit() || " +.-()".contains(c));
    if phone_like && masked {
        if let Ok(p) = Phone::parse(q) {
            return Ok((
                Some(Cond::PhoneIs(p.e164().to_string())),
                None,
                Some(p.masked()),
            ));
        }
        return Ok((
            Some(Cond::Search {
                needle: digits,
                contacts: false,
            }),
            None,
            None,
        ));
    }
    if phone_like && digits.len() >= 4 {
        return Ok((
            Some(Cond::Search {
                needle: digits,
                contacts: true,
            }),
            None,
            None,
        ));
    }
    if q.contains('@') && masked {
        let e = Email::parse(q).map_err(|_| bad("q", "search-email-exact"))?;
        return Ok((
            Some(Cond::EmailIs(e.as_str().to_string())),
            None,
            Some(e.masked()),
        ));
    }
    let typed = khach_types::text::nfc_lower(q);
    Ok((
        Some(Cond::Search {
            needle: khach_types::fold(q),
            contacts: !masked,
        }),
        Some(typed),
        None,
    ))
}

pub(crate) struct Request<'a> {
    pub q: Option<&'a str>,
    pub filter: Option<FilterGroup>,
    pub extra: Vec<Cond>,
    pub sort: Option<&'a str>,
    pub limit: Option<u32>,
    pub cursor: Option<&'a str>,
    pub bin: bool,
}

pub(crate) async fn run(core: &Core, ctx: &Ctx, r: Request<'_>) -> CoreResult<CustomerList> {
    ctx.require(Module::Customers, Action::View)?;
    if r.bin {
        ctx.require(Module::Customers, Action::Delete)?;
    }
    let c = core.db.conn();
    let limit = crate::paging::page_limit(r.limit)?;
    let mut conds = vec![Cond::InBin(r.bin), scope_cond(c, ctx).await?];
    conds.extend(r.extra);
    let (search, typed, exact_lookup) = quick(ctx, r.q.unwrap_or_default())?;
    conds.extend(search);
    if let Some(f) = &r.filter {
        conds.push(filter::compile(c, ctx, f, "filter").await?);
    }
    let cond = Cond::All(conds);
    let order = match (parse_sort(c, ctx, r.sort).await?, typed) {
        (Some((key, desc)), _) => Order::By { key, desc },
        (None, Some(typed)) => Order::Rank { typed },
        (None, None) => Order::By {
            key: SortKey::CreatedAt,
            desc: true,
        },
    };
    let after = r.cursor.filter(|c| !c.is_empty()).map(decode).transpose()?;
    // The page and the total are independent reads: run them side by side.
    let (mut rows, total) = tokio::try_join!(
        khach_db::customers::page::page(c, &cond, &order, after.as_ref(), limit + 1),
        khach_db::customers::query::count(c, &cond),
    )?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last().map(|(_, pos)| encode(pos))
    } else {
        None
    };
    let mut lookups: Vec<String> = exact_lookup.into_iter().collect();
    if let (true, Some(f)) = (ctx.masked(), &r.filter) {
        lookups.extend(filter::contact_lookups(c, f).await?);
    }
    if !lookups.is_empty() {
        // A masked role looked a customer up by a full phone or e-mail: on record.
        let mut ch = Changes::new();
        ch.set("lookup", &lookups.join(", "));
        ch.set("found", &total);
        audit::record(c, ctx, "customer", None, "contact_lookup", ch).await?;
    }
    let items = hydrate(c, ctx, rows.into_iter().map(|(r, _)| r).collect()).await?;
    Ok(CustomerList {
        items,
        next_cursor: next,
        total,
    })
}

/// `GET /customers`: quick search plus the common filters (or a saved filter).
pub async fn list(
    core: &Core,
    ctx: &Ctx,
    q: &CustomerQuery,
    bin: bool,
) -> CoreResult<CustomerList> {
    let mut extra = Vec::new();
    for (col, v) in [
        (Col::StageId, q.stage_id),
        (Col::SourceId, q.source_id),
        (Col::CompanyId, q.company_id),
    ] {
        if let Some(id) = v {
            extra.push(Cond::Ids {
                col,
                ids: vec![id],
                negate: false,
            });
        }
    }
    if let Some(t) = q.tag_id {
        extra.push(Cond::Tags {
            mode: khach_db::customers::query::SetMode::Any,
            ids: vec![t],
        });
    }
    let filter = match q.filter_id {
        Some(id) => Some(crate::saved_filters::definition(core, ctx, id).await?),
        None => None,
    };
    run(
        core,
        ctx,
        Request {
            q: q.q.as_deref(),
            filter,
            extra,
            sort: q.sort.as_deref(),
            limit: q.limit,
            cursor: q.cursor.as_deref(),
            bin,
        },
    )
    .await
}

/// `POST /customers/query`: the filter builder.
pub async fn search(core: &Core, ctx: &Ctx, s: CustomerSearch) -> CoreResult<CustomerList> {
    run(
        core,
        ctx,
        Request {
            q: s.q.as_deref(),
            filter: s.filter,
            extra: Vec::new(),
            sort: s.sort.as_deref(),
            limit: s.limit,
            cursor: s.cursor.as_deref(),
            bin: false,
        },
    )
    .await
}
