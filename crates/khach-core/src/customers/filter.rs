//! The filter builder: a typed [`FilterGroup`] becomes a [`Cond`] field by field.
//! Each field allows the operators of its type; values are parsed to their type
//! and end up as bound parameters. Text a person typed is never SQL.

use crate::fields::{self, Def};
use crate::{CoreError, CoreResult, Ctx};
use chrono::{DateTime, FixedOffset, NaiveDate, Offset, TimeZone, Utc};
use khach_db::ConnectionTrait;
use khach_db::customers::query::{Cmp, Col, Cond, Counter, JsonScalar, SetMode, TextOp};
use khach_types::api::{FieldEntity, FieldKind, FilterGroup, FilterOp, FilterRule};
use khach_types::{Email, Phone};
use serde_json::Value;

const MAX_DEPTH: usize = 4;
const MAX_RULES: usize = 50;
const MAX_LIST: usize = 500;

/// The kinds of built-in fields, for operators and value parsing.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Name,
    Text(Col),
    Phone,
    Email,
    Choice(Col),
    Ref(Col),
    Tags,
    Time(Col),
    Date(Col),
    Dnc,
    /// Interaction count or score (interaction history).
    Counter(Counter),
    LastContact,
}

fn builtin(field: &str) -> Option<Kind> {
    Some(match field {
        "name" => Kind::Name,
        "code" => Kind::Text(Col::Code),
        "street" => Kind::Text(Col::Street),
        "phone" => Kind::Phone,
        "email" => Kind::Email,
        "gender" => Kind::Choice(Col::Gender),
        "province" => Kind::Choice(Col::ProvinceCode),
        "birthday" => Kind::Date(Col::Birthday),
        "stage" => Kind::Ref(Col::StageId),
        "source" => Kind::Ref(Col::SourceId),
        "company" => Kind::Ref(Col::CompanyId),
        "owner" => Kind::Ref(Col::OwnerId),
        "tags" => Kind::Tags,
        "created_at" => Kind::Time(Col::CreatedAt),
        "updated_at" => Kind::Time(Col::UpdatedAt),
        "do_not_contact" => Kind::Dnc,
        "interaction_count" => Kind::Counter(Counter::InteractionCount),
        "score" => Kind::Counter(Counter::Score),
        "last_contact_at" => Kind::LastContact,
        _ => return None,
    })
}

/// A field the filter builder offers, with the operators it allows.
#[derive(Debug, Clone)]
pub struct FieldInfo {
    pub key: String,
    /// A catalogue key (`field-…`) for built-in fields; the label for custom ones.
    pub label: String,
    pub custom: bool,
    /// `text`, `phone`, `email`, `choice`, `ref`, `tags`, `datetime`, `date`,
    /// `boolean`, `number`, `select`, `multi_select`.
    pub kind: &'static str,
    pub ops: Vec<FilterOp>,
    /// `(value, label)` for selects.
    pub options: Vec<(String, String)>,
}

use FilterOp as O;
const TEXT_OPS: &[FilterOp] = &[
    O::Contains,
    O::NotContains,
    O::Eq,
    O::Ne,
    O::StartsWith,
    O::IsEmpty,
    O::IsNotEmpty,
];
const CHOICE_OPS: &[FilterOp] = &[O::Eq, O::Ne, O::In, O::NotIn, O::IsEmpty, O::IsNotEmpty];
const RANGE_OPS: &[FilterOp] = &[
    O::Eq,
    O::Ne,
    O::Gt,
    O::Gte,
    O::Lt,
    O::Lte,
    O::Between,
    O::IsEmpty,
    O::IsNotEmpty,
];
const SET_OPS: &[FilterOp] = &[O::HasAny, O::HasAll, O::HasNone, O::IsEmpty, O::IsNotEmpty];

fn builtin_ops(k: Kind, masked: bool) -> &'static [FilterOp] {
    match k {
        Kind::Name | Kind::Text(_) => TEXT_OPS,
        // A masked role finds contacts by the full value only.
        Kind::Phone | Kind::Email if masked => &[O::Eq, O::IsEmpty, O::IsNotEmpty],
        Kind::Phone | Kind::Email => &[O::Eq, O::Contains, O::IsEmpty, O::IsNotEmpty],
        Kind::Choice(_) | Kind::Ref(_) => CHOICE_OPS,
        Kind::Tags => SET_OPS,
        Kind::Time(_) => &[O::Gt, O::Gte, O::Lt, O::Lte, O::Between],
        Kind::Date(_) => RANGE_OPS,
        Kind::Dnc => &[O::Eq],
        Kind::Counter(_) => &[O::Eq, O::Ne, O::Gt, O::Gte, O::Lt, O::Lte, O::Between],
        Kind::LastContact => &[
            O::Gt,
            O::Gte,
            O::Lt,
            O::Lte,
            O::Between,
            O::IsEmpty,
            O::IsNotEmpty,
        ],
    }
}

