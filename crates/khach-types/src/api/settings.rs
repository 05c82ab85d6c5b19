//! Business-wide settings.

use crate::values::Locale;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Shown in the header and in e-mails.
    pub company_name: String,
    /// Language of new accounts.
    pub default_locale: Locale,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            company_name: "Khách".into(),
            default_locale: Locale::Vi,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSettings {
    #[schema(min_length = 1, max_length = 200)]
    pub company_name: Option<String>,
    pub default_locale: Option<Locale>,
}
