//! `/api/v1/custom-fields`: custom field definitions of customers and companies, and
//! changes of a field's type with a preview of what they do to stored values.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiCtx, ApiJson, ApiQuery, Id};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use khach_core::fields;
use khach_types::api::{
    ChangeFieldKind, CreateCustomField, CustomField, CustomFieldList, CustomFieldQuery,
    KindChangePreview, UpdateCustomField,
};

/// List the custom fields of an entity, in display order.
#[utoipa::path(get, path = "/api/v1/custom-fields", tag = "custom-fields",
    params(CustomFieldQuery),
    responses((status = 200, description = "The fields", body = CustomFieldList)))]
pub async fn list_custom_fields(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<CustomFieldQuery>,
) -> Result<Json<CustomFieldList>, ApiError> {
    fields::list(&s.core, &ctx, &q).await.map(Json).api(&ctx)
}

/// Create a custom field (needs the customers settings permission).
#[utoipa::path(post, path = "/api/v1/custom-fields", tag = "custom-fields",
    request_body = CreateCustomField,
    responses((status = 201, description = "Created", body = CustomField)))]
pub async fn create_custom_field(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<CreateCustomField>,
) -> Result<(StatusCode, Json<CustomField>), ApiError> {
    fields::create(&s.core, &ctx, input)
        .await
        .map(|f| (StatusCode::CREATED, Json(f)))
        .api(&ctx)
}

/// Get one custom field.
#[utoipa::path(get, path = "/api/v1/custom-fields/{id}", tag = "custom-fields",
    params(("id" = i64, Path, description = "Custom field id")),
    responses((status = 200, description = "The field", body = CustomField)))]
pub async fn get_custom_field(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Json<CustomField>, ApiError> {
    fields::get(&s.core, &ctx, id).await.map(Json).api(&ctx)
}

/// Edit a custom field. Removing an option that stored values still use is refused
/// (409); the type changes only through `POST /custom-fields/{id}/kind`.
#[utoipa::path(patch, path = "/api/v1/custom-fields/{id}", tag = "custom-fields",
    params(("id" = i64, Path, description = "Custom field id")), request_body = UpdateCustomField,
    responses((status = 200, description = "The updated field", body = CustomField)))]
pub async fn update_custom_field(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiJson(input): ApiJson<UpdateCustomField>,
) -> Result<Json<CustomField>, ApiError> {
    fields::update(&s.core, &ctx, id, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// Delete a custom field that holds no values (409 otherwise).
#[utoipa::path(delete, path = "/api/v1/custom-fields/{id}", tag = "custom-fields",
    params(("id" = i64, Path, description = "Custom field id")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_custom_field(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    fields::delete(&s.core, &ctx, id)
        .await
        .map(|_| StatusCode::NO_CONTENT)
        .api(&ctx)
}

/// Preview a change of type (`apply: false`), or convert every stored value and
/// change it (`apply: true`; refused with 409 while any value cannot be converted).
#[utoipa::path(post, path = "/api/v1/custom-fields/{id}/kind", tag = "custom-fields",
    params(("id" = i64, Path, description = "Custom field id")), request_body = ChangeFieldKind,
    responses((status = 200, description = "What the change does (and whether it was applied)", body = KindChangePreview)))]
pub async fn change_custom_field_kind(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiJson(input): ApiJson<ChangeFieldKind>,
) -> Result<Json<KindChangePreview>, ApiError> {
    fields::change_kind(&s.core, &ctx, id, input)
        .await
        .map(Json)
        .api(&ctx)
}
