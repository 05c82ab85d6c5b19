//! Working through a recorded run: claim it (a lease renewed with every batch, so two
//! workers never run it at once and a dead one's run can be taken over), count the
//! rows, replay the rows before the checkpoint (their keys, for duplicate detection),
//! then read, parse and write batch after batch. Reading and parsing the next batch
//! runs on a blocking thread while the current one is written.

use super::batch::State;
use super::mapping::{self, Field};
use super::owner::Plan;
use super::read::{self, Input, ReadError, Rows};
use super::row::{self, Parsed, Refs};
use super::{blocking, load, read_error, to_api};
use crate::audit::{self, Changes};
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::imports::Import as Row;
use khach_types::api::{FieldEntity, Import, ImportOptions, ImportStatus};
use std::collections::HashSet;
use std::sync::Arc;

/// Data rows (not blank) per batch and transaction.
pub const BATCH: usize = 2_000;
/// How long a claim holds without a batch committed.
const LEASE_SECS: i64 = 120;

/// Reads rows and parses them, counting data rows and the split's slots.
struct Feeder {
    rows: Rows,
    /// Data rows read so far, blank ones included (row numbers are the file's).
    row_no: u64,
    slot: usize,
    owner_col: Option<usize>,
    fields: Arc<Vec<Option<Field>>>,
    refs: Arc<Refs>,
}

impl Feeder {
    /// The next `n` non-blank rows, stopping after row `stop` when given.
    fn next(&mut self, n: usize, stop: Option<u64>) -> Result<Vec<Parsed>, ReadError> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n && stop.is_none_or(|s| self.row_no < s) {
            let Some(cells) = self.rows.next() else { break };
            let cells = cells?;
            self.row_no += 1;
            if row::blank(&cells) {
                continue;
            }
            let has_owner = self
                .owner_col
                .and_then(|i| cells.get(i))
                .is_some_and(|c| !c.trim().is_empty());
            let slot = self.slot;
            if !has_owner {
                self.slot += 1;
            }
            let values = row::parse(&self.refs, &self.fields, &cells);
            out.push(Parsed {
                row_no: self.row_no,
                raw: cells,
                slot,
                values,
            });
        }
        Ok(out)
    }
}

async fn refs(core: &Core) -> CoreResult<Refs> {
    let c = core.db.conn();
    let defs = crate::fields::defs(c, FieldEntity::Customer).await?;
    let stages = khach_db::taxonomy::stages::all(c)
        .await?
        .into_iter()
        .map(|s| (khach_types::fold(&s.name), s.id))
        .collect();
    let sources = khach_db::taxonomy::sources::all(c)
        .await?
        .into_iter()
        .map(|s| (s.name_key, s.id))
        .collect();
    let accounts = khach_db::accounts::list(c, None, 100_000)
        .await?
        .into_iter()
        .filter(|a| a.active)
        .map(|a| (a.username.to_lowercase(), a.id))
        .collect();
    Ok(Refs {
        defs,
        stages,
        sources,
        accounts,
    })
}

async fn input_of(core: &Core, r: &Row) -> CoreResult<Input> {
    if let Some(p) = &r.source_path {
        return Ok(Input::Path(p.into()));
    }
    match khach_db::imports::file(core.db.conn(), r.id).await? {
        Some(d) => Ok(Input::Bytes(Arc::new(d))),
        None => Err(CoreError::fields([("file", "import-file-gone")])),
    }
}

/// Runs (or resumes) import `id` to its end, calling `progress` after every batch.
/// `take_over`: claim it even if another worker's lease has not expired (for the CLI
/// after a killed run; never while that run may still be alive).
pub async fn run(
    core: &Core,
    ctx: &Ctx,
    id: i64,
    take_over: bool,
    progress: &(dyn Fn(&Import) + Send + Sync),
) -> CoreResult<Import> {
    let r = load(core, ctx, id).await?;
    let status = ImportStatus::parse(&r.status);
    if matches!(status, Some(ImportStatus::Done | ImportStatus::Undone)) {
        return to_api(r);
    }
    let now = core.now();
    let until = now + chrono::Duration::seconds(LEASE_SECS);
    let c = core.db.conn();
    let claim_at = if take_over { until } else { now };
    if !khach_db::imports::claim(c, id, claim_at, until).await? {
        return Err(CoreError::InUse("import-running"));
    }
    match run_claimed(core, ctx, r, progress).await {
        Ok(done) => Ok(done),
        Err(e) => {
            if let Some(mut r) = khach_db::imports::get(c, id).await? {
                r.status = ImportStatus::Failed.as_str().into();
                r.error = Some(super::row::reason(&e));
                r.locked_until = None;
                r.updated_at = core.now();
                khach_db::imports::save(c, r).await?;
            }
            Err(e)
        }
    }
}

