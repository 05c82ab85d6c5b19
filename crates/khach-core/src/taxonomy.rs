//! Tags (create on the fly, rename, merge, colour), stages (an ordered lifecycle) and
//! sources (with a priority for the attribution rule).

use crate::audit::{self, Changes};
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::ConnectionTrait;
use khach_db::taxonomy::{Source as SourceRow, Stage as StageRow, Tag as TagRow};
use khach_types::api::{
    CreateSource, CreateStage, CreateTag, MergeTag, Source, SourceList, Stage, StageList, Tag,
    TagList, UpdateSource, UpdateStage, UpdateTag,
};
use khach_types::{Action, Module};

const PALETTE: [&str; 8] = [
    "#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#4b5563",
];

fn parse_name(raw: &str) -> CoreResult<String> {
    let n = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    // The limit counts what was sent, spaces included, as the API schema says.
    if n.is_empty() || raw.chars().count() > 100 {
        return Err(CoreError::fields([("name", "value-length-1-100")]));
    }
    Ok(n)
}

/// The folded name that keeps names unique however they are typed. Folding may
/// lengthen a name (`"北"` → `"Bei "`); the column holds 100 characters.
fn name_key(name: &str) -> String {
    khach_types::fold(name).chars().take(100).collect()
}

fn parse_color(raw: Option<&str>, fallback: &str) -> CoreResult<String> {
    match raw {
        None => Ok(fallback.to_string()),
        Some(c)
            if c.len() == 7
                && c.starts_with('#')
                && c[1..].chars().all(|x| x.is_ascii_hexdigit()) =>
        {
            Ok(c.to_lowercase())
        }
        Some(_) => Err(CoreError::fields([("color", "value-color")])),
    }
}

/// Live customers carrying tag `id`.
async fn tag_count(c: &impl ConnectionTrait, id: i64) -> CoreResult<u64> {
    let counts = khach_db::taxonomy::tag_counts(c).await?;
    Ok(counts
        .into_iter()
        .find(|(t, _)| *t == id)
        .map_or(0, |(_, n)| n))
}