fn custom_ops(k: FieldKind, masked: bool) -> &'static [FilterOp] {
    match k {
        FieldKind::Phone | FieldKind::Email if masked => &[O::Eq, O::IsEmpty, O::IsNotEmpty],
        FieldKind::Text
        | FieldKind::LongText
        | FieldKind::Url
        | FieldKind::Phone
        | FieldKind::Email => TEXT_OPS,
        FieldKind::Number | FieldKind::Money | FieldKind::Date | FieldKind::Datetime => RANGE_OPS,
        FieldKind::Boolean => &[O::Eq, O::IsEmpty, O::IsNotEmpty],
        FieldKind::Select => CHOICE_OPS,
        FieldKind::MultiSelect => SET_OPS,
    }
}

const BUILTINS: [&str; 19] = [
    "name",
    "code",
    "phone",
    "email",
    "gender",
    "birthday",
    "province",
    "street",
    "stage",
    "source",
    "company",
    "owner",
    "tags",
    "created_at",
    "updated_at",
    "do_not_contact",
    "interaction_count",
    "score",
    "last_contact_at",
];

/// Every field the filter builder offers to this caller.
pub async fn filterable_fields(core: &crate::Core, ctx: &Ctx) -> CoreResult<Vec<FieldInfo>> {
    let masked = ctx.masked();
    let mut out = Vec::new();
    for f in BUILTINS {
        let Some(k) = builtin(f) else { continue };
        let kind = match k {
            Kind::Name | Kind::Text(_) => "text",
            Kind::Phone => "phone",
            Kind::Email => "email",
            Kind::Choice(_) => "choice",
            Kind::Ref(_) => "ref",
            Kind::Tags => "tags",
            Kind::Time(_) => "datetime",
            Kind::Date(_) => "date",
            Kind::Dnc => "boolean",
            Kind::Counter(_) => "number",
            Kind::LastContact => "datetime",
        };
        out.push(FieldInfo {
            key: f.into(),
            label: format!("field-{}", f.replace('_', "-")),
            custom: false,
            kind,
            ops: builtin_ops(k, masked).to_vec(),
            options: Vec::new(),
        });
    }
    for d in fields::defs(core.db.conn(), FieldEntity::Customer)
        .await?
        .into_iter()
        .filter(|d| d.filterable)
    {
        out.push(FieldInfo {
            key: format!("cf.{}", d.key),
            label: d.label.clone(),
            custom: true,
            kind: d.kind.as_str(),
            ops: custom_ops(d.kind, masked).to_vec(),
            options: d
                .options
                .iter()
                .map(|o| (o.key.clone(), o.label.clone()))
                .collect(),
        });
    }
    Ok(out)
}

/// The whole phone numbers and e-mail addresses a filter looks for (`eq` rules on
/// contact fields), masked: when a role with masking finds customers by them, the
/// look-up goes on the audit log as it does from the quick search.
pub(crate) async fn contact_lookups(
    c: &impl ConnectionTrait,
    g: &FilterGroup,
) -> CoreResult<Vec<String>> {
    fn walk(g: &FilterGroup, defs: &[Def], out: &mut Vec<String>) {
        for r in g.rules.iter().filter(|r| r.op == O::Eq) {
            let kind = match r.field.strip_prefix("cf.") {
                Some(k) => defs.iter().find(|d| d.key == k).map(|d| d.kind),
                None if r.field == "phone" => Some(FieldKind::Phone),
                None if r.field == "email" => Some(FieldKind::Email),
                None => None,
            };
            let text = match &r.value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => continue,
            };
            match kind {
                Some(FieldKind::Phone) => out.extend(Phone::parse(&text).ok().map(|p| p.masked())),
                Some(FieldKind::Email) => out.extend(Email::parse(&text).ok().map(|e| e.masked())),
                _ => {}
            }
        }
        for sub in &g.groups {
            walk(sub, defs, out);
        }
    }
    let defs = fields::defs(c, FieldEntity::Customer).await?;
    let mut out = Vec::new();
    walk(g, &defs, &mut out);
    Ok(out)
}

fn bad(path: &str, key: &'static str) -> CoreError {
    CoreError::Validation([(path.to_string(), key)].into_iter().collect())
}

