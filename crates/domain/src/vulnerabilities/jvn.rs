//! JVN iPedia's affected products, as configurations the matcher reads: its CPE names (2.2,
//! `cpe:/o:nec:aterm_wg2600hm4_firmware`) and its Japanese version phrases — 「7.6.2より前の
//! バージョン」, 「5.8 (Build 1575) 未満」, 「1.05およびそれ以前」, 「3.0 以下」, 「2.1 以降」 — or a plain
//! version ("8.1"). A phrase the rules cannot read gives a criterion of unknown version: the
//! product matches and the device is "version unknown — check", never affected or safe.

use serde::{Deserialize, Serialize};

use super::cpe::{Cpe, CpePart};
use super::cve::{Configuration, CpeMatch, Node};
use super::matching::UNREADABLE_VERSIONS;
use super::version::Version;

/// One `<AffectedItem>`: its CPE and version phrases as JVN writes them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JvnAffected {
    pub cpe: String,
    pub versions: Vec<String>,
}

/// A CPE 2.2 URI (or a 2.3 name) as a [`Cpe`]; `None` for anything else or a junk name.
pub fn cpe_of(text: &str) -> Option<Cpe> {
    let text = text.trim();
    if text.starts_with("cpe:2.3:") {
        return Cpe::parse(text);
    }
    let rest = text.strip_prefix("cpe:/")?;
    let mut fields = rest.split(':');
    let part = match fields.next()? {
        "a" => CpePart::Application,
        "o" => CpePart::OperatingSystem,
        "h" => CpePart::Hardware,
        _ => return None,
    };
    let field = |f: Option<&str>| {
        f.filter(|v| !v.is_empty())
            .map(|v| v.to_ascii_lowercase())
            .unwrap_or_else(|| "*".to_string())
    };
    let vendor = field(fields.next());
    let product = field(fields.next());
    let version = field(fields.next());
    if ["*", "-"].contains(&vendor.as_str()) || ["*", "-"].contains(&product.as_str()) {
        return None;
    }
    let any = || "*".to_string();
    Some(Cpe {
        part,
        vendor,
        product,
        version,
        update: any(),
        edition: any(),
        sw_edition: any(),
        target_sw: any(),
        target_hw: any(),
    })
}

/// A version range read from a phrase.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Range {
    pub exact: Option<String>,
    pub start_including: Option<String>,
    pub end_including: Option<String>,
    pub end_excluding: Option<String>,
}

/// The markers JVN writes after a version, and what they mean.
const BEFORE: &[&str] = &["より前", "未満"];
const UP_TO: &[&str] = &["およびそれ以前", "及びそれ以前", "以前", "以下"];
const FROM: &[&str] = &["以降", "以上"];

/// Reads one phrase; `None` when it names no version the rules can read.
pub fn read_phrase(phrase: &str) -> Option<Range> {
    use unicode_normalization::UnicodeNormalization;
    let text: String = phrase.nfkc().collect();
    // Notes in brackets (the CVEs a line is for) are not versions.
    let text = text
        .split(['（', '('])
        .next()
        .unwrap_or_default()
        .to_string()
        + &build_of(&text);
    let at = |markers: &[&str]| markers.iter().filter_map(|m| text.find(m)).min();
    let (marker_at, kind) = [(at(BEFORE), 'b'), (at(UP_TO), 'u'), (at(FROM), 'f')]
        .into_iter()
        .filter_map(|(p, k)| p.map(|p| (p, k)))
        .min()?;
    let version = version_in(&text[..marker_at])?;
    Some(match kind {
        'b' => Range {
            end_excluding: Some(version),
            ..Default::default()
        },
        'u' => Range {
            end_including: Some(version),
            ..Default::default()
        },
        _ => Range {
            start_including: Some(version),
            ..Default::default()
        },
    })
}

/// "(Build 1575)" kept as a part of the version: 5.8 build 1575 → "5.8.1575".
fn build_of(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    match lower.find("build") {
        Some(at) => {
            let digits: String = lower[at + 5..]
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            let marker = [BEFORE, UP_TO, FROM]
                .concat()
                .into_iter()
                .filter_map(|m| text.find(m))
                .min()
                .map(|p| text[p..].to_string())
                .unwrap_or_default();
            if digits.is_empty() {
                String::new()
            } else {
                format!(" build{digits}{marker}")
            }
        }
        None => String::new(),
    }
}

/// The version a phrase's leading part names: its last run of version-like tokens ("for Windows
/// 5.8 build1575" → "5.8.1575", "Ver.1.4.2" → "1.4.2", "v6 R4" → "6 R4").
fn version_in(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let cleaned = lower
        .replace("ver.", " ")
        .replace("version", " ")
        .replace("バージョン", " ")
        .replace("ファームウェア", " ")
        .replace("build", ".");
    let tokens: Vec<&str> = cleaned.split_whitespace().collect();
    let start = tokens.iter().position(|t| {
        t.trim_start_matches('v')
            .starts_with(|c: char| c.is_ascii_digit())
    })?;
    let mut parts: Vec<String> = Vec::new();
    for t in &tokens[start..] {
        let t = t.trim_start_matches('v');
        let versionish = t.chars().any(|c| c.is_ascii_digit())
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if !versionish {
            break;
        }
        parts.push(t.trim_matches('.').to_string());
    }
    let joined = parts.join(".");
    Version::parse(&joined).map(|_| joined)
}