fn tag_api(r: TagRow, customers: u64) -> Tag {
    Tag {
        id: r.id,
        name: r.name,
        color: r.color,
        customers,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

pub async fn list_tags(core: &Core, ctx: &Ctx) -> CoreResult<TagList> {
    ctx.require(Module::Customers, Action::View)?;
    let counts: std::collections::HashMap<i64, u64> =
        khach_db::taxonomy::tag_counts(core.db.conn())
            .await?
            .into_iter()
            .collect();
    let rows = khach_db::taxonomy::tags::all(core.db.conn()).await?;
    Ok(TagList {
        items: rows
            .into_iter()
            .map(|r| {
                let n = counts.get(&r.id).copied().unwrap_or(0);
                tag_api(r, n)
            })
            .collect(),
    })
}

/// Finds tags by name, creating the missing ones (needs customers.edit).
pub(crate) async fn ensure_tags(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    names: &[String],
) -> CoreResult<Vec<i64>> {
    let mut ids = Vec::new();
    for raw in names {
        let name =
            parse_name(raw).map_err(|_| CoreError::fields([("tags", "value-length-1-100")]))?;
        let key = name_key(&name);
        let id = match khach_db::taxonomy::tag_by_key(c, &key).await? {
            Some(t) => t.id,
            None => {
                let n = khach_db::taxonomy::tags::all(c).await?.len();
                let row = khach_db::taxonomy::tags::insert(
                    c,
                    TagRow {
                        id: 0,
                        name,
                        name_key: key,
                        color: PALETTE[n % PALETTE.len()].into(),
                        created_at: ctx.now,
                        updated_at: ctx.now,
                    },
                )
                .await?;
                let mut ch = Changes::new();
                ch.set("name", &row.name);
                audit::record(c, ctx, "tag", Some(row.id.to_string()), "create", ch).await?;
                row.id
            }
        };
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

pub async fn create_tag(core: &Core, ctx: &Ctx, input: CreateTag) -> CoreResult<Tag> {
    ctx.require(Module::Customers, Action::Settings)?;
    let name = parse_name(&input.name)?;
    let tx = core.db.begin().await?;
    let color = parse_color(input.color.as_deref(), PALETTE[0])?;
    let row = khach_db::taxonomy::tags::insert(
        &tx,
        TagRow {
            id: 0,
            name_key: name_key(&name),
            name,
            color,
            created_at: ctx.now,
            updated_at: ctx.now,
        },
    )
    .await?;
    let mut ch = Changes::new();
    ch.set("name", &row.name);
    ch.set("color", &row.color);
    audit::record(&tx, ctx, "tag", Some(row.id.to_string()), "create", ch).await?;
    khach_db::commit(tx).await?;
    Ok(tag_api(row, 0))
}

pub async fn update_tag(core: &Core, ctx: &Ctx, id: i64, input: UpdateTag) -> CoreResult<Tag> {
    ctx.require(Module::Customers, Action::Settings)?;
    let tx = core.db.begin().await?;
    let old = khach_db::taxonomy::tags::get(&tx, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let mut row = old.clone();
    if let Some(n) = &input.name {
        row.name = parse_name(n)?;
        row.name_key = name_key(&row.name);
    }
    row.color = parse_color(input.color.as_deref(), &old.color)?;
    let mut ch = Changes::new();
    ch.diff("name", &old.name, &row.name);
    ch.diff("color", &old.color, &row.color);
    let n = tag_count(&tx, id).await?;
    if ch.is_empty() {
        return Ok(tag_api(old, n));
    }
    row.updated_at = ctx.now;
    let saved = khach_db::taxonomy::tags::update(&tx, row).await?;
    audit::record(&tx, ctx, "tag", Some(id.to_string()), "update", ch).await?;
    khach_db::commit(tx).await?;
    Ok(tag_api(saved, n))
}

pub async fn merge_tag(core: &Core, ctx: &Ctx, id: i64, input: MergeTag) -> CoreResult<Tag> {
    ctx.require(Module::Customers, Action::Settings)?;
    if id == input.into {
        return Err(CoreError::fields([("into", "tag-merge-self")]));
    }
    let tx = core.db.begin().await?;
    let from = khach_db::taxonomy::tags::get(&tx, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let into = khach_db::taxonomy::tags::get(&tx, input.into)
        .await?
        .ok_or_else(|| CoreError::fields([("into", "value-unknown-tag")]))?;
    khach_db::taxonomy::move_tag(&tx, id, input.into).await?;
    khach_db::taxonomy::tags::delete(&tx, id).await?;
    let mut ch = Changes::new();
    ch.set("merged", &from.name);
    ch.set("into", &into.name);
    audit::record(&tx, ctx, "tag", Some(id.to_string()), "merge", ch).await?;
    let n = tag_count(&tx, input.into).await?;
    khach_db::commit(tx).await?;
    Ok(tag_api(into, n))
}

pub async fn delete_tag(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<()> {
    ctx.require(Module::Customers, Action::Settings)?;
    let tx = core.db.begin().await?;
    let old = khach_db::taxonomy::tags::get(&tx, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    // Removing a tag only removes the label from customers; nothing else is lost.
    khach_db::taxonomy::tags::delete(&tx, id).await?;
    let mut ch = Changes::new();
    ch.diff("name", &Some(old.name), &None);
    audit::record(&tx, ctx, "tag", Some(id.to_string()), "delete", ch).await?;
    khach_db::commit(tx).await?;
    Ok(())
}

fn stage_api(r: StageRow) -> Stage {
    Stage {
        id: r.id,
        name: r.name,
        position: r.position,
        color: r.color,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

pub async fn list_stages(core: &Core, ctx: &Ctx) -> CoreResult<StageList> {
    ctx.require(Module::Customers, Action::View)?;
    Ok(StageList {
        items: khach_db::taxonomy::stages::all(core.db.conn())
            .await?
            .into_iter()
            .map(stage_api)
            .collect(),
    })
}

/// Renumbers positions 1..n with `moved` placed at `to` (an unknown `moved` only
/// closes the gaps, e.g. after a delete).
async fn reorder(
    c: &impl ConnectionTrait,
    moved: i64,
    to: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> CoreResult<()> {
    let mut all = khach_db::taxonomy::stages::all(c).await?;
    if let Some(i) = all.iter().position(|s| s.id == moved) {
        let s = all.remove(i);
        let at = usize::try_from(to - 1).unwrap_or(0).min(all.len());
        all.insert(at, s);
    }
    for (n, mut s) in all.into_iter().enumerate() {
        let p = n as i32 + 1;
        if s.position != p {
            s.position = p;
            s.updated_at = now;
            khach_db::taxonomy::stages::update(c, s).await?;
        }
    }
    Ok(())
}

pub async fn create_stage(core: &Core, ctx: &Ctx, input: CreateStage) -> CoreResult<Stage> {
    ctx.require(Module::Customers, Action::Settings)?;
    let name = parse_name(&input.name)?;
    let color = parse_color(input.color.as_deref(), PALETTE[0])?;
    if input.position.is_some_and(|p| p < 1) {
        return Err(CoreError::fields([("position", "value-position")]));
    }
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Config).await?;
    let n = khach_db::taxonomy::stages::all(&tx).await?.len() as i32;
    let row = khach_db::taxonomy::stages::insert(
        &tx,
        StageRow {
            id: 0,
            name,
            position: n + 1,
            color,
            created_at: ctx.now,
            updated_at: ctx.now,
        },
    )
    .await?;
    if let Some(p) = input.position {
        reorder(&tx, row.id, p, ctx.now).await?;
    }
    let row = khach_db::taxonomy::stages::get(&tx, row.id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let mut ch = Changes::new();
    ch.set("name", &row.name);
    ch.set("position", &row.position);
    audit::record(&tx, ctx, "stage", Some(row.id.to_string()), "create", ch).await?;
    khach_db::commit(tx).await?;
    Ok(stage_api(row))
}

pub async fn update_stage(
    core: &Core,
    ctx: &Ctx,
    id: i64,
    input: UpdateStage,
) -> CoreResult<Stage> {
    ctx.require(Module::Customers, Action::Settings)?;
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Config).await?;
    let old = khach_db::taxonomy::stages::get(&tx, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let mut row = old.clone();
    if let Some(n) = &input.name {
        row.name = parse_name(n)?;
    }
    row.color = parse_color(input.color.as_deref(), &old.color)?;
    row.updated_at = ctx.now;
    khach_db::taxonomy::stages::update(&tx, row).await?;
    if let Some(p) = input.position {
        if p < 1 {
            return Err(CoreError::fields([("position", "value-position")]));
        }
        reorder(&tx, id, p, ctx.now).await?;
    }
    let new = khach_db::taxonomy::stages::get(&tx, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let mut ch = Changes::new();
    ch.diff("name", &old.name, &new.name);
    ch.diff("color", &old.color, &new.color);
    ch.diff("position", &old.position, &new.position);
    audit::record(&tx, ctx, "stage", Some(id.to_string()), "update", ch).await?;
    khach_db::commit(tx).await?;
    Ok(stage_api(new))
}

pub async fn delete_stage(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<()> {
    ctx.require(Module::Customers, Action::Settings)?;
    let tx = core.db.begin().await?;
    khach_db::lock(&tx, khach_db::Lock::Config).await?;
    let old = khach_db::taxonomy::stages::get(&tx, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    if khach_db::taxonomy::customers_with(&tx, Some(id), None).await? > 0 {
        return Err(CoreError::InUse("stage-in-use"));
    }
    khach_db::taxonomy::stages::delete(&tx, id).await?;
    reorder(&tx, -1, 1, ctx.now).await?;
    let mut ch = Changes::new();
    ch.diff("name", &Some(old.name), &None);
    audit::record(&tx, ctx, "stage", Some(id.to_string()), "delete", ch).await?;
    khach_db::commit(tx).await?;
    Ok(())
}

/// The default lifecycle of a new install (names in the business's language).
pub async fn ensure_default_stages(core: &Core) -> CoreResult<()> {
    let c = core.db.conn();
    if !khach_db::taxonomy::stages::all(c).await?.is_empty() {
        return Ok(());
    }
    let now = core.now();
    let defaults = [
        ("Tiềm năng", "#6b7280"),
        ("Quan tâm", "#2563eb"),
        ("Khách hàng", "#16a34a"),
        ("Thân thiết", "#d97706"),
        ("Rời bỏ", "#dc2626"),
    ];
    for (i, (name, color)) in defaults.into_iter().enumerate() {
        let row = StageRow {
            id: 0,
            name: name.into(),
            position: i as i32 + 1,
            color: color.into(),
            created_at: now,
            updated_at: now,
        };
        match khach_db::taxonomy::stages::insert(c, row).await {
            Ok(_) | Err(khach_db::DbError::Unique(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

fn source_api(r: SourceRow) -> Source {
    Source {
        id: r.id,
        name: r.name,
        priority: r.priority,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

pub async fn list_sources(core: &Core, ctx: &Ctx) -> CoreResult<SourceList> {
    ctx.require(Module::Customers, Action::View)?;
    Ok(SourceList {
        items: khach_db::taxonomy::sources::all(core.db.conn())
            .await?
            .into_iter()
            .map(source_api)
            .collect(),
    })
}

fn parse_priority(p: i32) -> CoreResult<i32> {
    if (0..=1000).contains(&p) {
        Ok(p)
    } else {
        Err(CoreError::fields([("priority", "value-priority")]))
    }
}

pub async fn create_source(core: &Core, ctx: &Ctx, input: CreateSource) -> CoreResult<Source> {
    ctx.require(Module::Customers, Action::Settings)?;
    let name = parse_name(&input.name)?;
    let priority = parse_priority(input.priority)?;
    let tx = core.db.begin().await?;
    let row = khach_db::taxonomy::sources::insert(
        &tx,
        SourceRow {
            id: 0,
            name_key: name_key(&name),
            name,
            priority,
            created_at: ctx.now,
            updated_at: ctx.now,
        },
    )
    .await?;
    let mut ch = Changes::new();
    ch.set("name", &row.name);
    ch.set("priority", &row.priority);
    audit::record(&tx, ctx, "source", Some(row.id.to_string()), "create", ch).await?;
    khach_db::commit(tx).await?;
    Ok(source_api(row))
}

pub async fn update_source(
    core: &Core,
    ctx: &Ctx,
    id: i64,
    input: UpdateSource,
) -> CoreResult<Source> {
    ctx.require(Module::Customers, Action::Settings)?;
    let tx = core.db.begin().await?;
    let old = khach_db::taxonomy::sources::get(&tx, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let mut row = old.clone();
    if let Some(n) = &input.name {
        row.name = parse_name(n)?;
        row.name_key = name_key(&row.name);
    }
    if let Some(p) = input.priority {
        row.priority = parse_priority(p)?;
    }
    let mut ch = Changes::new();
    ch.diff("name", &old.name, &row.name);
    ch.diff("priority", &old.priority, &row.priority);
    if ch.is_empty() {
        return Ok(source_api(old));
    }
    row.updated_at = ctx.now;
    let saved = khach_db::taxonomy::sources::update(&tx, row).await?;
    audit::record(&tx, ctx, "source", Some(id.to_string()), "update", ch).await?;
    khach_db::commit(tx).await?;
    Ok(source_api(saved))
}

pub async fn delete_source(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<()> {
    ctx.require(Module::Customers, Action::Settings)?;
    let tx = core.db.begin().await?;
    let old = khach_db::taxonomy::sources::get(&tx, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    if khach_db::taxonomy::customers_with(&tx, None, Some(id)).await? > 0 {
        return Err(CoreError::InUse("source-in-use"));
    }
    khach_db::taxonomy::sources::delete(&tx, id).await?;
    let mut ch = Changes::new();
    ch.diff("name", &Some(old.name), &None);
    audit::record(&tx, ctx, "source", Some(id.to_string()), "delete", ch).await?;
    khach_db::commit(tx).await?;
    Ok(())
}
