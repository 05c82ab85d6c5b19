//! `/api/v1/customers`: the customer record, its lists (quick search, filter builder,
//! recycle bin), the actions on it, the customer settings and one's own list columns
//! and detail tabs. Phones and e-mails come back masked for roles with masking.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiCtx, ApiJson, ApiQuery, Id};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use khach_core::{customers, prefs};
use khach_types::api::{
    Arrival, BulkRequest, BulkResult, CreateCustomer, Customer, CustomerList, CustomerQuery,
    CustomerSearch, CustomerSettings, DetailTabs, DoNotContactInput, ListColumns, UpdateCustomer,
    UpdateCustomerSettings,
};

/// List live customers: quick search (`q`: name without diacritics, code, 4+ digits of
/// a phone, e-mail), common filters or a saved filter, sorting and keyset paging.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", params(CustomerQuery),
    responses((status = 200, description = "A page of customers and the total", body = CustomerList)))]
pub async fn list_customers(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<CustomerQuery>,
) -> Result<Json<CustomerList>, ApiError> {
    customers::list(&s.core, &ctx, &q, false)
        .await
        .map(Json)
        .api(&ctx)
}

/// Create a customer. The code is generated (`KH000001`…) when absent; unknown tag
/// names are created.
#[utoipa::path(post, path = "/api/v1/customers", tag = "customers",
    request_body = CreateCustomer,
    responses((status = 201, description = "Created", body = Customer)))]
pub async fn create_customer(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<CreateCustomer>,
) -> Result<(StatusCode, Json<Customer>), ApiError> {
    customers::create(&s.core, &ctx, input)
        .await
        .map(|c| (StatusCode::CREATED, Json(c)))
        .api(&ctx)
}

/// Search with the filter builder: nested AND/OR groups of typed rules.
#[utoipa::path(post, path = "/api/v1/customers/query", tag = "customers",
    request_body = CustomerSearch,
    responses((status = 200, description = "A page of matching customers and the total", body = CustomerList)))]
pub async fn search_customers(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<CustomerSearch>,
) -> Result<Json<CustomerList>, ApiError> {
    customers::search(&s.core, &ctx, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// List the recycle bin (needs the delete permission).
#[utoipa::path(get, path = "/api/v1/customers/bin", tag = "customers", params(CustomerQuery),
    responses((status = 200, description = "A page of deleted customers", body = CustomerList)))]
pub async fn list_customer_bin(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<CustomerQuery>,
) -> Result<Json<CustomerList>, ApiError> {
    customers::list(&s.core, &ctx, &q, true)
        .await
        .map(Json)
        .api(&ctx)
}

/// Get one customer (also from the bin, for those who may restore).
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers",
    params(("id" = i64, Path, description = "Customer id")),
    responses((status = 200, description = "The customer", body = Customer)))]
pub async fn get_customer(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Json<Customer>, ApiError> {
    customers::get(&s.core, &ctx, id).await.map(Json).api(&ctx)
}

/// Edit a customer: absent fields stay, `null` clears, lists are replaced whole,
/// `custom` is merged key by key.
#[utoipa::path(patch, path = "/api/v1/customers/{id}", tag = "customers",
    params(("id" = i64, Path, description = "Customer id")), request_body = UpdateCustomer,
    responses((status = 200, description = "The updated customer", body = Customer)))]
pub async fn update_customer(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiJson(input): ApiJson<UpdateCustomer>,
) -> Result<Json<Customer>, ApiError> {
    customers::update(&s.core, &ctx, id, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// Move a customer to the recycle bin.
#[utoipa::path(delete, path = "/api/v1/customers/{id}", tag = "customers",
    params(("id" = i64, Path, description = "Customer id")),
    responses((status = 204, description = "Moved to the bin")))]
pub async fn delete_customer(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    customers::delete(&s.core, &ctx, id)
        .await
        .map(|_| StatusCode::NO_CONTENT)
        .api(&ctx)
}

/// Bring a customer back from the bin; refused (409) while its code, a phone or an
/// e-mail belongs to another live customer.
#[utoipa::path(post, path = "/api/v1/customers/{id}/restore", tag = "customers",
    params(("id" = i64, Path, description = "Customer id")),
    responses((status = 200, description = "The restored customer", body = Customer)))]
pub async fn restore_customer(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Json<Customer>, ApiError> {
    customers::restore(&s.core, &ctx, id)
        .await
        .map(Json)
        .api(&ctx)
}

/// Remove a customer in the bin for good (administrators only).
#[utoipa::path(delete, path = "/api/v1/customers/{id}/purge", tag = "customers",
    params(("id" = i64, Path, description = "Customer id")),
    responses((status = 204, description = "Purged")))]
