//! `/api/v1/companies` (danh sách công ty) and `/api/v1/customers/{id}/contacts`
//! (liên hệ phụ: extra people, phones and e-mails on one customer).

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiCtx, ApiJson, ApiQuery, Id, Ids2};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use khach_core::companies;
use khach_types::api::{
    Company, CompanyList, CompanyQuery, CreateCompany, CreateSubContact, SubContact,
    SubContactList, UpdateCompany, UpdateSubContact,
};

/// List companies (search by name, diacritics optional).
#[utoipa::path(get, path = "/api/v1/companies", tag = "companies", params(CompanyQuery),
    responses((status = 200, description = "A page of companies", body = CompanyList)))]
pub async fn list_companies(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<CompanyQuery>,
) -> Result<Json<CompanyList>, ApiError> {
    companies::list(&s.core, &ctx, &q).await.map(Json).api(&ctx)
}

/// Create a company.
#[utoipa::path(post, path = "/api/v1/companies", tag = "companies",
    request_body = CreateCompany,
    responses((status = 201, description = "Created", body = Company)))]
pub async fn create_company(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<CreateCompany>,
) -> Result<(StatusCode, Json<Company>), ApiError> {
    companies::create(&s.core, &ctx, input)
        .await
        .map(|c| (StatusCode::CREATED, Json(c)))
        .api(&ctx)
}

/// Get one company.
#[utoipa::path(get, path = "/api/v1/companies/{id}", tag = "companies",
    params(("id" = i64, Path, description = "Company id")),
    responses((status = 200, description = "The company", body = Company)))]
pub async fn get_company(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Json<Company>, ApiError> {
    companies::get(&s.core, &ctx, id).await.map(Json).api(&ctx)
}

/// Edit a company: absent fields stay, `null` clears.
#[utoipa::path(patch, path = "/api/v1/companies/{id}", tag = "companies",
    params(("id" = i64, Path, description = "Company id")), request_body = UpdateCompany,
    responses((status = 200, description = "The updated company", body = Company)))]
pub async fn update_company(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiJson(input): ApiJson<UpdateCompany>,
) -> Result<Json<Company>, ApiError> {
    companies::update(&s.core, &ctx, id, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// Delete a company no customer belongs to (409 otherwise, also for customers in
/// the bin).
#[utoipa::path(delete, path = "/api/v1/companies/{id}", tag = "companies",
    params(("id" = i64, Path, description = "Company id")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_company(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    companies::delete(&s.core, &ctx, id)
        .await
        .map(|_| StatusCode::NO_CONTENT)
        .api(&ctx)
}

/// The sub-contacts of a customer.
#[utoipa::path(get, path = "/api/v1/customers/{id}/contacts", tag = "customers",
    params(("id" = i64, Path, description = "Customer id")),
    responses((status = 200, description = "The sub-contacts", body = SubContactList)))]
pub async fn list_sub_contacts(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Json<SubContactList>, ApiError> {
    companies::contacts(&s.core, &ctx, id)
        .await
        .map(Json)
        .api(&ctx)
}

/// Add a sub-contact to a customer.
#[utoipa::path(post, path = "/api/v1/customers/{id}/contacts", tag = "customers",
    params(("id" = i64, Path, description = "Customer id")), request_body = CreateSubContact,
    responses((status = 201, description = "Created", body = SubContact)))]
pub async fn create_sub_contact(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiJson(input): ApiJson<CreateSubContact>,
) -> Result<(StatusCode, Json<SubContact>), ApiError> {
    companies::add_contact(&s.core, &ctx, id, input)
        .await
        .map(|c| (StatusCode::CREATED, Json(c)))
        .api(&ctx)
}

/// Edit a sub-contact of a customer.
#[utoipa::path(patch, path = "/api/v1/customers/{id}/contacts/{contact_id}", tag = "customers",
    params(("id" = i64, Path, description = "Customer id"), ("contact_id" = i64, Path, description = "Sub-contact id")),
    request_body = UpdateSubContact,
    responses((status = 200, description = "The updated sub-contact", body = SubContact)))]
pub async fn update_sub_contact(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Ids2(id, contact): Ids2,
    ApiJson(input): ApiJson<UpdateSubContact>,
) -> Result<Json<SubContact>, ApiError> {
    companies::update_contact(&s.core, &ctx, id, contact, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// Remove a sub-contact from a customer.
#[utoipa::path(delete, path = "/api/v1/customers/{id}/contacts/{contact_id}", tag = "customers",
    params(("id" = i64, Path, description = "Customer id"), ("contact_id" = i64, Path, description = "Sub-contact id")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_sub_contact(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Ids2(id, contact): Ids2,
) -> Result<StatusCode, ApiError> {
    companies::delete_contact(&s.core, &ctx, id, contact)
        .await
        .map(|_| StatusCode::NO_CONTENT)
        .api(&ctx)
}
