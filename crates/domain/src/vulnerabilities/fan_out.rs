//! Matching many devices at once: each distinct platform (what a device runs, as CPE names) is
//! matched once, against only the records naming one of its products, with every record's
//! versions read once; the result is shared by every device running it — a hospital's 160
//! identical PCs cost one match — and distinct platforms are matched on every core.

use std::collections::HashMap;

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
        let prepared = Prepared::new(platform);
        candidates
            .into_iter()
            .filter_map(|i| self.compiled[i].exposure(&prepared).map(|e| (i, e)))
            .collect()
    }
}

/// Each distinct platform of `platforms` matched once against `records`.
pub fn match_platforms<'p>(
    records: &[CveRecord],
    platforms: impl Iterator<Item = &'p Platform>,
) -> HashMap<Platform, Vec<(usize, Exposure)>> {
    let index = RecordIndex::new(records);
    let mut distinct: Vec<&Platform> = platforms.collect();
    let mut seen = std::collections::HashSet::new();
    distinct.retain(|p| seen.insert(*p));
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(distinct.len().max(1));
    let chunk = distinct.len().div_ceil(threads).max(1);
    let index = &index;
    std::thread::scope(|scope| {
        let parts: Vec<_> = distinct
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|p| ((*p).clone(), index.matches(p)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}
