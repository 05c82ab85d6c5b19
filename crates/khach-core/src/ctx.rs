//! The request context: who acts, with which permissions, from where, and when.

use crate::{CoreError, CoreResult};
use chrono::{DateTime, Utc};
use khach_db::accounts::Account;
use khach_types::{Action, Locale, Module, Origin, PermissionSet, Scope};

/// A signed-in account with its effective permissions (its role's, narrowed by the
/// API key it came through, if any).
#[derive(Debug, Clone)]
pub struct Actor {
    pub account: Account,
    pub is_admin: bool,
    pub permissions: PermissionSet,
    pub scope: Scope,
    pub api_key_id: Option<i64>,
    /// The role sees customers' phones and e-mails masked.
    pub masked: bool,
    /// Hash of the session this request came with (to keep it on password change).
    pub session_hash: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Principal {
    Account(Box<Actor>),
    /// The operator at the shell (`khach admin …`), or the system itself.
    System,
}

#[derive(Debug, Clone)]
pub struct Ctx {
    pub principal: Principal,
    pub origin: Origin,
    pub ip: Option<String>,
    pub now: DateTime<Utc>,
    pub locale: Locale,
}

impl Ctx {
    pub fn system(origin: Origin, now: DateTime<Utc>) -> Self {
        Self {
            principal: Principal::System,
            origin,
            ip: None,
            now,
            locale: Locale::Vi,
        }
    }

    pub fn actor(&self) -> Option<&Actor> {
        match &self.principal {
            Principal::Account(a) => Some(a),
            Principal::System => None,
        }
    }

    pub fn account_id(&self) -> Option<i64> {
        self.actor().map(|a| a.account.id)
    }

    pub fn is_admin(&self) -> bool {
        match &self.principal {
            Principal::System => true,
            Principal::Account(a) => a.is_admin,
        }
    }

    /// May this principal do `action` in `module`?
    pub fn can(&self, module: Module, action: Action) -> bool {
        match &self.principal {
            Principal::System => true,
            Principal::Account(a) => a.permissions.allows(module, action),
        }
    }

    /// Whether this principal may hand out `perms` with `scope` (to a role, or to an
    /// account through its role): never more than it holds itself.
    pub fn can_grant(&self, perms: &PermissionSet, scope: Scope) -> bool {
        match &self.principal {
            Principal::System => true,
            Principal::Account(a) if a.is_admin => true,
            Principal::Account(a) => perms.is_subset_of(&a.permissions) && scope <= a.scope,
        }
    }

    /// Whether customers' phones and e-mails must be masked for this principal.
    pub fn masked(&self) -> bool {
        self.actor().is_some_and(|a| a.masked)
    }

    /// The caller's own role, if an account.
    pub fn role_id(&self) -> Option<i64> {
        self.actor().map(|a| a.account.role_id)
    }

    /// Fails with `Forbidden` unless permitted.
    pub fn require(&self, module: Module, action: Action) -> CoreResult<()> {
        if self.can(module, action) {
            Ok(())
        } else {
            Err(CoreError::Forbidden)
        }
    }

    /// Name written in the audit log.
    pub fn actor_label(&self) -> String {
        match &self.principal {
            Principal::System => "system".into(),
            Principal::Account(a) => a.account.username.clone(),
        }
    }
}
