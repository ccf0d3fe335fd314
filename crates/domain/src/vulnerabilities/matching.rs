//! Whether a vulnerability's configurations hold for what a device runs — in three values, as a
//! blank version is neither "affected" nor "safe": it is "version unknown — check".

use serde::Serialize;

use super::cpe::{field_admits, Cpe, CpePart};
use super::cve::{Configuration, CpeMatch, CveRecord, Node};
use super::version::Version;

/// Kleene's three values: a criterion holds, does not, or cannot be told (a version or the
/// hardware is not known).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Truth {
    No,
    Unknown,
    Yes,
}

impl Truth {
    fn not(self) -> Truth {
        match self {
            Truth::No => Truth::Yes,
            Truth::Yes => Truth::No,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

/// How a vulnerability bears on a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exposure {
    /// The device runs an affected version.
    Affected,
    /// The device runs the product, but its version (or the hardware a configuration needs) is
    /// not written: check.
    VersionUnknown,
}

/// What a device runs, as CPE names: its OS, its software, its hardware when known. A `*`
/// version means the version is not known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Platform {
    pub items: Vec<Cpe>,
}

impl Platform {
    fn runs_hardware(&self) -> bool {
        self.items.iter().any(|c| c.part == CpePart::Hardware)
    }
}

/// The version of a criterion whose affected versions could not be read (a JVN phrase): a
/// device running the product is "version unknown — check", never affected or safe.
pub const UNREADABLE_VERSIONS: &str = "?";

/// How `record` bears on `platform`, if at all.
pub fn exposure(record: &CveRecord, platform: &Platform) -> Option<Exposure> {
    let truth = record
        .configurations
        .iter()
        .map(|c| configuration(c, platform))
        .max()
        .unwrap_or(Truth::No);
    match truth {
        Truth::Yes => Some(Exposure::Affected),
        Truth::Unknown => Some(Exposure::VersionUnknown),
        Truth::No => None,
    }
}

fn configuration(config: &Configuration, platform: &Platform) -> Truth {
    let nodes = config.nodes.iter().map(|n| node(n, platform));
    let holds = if config.and { nodes.min() } else { nodes.max() }.unwrap_or(Truth::No);
    // It must be the device's own product that is vulnerable: a Windows host running nothing
    // else is not flagged by an application's flaw whose platform is Windows.
    let vulnerable = config
        .nodes
        .iter()
        .flat_map(|n| n.matches.iter().filter(|m| m.vulnerable))
        .map(|m| criterion(m, platform))
        .max()
        .unwrap_or(Truth::No);
    holds.min(vulnerable)
}

fn node(node: &Node, platform: &Platform) -> Truth {
    let each = node.matches.iter().map(|m| criterion(m, platform));
    let truth = if node.and { each.min() } else { each.max() }.unwrap_or(Truth::No);
    if node.negate {
        truth.not()
    } else {
        truth
    }
}

/// One criterion against everything the device runs.
fn criterion(m: &CpeMatch, platform: &Platform) -> Truth {
    if m.cpe.part == CpePart::Hardware && !m.vulnerable && !platform.runs_hardware() {
        // The hardware is not in the ledger: whether it is one of the listed models is unknown.
        return Truth::Unknown;
    }
    platform
        .items
        .iter()
        .map(|item| against(m, item))
        .max()
        .unwrap_or(Truth::No)
}

fn against(m: &CpeMatch, item: &Cpe) -> Truth {
    let c = &m.cpe;
    if c.part != item.part || c.vendor != item.vendor || c.product != item.product {
        return Truth::No;
    }
    for (field, value) in [
        (&c.update, &item.update),
        (&c.sw_edition, &item.sw_edition),
        (&c.target_hw, &item.target_hw),
    ] {
        // A field the device does not state (`*`) does not exclude it.
        if value != "*" && !field_admits(field, value) {
            return Truth::No;
        }
    }
    let known = Version::parse(&item.version).filter(|_| item.version != "*");
    match c.version.as_str() {
        // Not applicable: the product has no versions (windows_10_1903:-).
        "-" => Truth::Yes,
        // The affected versions are written in words no rule reads (JVN): check.
        UNREADABLE_VERSIONS => Truth::Unknown,
        "*" | "" if !m.has_range() => Truth::Yes,
        "*" | "" => match known {
            None => Truth::Unknown,
            Some(v) => in_range(m, &v),
        },
        exact => match (known, Version::parse(exact)) {
            (None, _) => Truth::Unknown,
            (Some(v), Some(e)) if v == e => Truth::Yes,
            (Some(_), Some(_)) => Truth::No,
            // A version word NVD uses that is not a number ("beta"): compare as text.
            (Some(v), None) => {
                if v.as_str().eq_ignore_ascii_case(exact) {
                    Truth::Yes
                } else {
                    Truth::No
                }
            }
        },
    }
}

fn in_range(m: &CpeMatch, v: &Version) -> Truth {
    let bound = |b: &Option<String>| b.as_deref().and_then(Version::parse);
    let checks = [
        bound(&m.start_including).is_none_or(|b| *v >= b),
        bound(&m.start_excluding).is_none_or(|b| *v > b),
        bound(&m.end_including).is_none_or(|b| *v <= b),
        bound(&m.end_excluding).is_none_or(|b| *v < b),
    ];
    if checks.iter().all(|c| *c) {
        Truth::Yes
    } else {
        Truth::No
    }
}
