//! The filter builder form of the customer list: rows of field, operator and value,
//! gathered in groups. Rules inside a group are joined by the group's own "all" or
//! "any"; the groups are joined by the form's "all" or "any". The quick selects
//! (stage, tag) always narrow. Read from and written to the query string, so a
//! filtered list is a link.

use super::list::ListParams;
use khach_types::api::{BoolOp, FilterGroup, FilterOp, FilterRule};
use serde_json::Value;

/// One builder row as typed.
pub struct RuleRow {
    pub field: String,
    pub op: String,
    pub value: String,
}

/// A group as the form shows it: its number, whether "any" joins it, its rows.
pub struct GroupView {
    pub n: usize,
    pub any: bool,
    pub rules: Vec<RuleRow>,
}

fn value_of(field: &str, op: FilterOp, raw: &str) -> Value {
    let raw = raw.trim();
    let is_id = matches!(field, "stage" | "source" | "company" | "owner" | "tags");
    let one = |s: &str| -> Value {
        if is_id {
            s.trim()
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::from(s.trim()))
        } else if field == "do_not_contact" {
            Value::Bool(matches!(s.trim(), "true" | "1" | "yes" | "có" | "co"))
        } else {
            Value::from(s.trim())
        }
    };
    match op {
        FilterOp::In
        | FilterOp::NotIn
        | FilterOp::HasAny
        | FilterOp::HasAll
        | FilterOp::HasNone
        | FilterOp::Between => Value::Array(
            raw.split(',')
                .filter(|s| !s.trim().is_empty())
                .map(one)
                .collect(),
        ),
        FilterOp::IsEmpty | FilterOp::IsNotEmpty => Value::Null,
        _ => one(raw),
    }
}

fn parse_op(s: &str) -> Option<FilterOp> {
    serde_json::from_value(Value::from(s)).ok()
}

/// Most groups a form may carry (the core limits depth and rule count too).
const MAX_GROUPS: usize = 20;

/// The group number of row `i` (1 when absent or unreadable).
fn group_no(p: &ListParams, i: usize) -> usize {
    p.rg.get(i)
        .and_then(|g| g.parse::<usize>().ok())
        .filter(|g| (1..=MAX_GROUPS).contains(g))
        .unwrap_or(1)
}

fn group_any(p: &ListParams, n: usize) -> bool {
    p.gm.get(n - 1).is_some_and(|m| m == "any")
}

/// The rows of the form, grouped, as typed (empty groups left out), plus one empty
/// group to start another.
pub fn groups_of(p: &ListParams) -> Vec<GroupView> {
    let mut groups: Vec<GroupView> = Vec::new();
    for (i, f) in p.rf.iter().enumerate() {
        if f.is_empty() {
            continue;
        }
        let n = group_no(p, i);
        let row = RuleRow {
            field: f.clone(),
            op: p.ro.get(i).cloned().unwrap_or_default(),
            value: p.rv.get(i).cloned().unwrap_or_default(),
        };
        match groups.iter_mut().find(|g| g.n == n) {
            Some(g) => g.rules.push(row),
            None => groups.push(GroupView {
                n,
                any: group_any(p, n),
                rules: vec![row],
            }),
        }
    }
    groups.sort_by_key(|g| g.n);
    // Renumber 1.. so the form posts compact numbers; keep each group's "any".
    for (i, g) in groups.iter_mut().enumerate() {
        g.n = i + 1;
    }
    if groups.len() < MAX_GROUPS {
        groups.push(GroupView {
            n: groups.len() + 1,
            any: false,
            rules: Vec::new(),
        });
    }
    groups
}

/// The filter the form describes.
pub fn filter_of(p: &ListParams) -> Option<FilterGroup> {
    let mut built: Vec<(usize, FilterGroup)> = Vec::new();
    for (i, f) in p.rf.iter().enumerate() {
        let Some(op) = p.ro.get(i).and_then(|o| parse_op(o)) else {
            continue;
        };
        if f.is_empty() {
            continue;
        }
        let v = p.rv.get(i).map(String::as_str).unwrap_or("");
        let rule = FilterRule {
            field: f.clone(),
            op,
            value: value_of(f, op, v),
        };
        let n = group_no(p, i);
        match built.iter_mut().find(|g| g.0 == n) {
            Some(g) => g.1.rules.push(rule),
            None => built.push((
                n,
                FilterGroup {
                    op: if group_any(p, n) {
                        BoolOp::Or
                    } else {
                        BoolOp::And
                    },
                    rules: vec![rule],
                    groups: vec![],
                },
            )),
        }
    }
    built.sort_by_key(|g| g.0);
    let mut quick = Vec::new();
    if let Ok(id) = p.stage_id.parse::<i64>() {
        quick.push(FilterRule {
            field: "stage".into(),
            op: FilterOp::In,
            value: Value::Array(vec![Value::from(id)]),
        });
    }
    if let Ok(id) = p.tag_id.parse::<i64>() {
        quick.push(FilterRule {
            field: "tags".into(),
            op: FilterOp::HasAny,
            value: Value::Array(vec![Value::from(id)]),
        });
    }
    if built.is_empty() && quick.is_empty() {
        return None;
    }
    let between = if p.r#match == "any" {
        BoolOp::Or
    } else {
        BoolOp::And
    };
    let groups = if built.is_empty() {
        vec![]
    } else {
        vec![FilterGroup {
            op: between,
            rules: vec![],
            groups: built.into_iter().map(|g| g.1).collect(),
        }]
    };
    Some(FilterGroup {
        op: BoolOp::And,
        rules: quick,
        groups,
    })
}

/// The form as a query string (for sort links, paging and "back" after bulk actions).
pub fn encode_params(p: &ListParams) -> String {
    let enc = crate::pages::encode;
    let mut parts = Vec::new();
    for (k, v) in [
        ("q", &p.q),
        ("stage_id", &p.stage_id),
        ("tag_id", &p.tag_id),
        ("filter_id", &p.filter_id),
        ("match", &p.r#match),
    ] {
        if !v.is_empty() {
            parts.push(format!("{k}={}", enc(v)));
        }
    }
    for g in &p.gm {
        parts.push(format!("gm={}", enc(g)));
    }
    for (i, f) in p.rf.iter().enumerate() {
        parts.push(format!(
            "rf={}&ro={}&rv={}&rg={}",
            enc(f),
            enc(p.ro.get(i).map(String::as_str).unwrap_or("")),
            enc(p.rv.get(i).map(String::as_str).unwrap_or("")),
            group_no(p, i)
        ));
    }
    parts.join("&")
}
