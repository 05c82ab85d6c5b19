//! The error envelope, pagination and helpers shared by every resource.

use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// `{"error": {...}}`: the body of every 4xx and 5xx answer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorResponse {
    pub error: ErrorBody,
}

/// What went wrong: a stable `code`, a message a person can act on, and per-field
/// messages for validation errors.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// Stable snake_case code, e.g. `validation_failed`.
    pub code: String,
    /// Human-readable message in the caller's language.
    pub message: String,
    /// Field name → message, for validation errors and conflicts.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

/// `?limit=&cursor=` of every list endpoint.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// Opaque cursor from `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]+$")]
    pub cursor: Option<String>,
}

/// Deserialises a field that may be absent (leave alone), `null` (clear) or a value.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// Reads `F` from a JSON object only. serde's derive also takes an array as a
/// struct's fields in order (`[]` would pass for a filter group); no client means
/// that and the schema forbids it. Used as `#[serde(from = "ObjectOnly<…>")]`.
pub struct ObjectOnly<F>(pub F);

impl<'de, F: Deserialize<'de>> Deserialize<'de> for ObjectOnly<F> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Object<F>(std::marker::PhantomData<F>);
        impl<'de, F: Deserialize<'de>> serde::de::Visitor<'de> for Object<F> {
            type Value = F;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<F, A::Error> {
                F::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(Object(std::marker::PhantomData))
            .map(ObjectOnly)
    }
}
