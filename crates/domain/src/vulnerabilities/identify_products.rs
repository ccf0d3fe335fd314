//! Products other than Windows, by name, codename or model: each rule names the product's
//! endoflife.date entry (when it has one) and its CPE; the cycle is the longest leading part of
//! the version that names a cycle ("20.04.6" → "20.04", "12.1" → "12.1", "7.2.8" → "7.2").

use std::sync::LazyLock;

use regex::Regex;

use super::cpe::CpePart;
use super::identify::{cpe, Candidates, CycleFilter, Identified};
use super::version::Version;

/// A product rule: the pattern that names it (on normalized text), its label, lifecycle entry
/// and CPE.
struct Rule {
    pattern: &'static str,
    label: &'static str,
    lifecycle: Option<&'static str>,
    part: CpePart,
    vendor: &'static str,
    product: &'static str,
    /// Version words by codename (macOS "monterey" → 12).
    codenames: &'static [(&'static str, &'static str)],
}

const fn rule(
    pattern: &'static str,
    label: &'static str,
    lifecycle: Option<&'static str>,
    part: CpePart,
    vendor: &'static str,
    product: &'static str,
) -> Rule {
    Rule {
        pattern,
        label,
        lifecycle,
        part,
        vendor,
        product,
        codenames: &[],
    }
}

const OS: CpePart = CpePart::OperatingSystem;
const APP: CpePart = CpePart::Application;

const MACOS_NAMES: &[(&str, &str)] = &[
    ("tahoe", "26"),
    ("sequoia", "15"),
    ("sonoma", "14"),
    ("ventura", "13"),
    ("monterey", "12"),
    ("big sur", "11"),
    ("catalina", "10.15"),
    ("mojave", "10.14"),
    ("high sierra", "10.13"),
    ("sierra", "10.12"),
    ("el capitan", "10.11"),
    ("yosemite", "10.10"),
    ("mavericks", "10.9"),
];
const DEBIAN_NAMES: &[(&str, &str)] = &[
    ("trixie", "13"),
    ("bookworm", "12"),
    ("bullseye", "11"),
    ("buster", "10"),
    ("stretch", "9"),
    ("jessie", "8"),
    ("wheezy", "7"),
    ("squeeze", "6"),
];
const UBUNTU_NAMES: &[(&str, &str)] = &[
    ("noble", "24.04"),
    ("jammy", "22.04"),
    ("focal", "20.04"),
    ("bionic", "18.04"),
    ("xenial", "16.04"),
    ("trusty", "14.04"),
];

/// Operating systems and appliance firmware, most specific first.
const OS_RULES: &[Rule] = &[
    Rule {
        codenames: MACOS_NAMES,
        ..rule(
            r"mac\s*os\s*x|mac\s*os|\bosx\b|os\s*x\b",
            "macOS",
            Some("macos"),
            OS,
            "apple",
            "macos",
        )
    },
    rule(r"ipados", "iPadOS", Some("ipados"), OS, "apple", "ipados"),
    rule(
        r"ios\s*-?\s*xe",
        "Cisco IOS XE",
        None,
        OS,
        "cisco",
        "ios_xe",
    ),
    rule(
        r"(?:^|[^a-z])ios(?:\s|\d|$)",
        "iOS",
        Some("ios"),
        OS,
        "apple",
        "iphone_os",
    ),
    rule(
        r"android",
        "Android",
        Some("android"),
        OS,
        "google",
        "android",
    ),
    Rule {
        codenames: UBUNTU_NAMES,
        ..rule(
            r"ubuntu",
            "Ubuntu",
            Some("ubuntu"),
            OS,
            "canonical",
            "ubuntu_linux",
        )
    },
    rule(
        r"centos\s*stream",
        "CentOS Stream",
        Some("centos-stream"),
        OS,
        "centos",
        "stream",
    ),
    rule(r"centos", "CentOS", Some("centos"), OS, "centos", "centos"),
    rule(
        r"alma\s*linux",
        "AlmaLinux",
        Some("almalinux"),
        OS,
        "almalinux",
        "almalinux",
    ),
    rule(
        r"rocky",
        "Rocky Linux",
        Some("rocky-linux"),
        OS,
        "rockylinux",
        "rocky_linux",
    ),
    rule(
        r"oracle\s*linux",
        "Oracle Linux",
        Some("oracle-linux"),
        OS,
        "oracle",
        "linux",
    ),
    rule(
        r"\brhel|red\s*hat|redhat",
        "Red Hat Enterprise Linux",
        Some("rhel"),
        OS,
        "redhat",
        "enterprise_linux",
    ),
    rule(
        r"\bsles\b|suse\s*linux\s*enterprise",
        "SUSE Linux Enterprise Server",
        Some("sles"),
        OS,
        "suse",
        "linux_enterprise_server",
    ),
    Rule {
        codenames: DEBIAN_NAMES,
        ..rule(
            r"debian",
            "Debian",
            Some("debian"),
            OS,
            "debian",
            "debian_linux",
        )
    },
    rule(
        r"forti\s*os",
        "FortiOS",
        Some("fortios"),
        OS,
        "fortinet",
        "fortios",
    ),
    rule(
        r"pan\s*-?\s*os",
        "PAN-OS",
        Some("panos"),
        OS,
        "paloaltonetworks",
        "pan-os",
    ),
    rule(r"esxi", "VMware ESXi", Some("esxi"), OS, "vmware", "esxi"),
    rule(
        r"netscaler|citrix\s*adc",
        "NetScaler ADC",
        None,
        APP,
        "citrix",
        "netscaler_application_delivery_controller",
    ),
    rule(
        r"citrix\s*gateway|netscaler\s*gateway",
        "NetScaler Gateway",
        None,
        APP,
        "citrix",
        "netscaler_gateway",
    ),
    rule(
        r"connect\s*secure|ivanti",
        "Ivanti Connect Secure",
        None,
        APP,
        "ivanti",
        "connect_secure",
    ),
    rule(
        r"pulse\s*(?:connect\s*)?secure",
        "Pulse Connect Secure",
        None,
        APP,
        "pulsesecure",
        "pulse_connect_secure",
    ),
    rule(
        r"\basa\b|adaptive\s*security",
        "Cisco ASA",
        None,
        APP,
        "cisco",
        "adaptive_security_appliance_software",
    ),
    rule(r"sonic\s*os", "SonicOS", None, OS, "sonicwall", "sonicos"),
    rule(
        r"\bdsm\b|diskstation",
        "Synology DSM",
        None,
        OS,
        "synology",
        "diskstation_manager",
    ),
    rule(
        r"big\s*-?\s*ip",
        "F5 BIG-IP",
        Some("big-ip"),
        APP,
        "f5",
        "big-ip_local_traffic_manager",
    ),
    rule(
        r"^\s*rev\.|yamaha|\brtx\d",
        "ヤマハ ルーター (Rev.)",
        None,
        OS,
        "yamaha",
        "",
    ),
];

