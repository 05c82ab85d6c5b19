//! REST API `/api/v1`: one module per resource, registered through utoipa-axum so the
//! routes and the OpenAPI document cannot drift apart.

mod accounts;
mod api_keys;
mod audit_log;
mod departments;
mod me;
mod roles;
mod settings;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(accounts::list_accounts, accounts::create_account))
        .routes(routes!(accounts::get_account, accounts::update_account))
        .routes(routes!(accounts::reset_account_password))
        .routes(routes!(me::get_me, me::update_me))
        .routes(routes!(me::change_my_password))
        .routes(routes!(roles::list_roles, roles::create_role))
        .routes(routes!(
            roles::get_role,
            roles::update_role,
            roles::delete_role
        ))
        .routes(routes!(
            departments::list_departments,
            departments::create_department
        ))
        .routes(routes!(
            departments::get_department,
            departments::update_department,
            departments::delete_department
        ))
        .routes(routes!(api_keys::list_api_keys, api_keys::create_api_key))
        .routes(routes!(api_keys::get_api_key, api_keys::revoke_api_key))
        .routes(routes!(audit_log::list_audit_log))
        .routes(routes!(settings::get_settings, settings::update_settings))
}
