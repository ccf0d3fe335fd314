//! What a person says a ledger's text means, when no rule knows it: an administrator confirms
//! once that 「専用OS（Win組込）」 is "Windows 10 IoT Enterprise LTSC 2019", and every device of
//! every facility of the organisation written so is judged as that product — through later
//! imports too, since the mapping is kept by the text, not by the device.
//!
//! The meaning is itself ledger text that the rules identify: a mapping never invents a product
//! or a date, it only says which known product the text names.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::identify::{identify, normalize, DeviceText, Identification};

/// A confirmed mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductMapping {
    /// The ledger's text as first seen ("専用OS（Win組込）").
    pub text: String,
    /// What it means, as text the rules identify ("Windows 10 IoT Enterprise LTSC 2019").
    pub means: String,
    pub decided_by: String,
    pub decided_at: String,
}

impl ProductMapping {
    /// The key the mapping is kept and found by: the text in normal form.
    pub fn key(&self) -> String {
        mapping_key(&self.text)
    }
}

/// The normal form of a device's OS text (name and version together), as identification reads it.
pub fn mapping_key(text: &str) -> String {
    normalize(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of a device's OS fields, as a mapping is keyed.
pub fn device_key(text: &DeviceText<'_>) -> String {
    mapping_key(&format!("{} {}", text.os_name, text.os_version))
}

/// The mappings of an organisation, by key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mappings(HashMap<String, String>);

impl Mappings {
    pub fn new(mappings: impl IntoIterator<Item = ProductMapping>) -> Self {
        Mappings(mappings.into_iter().map(|m| (m.key(), m.means)).collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The device's text, its OS fields replaced by their confirmed meaning when there is one
    /// (maker and model stay: they still tell the hardware).
    pub fn apply<'a>(&'a self, text: DeviceText<'a>) -> DeviceText<'a> {
        if self.0.is_empty() {
            return text;
        }
        match self.0.get(&device_key(&text)) {
            // A dictionary name that leaves the version open takes the version written.
            Some(means) if means.starts_with("cpe:2.3:") => DeviceText {
                os_name: means,
                ..text
            },
            Some(means) => DeviceText {
                os_name: means,
                os_version: "",
                ..text
            },
            None => text,
        }
    }
}

/// Why a mapping is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MappingProblem {
    BlankText,
    /// The text is already identified by the rules: nothing to confirm.
    AlreadyIdentified(String),
    /// The meaning names no product the rules know.
    MeaningUnknown,
}

/// Checks a mapping of `text` to `means`; the product it leads to on success.
pub fn check_mapping(text: &str, means: &str) -> Result<String, MappingProblem> {
    if mapping_key(text).is_empty() {
        return Err(MappingProblem::BlankText);
    }
    if let Identification::Identified(id) = identify(DeviceText {
        os_name: text,
        ..Default::default()
    }) {
        return Err(MappingProblem::AlreadyIdentified(id.label));
    }
    match identify(DeviceText {
        os_name: means,
        ..Default::default()
    }) {
        Identification::Identified(id) => Ok(id.label),
        _ => Err(MappingProblem::MeaningUnknown),
    }
}

/// Products the rules know, written as a ledger would, to suggest as meanings.
pub const KNOWN_PRODUCTS: &[&str] = &[
    "Windows 11 Pro 24H2",
    "Windows 11 Enterprise 24H2",
    "Windows 11 IoT Enterprise LTSC 2024",
    "Windows 10 Pro 22H2",
    "Windows 10 Enterprise 22H2",
    "Windows 10 Enterprise LTSC 2021",
    "Windows 10 IoT Enterprise LTSC 2021",
    "Windows 10 IoT Enterprise LTSC 2019",
    "Windows 10 Enterprise LTSB 2016",
    "Windows 8.1",
    "Windows 7",
    "Windows XP",
    "Windows Server 2025",
    "Windows Server 2022",
    "Windows Server 2019",
    "Windows Server 2016",
    "Windows Server 2012 R2",
    "Windows Server 2008 R2",
    "macOS 15",
    "macOS 14",
    "iOS 18",
    "iPadOS 18",
    "Android 14",
    "Ubuntu 24.04",
    "Ubuntu 22.04",
    "Red Hat Enterprise Linux 9",
    "Red Hat Enterprise Linux 8",
    "Debian 12",
    "FortiOS 7.4",
    "FortiOS 7.2",
    "FortiOS 7.0",
    "PAN-OS 11.1",
    "VMware ESXi 8.0",
    "NetScaler ADC 14.1",
    "Ivanti Connect Secure 22.7",
    "Cisco IOS XE 17.9",
    "Synology DSM 7.2",
    "Yamaha RTX Rev.15.02",
];

/// Up to `n` known products whose names are nearest `text` (shared character pairs, in normal
/// form), for the administrator to choose from; none is chosen for them.
pub fn suggestions(text: &str, n: usize) -> Vec<&'static str> {
    let pairs = |t: &str| -> Vec<(char, char)> {
        let chars: Vec<char> = mapping_key(t)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        chars.windows(2).map(|w| (w[0], w[1])).collect()
    };
    let wanted = pairs(text);
    if wanted.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(usize, &'static str)> = KNOWN_PRODUCTS
        .iter()
        .map(|p| {
            let theirs = pairs(p);
            (wanted.iter().filter(|w| theirs.contains(w)).count(), *p)
        })
        .filter(|(score, _)| *score > 0)
        .collect();
    scored.sort_by_key(|s| std::cmp::Reverse(s.0));
    scored.into_iter().take(n).map(|(_, p)| p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping(text: &str, means: &str) -> ProductMapping {
        ProductMapping {
            text: text.into(),
            means: means.into(),
            decided_by: "admin".into(),
            decided_at: "2026-12-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn a_confirmed_text_is_judged_as_its_product_however_it_is_spaced() {
        let mappings = Mappings::new([mapping(
            "専用OS（Win組込）",
            "Windows 10 IoT Enterprise LTSC 2019",
        )]);
        let raw = DeviceText {
            os_name: "専用ＯＳ（Ｗｉｎ組込）",
            maker: "Canon",
            ..Default::default()
        };
        let applied = mappings.apply(raw);
        assert_eq!(applied.os_name, "Windows 10 IoT Enterprise LTSC 2019");
        assert_eq!(applied.maker, "Canon");
        let Identification::Identified(id) = identify(applied) else {
            panic!("identified");
        };
        assert!(id.label.contains("Windows 10"), "{}", id.label);
        let other = DeviceText {
            os_name: "専用OS",
            ..Default::default()
        };
        assert_eq!(
            mappings.apply(other).os_name,
            "専用OS",
            "another text stays"
        );
    }

    #[test]
    fn a_mapping_only_names_a_known_product_for_an_unknown_text() {
        assert!(check_mapping("専用OS（Win組込）", "Windows 10 IoT Enterprise LTSC 2019").is_ok());
        assert_eq!(
            check_mapping("専用OS", "なにかのOS"),
            Err(MappingProblem::MeaningUnknown)
        );
        assert!(matches!(
            check_mapping("Win8", "Windows 10 Pro 22H2"),
            Err(MappingProblem::AlreadyIdentified(_))
        ));
        assert_eq!(
            check_mapping("  ", "Windows 7"),
            Err(MappingProblem::BlankText)
        );
    }

    #[test]
    fn a_dictionary_name_is_a_meaning_too() {
        let label = check_mapping(
            "専用OS（CT装置）",
            "cpe:2.3:o:siemens:syngo_ct_vb40:*:*:*:*:*:*:*:*",
        )
        .expect("a CPE name names a product");
        assert!(label.contains("syngo_ct_vb40"), "{label}");
        let mappings = Mappings::new([mapping(
            "専用OS（CT装置）",
            "cpe:2.3:o:siemens:syngo_ct_vb40:*:*:*:*:*:*:*:*",
        )]);
        let Identification::Identified(id) = identify(mappings.apply(DeviceText {
            os_name: "専用OS（CT装置）",
            ..Default::default()
        })) else {
            panic!("identified");
        };
        assert_eq!(id.cpe.expect("a name").key(), "siemens:syngo_ct_vb40");
        assert_eq!(id.lifecycle, None, "no end of support is assumed");
    }

    #[test]
    fn every_known_product_is_identified_and_suggestions_are_near() {
        for p in KNOWN_PRODUCTS {
            assert!(
                matches!(
                    identify(DeviceText {
                        os_name: p,
                        ..Default::default()
                    }),
                    Identification::Identified(_)
                ),
                "{p}"
            );
        }
        let near = suggestions("ウィンドウズサーバー2019", 3);
        assert!(near.iter().any(|p| p.contains("Server 2019")), "{near:?}");
        assert!(suggestions("", 3).is_empty());
    }
}
