//! REST API `/api/v1`: one module per resource, registered through utoipa-axum so the
//! routes and the OpenAPI document cannot drift apart.

mod accounts;
mod api_keys;
mod audit_log;
mod companies;
mod custom_fields;
mod customers;
mod departments;
pub mod duplicates;
mod events;
pub mod imports;
mod me;
mod merges;
mod ownership;
mod roles;
mod saved_filters;
mod settings;
mod taxonomy;
mod webhooks;

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
        .routes(routes!(webhooks::list_webhooks, webhooks::create_webhook))
        .routes(routes!(
            webhooks::get_webhook,
            webhooks::update_webhook,
            webhooks::delete_webhook
        ))
        .routes(routes!(webhooks::rotate_webhook_secret))
        .routes(routes!(webhooks::test_webhook))
        .routes(routes!(webhooks::list_webhook_deliveries))
        .routes(routes!(webhooks::redeliver_webhook))
        .routes(routes!(
            webhooks::get_webhook_settings,
            webhooks::update_webhook_settings
        ))
        .routes(routes!(duplicates::list_duplicates))
        .routes(routes!(duplicates::decide_duplicate))
        .routes(routes!(
            duplicates::scan_duplicates,
            duplicates::get_duplicate_scan
        ))
        .routes(routes!(duplicates::get_customer_duplicates))
        .routes(routes!(merges::merge_customers))
        .routes(routes!(merges::list_customer_merges))
        .routes(routes!(merges::undo_merge))
        .merge(customer_routes())
        .merge(event_routes())
        .merge(import_routes())
}

/// Imports (with a larger body limit for the upload) and exports.
fn import_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(imports::list_imports, imports::create_import))
        .routes(routes!(imports::preview_import))
        .layer(axum::extract::DefaultBodyLimit::max(imports::MAX_UPLOAD))
        .routes(routes!(imports::get_import))
        .routes(routes!(imports::list_import_problems))
        .routes(routes!(imports::get_import_error_file))
        .routes(routes!(imports::resume_import))
        .routes(routes!(imports::run_checked_import))
        .routes(routes!(imports::undo_import))
        .routes(routes!(imports::create_export))
        .routes(routes!(imports::create_export_job))
        .routes(routes!(imports::get_export_job))
        .routes(routes!(imports::get_export_job_file))
}

/// Customers and what hangs off them: companies, custom fields, tags, stages,
/// sources, saved filters, and one's own customer list settings.
fn customer_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            customers::list_customers,
            customers::create_customer
        ))
        .routes(routes!(customers::search_customers))
        .routes(routes!(customers::list_customer_bin))
        .routes(routes!(customers::bulk_customers))
        .routes(routes!(ownership::assign_customers))
        .routes(routes!(ownership::change_customer_members))
        .routes(routes!(
            ownership::list_sharing_rules,
            ownership::create_sharing_rule
        ))
        .routes(routes!(
            ownership::get_sharing_rule,
            ownership::update_sharing_rule,
            ownership::delete_sharing_rule
        ))
        .routes(routes!(ownership::run_sharing))
        .routes(routes!(
            customers::get_customer,
            customers::update_customer,
            customers::delete_customer
        ))
        .routes(routes!(customers::restore_customer))
        .routes(routes!(customers::purge_customer))
        .routes(routes!(
            customers::set_do_not_contact,
            customers::clear_do_not_contact
        ))
        .routes(routes!(customers::record_arrival))
        .routes(routes!(events::list_customer_events))
        .routes(routes!(events::export_customer_events))
        .routes(routes!(
            companies::list_sub_contacts,
            companies::create_sub_contact
        ))
        .routes(routes!(
            companies::update_sub_contact,
            companies::delete_sub_contact
        ))
        .routes(routes!(
            customers::get_customer_settings,
            customers::update_customer_settings
        ))
        .routes(routes!(
            customers::get_customer_columns,
            customers::set_customer_columns
        ))
        .routes(routes!(
            customers::get_customer_tabs,
            customers::set_customer_tabs
        ))
        .routes(routes!(
            companies::list_companies,
            companies::create_company
        ))
        .routes(routes!(
            companies::get_company,
            companies::update_company,
            companies::delete_company
        ))
        .routes(routes!(
            custom_fields::list_custom_fields,
            custom_fields::create_custom_field
        ))
        .routes(routes!(
            custom_fields::get_custom_field,
            custom_fields::update_custom_field,
            custom_fields::delete_custom_field
        ))
        .routes(routes!(custom_fields::change_custom_field_kind))
        .routes(routes!(taxonomy::list_tags, taxonomy::create_tag))
        .routes(routes!(taxonomy::update_tag, taxonomy::delete_tag))
        .routes(routes!(taxonomy::merge_tag))
        .routes(routes!(taxonomy::list_stages, taxonomy::create_stage))
        .routes(routes!(taxonomy::update_stage, taxonomy::delete_stage))
        .routes(routes!(taxonomy::list_sources, taxonomy::create_source))
        .routes(routes!(taxonomy::update_source, taxonomy::delete_source))
        .routes(routes!(
            saved_filters::list_saved_filters,
            saved_filters::create_saved_filter
        ))
        .routes(routes!(
            saved_filters::get_saved_filter,
            saved_filters::update_saved_filter,
            saved_filters::delete_saved_filter
        ))
}

/// The interaction history: ingestion, counter rules, score levels, notifications.
fn event_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(events::create_event))
        .routes(routes!(events::get_customer_interactions))
        .routes(routes!(events::create_event_batch))
        .routes(routes!(
            events::get_interaction_rules,
            events::set_interaction_rules
        ))
        .routes(routes!(
            events::list_score_levels,
            events::create_score_level
        ))
        .routes(routes!(
            events::update_score_level,
            events::delete_score_level
        ))
        .routes(routes!(events::list_notifications))
        .routes(routes!(events::read_notifications))
}