/// Compiles a filter for this caller. `path` names the filter in error messages.
pub(crate) async fn compile(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    g: &FilterGroup,
    path: &str,
) -> CoreResult<Cond> {
    let defs = fields::defs(c, FieldEntity::Customer).await?;
    let mut count = 0;
    group(ctx, &defs, g, path, 0, &mut count)
}

fn group(
    ctx: &Ctx,
    defs: &[Def],
    g: &FilterGroup,
    path: &str,
    depth: usize,
    count: &mut usize,
) -> CoreResult<Cond> {
    if depth >= MAX_DEPTH {
        return Err(bad(path, "filter-too-deep"));
    }
    let mut parts = Vec::new();
    for (i, r) in g.rules.iter().enumerate() {
        *count += 1;
        if *count > MAX_RULES {
            return Err(bad(path, "filter-too-many-rules"));
        }
        parts.push(rule(ctx, defs, r, &format!("{path}.rules.{i}"))?);
    }
    for (i, sub) in g.groups.iter().enumerate() {
        parts.push(group(
            ctx,
            defs,
            sub,
            &format!("{path}.groups.{i}"),
            depth + 1,
            count,
        )?);
    }
    Ok(match g.op {
        khach_types::api::BoolOp::And => Cond::All(parts),
        khach_types::api::BoolOp::Or => Cond::Any(parts),
    })
}

fn string(v: &Value, path: &str) -> CoreResult<String> {
    match v {
        Value::String(s) if s.chars().count() <= 200 => Ok(s.trim().to_string()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(bad(path, "filter-invalid-value")),
    }
}

fn list<T>(v: &Value, path: &str, f: impl Fn(&Value) -> Option<T>) -> CoreResult<Vec<T>> {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    if items.is_empty() || items.len() > MAX_LIST {
        return Err(bad(path, "filter-invalid-value"));
    }
    items
        .into_iter()
        .map(|x| f(x).ok_or_else(|| bad(path, "filter-invalid-value")))
        .collect()
}

fn pair<'a>(v: &'a Value, path: &str) -> CoreResult<(&'a Value, &'a Value)> {
    match v.as_array().map(Vec::as_slice) {
        Some([a, b]) => Ok((a, b)),
        _ => Err(bad(path, "filter-invalid-value")),
    }
}

fn cmp_of(op: FilterOp) -> Option<Cmp> {
    Some(match op {
        O::Eq => Cmp::Eq,
        O::Ne => Cmp::Ne,
        O::Gt => Cmp::Gt,
        O::Gte => Cmp::Gte,
        O::Lt => Cmp::Lt,
        O::Lte => Cmp::Lte,
        _ => return None,
    })
}

fn text_op(op: FilterOp) -> Option<TextOp> {
    Some(match op {
        O::Eq => TextOp::Eq,
        O::Ne => TextOp::Ne,
        O::Contains => TextOp::Contains,
        O::NotContains => TextOp::NotContains,
        O::StartsWith => TextOp::StartsWith,
        _ => return None,
    })
}

/// Vietnam time (UTC+7, no daylight saving): a bare date means that day there.
fn vn() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).unwrap_or_else(|| Utc.fix())
}

fn time(v: &Value, path: &str, end_of_day: bool) -> CoreResult<DateTime<Utc>> {
    let s = string(v, path)?;
    if let Ok(t) = DateTime::parse_from_rfc3339(&s) {
        return Ok(t.with_timezone(&Utc));
    }
    let d = fields::value::parse_date(&s).ok_or_else(|| bad(path, "filter-invalid-value"))?;
    let d = if end_of_day {
        d.succ_opt().unwrap_or(d)
    } else {
        d
    };
    let local = d
        .and_hms_opt(0, 0, 0)
        .ok_or_else(|| bad(path, "filter-invalid-value"))?;
    vn().from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| bad(path, "filter-invalid-value"))
}

fn range<T: Clone>(
    op: FilterOp,
    v: &Value,
    path: &str,
    parse: impl Fn(&Value, bool) -> CoreResult<T>,
    make: impl Fn(Cmp, T) -> Cond,
) -> CoreResult<Cond> {
    if op == O::Between {
        let (a, b) = pair(v, path)?;
        return Ok(Cond::All(vec![
            make(Cmp::Gte, parse(a, false)?),
            make(Cmp::Lte, parse(b, true)?),
        ]));
    }
    let c = cmp_of(op).ok_or_else(|| bad(path, "filter-invalid-op"))?;
    Ok(make(c, parse(v, false)?))
}

