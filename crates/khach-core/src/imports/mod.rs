//! Import of customers from CSV and XLSX files (Nhập dữ liệu): one engine for the
//! page, the REST API and `khach import`.
//!
//! A run is a row in `imports` with its options; [`start`] records it (and an
//! uploaded file), [`run`] works through the file in batches. Each batch is written
//! with its checkpoint (the rows handled, the counts) and one record per row in ONE
//! transaction, so a run killed at any moment resumes from the last checkpoint with
//! no half-written row and no row written twice. Look-ups of existing codes, phones
//! and e-mails are made once per batch, not per row.
//!
//! Per row there is no audit entry and no timeline entry (they would triple the
//! writes of a million-row file): the run writes one audit entry, and its row
//! records say what happened to every row and what it overwrote, which is what
//! [`undo`] uses.

mod batch;
pub mod mapping;
pub mod owner;
pub mod read;
pub mod row;
mod run;
mod shape;
mod undo;

pub use run::run;
pub use undo::undo;

use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::imports::Import as Row;
use khach_types::api::{
    FieldEntity, Import, ImportColumn, ImportCounts, ImportList, ImportOptions, ImportProblem,
    ImportProblemList, ImportStatus, OwnerMode, RowOutcome,
};
use khach_types::{Action, Module};
use read::Input;
use sha2::Digest;
use std::io::Read;

/// A look at a file before it is imported.
#[derive(Debug, Clone)]
pub struct Preview {
    pub encoding: String,
    pub separator: char,
    pub columns: Vec<ImportColumn>,
    /// The first data rows.
    pub rows: Vec<Vec<String>>,
}

/// The header and the first `n` data rows.
fn head_rows(
    input: &Input,
    n: usize,
) -> CoreResult<(read::Sniffed, Vec<String>, Vec<Vec<String>>)> {
    let (sn, mut rows) = read::open(input).map_err(read_error)?;
    let header = match rows.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(read_error(e)),
        None => return Err(read_error(read::ReadError::Empty)),
    };
    let mut out = Vec::new();
    for r in rows.by_ref() {
        let r = r.map_err(read_error)?;
        if !row::blank(&r) {
            out.push(r);
        }
        if out.len() >= n {
            break;
        }
    }
    Ok((sn, header, out))
}

pub(crate) fn read_error(e: read::ReadError) -> CoreError {
    CoreError::fields([("file", e.key())])
}

/// Reads the start of a file and maps its columns (the user's choices in
/// `options.mapping`, the rest recognised from the headers).
pub async fn preview(
    core: &Core,
    ctx: &Ctx,
    input: Input,
    options: &ImportOptions,
) -> CoreResult<Preview> {
    ctx.require(Module::Customers, Action::Import)?;
    let defs = crate::fields::defs(core.db.conn(), FieldEntity::Customer).await?;
    let (sn, header, rows) = blocking(move || head_rows(&input, 10)).await?;
    let cols = mapping::resolve(&header, &options.mapping, &defs).map_err(CoreError::Validation)?;
    Ok(Preview {
        encoding: sn.encoding.to_string(),
        separator: char::from(sn.separator),
        columns: cols.into_iter().map(|c| c.1).collect(),
        rows,
    })
}

pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> CoreResult<T> + Send + 'static,
) -> CoreResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| CoreError::Internal(e.to_string()))?
}

fn hash(input: &Input) -> CoreResult<String> {
    let mut h = sha2::Sha256::new();
    match input {
        Input::Bytes(b) => h.update(b.as_slice()),
        Input::Path(p) => {
            let mut f =
                std::fs::File::open(p).map_err(|_| read_error(read::ReadError::Unreadable))?;
            let mut buf = vec![0u8; 256 * 1024];
            loop {
                let n = f
                    .read(&mut buf)
                    .map_err(|_| read_error(read::ReadError::Unreadable))?;
                if n == 0 {
                    break;
                }
                h.update(buf.get(..n).unwrap_or_default());
            }
        }
    }
    Ok(hex::encode(h.finalize()))
}

