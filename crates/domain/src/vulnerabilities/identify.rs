//! What the ledger means: "Win8", "ＷＩＮＤＯＷＳ７", "Win Svr 2008R2", "FortiOS v7.0.12 build0523",
//! "FortiGate 60F" (a model only), "ｳｨﾝﾄﾞｳｽﾞ10" — read into a product, a release and a version,
//! with the lifecycle cycles it may be and a CPE name for matching vulnerabilities. What no
//! rule recognises is unidentified, never guessed.

use serde::Serialize;

use super::cpe::{Cpe, CpePart};
use super::identify_products::{identify_product, identify_software_text, model_os};
use super::identify_windows::identify_windows;

/// The text a device's ledger row gives about what it runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeviceText<'a> {
    pub os_name: &'a str,
    pub os_version: &'a str,
    pub maker: &'a str,
    pub model: &'a str,
}

/// Which lifecycle cycles a device may be on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Candidates {
    /// One of these cycles (the first that the data holds, in order, when `first` is set;
    /// otherwise any of them, for an edition not written).
    Named { names: Vec<String>, first: bool },
    /// Any cycle whose name passes the filter (the release is not written).
    Filtered(CycleFilter),
}

/// Cycles by name: a prefix, and whether long-term (LTSC/IoT) or general cycles, and of which
/// edition class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CycleFilter {
    pub prefix: String,
    pub long_term: Option<bool>,
    /// "w" (Home/Pro), "e" (Enterprise/Education), or any.
    pub edition: Option<char>,
}

impl CycleFilter {
    pub fn admits(&self, name: &str) -> bool {
        let Some(rest) = name.strip_prefix(&self.prefix) else {
            return false;
        };
        let long_term = rest.contains("lts") || rest.contains("iot");
        if self.long_term.is_some_and(|want| want != long_term) {
            return false;
        }
        match self.edition {
            Some(e) => {
                let tail = rest.rsplit('-').next().unwrap_or_default();
                let has_edition = tail == "w" || tail == "e";
                !has_edition || tail.starts_with(e)
            }
            None => true,
        }
    }
}

/// A device's OS (or a software) as identified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identified {
    /// Shown to people: "Windows 11 23H2 (Home/Pro)", "FortiOS 7.2.8".
    pub label: String,
    /// endoflife.date's product name, when it tracks the product.
    pub lifecycle: Option<&'static str>,
    pub candidates: Candidates,
    /// The edition assumed, in words ("Home/Pro", "Enterprise/Education", "LTSC"), if any.
    pub edition: Option<&'static str>,
    /// The version as written (cleaned), when one is.
    pub version: Option<String>,
    /// The CPE name for vulnerability matching (version `*` when unknown).
    pub cpe: Option<Cpe>,
}

/// The outcome for one device. Short-lived (one per device while a report or rule runs), so the
/// identified variant is kept inline rather than boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Identification {
    Identified(Identified),
    /// Text no rule recognises: shown as it is, to be confirmed by a person.
    Unidentified {
        text: String,
    },
    /// Nothing written about the OS.
    Blank,
}

/// Text in the form rules read: NFKC, lower case, katakana product words in Latin letters,
/// separators as spaces.
pub fn normalize(text: &str) -> String {
    let mut t = crate::validation::search_key(text);
    for (from, to) in [
        ("ウィンドウズ", " windows "),
        ("ウインドウズ", " windows "),
        ("ウィンドウス", " windows "),
        ("サーバー", " server "),
        ("サーバ", " server "),
        ("エンタープライズ", " enterprise "),
        ("プロフェッショナル", " pro "),
        ("プロ", " pro "),
        ("ホーム", " home "),
        ("マック", " mac "),
        ("アンドロイド", " android "),
        ("オフィス", " office "),
        ("レッドハット", " redhat "),
        ("ウブンツ", " ubuntu "),
        ("ヤマハ", " yamaha "),
    ] {
        if t.contains(from) {
            t = t.replace(from, to);
        }
    }
    t.chars()
        .map(|c| match c {
            '_' | '/' | ',' | '(' | ')' | '[' | ']' | '（' | '）' | '：' | ':' | '　' => ' ',
            _ => c,
        })
        .collect()
}

/// Identifies what a device runs from its OS fields, and from its model where the OS is not
/// written (a FortiGate runs FortiOS).
pub fn identify(device: DeviceText<'_>) -> Identification {
    if let Some(found) = written_cpe(device) {
        return Identification::Identified(found);
    }
    let text = format!("{} {}", device.os_name, device.os_version);
    let t = normalize(&text);
    let version_field = normalize(device.os_version);
    if let Some(found) = identify_windows(&t).or_else(|| identify_product(&t, &version_field)) {
        return Identification::Identified(found);
    }
    let hardware = normalize(&format!("{} {}", device.maker, device.model));
    if let Some(found) = model_os(&hardware, &t) {
        return Identification::Identified(found);
    }
    if text.trim().is_empty() {
        Identification::Blank
    } else {
        Identification::Unidentified {
            text: text.trim().to_string(),
        }
    }
}

/// A CPE 2.3 name written as the OS (an administrator's mapping to a dictionary entry, or a
/// ledger that writes CPEs): the product is what it names; its version, when the name leaves
/// it open, is the OS version written beside it. No lifecycle data is assumed.
fn written_cpe(device: DeviceText<'_>) -> Option<Identified> {
    let mut cpe = super::cpe::Cpe::parse(device.os_name.trim())?;
    let written = device.os_version.trim();
    if cpe.version == "*" && !written.is_empty() {
        cpe.version = written.to_string();
    }
    let version = (cpe.version != "*" && cpe.version != "-").then(|| cpe.version.clone());
    Some(Identified {
        label: format!(
            "{} {}{}",
            cpe.vendor,
            cpe.product,
            version
                .as_deref()
                .map(|v| format!(" {v}"))
                .unwrap_or_default()
        ),
        lifecycle: None,
        candidates: Candidates::Named {
            names: Vec::new(),
            first: false,
        },
        edition: None,
        version,
        cpe: Some(cpe),
    })
}

/// Identifies a software entry of the ledger ("Office 2016", "SQL Server 2019", "Chrome 120").
pub fn identify_software(name: &str, version: &str) -> Option<Identified> {
    identify_software_text(
        &normalize(&format!("{name} {version}")),
        &normalize(version),
    )
}

/// A CPE for `vendor:product`, at `version` when known.
pub(crate) fn cpe(part: CpePart, vendor: &str, product: &str, version: Option<&str>) -> Cpe {
    Cpe {
        part,
        vendor: vendor.into(),
        product: product.into(),
        version: version.unwrap_or("*").into(),
        update: "*".into(),
        edition: "*".into(),
        sw_edition: "*".into(),
        target_sw: "*".into(),
        target_hw: "*".into(),
    }
}
