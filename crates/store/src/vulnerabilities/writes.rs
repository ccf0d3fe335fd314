//! Writing imported feeds inside one transaction: a file that fails half-way leaves nothing.
//! Each record replaces the one held only when it is newer, so importing a file twice changes
//! nothing.

use std::collections::HashMap;

use mimamori_domain::vulnerabilities::cpe::CpeEntry;
use mimamori_domain::vulnerabilities::cve::{CveRecord, Kev};
use mimamori_domain::vulnerabilities::lifecycle::Product;
use mimamori_domain::vulnerabilities::FeedSource;
use serde::Serialize;

use super::Jvn;
use crate::bulk::Rows;
use crate::{col, Result, StoreError, WriteTx};

/// How many records a source's table holds.
fn count_sql(source: FeedSource) -> &'static str {
    match source {
        FeedSource::EndOfLife => "SELECT COUNT(*) AS n FROM lifecycle_products",
        // JVN's CVEs that NVD has not given yet are held without a lastModified.
        FeedSource::Nvd => "SELECT COUNT(*) AS n FROM cves WHERE modified IS NOT NULL",
        FeedSource::Kev => "SELECT COUNT(*) AS n FROM cve_extras WHERE kev IS NOT NULL",
        FeedSource::Epss => "SELECT COUNT(*) AS n FROM cve_extras WHERE epss IS NOT NULL",
        FeedSource::Jvn => "SELECT COUNT(*) AS n FROM cve_extras WHERE jvn IS NOT NULL",
        FeedSource::Cpe => "SELECT COUNT(*) AS n FROM cpe_dictionary",
    }
}

/// JVN of one CVE: (CVE, JVNDB ids, Japanese title, Japanese summary, the configurations of its
/// affected products).
pub type JvnRow = (
    String,
    Vec<String>,
    Option<String>,
    Option<String>,
    Vec<mimamori_domain::vulnerabilities::cve::Configuration>,
);

/// What an import did to the records of a file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FeedCounts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Records older than the ones held, left as they were.
    pub older: usize,
}

impl FeedCounts {
    pub fn add(&mut self, other: FeedCounts) {
        self.created += other.created;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.older += other.older;
    }
}

