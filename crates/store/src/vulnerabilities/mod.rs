//! The feeds Mimamori knows danger from, as imported: product lifecycles, NVD records and what
//! CISA KEV, EPSS and JVN add to them. Reads here; writes in [`writes`].

mod mappings;
mod suppressions;
mod writes;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use mimamori_domain::findings::FeedFacts;
use mimamori_domain::vulnerabilities::cpe::CpeEntry;
use mimamori_domain::vulnerabilities::cve::{CveRecord, Kev};
use mimamori_domain::vulnerabilities::lifecycle::Product;
use mimamori_domain::vulnerabilities::mapping::Mappings;
use mimamori_domain::vulnerabilities::Lifecycle;
use serde::Serialize;
use sqlx::Row;

use crate::{col, Result, Store, StoreError};

pub use mimamori_domain::vulnerabilities::FeedSource;
pub use writes::FeedCounts;

/// The lifecycle in use and the stamp of the imported data it was built from.
#[derive(Debug, Default)]
pub(crate) struct LifecycleCache(Mutex<Option<(String, Arc<Lifecycle>)>>);

/// The records last read for the rules, under the NVD feed's stamp and the product keys asked.
#[derive(Debug, Default)]
pub(crate) struct CveCache(Mutex<Option<HeldCves>>);

/// (feed stamp, product keys asked, the records).
type HeldCves = (String, String, Arc<Vec<CveRecord>>);

/// One source's state, for `feeds status`.
#[derive(Debug, Clone, Serialize)]
pub struct FeedStatus {
    /// "endoflife", "nvd", "kev", "epss", "jvn".
    pub source: String,
    pub records: i64,
    /// The newest date the data is of (lastModified, generated_at, score_date…).
    pub newest: Option<String>,
    pub imported_at: Option<String>,
    pub imported_by: Option<String>,
    pub file: Option<String>,
}

/// What other feeds say of a CVE.
#[derive(Debug, Default, Clone, serde::Deserialize, Serialize)]
pub(crate) struct Jvn {
    pub ids: Vec<String>,
    pub title_ja: Option<String>,
    pub summary_ja: Option<String>,
    /// JVN's affected products, matched where NVD gives no configuration of its own.
    #[serde(default)]
    pub configurations: Vec<mimamori_domain::vulnerabilities::cve::Configuration>,
}

fn decode<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Unsupported(format!("feed data: {e}")))
}

impl Store {
    /// The product lifecycles in use: the embedded snapshot with the imported products laid
    /// over it. Rebuilt only when an import changed them (one small query otherwise).
    pub async fn lifecycle(&self) -> Result<Arc<Lifecycle>> {
        let stamp: Option<String> = sqlx::query(
            "SELECT imported_at || ' ' || CAST(records AS TEXT) AS stamp FROM feed_sources WHERE source = 'endoflife'",
        )
        .fetch_optional(&self.pool)
        .await?
        .map(|r| col(&r, "stamp"))
        .transpose()?;
        let Some(stamp) = stamp else {
            return Ok(Lifecycle::embedded());
        };
        if let Ok(held) = self.lifecycle_cache.0.lock() {
            if let Some((s, lifecycle)) = held.as_ref() {
                if *s == stamp {
                    return Ok(lifecycle.clone());
                }
            }
        }
        let rows = sqlx::query("SELECT data FROM lifecycle_products")
            .fetch_all(&self.pool)
            .await?;
        let products = rows
            .iter()
            .map(|r| decode::<Product>(&col::<String>(r, "data")?))
            .collect::<Result<Vec<_>>>()?;
        let lifecycle = Arc::new(Lifecycle::with_imported(products));
        if let Ok(mut held) = self.lifecycle_cache.0.lock() {
            *held = Some((stamp, lifecycle.clone()));
        }
        Ok(lifecycle)
    }

