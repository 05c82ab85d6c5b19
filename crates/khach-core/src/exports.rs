//! Export of customers (Xuất dữ liệu): the filtered list or a selection, chosen
//! columns, CSV or XLSX; only with the export permission, within the caller's data
//! scope, masked phones and e-mails left masked. Every cell that a spreadsheet would
//! read as a formula (`= + - @`, tab, CR at the start) gets a leading apostrophe,
//! which the importer takes off again, so an export imports back unchanged.

use crate::fields::{self, Def};
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::customers::query::{Col, Cond};
use khach_types::api::{Customer, ExportFormat, ExportRequest, FieldEntity};
use khach_types::{Action, Locale, Module};
use std::borrow::Cow;

/// Customers read per page.
const PAGE: usize = 500;
/// Most customers one export holds.
pub const MAX_ROWS: usize = 1_000_000;

/// The cell as written to a file: neutralised if it would start a formula.
pub fn neutralise(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

const COLUMNS: &[(&str, &str, &str)] = &[
    ("code", "Mã KH", "code"),
    ("name", "Họ và tên", "name"),
    ("phones", "Số điện thoại", "phone"),
    ("emails", "Email", "email"),
    ("gender", "Giới tính", "gender"),
    ("birthday", "Ngày sinh", "birthday"),
    ("province_code", "Mã tỉnh", "province_code"),
    ("ward_code", "Mã xã", "ward_code"),
    ("street", "Địa chỉ", "street"),
    ("stage", "Giai đoạn", "stage"),
    ("source", "Nguồn", "source"),
    ("tags", "Thẻ", "tags"),
    ("owner", "Người phụ trách", "owner"),
    ("notes", "Ghi chú", "notes"),
    ("created_at", "Ngày tạo", "created_at"),
];

fn header(col: &str, locale: Locale, defs: &[Def]) -> Option<String> {
    if let Some(k) = col.strip_prefix("custom.") {
        return defs.iter().find(|d| d.key == k).map(|d| d.label.clone());
    }
    let col = match col {
        "phone" => "phones",
        "email" => "emails",
        c => c,
    };
    COLUMNS
        .iter()
        .find(|c| c.0 == col)
        .map(|c| if locale == Locale::Vi { c.1 } else { c.2 }.to_string())
}

fn cell(c: &Customer, col: &str, locale: Locale, defs: &[Def]) -> String {
    let vi = locale == Locale::Vi;
    match col {
        "code" => c.code.clone(),
        "name" => c.name.clone(),
        "phone" => c.phone.clone().unwrap_or_default(),
        "phones" => c
            .phones
            .iter()
            .map(|p| p.display.clone())
            .collect::<Vec<_>>()
            .join(", "),
        "email" => c.email.clone().unwrap_or_default(),
        "emails" => c.emails.join(", "),
        "gender" => c
            .gender
            .map(|g| match (vi, g.as_str()) {
                (true, "male") => "Nam".to_string(),
                (true, "female") => "Nữ".to_string(),
                (true, _) => "Khác".to_string(),
                (false, s) => s.to_string(),
            })
            .unwrap_or_default(),
        "birthday" => c.birthday.map(|d| d.to_string()).unwrap_or_default(),
        "province_code" => c.address.province_code.clone().unwrap_or_default(),
        "ward_code" => c.address.ward_code.clone().unwrap_or_default(),
        "street" => c.address.street.clone().unwrap_or_default(),
        "stage" => c.stage_name.clone().unwrap_or_default(),
        "source" => c.source_name.clone().unwrap_or_default(),
        "tags" => c
            .tags
            .iter()
            .map(|t| t.name.clone())
            .collect::<Vec<_>>()
            .join(", "),
        "owner" => c
            .owner
            .as_ref()
            .map(|o| o.username.clone())
            .unwrap_or_default(),
        "notes" => c.notes.clone().unwrap_or_default(),
        "created_at" => c.created_at.to_rfc3339(),
        "updated_at" => c.updated_at.to_rfc3339(),
        other => match other.strip_prefix("custom.") {
            Some(k) => match (defs.iter().find(|d| d.key == k), c.custom.get(k)) {
                (Some(d), Some(v)) => fields::value::display(d.kind, &d.options, v),
                _ => String::new(),
            },
            None => String::new(),
        },
    }
}

/// A finished export: the bytes, their media type and a file name.
#[derive(Debug, Clone)]
pub struct ExportFile {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub file_name: String,
    pub rows: usize,
}

/// The customers of the request, page by page, through the same list and scope as
/// the customer list (masking included).
async fn customers(core: &Core, ctx: &Ctx, req: &ExportRequest) -> CoreResult<Vec<Customer>> {
    let mut out = Vec::new();
    if let Some(ids) = &req.ids {
        let c = core.db.conn();
        let scope = crate::customers::scope_cond(c, ctx).await?;
        for chunk in ids.chunks(PAGE) {
            let cond = Cond::All(vec![
                Cond::Ids {
                    col: Col::Id,
                    ids: chunk.to_vec(),
                    negate: false,
                },
                Cond::InBin(false),
                scope.clone(),
            ]);
            let found = khach_db::customers::query::ids(c, &cond, chunk.len() as u64).await?;
            let rows = khach_db::customers::get_many(c, &found).await?;
            let mut page = crate::customers::hydrate(c, ctx, rows).await?;
            // The order of the selection.
            page.sort_by_key(|x| chunk.iter().position(|i| *i == x.id));
            out.extend(page);
        }
        return Ok(out);
    }
    let mut s = req.search.clone();
    s.limit = Some(200);
    s.cursor = None;
    loop {
        let page = crate::customers::search(core, ctx, s.clone()).await?;
        out.extend(page.items);
        if out.len() >= MAX_ROWS {
            out.truncate(MAX_ROWS);
            break;
        }
        match page.next_cursor {
            Some(c) => s.cursor = Some(c),
            None => break,
        }
    }
    Ok(out)
}

/// Refuses a search the list itself would refuse (limit, sort, filter, cursor),
/// before any work starts: the list's own code checks it on a one-row page.
async fn check_search(core: &Core, ctx: &Ctx, req: &ExportRequest) -> CoreResult<()> {
    crate::paging::page_limit(req.search.limit)?;
    let mut probe = req.search.clone();
    probe.limit = Some(1);
    crate::customers::search(core, ctx, probe).await.map(|_| ())
}

/// Exports customers as the request says.
pub async fn export(core: &Core, ctx: &Ctx, req: ExportRequest) -> CoreResult<ExportFile> {
    ctx.require(Module::Customers, Action::Export)?;
    check_search(core, ctx, &req).await?;
    let defs = fields::defs(core.db.conn(), FieldEntity::Customer).await?;
    let mut cols: Vec<String> = if req.columns.is_empty() {
        let mut all: Vec<String> = COLUMNS.iter().map(|c| c.0.to_string()).collect();
        all.extend(defs.iter().map(|d| format!("custom.{}", d.key)));
        all
    } else {
        req.columns.clone()
    };
    cols.dedup();
    let locale = ctx.locale;
    let mut headers = Vec::with_capacity(cols.len());
    for c in &cols {
        match header(c, locale, &defs) {
            Some(h) => headers.push(h),
            None => return Err(CoreError::fields([("columns", "export-column-unknown")])),
        }
    }
    let list = customers(core, ctx, &req).await?;
    let rows = list.len();
    let grid = move || -> Vec<Vec<String>> {
        list.iter()
            .map(|c| {
                cols.iter()
                    .map(|k| neutralise(&cell(c, k, locale, &defs)).into_owned())
                    .collect()
            })
            .collect()
    };
    let stamp = ctx.now.format("%Y%m%d-%H%M%S");
    let headers: Vec<String> = headers.iter().map(|h| neutralise(h).into_owned()).collect();
    let file = match req.format {
        ExportFormat::Csv => {
            let data = grid();
            let bytes = super::imports::blocking(move || csv_bytes(&headers, &data)).await?;
            ExportFile {
                bytes,
                content_type: "text/csv; charset=utf-8",
                file_name: format!("khach-hang-{stamp}.csv"),
                rows,
            }
        }
        ExportFormat::Xlsx => {
            let data = grid();
            let bytes = super::imports::blocking(move || xlsx_bytes(&headers, &data)).await?;
            ExportFile {
                bytes,
                content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                file_name: format!("khach-hang-{stamp}.xlsx"),
                rows,
            }
        }
    };
    let mut ch = crate::audit::Changes::new();
    ch.set("rows", &rows);
    ch.set("format", &req.format);
    crate::audit::record(core.db.conn(), ctx, "customer", None, "export", ch).await?;
    Ok(file)
}

/// CSV in UTF-8 with a BOM (Excel reads Vietnamese right only with it).
pub fn csv_bytes(headers: &[String], rows: &[Vec<String>]) -> CoreResult<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().from_writer(b"\xEF\xBB\xBF".to_vec());
    let e = |e: csv::Error| CoreError::Internal(e.to_string());
    w.write_record(headers).map_err(e)?;
    for r in rows {
        w.write_record(r).map_err(e)?;
    }
    w.into_inner()
        .map_err(|e| CoreError::Internal(e.to_string()))
}

