//! The permission model: a role grants actions per module, plus a data scope.
//! Checks themselves live in `khach-core`; this is only the vocabulary.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;

/// A part of the product that permissions are granted on.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Module {
    Customers,
    Accounts,
    Departments,
    Roles,
    ApiKeys,
    AuditLog,
    Settings,
}

/// Something a person does in a module.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    View,
    Create,
    Edit,
    Delete,
    Import,
    Export,
    Assign,
    Merge,
    Settings,
}

impl Module {
    pub const ALL: [Module; 7] = [
        Module::Customers,
        Module::Accounts,
        Module::Departments,
        Module::Roles,
        Module::ApiKeys,
        Module::AuditLog,
        Module::Settings,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Module::Customers => "customers",
            Module::Accounts => "accounts",
            Module::Departments => "departments",
            Module::Roles => "roles",
            Module::ApiKeys => "api_keys",
            Module::AuditLog => "audit_log",
            Module::Settings => "settings",
        }
    }

    /// The actions that mean something in this module (the columns of the matrix).
    pub fn actions(self) -> &'static [Action] {
        use Action::*;
        match self {
            Module::Customers => &[
                View, Create, Edit, Delete, Import, Export, Assign, Merge, Settings,
            ],
            Module::Accounts | Module::Departments | Module::Roles => &[View, Create, Edit, Delete],
            Module::ApiKeys => &[View, Create, Delete],
            Module::AuditLog => &[View],
            Module::Settings => &[View, Edit],
        }
    }
}

impl Action {
    pub const ALL: [Action; 9] = [
        Action::View,
        Action::Create,
        Action::Edit,
        Action::Delete,
        Action::Import,
        Action::Export,
        Action::Assign,
        Action::Merge,
        Action::Settings,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::View => "view",
            Action::Create => "create",
            Action::Edit => "edit",
            Action::Delete => "delete",
            Action::Import => "import",
            Action::Export => "export",
            Action::Assign => "assign",
            Action::Merge => "merge",
            Action::Settings => "settings",
        }
    }
}

/// Which records a role reaches: its own, its department's, or all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Own,
    Department,
    All,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Own => "own",
            Scope::Department => "department",
            Scope::All => "all",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "own" => Some(Scope::Own),
            "department" => Some(Scope::Department),
            "all" => Some(Scope::All),
            _ => None,
        }
    }
}

/// Granted actions per module. Serialised as `{"accounts": ["view", "edit"], …}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(value_type = PermissionSetDoc)]
pub struct PermissionSet(pub BTreeMap<Module, BTreeSet<Action>>);

/// The documented shape of a [`PermissionSet`]: each module, the actions granted.
/// Actions a module does not have are ignored.
#[derive(ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
#[schema(as = PermissionSet, example = json!({"accounts": ["view"], "customers": ["view", "create"]}))]
pub struct PermissionSetDoc {
    #[schema(nullable = false)]
    customers: Option<Vec<Action>>,
    #[schema(nullable = false)]
    accounts: Option<Vec<Action>>,
    #[schema(nullable = false)]
    departments: Option<Vec<Action>>,
    #[schema(nullable = false)]
    roles: Option<Vec<Action>>,
    #[schema(nullable = false)]
    api_keys: Option<Vec<Action>>,
    #[schema(nullable = false)]
    audit_log: Option<Vec<Action>>,
    #[schema(nullable = false)]
    settings: Option<Vec<Action>>,
}

impl PermissionSet {
    /// Every action of every module.
    pub fn all() -> Self {
        Self(
            Module::ALL
                .iter()
                .map(|m| (*m, m.actions().iter().copied().collect()))
                .collect(),
        )
    }

    pub fn allows(&self, module: Module, action: Action) -> bool {
        self.0.get(&module).is_some_and(|a| a.contains(&action))
    }

    /// Builds a set from `(module, actions)` pairs, dropping actions a module lacks.
    pub fn from_pairs(pairs: &[(Module, &[Action])]) -> Self {
        let mut set = Self::default();
        for (m, actions) in pairs {
            for a in *actions {
                set.grant(*m, *a);
            }
        }
        set
    }

    /// Grants one action; ignored when the module has no such action.
    pub fn grant(&mut self, module: Module, action: Action) {
        if module.actions().contains(&action) {
            self.0.entry(module).or_default().insert(action);
        }
    }

    /// Actions granted by both sets (an API key never exceeds its owner).
    pub fn intersect(&self, other: &PermissionSet) -> PermissionSet {
        let mut out = PermissionSet::default();
        for (m, actions) in &self.0 {
            if let Some(theirs) = other.0.get(m) {
                let both: BTreeSet<Action> = actions.intersection(theirs).copied().collect();
                if !both.is_empty() {
                    out.0.insert(*m, both);
                }
            }
        }
        out
    }

    /// Whether every action granted here is also granted by `other`.
    pub fn is_subset_of(&self, other: &PermissionSet) -> bool {
        self.0
            .iter()
            .all(|(m, actions)| actions.iter().all(|a| other.allows(*m, *a)))
    }

    /// Drops actions that do not exist in their module and empty modules.
    pub fn normalised(&self) -> PermissionSet {
        let mut out = PermissionSet::default();
        for (m, actions) in &self.0 {
            for a in actions {
                out.grant(*m, *a);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intersect_never_exceeds_either_side() {
        let owner = PermissionSet::from_pairs(&[(Module::Accounts, &[Action::View, Action::Edit])]);
        let key = PermissionSet::from_pairs(&[
            (Module::Accounts, &[Action::View]),
            (Module::Roles, &[Action::View]),
        ]);
        let both = owner.intersect(&key);
        assert!(both.allows(Module::Accounts, Action::View));
        assert!(!both.allows(Module::Accounts, Action::Edit));
        assert!(!both.allows(Module::Roles, Action::View));
    }

    #[test]
    fn subset() {
        let small = PermissionSet::from_pairs(&[(Module::Accounts, &[Action::View])]);
        let big = PermissionSet::from_pairs(&[(Module::Accounts, &[Action::View, Action::Edit])]);
        assert!(small.is_subset_of(&big));
        assert!(!big.is_subset_of(&small));
        assert!(PermissionSet::default().is_subset_of(&small));
        assert!(Scope::Own < Scope::Department && Scope::Department < Scope::All);
    }

    #[test]
    fn grant_ignores_actions_a_module_lacks() {
        let mut p = PermissionSet::default();
        p.grant(Module::AuditLog, Action::Delete);
        assert!(!p.allows(Module::AuditLog, Action::Delete));
        assert!(PermissionSet::all().allows(Module::Customers, Action::Merge));
    }
}