/// Checks the options against the database and the caller's rights.
async fn check_options(
    core: &Core,
    ctx: &Ctx,
    o: &ImportOptions,
    owner_column: bool,
) -> CoreResult<()> {
    let c = core.db.conn();
    let mut errs = crate::error::FieldErrors::default();
    let split = matches!(o.owner_mode, OwnerMode::Even | OwnerMode::Sequential);
    if split && o.owners.is_empty() {
        errs.add("owners", "value-required");
    }
    if o.owners.len() > 200 {
        errs.add("owners", "value-too-many");
    }
    for id in &o.owners {
        match khach_db::accounts::get(c, *id).await? {
            Some(a) if a.active => {}
            _ => errs.add("owners", "value-unknown-ref"),
        }
    }
    if let Some(s) = o.stage_id
        && khach_db::taxonomy::stages::get(c, s).await?.is_none()
    {
        errs.add("stage_id", "value-unknown-ref");
    }
    if let Some(s) = o.source_id
        && khach_db::taxonomy::sources::get(c, s).await?.is_none()
    {
        errs.add("source_id", "value-unknown-ref");
    }
    if o.tags.len() > 50 {
        errs.add("tags", "value-too-many");
    }
    errs.finish()?;
    let others = split && o.owners.iter().any(|a| Some(*a) != ctx.account_id());
    if others || owner_column {
        ctx.require(Module::Customers, Action::Assign)?;
    }
    Ok(())
}

/// Records a run of `input` with `options` (status `queued`), or returns the
/// unfinished run of the same file and options, which [`run`] then resumes.
pub async fn start(
    core: &Core,
    ctx: &Ctx,
    file_name: &str,
    input: Input,
    options: ImportOptions,
) -> CoreResult<Import> {
    ctx.require(Module::Customers, Action::Import)?;
    let defs = crate::fields::defs(core.db.conn(), FieldEntity::Customer).await?;
    let probe = input.clone();
    let (sn, header, file_hash) = blocking(move || {
        let (sn, header, _) = head_rows(&probe, 0)?;
        Ok((sn, header, hash(&probe)?))
    })
    .await?;
    let cols = mapping::resolve(&header, &options.mapping, &defs).map_err(CoreError::Validation)?;
    let owner_column = cols.iter().any(|c| c.0 == Some(mapping::Field::Owner));
    check_options(core, ctx, &options, owner_column).await?;
    let opts = to_json(&options)?;
    if let Some(r) = khach_db::imports::unfinished(core.db.conn(), &file_hash, &opts).await?
        && r.created_by == ctx.account_id()
    {
        return to_api(r);
    }
    let columns: Vec<ImportColumn> = cols.into_iter().map(|c| c.1).collect();
    let tx = core.db.begin().await?;
    let (source_path, data) = match input {
        Input::Path(p) => (Some(p.to_string_lossy().into_owned()), None),
        Input::Bytes(b) => (None, Some(b)),
    };
    let r = khach_db::imports::insert(
        &tx,
        Row {
            id: 0,
            file_name: file_name.chars().take(300).collect(),
            encoding: sn.encoding.into(),
            source_path,
            file_hash,
            status: ImportStatus::Queued.as_str().into(),
            options: opts,
            columns: to_json(&columns)?,
            total_rows: 0,
            processed: 0,
            created: 0,
            updated: 0,
            skipped: 0,
            failed: 0,
            error: None,
            created_by: ctx.account_id(),
            locked_until: None,
            created_at: ctx.now,
            updated_at: ctx.now,
            finished_at: None,
        },
    )
    .await?;
    if let Some(d) = data {
        khach_db::imports::put_file(&tx, r.id, d.as_ref().clone()).await?;
    }
    khach_db::commit(tx).await?;
    to_api(r)
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> CoreResult<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| CoreError::Internal(e.to_string()))
}