/// What one of JVN's version entries says: a phrase, a plain version, every version, or words
/// no rule reads.
fn range_of(phrase: &str) -> Range {
    use unicode_normalization::UnicodeNormalization;
    let plain: String = phrase.trim().nfkc().collect();
    if let Some(range) = read_phrase(&plain) {
        return range;
    }
    let every = ["すべて", "全て", "全バージョン", "全版"];
    if every.iter().any(|w| plain.contains(w)) {
        return Range::default();
    }
    let is_plain = !plain.is_empty()
        && plain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c))
        && Version::parse(&plain).is_some();
    Range {
        exact: Some(if is_plain {
            plain
        } else {
            UNREADABLE_VERSIONS.to_string()
        }),
        ..Default::default()
    }
}

/// The configurations JVN's affected products give: each item one node of its CPE, one
/// criterion per version phrase (the version written when it is a plain one).
pub fn configurations(affected: &[JvnAffected]) -> Vec<Configuration> {
    affected
        .iter()
        .filter_map(|item| {
            let cpe = cpe_of(&item.cpe)?;
            let criterion = |range: Range| CpeMatch {
                vulnerable: true,
                cpe: Cpe {
                    version: range.exact.clone().unwrap_or_else(|| "*".into()),
                    ..cpe.clone()
                },
                start_including: range.start_including,
                start_excluding: None,
                end_including: range.end_including,
                end_excluding: range.end_excluding,
            };
            let mut matches: Vec<CpeMatch> = item
                .versions
                .iter()
                .map(|phrase| criterion(range_of(phrase)))
                .collect();
            if matches.is_empty() {
                matches.push(criterion(Range::default()));
            }
            Some(Configuration {
                and: false,
                nodes: vec![Node {
                    and: false,
                    negate: false,
                    matches,
                }],
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vulnerabilities::cve::CveRecord;
    use crate::vulnerabilities::matching::{exposure, Exposure, Platform};

    fn range(phrase: &str) -> Range {
        read_phrase(phrase).unwrap_or_else(|| panic!("{phrase}"))
    }

    #[test]
    fn japanese_version_phrases_are_read_as_jvn_writes_them() {
        assert_eq!(
            range("7.6.2より前のバージョン").end_excluding.as_deref(),
            Some("7.6.2")
        );
        assert_eq!(
            range("Ver.1.4.2より前のバージョン（CVE-2025-0354、CVE-2025-0355）")
                .end_excluding
                .as_deref(),
            Some("1.4.2")
        );
        assert_eq!(
            range("for Windows 5.8 (Build 1575) 未満")
                .end_excluding
                .as_deref(),
            Some("5.8.1575")
        );
        assert_eq!(
            range("ファームウェアバージョン 1.05およびそれ以前")
                .end_including
                .as_deref(),
            Some("1.05")
        );
        assert_eq!(
            range("v6 R4 およびそれ以前のバージョン")
                .end_including
                .as_deref(),
            Some("6.r4")
        );
        assert_eq!(range("3.0 以下").end_including.as_deref(), Some("3.0"));
        assert_eq!(range("２．１以降").start_including.as_deref(), Some("2.1"));
        assert!(read_phrase("すべてのバージョン").is_none());
        assert!(
            read_phrase("8.1").is_none(),
            "a plain version is not a phrase"
        );
    }

    #[test]
    fn cpe_22_names_are_read_and_junk_is_not() {
        let cpe = cpe_of("cpe:/o:nec:aterm_wg2600hm4_firmware").expect("a name");
        assert_eq!(cpe.key(), "nec:aterm_wg2600hm4_firmware");
        assert_eq!(cpe.part, CpePart::OperatingSystem);
        assert!(cpe_of("cpe:/o:-:-").is_none());
        assert!(cpe_of("not a cpe").is_none());
    }

    fn platform(cpe: &str, version: &str) -> Platform {
        let mut c = cpe_of(cpe).expect("a name");
        c.version = version.into();
        Platform { items: vec![c] }
    }

    #[test]
    fn jvn_configurations_match_like_nvd_ones() {
        let record = CveRecord {
            id: "CVE-2025-0354".into(),
            configurations: configurations(&[
                JvnAffected {
                    cpe: "cpe:/a:example:viewer".into(),
                    versions: vec!["Ver.1.4.2より前のバージョン".into()],
                },
                JvnAffected {
                    cpe: "cpe:/a:veritas:netbackup".into(),
                    versions: vec!["7.7".into(), "8.0".into(), "8.1".into()],
                },
                JvnAffected {
                    cpe: "cpe:/o:example:router_firmware".into(),
                    versions: vec!["初期ロットの一部".into()],
                },
                JvnAffected {
                    cpe: "cpe:/o:example:camera_firmware".into(),
                    versions: vec!["すべてのバージョン".into()],
                },
            ]),
            ..Default::default()
        };
        let of = |cpe: &str, v: &str| exposure(&record, &platform(cpe, v));
        assert_eq!(
            of("cpe:/a:example:viewer", "1.4.1"),
            Some(Exposure::Affected)
        );
        assert_eq!(of("cpe:/a:example:viewer", "1.4.2"), None);
        assert_eq!(
            of("cpe:/a:example:viewer", "*"),
            Some(Exposure::VersionUnknown)
        );
        assert_eq!(
            of("cpe:/a:veritas:netbackup", "8.0"),
            Some(Exposure::Affected)
        );
        assert_eq!(of("cpe:/a:veritas:netbackup", "8.2"), None);
        assert_eq!(
            of("cpe:/o:example:router_firmware", "2.0"),
            Some(Exposure::VersionUnknown),
            "an unreadable phrase never says affected or safe"
        );
        assert_eq!(
            of("cpe:/o:example:camera_firmware", "9.9"),
            Some(Exposure::Affected)
        );
    }
}
