//! Product lifecycles — when each release cycle of a product stops getting security fixes —
//! as endoflife.date publishes them. The binary carries a snapshot (see [`Lifecycle::embedded`]);
//! imported feeds replace a product's data when they are newer.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::sources;

/// When a milestone (end of support, end of active support) falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    On(NaiveDate),
    /// Reached, with no date given (`eol: true`).
    Passed,
    /// Not reached and not announced (`eol: false`).
    NotAnnounced,
}

impl Milestone {
    /// Whether the milestone has passed on `day`. The date is the last day of support
    /// (Microsoft's last update comes out on it), so it has passed from the day after.
    pub fn passed_on(self, day: NaiveDate) -> bool {
        match self {
            Milestone::On(date) => date < day,
            Milestone::Passed => true,
            Milestone::NotAnnounced => false,
        }
    }

    pub fn date(self) -> Option<NaiveDate> {
        match self {
            Milestone::On(date) => Some(date),
            _ => None,
        }
    }
}

/// One release cycle ("7.2", "11-23h2-w", "2012-r2").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cycle {
    pub name: String,
    pub label: String,
    pub released: Option<NaiveDate>,
    /// End of security support: past it, no fixes are published.
    pub eol: Milestone,
    pub lts: bool,
    pub latest: Option<String>,
}

/// Where a product's lifecycle data came from, and how recent it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleSource {
    /// "embedded" for the snapshot the binary carries, else the file name imported.
    pub origin: String,
    /// The date the data is of (generated_at, last_modified, or the file's date).
    pub as_of: NaiveDate,
}

/// A product and all its cycles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// endoflife.date's name ("windows", "fortios").
    pub name: String,
    pub title: String,
    /// CPE prefixes the product is known by (`cpe:2.3:o:fortinet:fortios`).
    pub cpes: Vec<String>,
    pub cycles: Vec<Cycle>,
    pub source: LifecycleSource,
    /// Only some cycles (a single release, a release-data file): laid over the product held
    /// rather than replacing it.
    #[serde(default)]
    pub partial: bool,
}

impl Product {
    pub fn cycle(&self, name: &str) -> Option<&Cycle> {
        self.cycles.iter().find(|c| c.name == name)
    }
}

/// Every product known, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lifecycle {
    products: BTreeMap<String, Product>,
}

/// The snapshot the binary carries: endoflife.date's product files of 2026-08-22 and, for the
/// products they do not cover, its API of 2025-08-27 (MIT licence; see catalog/lifecycle/).
static EMBEDDED: LazyLock<Arc<Lifecycle>> = LazyLock::new(|| {
    let mut lifecycle = Lifecycle::default();
    let api = include_str!("../../../../catalog/lifecycle/api_v1_products_subset.json");
    let as_of = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    // The snapshot is data of ours, checked by its test; a fault in it leaves the product out.
    if let Ok(products) = sources::read_api_v1(api, None, "embedded") {
        lifecycle.merge(products);
    }
    for text in EMBEDDED_PRODUCT_FILES {
        if let Ok(product) = sources::read_product_file(text, "embedded", as_of(2026, 8, 22)) {
            lifecycle.merge(vec![product]);
        }
    }
    Arc::new(lifecycle)
});

/// endoflife.date product files (YAML front matter), copied from upstream.
pub(crate) const EMBEDDED_PRODUCT_FILES: &[&str] = &[
    include_str!("../../../../catalog/lifecycle/almalinux.md"),
    include_str!("../../../../catalog/lifecycle/android.md"),
    include_str!("../../../../catalog/lifecycle/chrome.md"),
    include_str!("../../../../catalog/lifecycle/debian.md"),
    include_str!("../../../../catalog/lifecycle/fortios.md"),
    include_str!("../../../../catalog/lifecycle/ios.md"),
    include_str!("../../../../catalog/lifecycle/macos.md"),
    include_str!("../../../../catalog/lifecycle/mssqlserver.md"),
    include_str!("../../../../catalog/lifecycle/office.md"),
    include_str!("../../../../catalog/lifecycle/rhel.md"),
    include_str!("../../../../catalog/lifecycle/rocky-linux.md"),
    include_str!("../../../../catalog/lifecycle/ubuntu.md"),
    include_str!("../../../../catalog/lifecycle/windows-embedded.md"),
    include_str!("../../../../catalog/lifecycle/windows-server-core.md"),
    include_str!("../../../../catalog/lifecycle/windows-server.md"),
    include_str!("../../../../catalog/lifecycle/windows.md"),
];

