//! `/api/v1/imports` (nhập dữ liệu) and `/api/v1/exports` (xuất dữ liệu). An import is
//! uploaded with its options and runs in the background; its progress, problems,
//! error file and undo are resources of the run.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiCtx, ApiJson, ApiQuery, Id};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use khach_core::imports::{self, read::Input};
use khach_core::{Core, CoreError, CoreResult, Ctx};
use khach_types::api::{
    ExportJob, ExportRequest, Import, ImportList, ImportPreview, ImportProblemList,
    ImportProblemQuery, ImportUpload, UndoAnswer,
};
use std::sync::Arc;

/// Largest upload, base64 included.
pub const MAX_UPLOAD: usize = 200 * 1024 * 1024;

fn decode(u: &ImportUpload) -> CoreResult<Input> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(u.content_base64.as_bytes())
        .map_err(|_| CoreError::fields([("content_base64", "import-file-unreadable")]))?;
    Ok(Input::Bytes(Arc::new(bytes)))
}

/// Runs an import in the background of this process; the run's lease and its
/// checkpoints are in the database, so another process can resume it if this one
/// dies.
pub fn spawn_run(core: Core, ctx: Ctx, id: i64) {
    tokio::spawn(async move {
        if let Err(e) = imports::run(&core, &ctx, id, false, &|_| {}).await {
            tracing::warn!(import = id, error = %e, "import stopped");
        }
    });
}

/// Read the start of a file and map its columns (nothing is stored).
#[utoipa::path(post, path = "/api/v1/imports/preview", tag = "imports",
    request_body = ImportUpload,
    responses((status = 200, description = "The first rows and the mapping", body = ImportPreview)))]
pub async fn preview_import(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(u): ApiJson<ImportUpload>,
) -> Result<Json<ImportPreview>, ApiError> {
    let input = decode(&u).api(&ctx)?;
    let p = imports::preview(&s.core, &ctx, input, &u.options)
        .await
        .api(&ctx)?;
    Ok(Json(ImportPreview {
        encoding: p.encoding,
        separator: p.separator.to_string(),
        columns: p.columns,
        rows: p.rows,
    }))
}

/// Upload a file and start importing it (or, with `options.dry_run`, only check it).
/// The same file with the same options while an earlier run is unfinished resumes
/// that run.
#[utoipa::path(post, path = "/api/v1/imports", tag = "imports",
    request_body = ImportUpload,
    responses((status = 202, description = "Started; poll it for progress", body = Import)))]
pub async fn create_import(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(u): ApiJson<ImportUpload>,
) -> Result<(StatusCode, Json<Import>), ApiError> {
    let input = decode(&u).api(&ctx)?;
    let i = imports::start(&s.core, &ctx, &u.file_name, input, u.options)
        .await
        .api(&ctx)?;
    spawn_run(s.core.clone(), ctx, i.id);
    Ok((StatusCode::ACCEPTED, Json(i)))
}

/// The import history: one's own runs (every run for an administrator).
#[utoipa::path(get, path = "/api/v1/imports", tag = "imports",
    responses((status = 200, description = "Runs, newest first", body = ImportList)))]
pub async fn list_imports(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<ImportList>, ApiError> {
    imports::list(&s.core, &ctx, 100).await.map(Json).api(&ctx)
}

/// One run: status, counts and progress.
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "imports",
    params(("id" = i64, Path, description = "Import id")),
    responses((status = 200, description = "The run", body = Import)))]
pub async fn get_import(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Json<Import>, ApiError> {
    imports::get(&s.core, &ctx, id).await.map(Json).api(&ctx)
}

/// Skipped and failed rows with their reasons.
#[utoipa::path(get, path = "/api/v1/imports/{id}/problems", tag = "imports",
    params(("id" = i64, Path, description = "Import id"), ImportProblemQuery),
    responses((status = 200, description = "Rows in file order", body = ImportProblemList)))]
pub async fn list_import_problems(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
    ApiQuery(q): ApiQuery<ImportProblemQuery>,
) -> Result<Json<ImportProblemList>, ApiError> {
    imports::problems(
        &s.core,
        &ctx,
        id,
        q.after.unwrap_or(0),
        q.limit.unwrap_or(1000),
    )
    .await
    .map(Json)
    .api(&ctx)
}

/// The error file: the original rows that were skipped or failed, with the reason in
/// a last column; fix it and import it again.
#[utoipa::path(get, path = "/api/v1/imports/{id}/error-file", tag = "imports",
    params(("id" = i64, Path, description = "Import id")),
    responses((status = 200, description = "CSV (UTF-8 with BOM)", content_type = "text/csv")))]
