//! Matching many devices at once: each distinct platform (what a device runs, as CPE names) is
//! matched once, against only the records naming one of its products, and the result is shared
//! by every device running it — a hospital's 160 identical PCs cost one match.

use std::collections::HashMap;

use super::cve::CveRecord;
use super::matching::{exposure, Exposure, Platform};

/// The records of `records` naming each vendor:product key, by index.
pub struct RecordIndex<'r> {
    records: &'r [CveRecord],
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
            by_product,
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
        candidates
            .into_iter()
            .filter_map(|i| exposure(&self.records[i], platform).map(|e| (i, e)))
            .collect()
    }
}

/// Each distinct platform of `platforms` matched once against `records`.
pub fn match_platforms<'p>(
    records: &[CveRecord],
    platforms: impl Iterator<Item = &'p Platform>,
) -> HashMap<Platform, Vec<(usize, Exposure)>> {
    let index = RecordIndex::new(records);
    let mut matched: HashMap<Platform, Vec<(usize, Exposure)>> = HashMap::new();
    for platform in platforms {
        if !matched.contains_key(platform) {
            matched.insert(platform.clone(), index.matches(platform));
        }
    }
    matched
}
