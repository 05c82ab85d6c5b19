//! `khach bench import`: a generated CSV of demo customers (13 columns; about 2 %
//! of rows repeat an earlier phone and 1 % carry a bad phone) imported through the
//! import engine with phone/e-mail normalisation and matching by phone; then the
//! same number of pre-normalised rows written by a plain bulk insert on the same
//! database, for the ratio to the storage limit. Prints rows/s, wall time and the
//! peak memory of the process.

use super::admin::describe;
use crate::cli::BenchImportOpts;
use crate::config::Config;
use crate::demo::{self, Demo};
use khach_core::Ctx;
use khach_db::customers::bulk::NewCustomer;
use khach_types::api::{ImportOptions, MatchBy, OnMatch, OwnerMode};
use khach_types::{Origin, Phone};
use std::time::Instant;

const HEADER: [&str; 13] = [
    "Họ và tên",
    "Số điện thoại",
    "Email",
    "Giới tính",
    "Ngày sinh",
    "Mã tỉnh",
    "Mã xã",
    "Địa chỉ",
    "Giai đoạn",
    "Nguồn",
    "Thẻ",
    "Ghi chú",
    "Điện thoại 2",
];

/// Peak resident memory of this process, in MiB (Linux).
pub fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Writes the benchmark file; returns (rows, duplicates, bad rows).
fn generate(path: &std::path::Path, demo: &Demo, rows: u64) -> anyhow::Result<(u64, u64, u64)> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(HEADER)?;
    let (mut dups, mut bad) = (0, 0);
    let mut prev_phone = String::new();
    for (i, g) in demo.customers(0, rows).enumerate() {
        let mut phone = g.phones.first().cloned().unwrap_or_default();
        if i % 50 == 49 && !prev_phone.is_empty() {
            phone = prev_phone.clone();
            dups += 1;
        } else if i % 100 == 37 {
            phone = "12345".into();
            bad += 1;
        }
        if i % 50 == 10 {
            prev_phone = phone.clone();
        }
        let gender = match g.gender.map(|x| x.as_str()) {
            Some("male") => "Nam",
            Some("female") => "Nữ",
            Some(_) => "Khác",
            None => "",
        };
        w.write_record([
            g.name.as_str(),
            phone.as_str(),
            g.emails.first().map_or("", String::as_str),
            gender,
            &g.birthday
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_default(),
            g.province_code.as_deref().unwrap_or(""),
            g.ward_code.as_deref().unwrap_or(""),
            g.street.as_deref().unwrap_or(""),
            g.stage.as_deref().unwrap_or(""),
            g.source.as_deref().unwrap_or(""),
            &g.tags.join(", "),
            g.notes.as_deref().unwrap_or(""),
            g.phones.get(1).map_or("", String::as_str),
        ])?;
    }
    w.flush()?;
    Ok((rows, dups, bad))
}