fn rule(ctx: &Ctx, defs: &[Def], r: &FilterRule, path: &str) -> CoreResult<Cond> {
    let masked = ctx.masked();
    if let Some(key) = r.field.strip_prefix("cf.") {
        let d = defs
            .iter()
            .find(|d| d.key == key && d.filterable)
            .ok_or_else(|| bad(path, "filter-invalid-field"))?;
        if !custom_ops(d.kind, masked).contains(&r.op) {
            return Err(bad(path, "filter-invalid-op"));
        }
        return custom_rule(d, r, path);
    }
    let k = builtin(&r.field).ok_or_else(|| bad(path, "filter-invalid-field"))?;
    if !builtin_ops(k, masked).contains(&r.op) {
        return Err(bad(path, "filter-invalid-op"));
    }
    let empty = |col: Col| Cond::Null {
        col,
        null: r.op == O::IsEmpty,
    };
    let is_empty_op = matches!(r.op, O::IsEmpty | O::IsNotEmpty);
    Ok(match k {
        Kind::Name => match r.op {
            O::Contains => Cond::Search {
                needle: khach_types::fold(&string(&r.value, path)?),
                contacts: false,
            },
            O::NotContains => Cond::Not(Box::new(Cond::Search {
                needle: khach_types::fold(&string(&r.value, path)?),
                contacts: false,
            })),
            O::IsEmpty | O::IsNotEmpty => empty(Col::Name),
            op => Cond::Text {
                col: Col::NameLc,
                op: text_op(op).ok_or_else(|| bad(path, "filter-invalid-op"))?,
                value: khach_types::text::nfc_lower(&string(&r.value, path)?),
            },
        },
        Kind::Text(col) if is_empty_op => empty(col),
        Kind::Text(col) => {
            let mut v = string(&r.value, path)?;
            if matches!(col, Col::Code) {
                v = v.to_uppercase();
            }
            Cond::Text {
                col,
                op: text_op(r.op).ok_or_else(|| bad(path, "filter-invalid-op"))?,
                value: v,
            }
        }
        Kind::Phone if is_empty_op => empty(Col::Phone),
        Kind::Phone => match r.op {
            O::Eq => Cond::PhoneIs(
                Phone::parse(&string(&r.value, path)?)
                    .map_err(|_| bad(path, "filter-invalid-value"))?
                    .e164()
                    .to_string(),
            ),
            _ => {
                let digits: String = string(&r.value, path)?
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect();
                if digits.len() < 4 {
                    return Err(bad(path, "search-phone-too-short"));
                }
                Cond::Search {
                    needle: digits,
                    contacts: true,
                }
            }
        },
        Kind::Email if is_empty_op => empty(Col::Email),
        Kind::Email => match r.op {
            O::Eq => Cond::EmailIs(
                Email::parse(&string(&r.value, path)?)
                    .map_err(|_| bad(path, "filter-invalid-value"))?
                    .as_str()
                    .to_string(),
            ),
            _ => Cond::Search {
                needle: khach_types::fold(&string(&r.value, path)?),
                contacts: true,
            },
        },
        Kind::Choice(col) if is_empty_op => empty(col),
        Kind::Choice(col) => {
            let vals = list(&r.value, path, |v| v.as_str().map(str::to_string))?;
            let any = Cond::Any(
                vals.into_iter()
                    .map(|v| Cond::Text {
                        col,
                        op: TextOp::Eq,
                        value: v,
                    })
                    .collect(),
            );
            match r.op {
                O::Eq | O::In => any,
                _ => Cond::Any(vec![
                    Cond::Null { col, null: true },
                    Cond::Not(Box::new(any)),
                ]),
            }
        }
        Kind::Ref(col) if is_empty_op => empty(col),
        Kind::Ref(col) => {
            let ids = list(&r.value, path, Value::as_i64)?;
            Cond::Ids {
                col,
                ids,
                negate: matches!(r.op, O::Ne | O::NotIn),
            }
        }
        Kind::Tags => match r.op {
            // "No tags at all" / "some tag": membership in customer_tags.
            O::IsEmpty => Cond::Not(Box::new(Cond::Tags {
                mode: SetMode::Any,
                ids: Vec::new(),
            })),
            O::IsNotEmpty => Cond::Tags {
                mode: SetMode::Any,
                ids: Vec::new(),
            },
            op => {
                let ids = list(&r.value, path, Value::as_i64)?;
                let mode = match op {
                    O::HasAll => SetMode::All,
                    O::HasNone => SetMode::None,
                    _ => SetMode::Any,
                };
                Cond::Tags { mode, ids }
            }
        },
        Kind::Time(col) => range(
            r.op,
            &r.value,
            path,
            |v, end| time(v, path, end),
            |op, at| Cond::Time { col, op, at },
        )?,
        Kind::Date(col) if is_empty_op => empty(col),
        Kind::Date(col) => range(
            r.op,
            &r.value,
            path,
            |v, _| {
                fields::value::parse_date(&string(v, path)?)
                    .ok_or_else(|| bad(path, "filter-invalid-value"))
            },
            |op, at: NaiveDate| Cond::Date { col, op, at },
        )?,
        Kind::Counter(counter) => range(
            r.op,
            &r.value,
            path,
            |v, _| {
                v.as_i64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                    .ok_or_else(|| bad(path, "filter-invalid-value"))
            },
            |op, value| Cond::Counter { counter, op, value },
        )?,
        Kind::LastContact if is_empty_op => Cond::LastContactNull(r.op == O::IsEmpty),
        Kind::LastContact => range(
            r.op,
            &r.value,
            path,
            |v, end| time(v, path, end),
            |op, at| Cond::LastContact { op, at },
        )?,
        Kind::Dnc => Cond::Bool {
            col: Col::Dnc,
            value: r
                .value
                .as_bool()
                .ok_or_else(|| bad(path, "filter-invalid-value"))?,
        },
    })
}

