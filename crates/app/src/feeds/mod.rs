//! Importing feed files (endoflife.date, NVD, CISA KEV, EPSS, JVN): each file read off the
//! async runtime as a stream, its records written in batches inside one transaction — a file
//! that fails half-way leaves nothing — and the import audited. Pages, API and CLI call this.

use std::io::Read;

use chrono::NaiveDate;
use mimamori_domain::vulnerabilities::FeedSource;
use mimamori_formats::feeds::{read_feed, FeedError, FeedItem, FeedLimits, FeedRead};
use mimamori_store::vulnerabilities::FeedCounts;
use mimamori_store::{Actor, AuditRecord, Store, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

/// Records written per batch: the reader runs ahead by at most a few batches.
const BATCH: usize = 500;
const BATCHES_AHEAD: usize = 4;

/// What importing one file did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedFileReport {
    pub file: String,
    /// "endoflife", "nvd", "kev", "epss", "jvn"; empty when the file could not be read.
    pub source: String,
    pub written: bool,
    pub records: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Records older than those held, left as they were.
    pub older: usize,
    /// CPE criteria that name nothing (`cpe:2.3:o:-:-:-`), skipped.
    pub junk_cpes: usize,
    /// Why nothing of the file was imported, in Japanese and English.
    pub error: Option<String>,
    pub error_code: Option<String>,
}

impl FeedFileReport {
    fn failed(file: &str, error: &FeedError) -> Self {
        FeedFileReport {
            file: file.to_string(),
            source: String::new(),
            written: false,
            records: 0,
            created: 0,
            updated: 0,
            unchanged: 0,
            older: 0,
            junk_cpes: 0,
            error: Some(error.to_string()),
            error_code: Some(error.code().to_string()),
        }
    }

    /// The line the CLI prints.
    pub fn summary(&self) -> String {
        match &self.error {
            // The error names the file itself.
            Some(error) => error.clone(),
            None => format!(
                "{} [{}]: {} 件 records · 新規 created {} · 更新 updated {} · 変更なし unchanged {} · 古いため無視 older {} · 無効な CPE junk CPEs {}",
                self.file, self.source, self.records, self.created, self.updated, self.unchanged, self.older, self.junk_cpes
            ),
        }
    }
}

/// Imports one feed file read from `open()` (called on the blocking pool). `as_of` dates files
/// that carry no date (endoflife.date product files): their modification day, or today.
pub async fn import<R: Read + 'static>(
    store: &Store,
    actor: &Actor,
    file: &str,
    as_of: NaiveDate,
    open: impl FnOnce() -> std::io::Result<R> + Send + 'static,
) -> Result<FeedFileReport, StoreError> {
    let (sender, mut batches) = tokio::sync::mpsc::channel::<Vec<FeedItem>>(BATCHES_AHEAD);
    let name = file.to_string();
    let reading = tokio::task::spawn_blocking(move || -> Result<FeedRead, FeedError> {
        let reader = open().map_err(|e| FeedError::Malformed {
            file: name.clone(),
            position: "-".into(),
            reason: e.to_string(),
        })?;
        let mut batch = Vec::with_capacity(BATCH);
        let mut sink = |item: FeedItem| -> Result<(), String> {
            batch.push(item);
            if batch.len() >= BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                sender
                    .blocking_send(full)
                    .map_err(|_| "the writer stopped".to_string())?;
            }
            Ok(())
        };
        let read = read_feed(reader, &name, as_of, FeedLimits::default(), &mut sink)?;
        if !batch.is_empty() {
            sender
                .blocking_send(batch)
                .map_err(|_| FeedError::Stopped {
                    file: name.clone(),
                    reason: "the writer stopped".into(),
                })?;
        }
        Ok(read)
    });
    let mut tx = store.write(actor).await?;
    let mut counts = FeedCounts::default();
    let mut written_error = None;
    while let Some(batch) = batches.recv().await {
        match write_batch(&mut tx, batch).await {
            Ok(c) => counts.add(c),
            Err(e) => {
                written_error = Some(e);
                break;
            }
        }
    }
    // Dropping the receiver stops a reader still running after a write failed.
    drop(batches);
    let read = match reading.await {
        Ok(read) => read,
        Err(panic) => std::panic::resume_unwind(panic.into_panic()),
    };
    if let Some(error) = written_error {
        return Err(error);
    }
    let read = match read {
        Ok(read) => read,
        // The transaction is dropped unwritten: nothing of the file stays.
        Err(error) => return Ok(FeedFileReport::failed(file, &error)),
    };
    let source = read.kind.source();
    tx.record_feed_import(source, file, read.newest.as_deref())
        .await?;
    let summary = serde_json::json!({
        "file": file, "source": source.code(), "records": read.records, "created": counts.created,
        "updated": counts.updated, "unchanged": counts.unchanged, "older": counts.older,
    });
    tx.audit(
        AuditRecord::new("import", "feed")
            .id(source.code())
            .after(&summary),
    )
    .await?;
    tx.commit().await?;
    Ok(FeedFileReport {
        file: file.to_string(),
        source: source.code().to_string(),
        written: true,
        records: read.records,
        created: counts.created,
        updated: counts.updated,
        unchanged: counts.unchanged,
        older: counts.older,
        junk_cpes: read.junk_cpes,
        error: None,
        error_code: None,
    })
}