/// Software products, as written in a device's software list.
const SOFTWARE_RULES: &[Rule] = &[
    rule(
        r"sql\s*server",
        "SQL Server",
        Some("mssqlserver"),
        APP,
        "microsoft",
        "sql_server",
    ),
    rule(
        r"exchange",
        "Exchange Server",
        Some("msexchange"),
        APP,
        "microsoft",
        "exchange_server",
    ),
    rule(
        r"sharepoint",
        "SharePoint Server",
        Some("sharepoint"),
        APP,
        "microsoft",
        "sharepoint_server",
    ),
    rule(
        r"office|microsoft\s*365|\bm365\b",
        "Microsoft Office",
        Some("office"),
        APP,
        "microsoft",
        "office",
    ),
    rule(
        r"internet\s*explorer|\bie\s*\d",
        "Internet Explorer",
        Some("internet-explorer"),
        APP,
        "microsoft",
        "internet_explorer",
    ),
    rule(
        r"chrome",
        "Google Chrome",
        Some("chrome"),
        APP,
        "google",
        "chrome",
    ),
    rule(
        r"firefox",
        "Mozilla Firefox",
        Some("firefox"),
        APP,
        "mozilla",
        "firefox",
    ),
    rule(
        r"\.net\s*framework|dotnet\s*framework",
        ".NET Framework",
        Some("dotnetfx"),
        APP,
        "microsoft",
        ".net_framework",
    ),
    rule(
        r"filemaker",
        "FileMaker",
        Some("filemaker"),
        APP,
        "claris",
        "filemaker_server",
    ),
    rule(
        r"postgres",
        "PostgreSQL",
        Some("postgresql"),
        APP,
        "postgresql",
        "postgresql",
    ),
    rule(r"mysql", "MySQL", Some("mysql"), APP, "oracle", "mysql"),
    rule(
        r"oracle\s*database|oracle\s*db",
        "Oracle Database",
        Some("oracle-database"),
        APP,
        "oracle",
        "database_server",
    ),
    rule(
        r"tomcat",
        "Apache Tomcat",
        Some("tomcat"),
        APP,
        "apache",
        "tomcat",
    ),
    rule(
        r"veeam",
        "Veeam Backup & Replication",
        Some("veeam-backup-and-replication"),
        APP,
        "veeam",
        "veeam_backup_\\&_replication",
    ),
    rule(
        r"vcenter",
        "VMware vCenter Server",
        Some("vcenter"),
        APP,
        "vmware",
        "vcenter_server",
    ),
    rule(
        r"libreoffice",
        "LibreOffice",
        Some("libreoffice"),
        APP,
        "libreoffice",
        "libreoffice",
    ),
];

/// SQL Server and Office releases are named by year; SQL Server's cycles by version number.
const SQL_SERVER_YEARS: &[(&str, &str)] = &[
    ("2025", "17.0"),
    ("2022", "16.0"),
    ("2019", "15.0"),
    ("2017", "14.0"),
    ("2016", "13.0"),
    ("2014", "12.0"),
    ("2012", "11.0"),
    ("2008 r2", "10.50"),
    ("2008", "10.0"),
    ("2005", "9.0"),
];