/// One sheet, every cell a string (phones keep their leading 0), written row by row.
pub fn xlsx_bytes(headers: &[String], rows: &[Vec<String>]) -> CoreResult<Vec<u8>> {
    let e = |e: rust_xlsxwriter::XlsxError| CoreError::Internal(e.to_string());
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet_with_constant_memory().map_err(e)?;
    for (r, line) in std::iter::once(headers)
        .chain(rows.iter().map(Vec::as_slice))
        .enumerate()
    {
        let r = u32::try_from(r).map_err(|_| CoreError::Internal("too many rows".into()))?;
        for (c, v) in line.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| CoreError::Internal("too many columns".into()))?;
            sheet.write_string(r, c, v).map_err(e)?;
        }
    }
    book.save_to_buffer().map_err(e)
}

fn job_view(r: khach_db::exports::ExportJob) -> khach_types::api::ExportJob {
    let done = r.status == "done";
    khach_types::api::ExportJob {
        download: done.then(|| format!("/api/v1/exports/jobs/{}/file", r.id)),
        id: r.id,
        status: r.status,
        format: if r.format == "xlsx" {
            ExportFormat::Xlsx
        } else {
            ExportFormat::Csv
        },
        rows: u64::try_from(r.rows).unwrap_or(0),
        file_name: r.file_name,
        error: r.error,
        created_at: r.created_at,
        finished_at: r.finished_at,
    }
}

