//! `/api/v1/departments`: the department tree.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiCtx, ApiJson, ApiQuery, Id};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use khach_core::departments;
use khach_types::api::{CreateDepartment, Department, DepartmentList, PageQuery, UpdateDepartment};

/// List departments.
#[utoipa::path(get, path = "/api/v1/departments", tag = "departments", params(PageQuery),
    responses((status = 200, description = "A page of departments", body = DepartmentList)))]
pub async fn list_departments(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<DepartmentList>, ApiError> {
    departments::list(&s.core, &ctx, &q)
        .await
        .map(Json)
        .api(&ctx)
}

/// Create a department.
#[utoipa::path(post, path = "/api/v1/departments", tag = "departments",
    request_body = CreateDepartment,
    responses((status = 201, description = "Created", body = Department)))]
pub async fn create_department(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<CreateDepartment>,
) -> Result<(StatusCode, Json<Department>), ApiError> {
    departments::create(&s.core, &ctx, input)
        .await
        .map(|d| (StatusCode::CREATED, Json(d)))
        .api(&ctx)
}

/// Get one department.
#[utoipa::path(get, path = "/api/v1/departments/{id}", tag = "departments",
    params(("id" = i64, Path, description = "Department id")),
    responses((status = 200, description = "The department", body = Department)))]
pub async fn get_department(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Json<Department>, ApiError> {
    departments::get(&s.core, &ctx, id)
        .await
        .map(Json)
        .api(&ctx)
}

/// Rename or move a department (never under itself).
#[utoipa::path(patch, path = "/api/v1/departments/{id}", tag = "departments",
    params(("id" = i64, Path, description = "Department id")), request_body = UpdateDepartment,
    responses((status = 200, description = "The updated department", body = Department)))]
pub async fn update_department(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiJson(input): ApiJson<UpdateDepartment>,
) -> Result<Json<Department>, ApiError> {
    departments::update(&s.core, &ctx, id, input)
        .await
        .map(Json)
        .api(&ctx)
}

/// Delete a department without sub-departments or accounts.
#[utoipa::path(delete, path = "/api/v1/departments/{id}", tag = "departments",
    params(("id" = i64, Path, description = "Department id")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_department(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    departments::delete(&s.core, &ctx, id)
        .await
        .map(|_| StatusCode::NO_CONTENT)
        .api(&ctx)
}
