//! Matching on NVD's real records (../shared/testdata/nvd, copied into tests/data/nvd).

use super::cve::CveRecord;
use super::identify::{identify, DeviceText, Identification};
use super::matching::{exposure, Exposure, Platform};
use super::nvd::NvdCve;

fn record(json: &str) -> CveRecord {
    let cve: NvdCve = serde_json::from_str(json).unwrap();
    cve.into_record().0
}

fn platform(os_name: &str, os_version: &str) -> Platform {
    let Identification::Identified(id) = identify(DeviceText {
        os_name,
        os_version,
        ..Default::default()
    }) else {
        panic!("{os_name} {os_version} is identified");
    };
    Platform {
        items: id.cpe.into_iter().collect(),
    }
}

const FORTIOS_2024: &str = include_str!("../../tests/data/nvd/CVE-2024-21762.json");
const FORTIOS_2022: &str = include_str!("../../tests/data/nvd/CVE-2022-42475.json");
const FORTIOS_2018: &str = include_str!("../../tests/data/nvd/CVE-2018-13379.json");
const CITRIX_BLEED: &str = include_str!("../../tests/data/nvd/CVE-2023-4966.json");
const SMBGHOST: &str = include_str!("../../tests/data/nvd/CVE-2020-0796.json");

#[test]
fn fortios_ranges_include_and_exclude_as_nvd_writes_them() {
    let cve = record(FORTIOS_2024);
    assert!(cve.kev.is_some());
    assert_eq!(cve.cvss31, Some(9.8));
    // 7.2.0 through 7.2.6 are affected; 7.2.7 fixed it.
    assert_eq!(
        exposure(&cve, &platform("FortiOS", "7.2.6")),
        Some(Exposure::Affected)
    );
    assert_eq!(exposure(&cve, &platform("FortiOS", "7.2.7")), None);
    assert_eq!(exposure(&cve, &platform("FortiOS", "7.2.8")), None);
    assert_eq!(
        exposure(&cve, &platform("FortiOS v7.0.12 build0523", "")),
        Some(Exposure::Affected)
    );
    assert_eq!(
        exposure(&cve, &platform("FortiOS", "7.2")),
        Some(Exposure::Affected),
        "7.2 = 7.2.0"
    );
    assert_eq!(
        exposure(&cve, &platform("FortiOS", "")),
        Some(Exposure::VersionUnknown)
    );
    assert_eq!(exposure(&cve, &platform("FortiOS", "7.6.0")), None);
    let old = record(FORTIOS_2018);
    assert_eq!(
        exposure(&old, &platform("FortiOS", "5.6.7")),
        Some(Exposure::Affected)
    );
    assert_eq!(exposure(&old, &platform("FortiOS", "6.0.5")), None);
    let ssl_vpn = record(FORTIOS_2022);
    assert_eq!(
        exposure(&ssl_vpn, &platform("FortiOS", "7.2.2")),
        Some(Exposure::Affected)
    );
    assert_eq!(exposure(&ssl_vpn, &platform("FortiOS", "7.2.3")), None);
}

#[test]
fn build_style_versions_and_editions_of_netscaler() {
    let cve = record(CITRIX_BLEED);
    assert_eq!(
        exposure(&cve, &platform("NetScaler ADC 13.1-49.13", "")),
        Some(Exposure::Affected)
    );
    assert_eq!(
        exposure(&cve, &platform("NetScaler ADC 13.1-49.15", "")),
        None
    );
    assert_eq!(
        exposure(&cve, &platform("NetScaler ADC 14.1-8.50", "")),
        None
    );
}

#[test]
fn windows_releases_are_products_of_their_own() {
    let cve = record(SMBGHOST);
    assert_eq!(
        exposure(&cve, &platform("Windows 10 Pro", "1903")),
        Some(Exposure::Affected),
        "windows_10_1903:- holds for every 1903"
    );
    assert_eq!(exposure(&cve, &platform("Windows 10 Pro", "22H2")), None);
    assert_eq!(exposure(&cve, &platform("Windows 8.1", "")), None);
}

#[test]
fn a_platform_alone_is_not_flagged_by_an_applications_flaw() {
    // vunnel's page: IBM products (vulnerable) AND Windows/macOS (platforms, not vulnerable).
    let page: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/data/nvd/vunnel_full-page.json")).unwrap();
    let windows = platform("Windows 10 Pro", "22H2");
    let mut and_configs = 0;
    for v in page["vulnerabilities"].as_array().unwrap() {
        let cve = record(&v["cve"].to_string());
        and_configs += cve.configurations.iter().filter(|c| c.and).count();
        assert_eq!(exposure(&cve, &windows), None, "{}", cve.id);
    }
    assert!(and_configs >= 11);
}