/// Records an export job (queued); [`run_job`] makes its file.
pub async fn start_job(
    core: &Core,
    ctx: &Ctx,
    req: &ExportRequest,
) -> CoreResult<khach_types::api::ExportJob> {
    ctx.require(Module::Customers, Action::Export)?;
    check_search(core, ctx, req).await?;
    let format = match req.format {
        ExportFormat::Csv => "csv",
        ExportFormat::Xlsx => "xlsx",
    };
    let r = khach_db::exports::insert(
        core.db.conn(),
        khach_db::exports::ExportJob {
            id: 0,
            status: "queued".into(),
            format: format.into(),
            rows: 0,
            file_name: String::new(),
            data: None,
            error: None,
            created_by: ctx.account_id(),
            created_at: ctx.now,
            finished_at: None,
        },
    )
    .await?;
    Ok(job_view(r))
}

/// Makes the file of job `id` and keeps it for download.
pub async fn run_job(core: &Core, ctx: &Ctx, id: i64, req: ExportRequest) -> CoreResult<()> {
    let c = core.db.conn();
    let mut r = khach_db::exports::get(c, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    r.status = "running".into();
    let mut r = khach_db::exports::save(c, r).await?;
    match export(core, ctx, req).await {
        Ok(f) => {
            r.status = "done".into();
            r.rows = i64::try_from(f.rows).unwrap_or(i64::MAX);
            r.file_name = f.file_name;
            r.data = Some(f.bytes);
        }
        Err(e) => {
            r.status = "failed".into();
            r.error = Some(e.code().as_str().to_string());
        }
    }
    r.finished_at = Some(core.now());
    khach_db::exports::save(c, r).await?;
    Ok(())
}

async fn load_job(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<khach_db::exports::ExportJob> {
    ctx.require(Module::Customers, Action::Export)?;
    let r = khach_db::exports::get(core.db.conn(), id)
        .await?
        .ok_or(CoreError::NotFound)?;
    if !ctx.is_admin() && r.created_by != ctx.account_id() {
        return Err(CoreError::NotFound);
    }
    Ok(r)
}

/// An export job of the caller's (any, for an administrator).
pub async fn job(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<khach_types::api::ExportJob> {
    Ok(job_view(load_job(core, ctx, id).await?))
}

/// The finished file of an export job.
pub async fn job_file(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<ExportFile> {
    let r = load_job(core, ctx, id).await?;
    let Some(bytes) = r.data.filter(|_| r.status == "done") else {
        return Err(CoreError::NotFound);
    };
    Ok(ExportFile {
        bytes,
        content_type: if r.format == "xlsx" {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        } else {
            "text/csv; charset=utf-8"
        },
        file_name: r.file_name,
        rows: usize::try_from(r.rows).unwrap_or(0),
    })
}