#[allow(clippy::expect_used)] // the patterns are constants, checked by the tests
fn compile(rules: &'static [Rule]) -> Vec<(Regex, &'static Rule)> {
    rules
        .iter()
        .map(|r| (Regex::new(r.pattern).expect("a valid pattern"), r))
        .collect()
}

static OS_PATTERNS: LazyLock<Vec<(Regex, &'static Rule)>> = LazyLock::new(|| compile(OS_RULES));
static SOFTWARE_PATTERNS: LazyLock<Vec<(Regex, &'static Rule)>> =
    LazyLock::new(|| compile(SOFTWARE_RULES));
#[allow(clippy::expect_used)]
static VERSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d+(?:[.\-]\d+)*(?:\s*r2)?").expect("a valid pattern"));

/// An operating system other than Windows, from normalized text.
pub(crate) fn identify_product(t: &str, version_field: &str) -> Option<Identified> {
    find(&OS_PATTERNS, t, version_field)
}

/// A software product from its normalized name and version.
pub(crate) fn identify_software_text(t: &str, version_field: &str) -> Option<Identified> {
    find(&SOFTWARE_PATTERNS, t, version_field)
}

fn find(patterns: &[(Regex, &'static Rule)], t: &str, version_field: &str) -> Option<Identified> {
    patterns.iter().find_map(|(pattern, rule)| {
        let found = pattern.find(t)?;
        let after = &t[found.end()..];
        let codename = rule
            .codenames
            .iter()
            .find(|(name, _)| t.contains(name))
            .map(|(_, v)| v.to_string());
        // The version after the product's name, else in the version field, else its codename.
        let written = VERSION
            .find(after)
            .or_else(|| VERSION.find(version_field))
            .map(|m| m.as_str().to_string())
            .or(codename);
        Some(identified(rule, written.as_deref()))
    })
}

fn identified(rule: &'static Rule, written: Option<&str>) -> Identified {
    let version = written.and_then(Version::parse);
    let candidates = match (&version, rule.lifecycle) {
        (Some(v), Some("mssqlserver")) => named_sql_server(written.unwrap_or_default(), v),
        (Some(v), _) => Candidates::Named {
            names: (1..=3).rev().filter_map(|n| v.leading(n)).collect(),
            first: true,
        },
        (None, _) => Candidates::Filtered(CycleFilter {
            prefix: String::new(),
            long_term: None,
            edition: None,
        }),
    };
    let version_text = version.as_ref().map(|v| v.as_str().to_string());
    // A year is a release name, not a version NVD compares (Office 2016 is 16.0.x).
    let cpe_version = version_text
        .as_deref()
        .filter(|v| !(v.len() == 4 && v.starts_with("20")));
    Identified {
        label: match &version_text {
            Some(v) => format!("{} {v}", rule.label),
            None => rule.label.to_string(),
        },
        lifecycle: rule.lifecycle,
        candidates,
        edition: None,
        version: version_text.clone(),
        // Products NVD names per model (Yamaha's RTX firmware) carry no CPE of their own.
        cpe: (!rule.product.is_empty())
            .then(|| cpe(rule.part, rule.vendor, rule.product, cpe_version)),
    }
}

fn named_sql_server(written: &str, version: &Version) -> Candidates {
    let year = SQL_SERVER_YEARS
        .iter()
        .find(|(year, _)| written.starts_with(year))
        .map(|(_, number)| number.to_string());
    let number = year.or_else(|| version.leading(2));
    Candidates::Named {
        // The cycle of a version, then its service packs (13.0-sp3 is SQL Server 2016 SP3).
        names: number
            .map(|n| {
                vec![
                    n.clone(),
                    format!("{n}-sp4"),
                    format!("{n}-sp3"),
                    format!("{n}-sp2"),
                ]
            })
            .unwrap_or_default(),
        first: true,
    }
}

/// What a device runs, from its model when its OS fields say nothing recognisable: FortiGate
/// and FortiWiFi run FortiOS, Palo Alto PA- firewalls PAN-OS, Yamaha RTX routers their Rev.
pub(crate) fn model_os(hardware: &str, os_text: &str) -> Option<Identified> {
    let rule_named = |name: &str| OS_RULES.iter().find(|r| r.label == name);
    let rule = if hardware.contains("fortigate") || hardware.contains("fortiwifi") {
        rule_named("FortiOS")
    } else if hardware.contains("palo alto") || hardware.contains("pa-") {
        rule_named("PAN-OS")
    } else if hardware.contains("rtx") || hardware.contains("yamaha") && hardware.contains("nvr") {
        rule_named("ヤマハ ルーター (Rev.)")
    } else {
        None
    }?;
    let written = VERSION.find(os_text).map(|m| m.as_str().to_string());
    Some(identified(rule, written.as_deref()))
}