pub async fn run(config: &Config, o: BenchImportOpts) -> anyhow::Result<()> {
    let core = super::open(config).await?;
    let ctx = Ctx::system(Origin::Cli, core.now());
    super::demo_data::ensure_setup(&core, &ctx)
        .await
        .map_err(describe)?;
    let demo = Demo::new(o.seed, demo::default_until(), o.rows);
    let tmp;
    let path = match &o.keep {
        Some(p) => p.clone(),
        None => {
            tmp = tempfile_path()?;
            tmp.clone()
        }
    };
    let t = Instant::now();
    let (rows, dups, bad) = generate(&path, &demo, o.rows)?;
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "generated {rows} rows ({dups} repeated phones, {bad} bad phones), {:.1} MB, in {:.1} s",
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let opts = ImportOptions {
        match_by: MatchBy::Phone,
        on_match: OnMatch::Skip,
        owner_mode: OwnerMode::Nobody,
        ..ImportOptions::default()
    };
    let t = Instant::now();
    let done = super::import::import_file(&core, &ctx, &path, opts, false, false).await?;
    let import_s = t.elapsed().as_secs_f64();
    let rss_import = peak_rss_mib().unwrap_or(0.0);

    // The same number of rows, normalised beforehand, by a plain bulk insert.
    let mut plain_s = 0.0;
    let mut n = 0u64;
    let now = core.now();
    let batch = 2_000u64;
    let mut from = 0;
    while from < rows {
        let to = (from + batch).min(rows);
        let chunk: Vec<NewCustomer> = demo
            .customers(from, to)
            .enumerate()
            .map(|(i, g)| plain_row(&g, from + i as u64, now))
            .collect();
        let t = Instant::now();
        let tx = core.db.begin().await?;
        khach_db::customers::bulk::insert(&tx, chunk).await?;
        khach_db::commit(tx).await?;
        plain_s += t.elapsed().as_secs_f64();
        n += to - from;
        from = to;
    }
    let c = done.counts;
    let backend = match core.db.backend() {
        khach_core::Backend::Sqlite => "SQLite",
        khach_core::Backend::Postgres => "PostgreSQL",
    };
    println!(
        "bench import on {backend}: {rows} rows, {:.1} MB CSV",
        size as f64 / 1e6
    );
    println!(
        "  import (parse, normalise, match by phone): {:.1} s, {:.0} rows/s; {} created, {} skipped, {} failed",
        import_s,
        rows as f64 / import_s.max(1e-9),
        c.created,
        c.skipped,
        c.failed
    );
    println!(
        "  plain bulk insert of pre-normalised rows: {:.1} s, {:.0} rows/s; import/plain time ratio {:.2}",
        plain_s,
        n as f64 / plain_s.max(1e-9),
        import_s / plain_s.max(1e-9)
    );
    println!(
        "  peak RSS: {:.0} MiB after the import, {:.0} MiB at the end",
        rss_import,
        peak_rss_mib().unwrap_or(0.0)
    );
    if o.keep.is_none() {
        let _ = std::fs::remove_file(&path);
    }
    core.db.close().await?;
    Ok(())
}

fn tempfile_path() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir();
    Ok(dir.join(format!("khach-bench-import-{}.csv", std::process::id())))
}

/// A row as the import would store it, built without the import's checks.
fn plain_row(
    g: &khach_core::customers::seed::Generated,
    i: u64,
    now: chrono::DateTime<chrono::Utc>,
) -> NewCustomer {
    let phones: Vec<(String, String)> = g
        .phones
        .iter()
        .filter_map(|p| {
            Phone::parse(p)
                .ok()
                .map(|x| (x.e164().to_string(), p.clone()))
        })
        .collect();
    let code = format!("BP{i:08}");
    let name_lc = g.name.to_lowercase();
    let row = khach_db::customers::Customer {
        id: 0,
        code: code.clone(),
        name: g.name.clone(),
        name_lc,
        search_name: format!("{} {}", khach_types::fold(&g.name), code.to_lowercase()),
        search_contact: phones
            .iter()
            .map(|p| p.0.clone())
            .collect::<Vec<_>>()
            .join(" "),
        search_tri: None,
        gender: g.gender.map(|x| x.as_str().to_string()),
        birthday: g.birthday,
        phone: phones.first().map(|p| p.0.clone()),
        email: g.emails.first().cloned(),
        province_code: g.province_code.clone(),
        ward_code: g.ward_code.clone(),
        street: g.street.clone(),
        legacy_province: None,
        legacy_district: None,
        legacy_ward: None,
        company_id: None,
        source_id: None,
        stage_id: None,
        owner_id: None,
        notes: g.notes.clone(),
        custom: serde_json::json!({}),
        dnc: false,
        dnc_reason: None,
        dnc_at: None,
        created_by: None,
        created_at: now,
        updated_at: now,
        deleted_at: None,
        deleted_by: None,
    };
    NewCustomer {
        row,
        phones,
        emails: g.emails.clone(),
        tags: Vec::new(),
    }
}