fn custom_rule(d: &Def, r: &FilterRule, path: &str) -> CoreResult<Cond> {
    let key = d.key.clone();
    if matches!(r.op, O::IsEmpty | O::IsNotEmpty) {
        return Ok(Cond::CustomEmpty {
            key,
            empty: r.op == O::IsEmpty,
        });
    }
    // Values go through the field's own parser, so "1.000.000 đ" filters money too.
    let parse = |v: &Value| -> CoreResult<Value> {
        fields::value::parse(d.kind, &d.options, v)
            .ok()
            .flatten()
            .ok_or_else(|| bad(path, "filter-invalid-value"))
    };
    Ok(match d.kind {
        FieldKind::Text
        | FieldKind::LongText
        | FieldKind::Url
        | FieldKind::Phone
        | FieldKind::Email => {
            let v = match (d.kind, r.op) {
                (FieldKind::Phone | FieldKind::Email, O::Eq | O::Ne) => {
                    parse(&r.value)?.as_str().unwrap_or_default().to_string()
                }
                _ => string(&r.value, path)?,
            };
            Cond::CustomText {
                key,
                op: text_op(r.op).ok_or_else(|| bad(path, "filter-invalid-op"))?,
                value: v,
            }
        }
        FieldKind::Number | FieldKind::Money => range(
            r.op,
            &r.value,
            path,
            |v, _| {
                parse(v)?
                    .as_f64()
                    .ok_or_else(|| bad(path, "filter-invalid-value"))
            },
            |op, n| Cond::Custom {
                key: key.clone(),
                op,
                value: JsonScalar::Number(n),
            },
        )?,
        FieldKind::Date | FieldKind::Datetime => range(
            r.op,
            &r.value,
            path,
            |v, _| Ok(parse(v)?.as_str().unwrap_or_default().to_string()),
            |op, s| Cond::Custom {
                key: key.clone(),
                op,
                value: JsonScalar::Text(s),
            },
        )?,
        FieldKind::Boolean => Cond::Custom {
            key,
            op: Cmp::Eq,
            value: JsonScalar::Bool(parse(&r.value)?.as_bool().unwrap_or(false)),
        },
        FieldKind::Select => {
            let vals = list(&r.value, path, |v| {
                parse(v).ok().and_then(|x| x.as_str().map(str::to_string))
            })?;
            let any = Cond::Any(
                vals.into_iter()
                    .map(|v| Cond::Custom {
                        key: key.clone(),
                        op: Cmp::Eq,
                        value: JsonScalar::Text(v),
                    })
                    .collect(),
            );
            match r.op {
                O::Eq | O::In => any,
                _ => Cond::Any(vec![
                    Cond::CustomEmpty {
                        key: key.clone(),
                        empty: true,
                    },
                    Cond::Not(Box::new(any)),
                ]),
            }
        }
        FieldKind::MultiSelect => {
            let vals = list(&r.value, path, |v| {
                parse(v).ok().and_then(|x| {
                    x.as_array()
                        .and_then(|a| a.first())
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
            })?;
            let mode = match r.op {
                O::HasAll => SetMode::All,
                O::HasNone => SetMode::None,
                _ => SetMode::Any,
            };
            Cond::CustomHas {
                key,
                mode,
                values: vals,
            }
        }
    })
}
