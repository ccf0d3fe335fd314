//! Whether a vulnerability's configurations hold for what a device runs — in three values, as a
//! blank version is neither "affected" nor "safe": it is "version unknown — check".

use serde::Serialize;

use super::cpe::{field_admits, Cpe, CpePart};
use super::cve::{CpeMatch, CveRecord};
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
    Compiled::new(record).exposure(&Prepared::new(platform))
}

/// A device's platform with its versions read once, for matching against many records.
pub struct Prepared<'p> {
    items: Vec<(&'p Cpe, Option<Version>)>,
    runs_hardware: bool,
}

impl<'p> Prepared<'p> {
    pub fn new(platform: &'p Platform) -> Self {
        Prepared {
            items: platform
                .items
                .iter()
                .map(|c| (c, Version::parse(&c.version).filter(|_| c.version != "*")))
                .collect(),
            runs_hardware: platform.runs_hardware(),
        }
    }
}

/// What a criterion says of versions, its bounds read once.
enum Versions {
    /// `-`: the product has no versions (windows_10_1903:-).
    NotApplicable,
    /// `*` with no range: every version.
    Every,
    Range([Option<Version>; 4]),
    Exact(Option<Version>, String),
    /// Written in words no rule reads (JVN): check.
    Unreadable,
}

struct Criterion<'r> {
    m: &'r CpeMatch,
    versions: Versions,
}

/// A record's configurations with every version in them read once: matching 100,000 devices
/// reads each bound once, not once per device.
pub struct Compiled<'r> {
    criteria: Vec<Criterion<'r>>,
    configurations: Vec<CompiledConfiguration>,
}

/// A node as (all must hold, negated, its criteria by index).
type CompiledNode = (bool, bool, Vec<usize>);

/// A configuration as (all nodes must hold, its nodes, its vulnerable criteria by index).
type CompiledConfiguration = (bool, Vec<CompiledNode>, Vec<usize>);

impl<'r> Compiled<'r> {
    pub fn new(record: &'r CveRecord) -> Self {
        let mut criteria = Vec::new();
        let mut configurations = Vec::with_capacity(record.configurations.len());
        for config in &record.configurations {
            let mut nodes = Vec::with_capacity(config.nodes.len());
            let mut vulnerable = Vec::new();
            for node in &config.nodes {
                let mut own = Vec::with_capacity(node.matches.len());
                for m in &node.matches {
                    if m.vulnerable {
                        vulnerable.push(criteria.len());
                    }
                    own.push(criteria.len());
                    criteria.push(Criterion {
                        m,
                        versions: versions_of(m),
                    });
                }
                nodes.push((node.and, node.negate, own));
            }
            configurations.push((config.and, nodes, vulnerable));
        }
        Compiled {
            criteria,
            configurations,
        }
    }

    /// How the record bears on `platform`, if at all.
    pub fn exposure(&self, platform: &Prepared<'_>) -> Option<Exposure> {
        let truths: Vec<Truth> = self
            .criteria
            .iter()
            .map(|c| criterion(c, platform))
            .collect();
        let truth = self
            .configurations
            .iter()
            .map(|(and, nodes, vulnerable)| {
                let each = nodes.iter().map(|(node_and, negate, own)| {
                    let each = own.iter().map(|&i| truths[i]);
                    let truth =
                        if *node_and { each.min() } else { each.max() }.unwrap_or(Truth::No);
                    if *negate {
                        truth.not()
                    } else {
                        truth
                    }
                });
                let holds = if *and { each.min() } else { each.max() }.unwrap_or(Truth::No);
                // It must be the device's own product that is vulnerable: a Windows host
                // running nothing else is not flagged by an application's flaw whose platform
                // is Windows.
                let own = vulnerable
                    .iter()
                    .map(|&i| truths[i])
                    .max()
                    .unwrap_or(Truth::No);
                holds.min(own)
            })
            .max()
            .unwrap_or(Truth::No);
        match truth {
            Truth::Yes => Some(Exposure::Affected),
            Truth::Unknown => Some(Exposure::VersionUnknown),
            Truth::No => None,
        }
    }
}

fn versions_of(m: &CpeMatch) -> Versions {
    let bound = |b: &Option<String>| b.as_deref().and_then(Version::parse).map(Version::compact);
    match m.cpe.version.as_str() {
        "-" => Versions::NotApplicable,
        UNREADABLE_VERSIONS => Versions::Unreadable,
        "*" | "" if !m.has_range() => Versions::Every,
        "*" | "" => Versions::Range([
            bound(&m.start_including),
            bound(&m.start_excluding),
            bound(&m.end_including),
            bound(&m.end_excluding),
        ]),
        exact => Versions::Exact(Version::parse(exact), exact.to_string()),
    }
}

/// One criterion against everything the device runs.
fn criterion(c: &Criterion<'_>, platform: &Prepared<'_>) -> Truth {
    if c.m.cpe.part == CpePart::Hardware && !c.m.vulnerable && !platform.runs_hardware {
        // The hardware is not in the ledger: whether it is one of the listed models is unknown.
        return Truth::Unknown;
    }
    platform
        .items
        .iter()
        .map(|(item, version)| against(c, item, version.as_ref()))
        .max()
        .unwrap_or(Truth::No)
}

fn against(c: &Criterion<'_>, item: &Cpe, known: Option<&Version>) -> Truth {
    let wanted = &c.m.cpe;
    if wanted.part != item.part || wanted.product != item.product || wanted.vendor != item.vendor {
        // "Windows 10" with no release may be the release the criterion names: check.
        if wanted.part == item.part && item.is_family_of(wanted) {
            return Truth::Unknown;
        }
        return Truth::No;
    }
    for (field, value) in [
        (&wanted.update, &item.update),
        (&wanted.sw_edition, &item.sw_edition),
        (&wanted.target_hw, &item.target_hw),
    ] {
        // A field the device does not state (`*`) does not exclude it.
        if value != "*" && !field_admits(field, value) {
            return Truth::No;
        }
    }
    match (&c.versions, known) {
        (Versions::NotApplicable | Versions::Every, _) => Truth::Yes,
        (Versions::Unreadable, _) | (Versions::Range(_) | Versions::Exact(..), None) => {
            Truth::Unknown
        }
        (Versions::Range(bounds), Some(v)) => in_range(bounds, v),
        (Versions::Exact(Some(e), _), Some(v)) => {
            if v == e {
                Truth::Yes
            } else {
                Truth::No
            }
        }
        // A version word NVD uses that is not a number ("beta"): compare as text.
        (Versions::Exact(None, exact), Some(v)) => {
            if v.as_str().eq_ignore_ascii_case(exact) {
                Truth::Yes
            } else {
                Truth::No
            }
        }
    }
}

fn in_range(bounds: &[Option<Version>; 4], v: &Version) -> Truth {
    let [start_including, start_excluding, end_including, end_excluding] = bounds;
    let holds = start_including.as_ref().is_none_or(|b| v >= b)
        && start_excluding.as_ref().is_none_or(|b| v > b)
        && end_including.as_ref().is_none_or(|b| v <= b)
        && end_excluding.as_ref().is_none_or(|b| v < b);
    if holds {
        Truth::Yes
    } else {
        Truth::No
    }
}