impl Lifecycle {
    /// The snapshot carried by the binary.
    pub fn embedded() -> Arc<Lifecycle> {
        EMBEDDED.clone()
    }

    /// The embedded snapshot with `imported` products laid over it where they are as new or newer.
    pub fn with_imported(imported: impl IntoIterator<Item = Product>) -> Lifecycle {
        let mut lifecycle = (*Self::embedded()).clone();
        lifecycle.merge(imported);
        lifecycle
    }

    /// Adds products, each replacing the one of its name unless that one is newer.
    pub fn merge(&mut self, products: impl IntoIterator<Item = Product>) {
        for product in products {
            match self.products.get_mut(&product.name) {
                Some(held) if held.source.as_of > product.source.as_of => {}
                Some(held) if product.partial => {
                    for cycle in product.cycles {
                        match held.cycles.iter_mut().find(|c| c.name == cycle.name) {
                            Some(c) => *c = cycle,
                            None => held.cycles.push(cycle),
                        }
                    }
                    held.source = product.source;
                }
                _ => {
                    self.products.insert(product.name.clone(), product);
                }
            }
        }
    }

    pub fn product(&self, name: &str) -> Option<&Product> {
        self.products.get(name)
    }

    pub fn products(&self) -> impl Iterator<Item = &Product> {
        self.products.values()
    }

    /// The newest date any product's data is of.
    pub fn newest(&self) -> Option<NaiveDate> {
        self.products.values().map(|p| p.source.as_of).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_snapshot_holds_the_products_a_medical_institution_runs() {
        let lifecycle = Lifecycle::embedded();
        for name in [
            "windows",
            "windows-server",
            "windows-embedded",
            "macos",
            "ios",
            "ipados",
            "android",
            "ubuntu",
            "rhel",
            "centos",
            "almalinux",
            "rocky-linux",
            "debian",
            "fortios",
            "office",
            "mssqlserver",
            "chrome",
            "firefox",
            "internet-explorer",
            "esxi",
        ] {
            assert!(
                lifecycle.product(name).is_some(),
                "{name} is in the snapshot"
            );
        }
        let windows = lifecycle.product("windows").unwrap();
        assert_eq!(windows.source.as_of, day("2026-08-22"));
        assert_eq!(
            windows.cycle("11-23h2-w").unwrap().eol,
            Milestone::On(day("2025-11-11"))
        );
        let fortios = lifecycle.product("fortios").unwrap();
        assert_eq!(
            fortios.cycle("7.2").unwrap().eol,
            Milestone::On(day("2026-09-30"))
        );
        assert!(fortios
            .cpes
            .iter()
            .any(|c| c == "cpe:2.3:o:fortinet:fortios"));
    }

    #[test]
    fn older_data_does_not_replace_newer() {
        let mut lifecycle = (*Lifecycle::embedded()).clone();
        let mut old = lifecycle.product("fortios").unwrap().clone();
        old.source.as_of = day("2020-01-01");
        old.cycles.clear();
        lifecycle.merge(vec![old.clone()]);
        assert!(!lifecycle.product("fortios").unwrap().cycles.is_empty());
        old.source.as_of = day("2027-01-01");
        lifecycle.merge(vec![old]);
        assert!(lifecycle.product("fortios").unwrap().cycles.is_empty());
    }
}
