//! The filter builder's typed description. The core turns it into query conditions
//! field by field; nothing a user types ever becomes SQL text.

use super::common::ObjectOnly;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum BoolOp {
    #[default]
    And,
    Or,
}

/// Rules and nested groups joined by `op` (at most 4 levels, 50 rules in all).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, from = "ObjectOnly<GroupFields>")]
pub struct FilterGroup {
    #[serde(default)]
    pub op: BoolOp,
    #[serde(default)]
    pub rules: Vec<FilterRule>,
    #[serde(default)]
    #[schema(no_recursion)]
    pub groups: Vec<FilterGroup>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FilterOp {
    Eq,
    Ne,
    Contains,
    NotContains,
    StartsWith,
    Gt,
    Gte,
    Lt,
    Lte,
    Between,
    In,
    NotIn,
    IsEmpty,
    IsNotEmpty,
    HasAny,
    HasAll,
    HasNone,
}

impl FilterOp {
    pub fn as_str(self) -> &'static str {
        match self {
            FilterOp::Eq => "eq",
            FilterOp::Ne => "ne",
            FilterOp::Contains => "contains",
            FilterOp::NotContains => "not_contains",
            FilterOp::StartsWith => "starts_with",
            FilterOp::Gt => "gt",
            FilterOp::Gte => "gte",
            FilterOp::Lt => "lt",
            FilterOp::Lte => "lte",
            FilterOp::Between => "between",
            FilterOp::In => "in",
            FilterOp::NotIn => "not_in",
            FilterOp::IsEmpty => "is_empty",
            FilterOp::IsNotEmpty => "is_not_empty",
            FilterOp::HasAny => "has_any",
            FilterOp::HasAll => "has_all",
            FilterOp::HasNone => "has_none",
        }
    }
}

/// One condition. `field` is a built-in field (`name`, `code`, `phone`, `email`,
/// `gender`, `birthday`, `province`, `stage`, `source`, `company`, `tags`, `owner`,
/// `created_at`, `updated_at`, `do_not_contact`) or `cf.<key>` for a custom field.
/// `value` is a scalar, a list (`in`, `has_*`) or a pair (`between`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, from = "ObjectOnly<RuleFields>")]
pub struct FilterRule {
    #[schema(max_length = 80)]
    pub field: String,
    pub op: FilterOp,
    /// Any JSON value; its shape depends on the field and the operator.
    #[serde(default)]
    pub value: serde_json::Value,
}

/// What a filter group is read from (an object only, see [`ObjectOnly`]).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupFields {
    #[serde(default)]
    op: BoolOp,
    #[serde(default)]
    rules: Vec<FilterRule>,
    #[serde(default)]
    groups: Vec<FilterGroup>,
}

impl From<ObjectOnly<GroupFields>> for FilterGroup {
    fn from(ObjectOnly(f): ObjectOnly<GroupFields>) -> Self {
        FilterGroup {
            op: f.op,
            rules: f.rules,
            groups: f.groups,
        }
    }
}

/// What a filter rule is read from (an object only, see [`ObjectOnly`]).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFields {
    field: String,
    op: FilterOp,
    #[serde(default)]
    value: serde_json::Value,
}

impl From<ObjectOnly<RuleFields>> for FilterRule {
    fn from(ObjectOnly(f): ObjectOnly<RuleFields>) -> Self {
        FilterRule {
            field: f.field,
            op: f.op,
            value: f.value,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SavedFilter {
    pub id: i64,
    pub name: String,
    /// Visible to everyone who may view customers, not only its owner.
    pub shared: bool,
    pub owner_id: i64,
    pub definition: FilterGroup,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SavedFilterList {
    pub items: Vec<SavedFilter>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSavedFilter {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[serde(default)]
    pub shared: bool,
    pub definition: FilterGroup,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSavedFilter {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    pub shared: Option<bool>,
    pub definition: Option<FilterGroup>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn groups_rules_and_options_are_read_from_objects_only() {
        let ok: FilterGroup =
            serde_json::from_value(json!({"rules": [{"field": "name", "op": "eq"}]})).unwrap();
        assert_eq!(ok.rules[0].value, serde_json::Value::Null);
        for bad in [
            json!([]),
            json!({"groups": [[]]}),
            json!({"rules": [["name", "eq", "x"]]}),
            json!({"rules": [], "extra": 1}),
        ] {
            assert!(
                serde_json::from_value::<FilterGroup>(bad.clone()).is_err(),
                "{bad}"
            );
        }
        assert!(serde_json::from_value::<super::super::FieldOption>(json!(["a", "A"])).is_err());
        let o: super::super::FieldOption =
            serde_json::from_value(json!({"key": "a", "label": "A"})).unwrap();
        assert_eq!(o.key, "a");
    }
}