pub async fn purge_customer(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    customers::purge(&s.core, &ctx, id)
        .await
        .map(|_| StatusCode::NO_CONTENT)
        .api(&ctx)
}

/// Put a customer on the do-not-contact list (campaigns and automation skip it).
#[utoipa::path(put, path = "/api/v1/customers/{id}/do-not-contact", tag = "customers",
    params(("id" = i64, Path, description = "Customer id")), request_body = DoNotContactInput,
    responses((status = 200, description = "The customer", body = Customer)))]
pub async fn set_do_not_contact(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiJson(input): ApiJson<DoNotContactInput>,
) -> Result<Json<Customer>, ApiError> {
    customers::do_not_contact(&s.core, &ctx, id, Some(input))
        .await
        .map(Json)
        .api(&ctx)
}

/// Take a customer off the do-not-contact list.
#[utoipa::path(delete, path = "/api/v1/customers/{id}/do-not-contact", tag = "customers",
    params(("id" = i64, Path, description = "Customer id")),
    responses((status = 200, description = "The customer", body = Customer)))]
pub async fn clear_do_not_contact(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Json<Customer>, ApiError> {
    customers::do_not_contact(&s.core, &ctx, id, None)
        .await
        .map(Json)
        .api(&ctx)
}

/// Record that a customer arrived again from a source; the attribution rule in the
/// customer settings decides which source it keeps.
#[utoipa::path(post, path = "/api/v1/customers/{id}/arrivals", tag = "customers",
    params(("id" = i64, Path, description = "Customer id")), request_body = Arrival,
    responses((status = 200, description = "The customer with the source it keeps", body = Customer)))]
pub async fn record_arrival(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiJson(input): ApiJson<Arrival>,
) -> Result<Json<Customer>, ApiError> {
    customers::arrive(&s.core, &ctx, id, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// One action on many customers (tag, untag, stage, do-not-contact, delete). Those
/// the caller cannot reach are reported as skipped.
#[utoipa::path(post, path = "/api/v1/customers/bulk", tag = "customers",
    request_body = BulkRequest,
    responses((status = 200, description = "What was done and what was skipped", body = BulkResult)))]
pub async fn bulk_customers(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<BulkRequest>,
) -> Result<Json<BulkResult>, ApiError> {
    customers::bulk(&s.core, &ctx, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// The customer settings: source attribution rule, bin retention, shared contacts.
#[utoipa::path(get, path = "/api/v1/customer-settings", tag = "customers",
    responses((status = 200, description = "The customer settings", body = CustomerSettings)))]
pub async fn get_customer_settings(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<CustomerSettings>, ApiError> {
    customers::read_settings(&s.core, &ctx)
        .await
        .map(Json)
        .api(&ctx)
}

/// Change the customer settings (needs the customers settings permission).
#[utoipa::path(patch, path = "/api/v1/customer-settings", tag = "customers",
    request_body = UpdateCustomerSettings,
    responses((status = 200, description = "The updated settings", body = CustomerSettings)))]
pub async fn update_customer_settings(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<UpdateCustomerSettings>,
) -> Result<Json<CustomerSettings>, ApiError> {
    customers::update_settings(&s.core, &ctx, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// The caller's columns of the customer list.
#[utoipa::path(get, path = "/api/v1/me/customer-columns", tag = "me",
    responses((status = 200, description = "Column keys in order", body = ListColumns)))]
pub async fn get_customer_columns(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<ListColumns>, ApiError> {
    prefs::columns(&s.core, &ctx).await.map(Json).api(&ctx)
}

/// Choose and order the columns of one's customer list (`cf.<key>` for custom fields).
#[utoipa::path(put, path = "/api/v1/me/customer-columns", tag = "me",
    request_body = ListColumns,
    responses((status = 200, description = "The saved columns", body = ListColumns)))]
pub async fn set_customer_columns(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<ListColumns>,
) -> Result<Json<ListColumns>, ApiError> {
    prefs::set_columns(&s.core, &ctx, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// The caller's tabs of the customer detail page.
#[utoipa::path(get, path = "/api/v1/me/customer-tabs", tag = "me",
    responses((status = 200, description = "Tab keys in order", body = DetailTabs)))]
pub async fn get_customer_tabs(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<DetailTabs>, ApiError> {
    prefs::tabs(&s.core, &ctx).await.map(Json).api(&ctx)
}

/// Choose and order the tabs of one's customer detail page.
#[utoipa::path(put, path = "/api/v1/me/customer-tabs", tag = "me",
    request_body = DetailTabs,
    responses((status = 200, description = "The saved tabs", body = DetailTabs)))]
pub async fn set_customer_tabs(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<DetailTabs>,
) -> Result<Json<DetailTabs>, ApiError> {
    prefs::set_tabs(&s.core, &ctx, input)
        .await
        .map(Json)
        .api(&ctx)
}
