//! `mimamori generate`: fills a database with deterministic, realistic facilities in Japan's
//! proportions (and `--csv-out` writes import files), for benchmarks, demos at scale and load
//! tests. The same seed gives the same data on either backend.

mod facility;
mod words;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use mimamori_domain::checklist::Form;
use mimamori_formats::devices::{device_table, LedgerHeader};
use mimamori_formats::write::{csv, Encoding};
use mimamori_store::{Actor, Store};

pub use facility::Plan;

/// Options of `mimamori generate`.
#[derive(Debug, Clone)]
pub struct Options {
    pub facilities: u64,
    pub seed: u64,
    pub devices_per_hospital: usize,
    pub csv_out: Option<PathBuf>,
    pub csv_devices: Option<usize>,
}

/// What a run wrote.
#[derive(Debug, Default)]
pub struct Report {
    pub facilities: u64,
    pub devices: usize,
    pub records: usize,
    pub accounts: usize,
    pub seconds_writing: f64,
    pub seconds_summaries: f64,
}

/// Devices per write transaction: large enough to amortise commits, small enough to keep memory
/// flat however many facilities are asked for.
const DEVICES_PER_BATCH: usize = 20_000;
const FACILITIES_PER_BATCH: usize = 2_000;

pub async fn plan(store: &Store, options: &Options) -> anyhow::Result<Plan> {
    let today = store.clock().today_jst();
    let fiscal_year = mimamori_domain::clock::fiscal_year(today);
    let items = |edition: Option<mimamori_store::checklist::StoredEdition>| {
        edition
            .map(|e| e.edition.items.iter().map(|i| i.key.clone()).collect())
            .unwrap_or_default()
    };
    Ok(Plan {
        seed: options.seed,
        devices_per_hospital: options.devices_per_hospital,
        today,
        fiscal_year,
        facility_items: items(store.edition_for(fiscal_year, Form::Facility).await?),
        pharmacy_items: items(store.edition_for(fiscal_year, Form::Pharmacy).await?),
    })
}

pub async fn run(store: &Store, options: &Options) -> anyhow::Result<Report> {
    let plan = plan(store, options).await?;
    let mut report = Report::default();
    if let Some(dir) = &options.csv_out {
        let count = options.csv_devices.unwrap_or(options.devices_per_hospital);
        write_csv(&plan, dir, count)?;
    }
    if options.facilities == 0 {
        return Ok(report);
    }
    let organisation_id = match store.organisations().await?.first() {
        Some(o) => o.id,
        None => {
            let mut tx = store.write(&Actor::system("mimamori generate")).await?;
            let o = tx.create_organisation("生成データ法人").await?;
            tx.commit().await?;
            o.id
        }
    };
    let first_code = plan.facility(0).profile.code;
    if store.facility_by_code(&first_code).await.is_ok() {
        bail!("施設 {first_code} はすでにあります。生成は空のデータベースに行ってください（--database-url）/ facility {first_code} exists: generate into an empty database");
    }
    let started = Instant::now();
    let mut n = 0;
    while n < options.facilities {
        let mut batch = Vec::new();
        let mut devices = 0;
        while n < options.facilities
            && devices < DEVICES_PER_BATCH
            && batch.len() < FACILITIES_PER_BATCH
        {
            let f = plan.facility(n);
            devices += f.devices.len();
            batch.push(f);
            n += 1;
        }
        report.devices += devices;
        report.records += batch.iter().map(|f| f.records.len()).sum::<usize>();
        report.accounts += batch.iter().map(|f| f.accounts.len()).sum::<usize>();
        let mut tx = store.write(&Actor::system("mimamori generate")).await?;
        tx.insert_generated(organisation_id, &batch).await?;
        tx.commit().await?;
        report.facilities = n;
        eprintln!(
            "  {n} / {} 施設 / facilities, {} 台 / devices ({:.1} s)",
            options.facilities,
            report.devices,
            started.elapsed().as_secs_f64()
        );
    }
    store.analyze().await?;
    report.seconds_writing = started.elapsed().as_secs_f64();
    let started = Instant::now();
    refresh_summaries(store).await?;
    // The statistics above were taken while every summary was pending: without fresh ones the
    // planner expects no facility of a computed status and, filtered by one, sorts all of them
    // (200,000 facilities: 245 ms for a page instead of a few).
    store.analyze_summaries().await?;
    report.seconds_summaries = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Computes every pending summary with a few workers (the findings of each facility).
pub async fn refresh_summaries(store: &Store) -> anyhow::Result<()> {
    let today = store.clock().today_jst();
    let workers = match store.backend() {
        mimamori_store::Backend::Sqlite => 2,
        mimamori_store::Backend::Postgres => 6,
    };
    loop {
        let ids = store.pending_summaries(today, 5_000).await?;
        if ids.is_empty() {
            return Ok(());
        }
        let chunk = ids.len().div_ceil(workers);
        let mut tasks = tokio::task::JoinSet::new();
        for part in ids.chunks(chunk) {
            let (store, part) = (store.clone(), part.to_vec());
            tasks.spawn(async move {
                for batch in part.chunks(100) {
                    store.refresh_summaries(batch, today).await?;
                }
                Ok::<_, mimamori_store::StoreError>(())
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.context("summary worker")??;
        }
    }
}

/// A CP932 CSV device ledger of `count` devices (as Japanese Excel saves CSV), for the import
/// benchmark; with a title row above the header as offices write them.
fn write_csv(plan: &Plan, dir: &Path, count: usize) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| {
        format!(
            "{} を作成できません / cannot create {}",
            dir.display(),
            dir.display()
        )
    })?;
    let devices = plan.ledger(count);
    let header = LedgerHeader {
        title: "機器台帳".into(),
        facility: "生成データ病院".into(),
        last_updated: Some(plan.today.to_string()),
        last_updated_by: None,
        last_confirmed: None,
    };
    let (bytes, _) = csv(&device_table(&header, &devices), Encoding::Cp932);
    let path = dir.join("devices-cp932.csv");
    std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("  {} ({count} 台 / devices)", path.display());
    Ok(())
}

#[cfg(test)]
mod tests;