pub(crate) fn to_api(r: Row) -> CoreResult<Import> {
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(Import {
        id: r.id,
        file_name: r.file_name,
        encoding: r.encoding,
        status: ImportStatus::parse(&r.status).unwrap_or(ImportStatus::Failed),
        options: serde_json::from_value(r.options).unwrap_or_default(),
        columns: serde_json::from_value(r.columns).unwrap_or_default(),
        counts: ImportCounts {
            total: n(r.total_rows),
            processed: n(r.processed),
            created: n(r.created),
            updated: n(r.updated),
            skipped: n(r.skipped),
            failed: n(r.failed),
        },
        error: r.error,
        created_by: r.created_by,
        created_at: r.created_at,
        finished_at: r.finished_at,
    })
}

/// A run the caller may see: its own, or any for an administrator.
pub(crate) async fn load(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<Row> {
    ctx.require(Module::Customers, Action::Import)?;
    let r = khach_db::imports::get(core.db.conn(), id)
        .await?
        .ok_or(CoreError::NotFound)?;
    if !ctx.is_admin() && r.created_by != ctx.account_id() {
        return Err(CoreError::NotFound);
    }
    Ok(r)
}

pub async fn get(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<Import> {
    to_api(load(core, ctx, id).await?)
}

/// The history: the caller's runs (every run for an administrator), newest first.
pub async fn list(core: &Core, ctx: &Ctx, limit: u64) -> CoreResult<ImportList> {
    ctx.require(Module::Customers, Action::Import)?;
    let by = if ctx.is_admin() {
        None
    } else {
        ctx.account_id()
    };
    let rows = khach_db::imports::list(core.db.conn(), by, limit.clamp(1, 500)).await?;
    Ok(ImportList {
        items: rows.into_iter().map(to_api).collect::<CoreResult<_>>()?,
    })
}

/// Skipped and failed rows with their reasons, in file order, after row `after`.
pub async fn problems(
    core: &Core,
    ctx: &Ctx,
    id: i64,
    after: u64,
    limit: u64,
) -> CoreResult<ImportProblemList> {
    load(core, ctx, id).await?;
    let rows = khach_db::imports::rows(
        core.db.conn(),
        id,
        &["skipped", "failed"],
        i64::try_from(after).unwrap_or(i64::MAX),
        limit.clamp(1, 10_000),
    )
    .await?;
    Ok(ImportProblemList {
        items: rows
            .into_iter()
            .map(|r| ImportProblem {
                row: u64::try_from(r.row_no).unwrap_or(0),
                outcome: RowOutcome::parse(&r.outcome).unwrap_or(RowOutcome::Failed),
                reason: r.reason.unwrap_or_default(),
            })
            .collect(),
    })
}

/// The error file: the header, then every skipped or failed row as it was in the
/// file, with its reason in a last column. It can be fixed and imported again (the
/// reason column is not mapped). CSV in UTF-8 with a BOM, for Excel.
pub async fn error_file(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<Vec<u8>> {
    let r = load(core, ctx, id).await?;
    let cols: Vec<ImportColumn> = serde_json::from_value(r.columns).unwrap_or_default();
    let mut header: Vec<String> = cols.into_iter().map(|c| c.header).collect();
    header.push(REASON_HEADER.into());
    let mut w = csv::WriterBuilder::new().from_writer(b"\xEF\xBB\xBF".to_vec());
    let csv_err = |e: csv::Error| CoreError::Internal(e.to_string());
    w.write_record(&header).map_err(csv_err)?;
    let mut after = 0i64;
    loop {
        let rows =
            khach_db::imports::rows(core.db.conn(), id, &["skipped", "failed"], after, 5_000)
                .await?;
        let Some(last) = rows.last() else { break };
        after = last.row_no;
        for row in rows {
            let mut cells: Vec<String> = row
                .raw
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default();
            cells.resize(header.len() - 1, String::new());
            cells.push(row.reason.unwrap_or_default());
            let cells: Vec<String> = cells
                .iter()
                .map(|c| crate::exports::neutralise(c).into_owned())
                .collect();
            w.write_record(&cells).map_err(csv_err)?;
        }
    }
    w.into_inner()
        .map_err(|e| CoreError::Internal(e.to_string()))
}

/// The last column of the error file; never mapped on a new import.
pub const REASON_HEADER: &str = "Lý do / Reason";

/// A real run of the file and options of dry run `id` (queued; [`run`] runs it).
pub async fn promote(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<Import> {
    let dry = load(core, ctx, id).await?;
    let mut opts: ImportOptions = serde_json::from_value(dry.options.clone())
        .map_err(|e| CoreError::Internal(e.to_string()))?;
    if !opts.dry_run {
        return Err(CoreError::InUse("import-not-dry-run"));
    }
    opts.dry_run = false;
    let input = match &dry.source_path {
        Some(p) => Input::Path(p.into()),
        None => Input::Bytes(std::sync::Arc::new(
            khach_db::imports::file(core.db.conn(), id)
                .await?
                .ok_or_else(|| CoreError::fields([("file", "import-file-gone")]))?,
        )),
    };
    start(core, ctx, &dry.file_name, input, opts).await
}

async fn stored_input(core: &Core, r: &Row) -> CoreResult<Input> {
    match &r.source_path {
        Some(p) => Ok(Input::Path(p.into())),
        None => Ok(Input::Bytes(std::sync::Arc::new(
            khach_db::imports::file(core.db.conn(), r.id)
                .await?
                .ok_or_else(|| CoreError::fields([("file", "import-file-gone")]))?,
        ))),
    }
}

/// The preview of a recorded run's file with the run's options.
pub async fn preview_of(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<Preview> {
    let r = load(core, ctx, id).await?;
    let opts: ImportOptions = serde_json::from_value(r.options.clone()).unwrap_or_default();
    let input = stored_input(core, &r).await?;
    preview(core, ctx, input, &opts).await
}

/// Changes the options of a run that has not started yet (the wizard's mapping and
/// options step).
pub async fn configure(
    core: &Core,
    ctx: &Ctx,
    id: i64,
    options: ImportOptions,
) -> CoreResult<Import> {
    let mut r = load(core, ctx, id).await?;
    if r.status != ImportStatus::Queued.as_str() || r.processed > 0 {
        return Err(CoreError::InUse("import-started"));
    }
    let input = stored_input(core, &r).await?;
    let defs = crate::fields::defs(core.db.conn(), FieldEntity::Customer).await?;
    let (_, header, _) = blocking(move || head_rows(&input, 0)).await?;
    let cols = mapping::resolve(&header, &options.mapping, &defs).map_err(CoreError::Validation)?;
    let owner_column = cols.iter().any(|c| c.0 == Some(mapping::Field::Owner));
    check_options(core, ctx, &options, owner_column).await?;
    let columns: Vec<ImportColumn> = cols.into_iter().map(|c| c.1).collect();
    r.options = to_json(&options)?;
    r.columns = to_json(&columns)?;
    r.updated_at = ctx.now;
    to_api(khach_db::imports::save(core.db.conn(), r).await?)
}

/// Runs a worker that died left half done (their lease expired), each with the
/// context of whoever started it, so [`run`] can resume them.
pub async fn orphans(core: &Core) -> CoreResult<Vec<(i64, Ctx)>> {
    let mut out = Vec::new();
    for r in khach_db::imports::orphans(core.db.conn(), core.now()).await? {
        let mut ctx = Ctx::system(khach_types::Origin::Import, core.now());
        if let Some(a) = r.created_by {
            match khach_db::accounts::get(core.db.conn(), a).await? {
                Some(acc) if acc.active => {
                    let actor = crate::auth::actor_for(core, acc, None, None).await?;
                    ctx.principal = crate::Principal::Account(Box::new(actor));
                }
                // Its owner cannot act any more: left for an administrator to undo.
                _ => continue,
            }
        }
        out.push((r.id, ctx));
    }
    Ok(out)
}