async fn run_claimed(
    core: &Core,
    ctx: &Ctx,
    r: Row,
    progress: &(dyn Fn(&Import) + Send + Sync),
) -> CoreResult<Import> {
    let opts: ImportOptions = serde_json::from_value(r.options.clone())
        .map_err(|e| CoreError::Internal(e.to_string()))?;
    let input = input_of(core, &r).await?;
    let refs = Arc::new(refs(core).await?);
    // The columns again from the header, as `start` saw them.
    let (rows, header) = {
        let input = input.clone();
        blocking(move || {
            let (_, mut rows) = read::open(&input).map_err(read_error)?;
            let header = match rows.next() {
                Some(h) => h.map_err(read_error)?,
                None => return Err(read_error(ReadError::Empty)),
            };
            Ok((rows, header))
        })
        .await?
    };
    let cols =
        mapping::resolve(&header, &opts.mapping, &refs.defs).map_err(CoreError::Validation)?;
    let fields: Arc<Vec<Option<Field>>> = Arc::new(cols.into_iter().map(|c| c.0).collect());
    let owner_col = fields.iter().position(|f| *f == Some(Field::Owner));
    let mut feeder = Feeder {
        rows,
        row_no: 0,
        slot: 0,
        owner_col,
        fields: Arc::clone(&fields),
        refs: Arc::clone(&refs),
    };
    // First pass: how many rows, and how many reach the split.
    let (total, no_owner) = {
        let input = input.clone();
        blocking(move || count(&input, owner_col)).await?
    };
    let settings = crate::customers::customer_settings(core.db.conn()).await?;
    let tags = khach_db::taxonomy::tags::all(core.db.conn())
        .await?
        .into_iter()
        .map(|t| (t.name_key, t.id))
        .collect();
    let mut r = r;
    r.total_rows = i64::try_from(total).unwrap_or(i64::MAX);
    let plan = Plan::new(
        opts.owner_mode,
        opts.owners.clone(),
        no_owner,
        ctx.account_id(),
    );
    let mut st = State {
        import: r,
        opts,
        plan,
        seen: Default::default(),
        strict: !settings.allow_duplicate_contacts,
        required: refs
            .defs
            .iter()
            .filter(|d| d.required)
            .map(|d| d.key.clone())
            .collect(),
        tags,
        lease: chrono::Duration::seconds(LEASE_SECS),
        spent: Default::default(),
    };
    // Resuming: the rows before the checkpoint are read again for their keys only.
    let done = u64::try_from(st.import.processed).unwrap_or(0);
    if done > 0 {
        let excluded: HashSet<i64> = khach_db::imports::excluded_rows(core.db.conn(), st.import.id)
            .await?
            .into_iter()
            .collect();
        loop {
            let (f, batch) = next_batch(feeder, Some(done)).await?;
            feeder = f;
            if batch.is_empty() {
                break;
            }
            for p in &batch {
                if let Ok(v) = &p.values
                    && !excluded.contains(&i64::try_from(p.row_no).unwrap_or(0))
                {
                    st.remember(v, p.row_no);
                }
            }
        }
    }
    let mut pending = tokio::task::spawn_blocking(move || {
        let b = feeder.next(BATCH, None);
        (feeder, b)
    });
    loop {
        let (f, batch) = pending
            .await
            .map_err(|e| CoreError::Internal(e.to_string()))?;
        let batch = batch.map_err(read_error)?;
        if batch.is_empty() {
            break;
        }
        let last_row = f.row_no;
        let mut f = f;
        pending = tokio::task::spawn_blocking(move || {
            let b = f.next(BATCH, None);
            (f, b)
        });
        st.apply(core, ctx, batch, last_row).await?;
        progress(&to_api(st.import.clone())?);
    }
    finish(core, ctx, st).await
}

async fn next_batch(mut f: Feeder, stop: Option<u64>) -> CoreResult<(Feeder, Vec<Parsed>)> {
    tokio::task::spawn_blocking(move || {
        let b = f.next(BATCH, stop);
        b.map(|b| (f, b))
    })
    .await
    .map_err(|e| CoreError::Internal(e.to_string()))?
    .map_err(read_error)
}

/// Non-blank data rows, and those without an owner cell.
fn count(input: &Input, owner_col: Option<usize>) -> CoreResult<(usize, usize)> {
    let (_, rows) = read::open(input).map_err(read_error)?;
    let (mut total, mut no_owner) = (0, 0);
    for r in rows.skip(1) {
        let r = r.map_err(read_error)?;
        if row::blank(&r) {
            continue;
        }
        total += 1;
        let owner_cell = owner_col.and_then(|i| r.get(i));
        if owner_cell.is_none_or(|c| c.trim().is_empty()) {
            no_owner += 1;
        }
    }
    Ok((total, no_owner))
}

async fn finish(core: &Core, ctx: &Ctx, st: State) -> CoreResult<Import> {
    let [lookups, decide, write, commit] = st.spent.map(|d| d.as_millis());
    tracing::info!(
        import = st.import.id,
        lookups_ms = lookups,
        decide_ms = decide,
        write_ms = write,
        commit_ms = commit,
        "import finished"
    );
    let tx = core.db.begin().await?;
    let mut r = st.import;
    r.status = ImportStatus::Done.as_str().into();
    r.locked_until = None;
    r.error = None;
    r.finished_at = Some(core.now());
    r.updated_at = core.now();
    let r = khach_db::imports::save(&tx, r).await?;
    if !st.opts.dry_run {
        // A dry run keeps its file for the real run that may follow.
        khach_db::imports::drop_file(&tx, r.id).await?;
    }
    let mut ch = Changes::new();
    ch.set("file_name", &r.file_name);
    ch.set("dry_run", &st.opts.dry_run);
    for (k, v) in [
        ("total", r.total_rows),
        ("created", r.created),
        ("updated", r.updated),
        ("skipped", r.skipped),
        ("failed", r.failed),
    ] {
        ch.set(k, &v);
    }
    audit::record(&tx, ctx, "import", Some(r.id.to_string()), "run", ch).await?;
    khach_db::commit(tx).await?;
    to_api(r)
}