fn encode(value: &impl Serialize) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Unsupported(format!("feed data: {e}")))
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl WriteTx {
    /// The stored `modified` of the `ids` held, keyed by id.
    async fn held_versions(
        &mut self,
        table: &str,
        key: &str,
        version: &str,
        ids: &[&str],
    ) -> Result<HashMap<String, Option<String>>> {
        let mut held = HashMap::new();
        for chunk in ids.chunks(1_000) {
            let sql = format!(
                "SELECT {key} AS k, {version} AS v FROM {table} WHERE {key} IN ({})",
                placeholders(1, chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&mut *self.tx).await? {
                held.insert(col(&row, "k")?, col(&row, "v")?);
            }
        }
        Ok(held)
    }

    async fn delete_keys(&mut self, table: &str, key: &str, ids: &[&str]) -> Result<()> {
        for chunk in ids.chunks(1_000) {
            let sql = format!(
                "DELETE FROM {table} WHERE {key} IN ({})",
                placeholders(1, chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            query.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Saves NVD records: new ones inserted, newer ones replacing what is held.
    pub async fn save_cves(&mut self, records: &[CveRecord]) -> Result<FeedCounts> {
        let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
        let held = self.held_versions("cves", "id", "modified", &ids).await?;
        let mut counts = FeedCounts::default();
        let mut replaced = Vec::new();
        let mut rows = Rows::new("cves", &["id", "modified", "data"]);
        let mut products = Rows::new("cve_products", &["product", "cve_id"]);
        // The last of a file's duplicates wins, as it would one record at a time.
        let mut seen = std::collections::HashSet::new();
        for record in records.iter().rev() {
            if !seen.insert(record.id.as_str()) {
                continue;
            }
            match held.get(&record.id) {
                None => counts.created += 1,
                Some(modified) if record.modified > *modified => {
                    counts.updated += 1;
                    replaced.push(record.id.as_str());
                }
                Some(modified) if record.modified == *modified => {
                    counts.unchanged += 1;
                    continue;
                }
                Some(_) => {
                    counts.older += 1;
                    continue;
                }
            }
            rows.push([
                record.id.clone().into(),
                record.modified.clone().into(),
                encode(record)?.into(),
            ]);
            for product in record.product_keys() {
                products.push([product.into(), record.id.clone().into()]);
            }
        }
        self.delete_keys("cves", "id", &replaced).await?;
        self.delete_keys("cve_products", "cve_id", &replaced)
            .await?;
        self.insert_rows(&rows).await?;
        self.insert_rows(&products).await?;
        Ok(counts)
    }

    /// Saves products' lifecycles, each replacing the imported one held unless that is newer.
    pub async fn save_lifecycle_products(&mut self, products: &[Product]) -> Result<FeedCounts> {
        let names: Vec<&str> = products.iter().map(|p| p.name.as_str()).collect();
        let held = self
            .held_versions("lifecycle_products", "name", "as_of", &names)
            .await?;
        let mut counts = FeedCounts::default();
        let mut rows = Rows::new("lifecycle_products", &["name", "as_of", "data"]);
        let mut replaced = Vec::new();
        for product in products {
            let as_of = Some(product.source.as_of.to_string());
            match held.get(&product.name) {
                None => counts.created += 1,
                Some(held) if as_of > *held => {
                    counts.updated += 1;
                    replaced.push(product.name.as_str());
                }
                Some(held) if as_of == *held => {
                    counts.unchanged += 1;
                    continue;
                }
                Some(_) => {
                    counts.older += 1;
                    continue;
                }
            }
            rows.push([
                product.name.clone().into(),
                as_of.into(),
                encode(product)?.into(),
            ]);
        }
        self.delete_keys("lifecycle_products", "name", &replaced)
            .await?;
        self.insert_rows(&rows).await?;
        Ok(counts)
    }

    /// Sets one column of `cve_extras` (kev, epss or jvn) for the CVEs given.
    async fn save_extras(
        &mut self,
        column: &str,
        values: Vec<(String, String)>,
    ) -> Result<FeedCounts> {
        let ids: Vec<&str> = values.iter().map(|(id, _)| id.as_str()).collect();
        let held = self
            .held_versions("cve_extras", "cve_id", column, &ids)
            .await?;
        let mut counts = FeedCounts::default();
        let mut changed: HashMap<&str, &str> = HashMap::new();
        for (id, value) in &values {
            match held.get(id) {
                Some(Some(v)) if v == value => counts.unchanged += 1,
                Some(Some(_)) => {
                    counts.updated += 1;
                    changed.insert(id, value);
                }
                _ => {
                    counts.created += 1;
                    changed.insert(id, value);
                }
            }
        }
        let changed: Vec<(&str, &str)> = changed.into_iter().collect();
        for chunk in changed.chunks(1_000) {
            let values_sql = (0..chunk.len())
                .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO cve_extras (cve_id, {column}) VALUES {values_sql} \
                 ON CONFLICT (cve_id) DO UPDATE SET {column} = excluded.{column}"
            );
            let mut query = sqlx::query(&sql);
            for (id, value) in chunk {
                query = query.bind(*id).bind(*value);
            }
            query.execute(&mut *self.tx).await?;
        }
        Ok(counts)
    }

    /// CISA KEV entries by CVE.
    pub async fn save_kev(&mut self, entries: &[(String, Kev)]) -> Result<FeedCounts> {
        let values = entries
            .iter()
            .map(|(id, kev)| Ok((id.clone(), encode(kev)?)))
            .collect::<Result<Vec<_>>>()?;
        self.save_extras("kev", values).await
    }

    /// EPSS scores by CVE.
    pub async fn save_epss(&mut self, scores: &[(String, f32)]) -> Result<FeedCounts> {
        let values = scores
            .iter()
            .map(|(id, s)| (id.clone(), s.to_string()))
            .collect();
        self.save_extras("epss", values).await
    }

    /// JVN's ids, Japanese titles and summaries by CVE.
    pub async fn save_jvn(&mut self, entries: &[JvnRow]) -> Result<FeedCounts> {
        let values = entries
            .iter()
            .map(|(id, ids, title, summary, configurations)| {
                let jvn = Jvn {
                    ids: ids.clone(),
                    title_ja: title.clone(),
                    summary_ja: summary.clone(),
                    configurations: configurations.clone(),
                };
                Ok((id.clone(), encode(&jvn)?))
            })
            .collect::<Result<Vec<_>>>()?;
        // A CVE JVN names that NVD has not given is held bare (no lastModified: NVD's record
        // replaces it), and found by the products JVN lists.
        for (id, _, _, _, configurations) in entries {
            if configurations.is_empty() {
                continue;
            }
            let bare = CveRecord {
                id: id.clone(),
                ..Default::default()
            };
            sqlx::query("INSERT INTO cves (id, modified, data) VALUES ($1, NULL, $2) ON CONFLICT (id) DO NOTHING")
                .bind(id.as_str())
                .bind(encode(&bare)?)
                .execute(&mut *self.tx)
                .await?;
            let with = CveRecord {
                configurations: configurations.clone(),
                ..bare
            };
            for product in with.product_keys() {
                sqlx::query("INSERT INTO cve_products (product, cve_id) VALUES ($1, $2) ON CONFLICT (product, cve_id) DO NOTHING")
                    .bind(product.as_str())
                    .bind(id.as_str())
                    .execute(&mut *self.tx)
                    .await?;
            }
        }
        self.save_extras("jvn", values).await
    }

    /// Saves CPE dictionary entries, each replacing the one of its name.
    pub async fn save_cpe_entries(&mut self, entries: &[CpeEntry]) -> Result<FeedCounts> {
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        let held = self
            .held_versions("cpe_dictionary", "cpe_name", "title", &names)
            .await?;
        let mut counts = FeedCounts::default();
        for entry in entries {
            let cpe = mimamori_domain::vulnerabilities::cpe::Cpe::parse(&entry.name);
            // A name from a match page has no title: it never replaces the dictionary's entry.
            let from_match = entry.title.is_empty();
            match held.get(&entry.name) {
                Some(_) if from_match => {
                    counts.unchanged += 1;
                    continue;
                }
                Some(Some(title)) if *title == entry.title => {
                    counts.unchanged += 1;
                    continue;
                }
                Some(_) => counts.updated += 1,
                None => counts.created += 1,
            }
            let key = cpe.as_ref().map(|c| c.key()).unwrap_or_default();
            let title = if from_match {
                cpe.map(|c| format!("{} {} {}", c.vendor, c.product, c.version).replace('_', " "))
                    .unwrap_or_default()
            } else {
                entry.title.clone()
            };
            sqlx::query(
                "INSERT INTO cpe_dictionary (cpe_name, product_key, title, title_ja, deprecated) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (cpe_name) DO UPDATE SET product_key = excluded.product_key, title = excluded.title, title_ja = excluded.title_ja, deprecated = excluded.deprecated",
            )
            .bind(entry.name.as_str())
            .bind(key)
            .bind(title.as_str())
            .bind(entry.title_ja.as_deref())
            .bind(i64::from(entry.deprecated))
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(counts)
    }

    /// Notes an import of `source` from `file`, with the newest date its data is of, and marks
    /// every facility changed: their findings (end of support, vulnerabilities) are read again.
    pub async fn record_feed_import(
        &mut self,
        source: FeedSource,
        file: &str,
        newest: Option<&str>,
    ) -> Result<()> {
        let row = sqlx::query(count_sql(source))
            .fetch_one(&mut *self.tx)
            .await?;
        let records: i64 = col(&row, "n")?;
        let (now, by) = (self.now.clone(), self.actor().display.clone());
        sqlx::query(
            "INSERT INTO feed_sources (source, records, newest, imported_at, imported_by, file) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (source) DO UPDATE SET records = excluded.records, \
             newest = CASE WHEN feed_sources.newest IS NULL OR excluded.newest > feed_sources.newest THEN excluded.newest ELSE feed_sources.newest END, \
             imported_at = excluded.imported_at, imported_by = excluded.imported_by, file = excluded.file",
        )
        .bind(source.code())
        .bind(records)
        .bind(newest)
        .bind(now)
        .bind(by)
        .bind(file)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query("UPDATE facility_summaries SET pending_changes = pending_changes + 1, changes = changes + 1")
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}
