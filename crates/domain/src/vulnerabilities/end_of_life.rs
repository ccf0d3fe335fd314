//! Whether what a device runs is past its end of support on a day, from the lifecycle data.
//! When the release or edition is not written, the device is past its end only if every cycle
//! it could be on is; if none is, it is supported; otherwise it is undetermined — never guessed.

use chrono::NaiveDate;
use serde::Serialize;

use super::identify::{Candidates, Identified};
use super::lifecycle::{Cycle, Lifecycle, Milestone, Product};

/// The end-of-support state of one identified OS or software.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum EndOfLife {
    /// Past its end of support.
    Ended(Ending),
    /// Supported on the day (until the earliest end of the cycles it may be on).
    Supported {
        until: Option<NaiveDate>,
        cycle: String,
    },
    /// It may be on cycles that ended and on cycles that did not: the release or edition must
    /// be written to tell.
    Undetermined { reason: Undetermined },
    /// The lifecycle data holds nothing on this product.
    NoData,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Undetermined {
    /// The release (version, build, 22H2…) is not written.
    ReleaseUnknown,
    /// The cycles differ by edition (Home/Pro vs Enterprise), and none is written.
    EditionUnknown,
    /// The release written is not a cycle the data knows.
    CycleNotInData,
}

impl Undetermined {
    pub fn words(self, lang: crate::i18n::Lang) -> &'static str {
        match self {
            Undetermined::ReleaseUnknown => lang.pick(
                "リリース（バージョン・ビルド）が未記入のため判定できません",
                "the release (version or build) is not written",
            ),
            Undetermined::EditionUnknown => lang.pick(
                "エディション（Home/Pro・Enterprise 等）によりサポート期限が異なります",
                "support ends differently by edition (Home/Pro, Enterprise)",
            ),
            Undetermined::CycleNotInData => lang.pick(
                "記入されたリリースがサポート期限データにありません",
                "the release written is not in the lifecycle data",
            ),
        }
    }
}

/// A past end of support, with what it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ending {
    /// The product and cycle ("Microsoft Windows 11 23H2 (W)").
    pub label: String,
    /// The end date (the latest of the cycles it may be on); `None` when the data says only "ended".
    pub on: Option<NaiveDate>,
    /// The edition assumed, when the cycle depends on it.
    pub edition: Option<&'static str>,
    /// Where the date comes from ("endoflife.date（本体同梱データ、2026-08-22時点）").
    pub source: String,
}

/// The cycles of `product` a device may be on.
pub fn candidate_cycles<'p>(product: &'p Product, candidates: &Candidates) -> Vec<&'p Cycle> {
    match candidates {
        Candidates::Named { names, first: true } => names
            .iter()
            .find_map(|n| product.cycle(n))
            .into_iter()
            .collect(),
        Candidates::Named {
            names,
            first: false,
        } => names.iter().filter_map(|n| product.cycle(n)).collect(),
        Candidates::Filtered(filter) => product
            .cycles
            .iter()
            .filter(|c| filter.admits(&c.name))
            .collect(),
    }
}

/// The end-of-support state of `identified` on `day`.
pub fn end_of_life(identified: &Identified, lifecycle: &Lifecycle, day: NaiveDate) -> EndOfLife {
    let Some(product) = identified.lifecycle.and_then(|p| lifecycle.product(p)) else {
        return EndOfLife::NoData;
    };
    let cycles = candidate_cycles(product, &identified.candidates);
    if cycles.is_empty() {
        return EndOfLife::Undetermined {
            reason: Undetermined::CycleNotInData,
        };
    }
    let ended = cycles.iter().filter(|c| c.eol.passed_on(day)).count();
    // Shown as it is on Japanese pages, in the API and the CLI.
    let source = if product.source.origin == "embedded" {
        format!(
            "endoflife.date（本体同梱データ、{}時点）",
            product.source.as_of
        )
    } else {
        format!(
            "endoflife.date（取り込んだデータ {}、{}時点）",
            product.source.origin, product.source.as_of
        )
    };
    if ended == cycles.len() {
        // The last cycle to end is the one that says when support surely ended.
        let last = cycles
            .iter()
            .max_by_key(|c| c.eol.date())
            .copied()
            .unwrap_or(cycles[0]);
        return EndOfLife::Ended(Ending {
            label: if cycles.len() > 1 {
                identified.label.clone()
            } else {
                cycle_label(product, last)
            },
            on: last.eol.date(),
            edition: identified.edition,
            source,
        });
    }
    if ended == 0 {
        let first = cycles
            .iter()
            .min_by_key(|c| match c.eol {
                Milestone::On(d) => d,
                _ => NaiveDate::MAX,
            })
            .copied()
            .unwrap_or(cycles[0]);
        return EndOfLife::Supported {
            until: first.eol.date(),
            cycle: cycle_label(product, first),
        };
    }
    let reason = match &identified.candidates {
        Candidates::Filtered(_) => Undetermined::ReleaseUnknown,
        Candidates::Named { .. } => Undetermined::EditionUnknown,
    };
    EndOfLife::Undetermined { reason }
}

fn cycle_label(product: &Product, cycle: &Cycle) -> String {
    if cycle.label.contains(&product.title)
        || cycle
            .label
            .starts_with(product.title.split(' ').next_back().unwrap_or_default())
    {
        cycle.label.clone()
    } else {
        format!("{} {}", product.title, cycle.label)
    }
}