/// Writes one batch of records, each kind through its own store call.
async fn write_batch(
    tx: &mut mimamori_store::WriteTx,
    batch: Vec<FeedItem>,
) -> Result<FeedCounts, StoreError> {
    let (mut products, mut cves, mut kev, mut epss, mut jvn, mut cpes) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for item in batch {
        match item {
            FeedItem::Product(p) => products.push(p),
            FeedItem::Cve(c) => cves.push(c),
            FeedItem::Kev(id, k) => kev.push((id, k)),
            FeedItem::Epss(id, s) => epss.push((id, s)),
            FeedItem::Jvn(j) => {
                let configurations =
                    mimamori_domain::vulnerabilities::jvn::configurations(&j.affected);
                jvn.push((j.cve, j.ids, j.title_ja, j.summary_ja, configurations))
            }
            FeedItem::Cpe(entry) => cpes.push(entry),
        }
    }
    let mut counts = FeedCounts::default();
    if !products.is_empty() {
        counts.add(tx.save_lifecycle_products(&products).await?);
    }
    if !cves.is_empty() {
        counts.add(tx.save_cves(&cves).await?);
    }
    if !kev.is_empty() {
        counts.add(tx.save_kev(&kev).await?);
    }
    if !epss.is_empty() {
        counts.add(tx.save_epss(&epss).await?);
    }
    if !jvn.is_empty() {
        counts.add(tx.save_jvn(&jvn).await?);
    }
    if !cpes.is_empty() {
        counts.add(tx.save_cpe_entries(&cpes).await?);
    }
    Ok(counts)
}

/// A source's state as shown: records, the newest data date and its age in days.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedState {
    pub source: String,
    pub title: String,
    pub records: i64,
    pub newest: Option<String>,
    /// Days between the newest data and `today`; findings say so past [`STALE_DAYS`].
    pub age_days: Option<i64>,
    pub imported_at: Option<String>,
    pub imported_by: Option<String>,
    pub file: Option<String>,
    /// Whether the data is the snapshot the binary carries (endoflife.date before any import).
    pub embedded: bool,
}

/// Data older than this many days is called out as old.
pub const STALE_DAYS: i64 = mimamori_domain::findings::rules_vulnerabilities::STALE_FEED_DAYS;

/// Every source's state on `today`. endoflife.date counts the embedded snapshot too.
pub async fn status(store: &Store, today: NaiveDate) -> Result<Vec<FeedState>, StoreError> {
    let lifecycle = store.lifecycle().await?;
    let held = store.feed_status().await?;
    Ok(held
        .into_iter()
        .map(|s| {
            let source = FeedSource::parse(&s.source).unwrap_or(FeedSource::Nvd);
            let (records, newest, embedded) = match source {
                FeedSource::EndOfLife => (
                    lifecycle.products().count() as i64,
                    lifecycle
                        .newest()
                        .map(|d| d.to_string())
                        .or(s.newest.clone()),
                    s.imported_at.is_none(),
                ),
                _ => (s.records, s.newest.clone(), false),
            };
            let age_days = newest
                .as_deref()
                .and_then(|n| NaiveDate::parse_from_str(n.get(..10)?, "%Y-%m-%d").ok())
                .map(|d| (today - d).num_days());
            FeedState {
                source: s.source,
                title: source.title().to_string(),
                records,
                newest,
                age_days,
                imported_at: s.imported_at,
                imported_by: s.imported_by,
                file: s.file,
                embedded,
            }
        })
        .collect())
}
