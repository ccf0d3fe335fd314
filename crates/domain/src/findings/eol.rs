//! A small built-in table of operating systems past their vendor's end of support, until a feed
//! (endoflife.date, NVD) replaces it. Matching is on the ledger's OS name and version in search form.

use chrono::NaiveDate;

/// (pattern in search form without spaces, end of support as ISO date, label).
const END_OF_LIFE: &[(&str, &str, &str)] = &[
    ("windowsxp", "2014-04-08", "Windows XP"),
    ("windowsvista", "2017-04-11", "Windows Vista"),
    ("windows7", "2020-01-14", "Windows 7"),
    ("windows8.1", "2023-01-10", "Windows 8.1"),
    ("windows8", "2016-01-12", "Windows 8"),
    ("windows10", "2025-10-14", "Windows 10"),
    ("windowsserver2003", "2015-07-14", "Windows Server 2003"),
    (
        "windowsserver2008",
        "2020-01-14",
        "Windows Server 2008 / 2008 R2",
    ),
    (
        "windowsserver2012",
        "2023-10-10",
        "Windows Server 2012 / 2012 R2",
    ),
    ("windows2000", "2010-07-13", "Windows 2000"),
    ("centos6", "2020-11-30", "CentOS 6"),
    ("centos7", "2024-06-30", "CentOS 7"),
    ("centos8", "2021-12-31", "CentOS 8"),
    ("redhatenterpriselinux6", "2020-11-30", "RHEL 6"),
    ("ubuntu16.04", "2021-04-30", "Ubuntu 16.04"),
    ("ubuntu18.04", "2023-05-31", "Ubuntu 18.04"),
];

/// Editions with their own, longer support (Windows 10 LTSC/LTSB and IoT): not judged here.
const LONG_TERM: &[&str] = &["ltsc", "ltsb", "iot", "esu"];

/// The end-of-support date and label of the OS written in the ledger, when the table knows it.
pub fn end_of_support(os_name: &str, os_version: &str) -> Option<(NaiveDate, &'static str)> {
    // Compared without spaces: ledgers write "Windows10", "ＷｉｎｄｏｗｓＸＰ", "Windows 10".
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let text = squeeze(&crate::validation::search_key(&format!(
        "{os_name} {os_version}"
    )));
    END_OF_LIFE.iter().find_map(|(pattern, date, label)| {
        let start = text.find(pattern)?;
        let after = text[start + pattern.len()..].chars().next();
        // "windows 8" must not match "windows 80"; "windows 8.1" is listed before "windows 8".
        if after.is_some_and(|c| c.is_ascii_digit()) {
            return None;
        }
        if *pattern == "windows10" && LONG_TERM.iter().any(|w| text.contains(w)) {
            return None;
        }
        Some((NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?, *label))
    })
}

/// Whether the OS is past its end of support on the given day.
pub fn is_end_of_life(os_name: &str, os_version: &str, today: NaiveDate) -> Option<&'static str> {
    end_of_support(os_name, os_version)
        .filter(|(date, _)| *date < today)
        .map(|(_, label)| label)
}
