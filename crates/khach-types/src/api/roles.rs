//! Roles: a permission matrix plus a data scope.

use crate::perm::{PermissionSet, Scope};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub id: i64,
    pub name: String,
    /// `admin`, `manager`, `sales`, `care` for the built-in roles.
    pub builtin: Option<String>,
    /// The Admin role always holds every permission and cannot be removed.
    pub is_admin: bool,
    pub permissions: PermissionSet,
    pub scope: Scope,
    /// Customers' phone numbers and e-mails are shown masked (`091****678`) to this role.
    pub mask_contacts: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RoleList {
    pub items: Vec<Role>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRole {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[serde(default)]
    pub permissions: PermissionSet,
    pub scope: Scope,
    #[serde(default)]
    pub mask_contacts: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRole {
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    pub permissions: Option<PermissionSet>,
    pub scope: Option<Scope>,
    pub mask_contacts: Option<bool>,
}