pub async fn get_import_error_file(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let bytes = imports::error_file(&s.core, &ctx, id).await.api(&ctx)?;
    Ok(download(
        bytes,
        "text/csv; charset=utf-8",
        &format!("import-{id}-errors.csv"),
    ))
}

pub fn download(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let disp = format!("attachment; filename=\"{name}\"");
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disp),
        ],
        bytes,
    )
        .into_response()
}

/// Resume an interrupted run (refused while another worker holds it).
#[utoipa::path(post, path = "/api/v1/imports/{id}/resume", tag = "imports",
    params(("id" = i64, Path, description = "Import id")),
    responses((status = 202, description = "Resuming", body = Import)))]
pub async fn resume_import(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<(StatusCode, Json<Import>), ApiError> {
    let i = imports::get(&s.core, &ctx, id).await.api(&ctx)?;
    spawn_run(s.core.clone(), ctx, id);
    Ok((StatusCode::ACCEPTED, Json(i)))
}

/// Run for real what a dry run checked: a new run with the same file and options.
#[utoipa::path(post, path = "/api/v1/imports/{id}/run", tag = "imports",
    params(("id" = i64, Path, description = "Id of a dry run")),
    responses((status = 202, description = "The new run", body = Import)))]
pub async fn run_checked_import(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<(StatusCode, Json<Import>), ApiError> {
    let i = imports::promote(&s.core, &ctx, id).await.api(&ctx)?;
    spawn_run(s.core.clone(), ctx, i.id);
    Ok((StatusCode::ACCEPTED, Json(i)))
}

/// Undo a run: delete the customers it created and put back what it overwrote,
/// except on customers changed since (counted as refused).
#[utoipa::path(post, path = "/api/v1/imports/{id}/undo", tag = "imports",
    params(("id" = i64, Path, description = "Import id")),
    responses((status = 200, description = "What was undone", body = UndoAnswer)))]
pub async fn undo_import(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Json<UndoAnswer>, ApiError> {
    let (import, result) = imports::undo(&s.core, &ctx, id).await.api(&ctx)?;
    Ok(Json(UndoAnswer { import, result }))
}

/// Export the filtered customer list or a selection as CSV or XLSX (needs the
/// export permission; the data scope and masking apply).
#[utoipa::path(post, path = "/api/v1/exports", tag = "imports",
    request_body = ExportRequest,
    responses((status = 200, description = "The file: CSV (UTF-8 with BOM) or XLSX", content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))))]
pub async fn create_export(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(req): ApiJson<ExportRequest>,
) -> Result<Response, ApiError> {
    let f = khach_core::exports::export(&s.core, &ctx, req)
        .await
        .api(&ctx)?;
    Ok(download(f.bytes, f.content_type, &f.file_name))
}

/// Start an export as a job (for large lists); poll it, then download its file.
#[utoipa::path(post, path = "/api/v1/exports/jobs", tag = "imports",
    request_body = ExportRequest,
    responses((status = 202, description = "Started", body = ExportJob)))]
pub async fn create_export_job(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(req): ApiJson<ExportRequest>,
) -> Result<(StatusCode, Json<ExportJob>), ApiError> {
    let job = khach_core::exports::start_job(&s.core, &ctx, &req)
        .await
        .api(&ctx)?;
    let (core, id) = (s.core.clone(), job.id);
    tokio::spawn(async move {
        if let Err(e) = khach_core::exports::run_job(&core, &ctx, id, req).await {
            tracing::warn!(export = id, error = %e, "export job failed");
        }
    });
    Ok((StatusCode::ACCEPTED, Json(job)))
}

/// An export job: status, and the download link once done.
#[utoipa::path(get, path = "/api/v1/exports/jobs/{id}", tag = "imports",
    params(("id" = i64, Path, description = "Export job id")),
    responses((status = 200, description = "The job", body = ExportJob)))]
pub async fn get_export_job(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Json<ExportJob>, ApiError> {
    khach_core::exports::job(&s.core, &ctx, id)
        .await
        .map(Json)
        .api(&ctx)
}

/// The file of a finished export job.
#[utoipa::path(get, path = "/api/v1/exports/jobs/{id}/file", tag = "imports",
    params(("id" = i64, Path, description = "Export job id")),
    responses((status = 200, description = "The file: CSV (UTF-8 with BOM) or XLSX", content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))))]
pub async fn get_export_job_file(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let f = khach_core::exports::job_file(&s.core, &ctx, id)
        .await
        .api(&ctx)?;
    Ok(download(f.bytes, f.content_type, &f.file_name))
}
