//! Matching many devices at once: each distinct platform (what a device runs, as CPE names) is
//! matched once, against only the records naming one of its products, with every record's
//! versions read once; the result is shared by every device running it — a hospital's 160
//! identical PCs cost one match — and distinct platforms are matched on every core.

use std::collections::HashMap;

use super::cpe::{is_family_key, FAMILIES};
use super::cve::CveRecord;
use super::matching::{Compiled, Exposure, Platform, Prepared};

/// The records of `records` naming each vendor:product key, compiled for matching.
pub struct RecordIndex<'r> {
    records: &'r [CveRecord],
    compiled: Vec<Compiled<'r>>,
    by_product: HashMap<String, Vec<usize>>,
}

impl<'r> RecordIndex<'r> {
    pub fn new(records: &'r [CveRecord]) -> Self {
        let mut by_product: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in records.iter().enumerate() {
            for key in r.product_keys() {
                by_product.entry(key).or_default().push(i);
            }
        }
        RecordIndex {
            records,
            compiled: records.iter().map(Compiled::new).collect(),
            by_product: with_families(by_product),
        }
    }

    pub fn records(&self) -> &'r [CveRecord] {
        self.records
    }

    /// The records bearing on `platform`, by index, with how.
    pub fn matches(&self, platform: &Platform) -> Vec<(usize, Exposure)> {
        let mut candidates: Vec<usize> = platform
            .items
            .iter()
            .flat_map(|c| self.by_product.get(&c.key()).into_iter().flatten().copied())
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let prepared = Prepared::new(platform);
        candidates
            .into_iter()
            .filter_map(|i| self.compiled[i].exposure(&prepared).map(|e| (i, e)))
            .collect()
    }
}

/// The index with each product family (Windows 10, 11) also naming the records of its releases:
/// a device whose release is not written is matched against them (and is "version unknown").
fn with_families(mut by_product: HashMap<String, Vec<usize>>) -> HashMap<String, Vec<usize>> {
    for family in FAMILIES {
        let mut members: Vec<usize> = by_product
            .iter()
            .filter(|(key, _)| is_family_key(family, key))
            .flat_map(|(_, records)| records.iter().copied())
            .collect();
        if members.is_empty() {
            continue;
        }
        let own = by_product.entry(family.to_string()).or_default();
        own.append(&mut members);
        own.sort_unstable();
        own.dedup();
    }
    by_product
}

/// Each distinct platform of `platforms` matched once against `records`. The work goes product
/// by product: a product's records are compiled, matched against every platform running it,
/// and dropped — memory holds one product's compiled records at a time (per core), not the
/// whole feed's.
pub fn match_platforms<'p>(
    records: &[CveRecord],
    platforms: impl Iterator<Item = &'p Platform>,
) -> HashMap<Platform, Vec<(usize, Exposure)>> {
    let mut by_product: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        for key in r.product_keys() {
            by_product.entry(key).or_default().push(i);
        }
    }
    let by_product = with_families(by_product);
    let mut seen = std::collections::HashSet::new();
    let distinct: Vec<&Platform> = platforms.filter(|p| seen.insert(*p)).collect();
    let mut running: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, platform) in distinct.iter().enumerate() {
        let mut keys: Vec<String> = platform.items.iter().map(|c| c.key()).collect();
        keys.sort();
        keys.dedup();
        for key in keys.into_iter().filter(|k| by_product.contains_key(k)) {
            running.entry(key).or_default().push(i);
        }
    }
    let work: Vec<(&Vec<usize>, &Vec<usize>)> = running
        .iter()
        .filter_map(|(key, users)| by_product.get(key).map(|recs| (recs, users)))
        .collect();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(work.len().max(1));
    let chunk = work.len().div_ceil(threads).max(1);
    let shared = &distinct;
    let found = std::thread::scope(|scope| {
        let parts: Vec<_> = work
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let mut found: Vec<(usize, usize, Exposure)> = Vec::new();
                    for (recs, users) in part {
                        let compiled: Vec<(usize, Compiled<'_>)> = recs
                            .iter()
                            .map(|&r| (r, Compiled::new(&records[r])))
                            .collect();
                        for &p in users.iter() {
                            let prepared = Prepared::new(shared[p]);
                            for (r, c) in &compiled {
                                if let Some(e) = c.exposure(&prepared) {
                                    found.push((p, *r, e));
                                }
                            }
                        }
                    }
                    found
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect::<Vec<_>>()
    });
    let mut matched: Vec<Vec<(usize, Exposure)>> = vec![Vec::new(); distinct.len()];
    for (p, r, e) in found {
        matched[p].push((r, e));
    }
    distinct
        .iter()
        .zip(matched)
        .map(|(platform, mut found)| {
            // A record naming two products a platform runs was matched once per product.
            found.sort_by_key(|(r, _)| *r);
            found.dedup_by_key(|(r, _)| *r);
            ((*platform).clone(), found)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vulnerabilities::cpe::Cpe;
    use crate::vulnerabilities::nvd::NvdCve;

    fn record(json: &str) -> CveRecord {
        let cve: NvdCve = serde_json::from_str(json).expect("an NVD record");
        cve.into_record().0
    }

    #[test]
    fn every_platform_gets_what_matching_it_alone_gives() {
        let records = vec![
            record(include_str!("../../tests/data/nvd/CVE-2024-21762.json")),
            record(include_str!("../../tests/data/nvd/CVE-2022-42475.json")),
            record(include_str!("../../tests/data/nvd/CVE-2020-0796.json")),
        ];
        let fortios = |v: &str| Platform {
            items: vec![
                Cpe::parse(&format!("cpe:2.3:o:fortinet:fortios:{v}:*:*:*:*:*:*:*"))
                    .expect("a name"),
            ],
        };
        let platforms = [
            fortios("7.2.2"),
            fortios("7.2.6"),
            fortios("7.4.3"),
            fortios("*"),
            Platform::default(),
        ];
        let matched = match_platforms(&records, platforms.iter());
        let index = RecordIndex::new(&records);
        for p in &platforms {
            assert_eq!(matched[p], index.matches(p), "{p:?}");
        }
        assert_eq!(matched[&fortios("7.2.2")].len(), 2);
        assert!(matched[&fortios("7.4.3")].is_empty());
    }
}