    /// The records whose vulnerable criteria name any of `products` (`vendor:product`), with
    /// what KEV, EPSS and JVN add.
    pub async fn cves_for_products(&self, products: &[String]) -> Result<Vec<CveRecord>> {
        let mut records = Vec::new();
        for chunk in products.chunks(500) {
            let list = (1..=chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            // A product family (Windows 10 with no release) reaches the records of its releases.
            let families: String = chunk
                .iter()
                .filter(|p| mimamori_domain::vulnerabilities::cpe::FAMILIES.contains(&p.as_str()))
                .map(|p| format!(" OR product LIKE '{p}\\_%' ESCAPE '\\'"))
                .collect();
            let sql = format!(
                "SELECT c.data, e.kev, e.epss, e.jvn FROM cves c LEFT JOIN cve_extras e ON e.cve_id = c.id \
                 WHERE c.id IN (SELECT DISTINCT cve_id FROM cve_products WHERE product IN ({list}){families}) ORDER BY c.id"
            );
            let mut query = sqlx::query(&sql);
            for p in chunk {
                query = query.bind(p.as_str());
            }
            for row in query.fetch_all(&self.pool).await? {
                let mut record: CveRecord = decode(&col::<String>(&row, "data")?)?;
                add_extras(&mut record, &row)?;
                records.push(record);
            }
        }
        records.sort_by(|a, b| a.id.cmp(&b.id));
        records.dedup_by(|a, b| a.id == b.id);
        Ok(records)
    }

    /// Each feed source and its state, every known source listed (unimported ones with 0).
    pub async fn feed_status(&self) -> Result<Vec<FeedStatus>> {
        let rows = sqlx::query(
            "SELECT source, records, newest, imported_at, imported_by, file FROM feed_sources",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut held: HashMap<String, FeedStatus> = HashMap::new();
        for r in rows {
            let status = FeedStatus {
                source: col(&r, "source")?,
                records: col(&r, "records")?,
                newest: col(&r, "newest")?,
                imported_at: Some(col(&r, "imported_at")?),
                imported_by: Some(col(&r, "imported_by")?),
                file: Some(col(&r, "file")?),
            };
            held.insert(status.source.clone(), status);
        }
        Ok(FeedSource::ALL
            .iter()
            .map(|s| {
                held.remove(s.code()).unwrap_or(FeedStatus {
                    source: s.code().into(),
                    records: 0,
                    newest: None,
                    imported_at: None,
                    imported_by: None,
                    file: None,
                })
            })
            .collect())
    }

    /// The NVD feed's state, and the stamp of its last import; `None` before any import.
    pub async fn nvd_state(&self) -> Result<Option<(FeedFacts, String)>> {
        let row = sqlx::query(
            "SELECT records, newest, imported_at FROM feed_sources WHERE source = 'nvd'",
        )
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let newest: Option<String> = col(&row, "newest")?;
        let feeds = FeedFacts {
            nvd_records: col(&row, "records")?,
            nvd_newest: newest.and_then(|n| n.get(..10).and_then(|d| d.parse().ok())),
        };
        let stamp = format!(
            "{} {}",
            col::<String>(&row, "imported_at")?,
            feeds.nvd_records
        );
        Ok(Some((feeds, stamp)))
    }

    /// What the rules need of the feeds for `devices`: the records naming a product they run
    /// (kept between calls while no feed import changes them), and the NVD feed's state.
    pub async fn feed_facts(
        &self,
        devices: &[mimamori_domain::findings::DeviceFacts],
        mappings: &Mappings,
    ) -> Result<(Arc<Vec<CveRecord>>, FeedFacts)> {
        let Some((feeds, stamp)) = self.nvd_state().await? else {
            return Ok((Arc::default(), FeedFacts::default()));
        };
        // Devices written alike name the same products: each way of writing read once.
        let mut written = std::collections::HashSet::new();
        let mut keys: Vec<String> = devices
            .iter()
            .filter(|d| d.in_use() && written.insert(d.assessment_key()))
            .flat_map(|d| d.product_keys(mappings))
            .collect();
        keys.sort();
        keys.dedup();
        if keys.is_empty() {
            return Ok((Arc::default(), feeds));
        }
        let wanted = keys.join(" ");
        if let Ok(held) = self.cve_cache.0.lock() {
            if let Some((s, k, records)) = held.as_ref() {
                if *s == stamp && *k == wanted {
                    return Ok((records.clone(), feeds));
                }
            }
        }
        let records = Arc::new(self.cves_for_products(&keys).await?);
        if let Ok(mut held) = self.cve_cache.0.lock() {
            *held = Some((stamp, wanted, records.clone()));
        }
        Ok((records, feeds))
    }

    /// The record of `id` ("CVE-2024-21762"), with what KEV, EPSS and JVN add.
    pub async fn cve_record(&self, id: &str) -> Result<Option<CveRecord>> {
        let row = sqlx::query(
            "SELECT c.data, e.kev, e.epss, e.jvn FROM cves c LEFT JOIN cve_extras e ON e.cve_id = c.id WHERE c.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            let mut record: CveRecord = decode(&col::<String>(&row, "data")?)?;
            add_extras(&mut record, &row)?;
            Ok(record)
        })
        .transpose()
    }

    /// CPE dictionary entries (not deprecated) whose titles, Japanese titles or names hold every
    /// word of `text` — suggestions for what a ledger's text names. At most `limit`.
    pub async fn cpe_suggestions(&self, text: &str, limit: i64) -> Result<Vec<CpeEntry>> {
        let words: Vec<String> = text
            .split(|c: char| c.is_whitespace() || "　,、()（）[]".contains(c))
            .map(|w| w.trim().to_lowercase())
            .filter(|w| w.chars().count() >= 2)
            .take(4)
            .collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let conditions: Vec<String> = (0..words.len())
            .map(|i| {
                format!(
                    "LOWER(title || ' ' || COALESCE(title_ja, '') || ' ' || product_key) LIKE ${}",
                    i + 1
                )
            })
            .collect();
        let sql = format!(
            "SELECT cpe_name, title, title_ja, deprecated FROM cpe_dictionary WHERE deprecated = 0 AND {} ORDER BY LENGTH(cpe_name), cpe_name LIMIT {}",
            conditions.join(" AND "),
            limit.clamp(1, 50)
        );
        let mut query = sqlx::query(&sql);
        for w in &words {
            let escaped = w.replace(['%', '_'], "");
            query = query.bind(format!("%{escaped}%"));
        }
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(CpeEntry {
                    name: col(r, "cpe_name")?,
                    title: col(r, "title")?,
                    title_ja: col(r, "title_ja")?,
                    deprecated: col::<i64>(r, "deprecated")? != 0,
                })
            })
            .collect()
    }

    /// How many CVE records are held.
    pub async fn cve_count(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM cves")
            .fetch_one(&self.pool)
            .await?;
        col(&row, "n")
    }
}

fn add_extras(record: &mut CveRecord, row: &sqlx::any::AnyRow) -> Result<()> {
    if let Some(kev) = row.try_get::<Option<String>, _>("kev")? {
        record.kev = Some(decode::<Kev>(&kev)?);
    }
    if let Some(epss) = row.try_get::<Option<String>, _>("epss")? {
        record.epss = epss.parse().ok();
    }
    if let Some(jvn) = row.try_get::<Option<String>, _>("jvn")? {
        let jvn: Jvn = decode(&jvn)?;
        record.jvn_ids = jvn.ids;
        record.title_ja = jvn.title_ja;
        record.summary_ja = jvn.summary_ja;
        if record.configurations.is_empty() {
            record.configurations = jvn.configurations;
        }
    }
    Ok(())
}
