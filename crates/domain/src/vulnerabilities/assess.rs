//! One device as the vulnerability pages see it: what it runs (OS and software, identified),
//! whether that is past its end of support, the CPE names to match vulnerabilities against, and
//! what exposes it (an edge or VPN device, remote maintenance, a public address, 外部公開).

use std::collections::HashMap;
use std::net::Ipv4Addr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::end_of_life::{end_of_life, EndOfLife};
use super::identify::{identify, identify_software, DeviceText, Identification, Identified};
use super::lifecycle::Lifecycle;
use super::mapping::Mappings;
use super::matching::Platform;
use crate::ledger::device::{Device, DeviceKind};

/// What raises a device's danger: attackers reach it more easily.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExposureReason {
    /// A VPN gateway, firewall, UTM or router: the door from the internet.
    Edge,
    /// Reached by a vendor's remote maintenance.
    RemoteMaintenance,
    /// An interface with a public (non-private) address, or on an internet segment.
    PublicAddress,
    /// Described as published to the outside (外部公開).
    Published,
}

impl ExposureReason {
    pub fn code(self) -> &'static str {
        match self {
            ExposureReason::Edge => "edge",
            ExposureReason::RemoteMaintenance => "remote_maintenance",
            ExposureReason::PublicAddress => "public_address",
            ExposureReason::Published => "published",
        }
    }

    pub fn words(self, lang: crate::i18n::Lang) -> &'static str {
        match self {
            ExposureReason::Edge => lang.pick("境界・VPN機器", "edge or VPN device"),
            ExposureReason::RemoteMaintenance => {
                lang.pick("リモート保守あり", "remote maintenance")
            }
            ExposureReason::PublicAddress => {
                lang.pick("グローバルIP・インターネット側", "public address")
            }
            ExposureReason::Published => lang.pick("外部公開", "published to the internet"),
        }
    }
}

/// A device assessed.
#[derive(Debug, Clone, Serialize)]
pub struct DeviceAssessment {
    pub os: Identification,
    pub os_end_of_life: Option<EndOfLife>,
    /// Software identified, with its end-of-support state.
    pub software: Vec<(Identified, EndOfLife)>,
    /// What to match vulnerabilities against.
    pub platform: Platform,
    pub exposure: Vec<ExposureReason>,
}

const EDGE_WORDS: &[&str] = &[
    "vpn",
    "utm",
    "firewall",
    "fortigate",
    "fortiwifi",
    "gateway",
    "router",
    "rtx",
    "ルーター",
    "ルータ",
    "ファイアウォール",
    "ゲートウェイ",
    "netscaler",
    "connect secure",
    "pa-",
];
const PUBLIC_SEGMENTS: &[&str] = &["インターネット", "internet", "dmz", "wan"];

/// Assesses `device` on `day`, its OS text read through the confirmed `mappings`.
/// `identifier` remembers identification across the devices of one report.
pub fn assess(
    identifier: &mut Identifier,
    device: &Device,
    lifecycle: &Lifecycle,
    mappings: &Mappings,
    day: NaiveDate,
) -> DeviceAssessment {
    let text = DeviceText {
        os_name: device.os_name.as_deref().unwrap_or_default(),
        os_version: device.os_version.as_deref().unwrap_or_default(),
        maker: device.maker.as_deref().unwrap_or_default(),
        model: device.model.as_deref().unwrap_or_default(),
    };
    let software = device
        .software
        .iter()
        .map(|s| (s.name.as_str(), s.version.as_deref().unwrap_or_default()));
    assess_with(
        identifier,
        mappings.apply(text),
        software,
        exposure_of_device(device),
        lifecycle,
        day,
    )
}

/// Assesses what a device runs (`text`, and its software as (name, version)) on `day`, its
/// exposure already known: the findings read devices in a leaner form than the ledger's.
pub fn assess_parts<'s>(
    text: DeviceText<'_>,
    software: impl Iterator<Item = (&'s str, &'s str)>,
    exposure: Vec<ExposureReason>,
    lifecycle: &Lifecycle,
    day: NaiveDate,
) -> DeviceAssessment {
    assess_with(
        &mut Identifier::default(),
        text,
        software,
        exposure,
        lifecycle,
        day,
    )
}

/// Identification remembered by text, for assessing many devices: a facility's devices are
/// written in few ways, and each way (of an OS, of a software entry) is identified once.
#[derive(Debug, Default)]
pub struct Identifier {
    os: HashMap<String, Identification>,
    software: HashMap<(String, String), Option<Identified>>,
}

impl Identifier {
    pub fn os(&mut self, text: DeviceText<'_>) -> Identification {
        let key = format!(
            "{}\u{1f}{}\u{1f}{}\u{1f}{}",
            text.os_name, text.os_version, text.maker, text.model
        );
        self.os.entry(key).or_insert_with(|| identify(text)).clone()
    }

    pub fn software(&mut self, name: &str, version: &str) -> Option<Identified> {
        self.software
            .entry((name.to_string(), version.to_string()))
            .or_insert_with(|| identify_software(name, version))
            .clone()
    }
}

/// [`assess_parts`] with identification remembered in `identifier`.
pub fn assess_with<'s>(
    identifier: &mut Identifier,
    text: DeviceText<'_>,
    software: impl Iterator<Item = (&'s str, &'s str)>,
    exposure: Vec<ExposureReason>,
    lifecycle: &Lifecycle,
    day: NaiveDate,
) -> DeviceAssessment {
    let os = identifier.os(text);
    let os_end_of_life = match &os {
        Identification::Identified(id) => Some(end_of_life(id, lifecycle, day)),
        _ => None,
    };
    let software: Vec<(Identified, EndOfLife)> = software
        .filter_map(|(name, version)| identifier.software(name, version))
        .map(|id| {
            let eol = end_of_life(&id, lifecycle, day);
            (id, eol)
        })
        .collect();
    let mut items = Vec::new();
    if let Identification::Identified(id) = &os {
        items.extend(id.cpe.clone());
    }
    items.extend(software.iter().filter_map(|(id, _)| id.cpe.clone()));
    items.sort_by_key(|c| c.to_cpe23());
    items.dedup();
    DeviceAssessment {
        os,
        os_end_of_life,
        software,
        platform: Platform { items },
        exposure,
    }
}

/// What the exposure of a device is judged from.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExposureInput<'a> {
    pub kind: Option<DeviceKind>,
    pub model: &'a str,
    pub description: &'a str,
    pub os_name: &'a str,
    pub remote_maintenance: bool,
}

/// What exposes a device: its kind and words, remote maintenance, and its interfaces as
/// (IP address, host name, segment).
pub fn exposure_of<'i>(
    input: ExposureInput<'_>,
    interfaces: impl Iterator<Item = (&'i str, &'i str, &'i str)> + Clone,
) -> Vec<ExposureReason> {
    let hostnames: Vec<&str> = interfaces.clone().map(|(_, h, _)| h).collect();
    let text = crate::validation::search_key(&format!(
        "{} {} {} {}",
        input.model,
        input.description,
        input.os_name,
        hostnames.join(" ")
    ));
    let mut reasons = Vec::new();
    let edge_kind =
        input.kind == Some(DeviceKind::Network) && (text.contains("vpn") || text.contains("utm"));
    if edge_kind || EDGE_WORDS.iter().any(|w| text.contains(w)) {
        reasons.push(ExposureReason::Edge);
    }
    if input.remote_maintenance {
        reasons.push(ExposureReason::RemoteMaintenance);
    }
    let public = interfaces.clone().any(|(ip, _, segment)| {
        ip.trim().parse::<Ipv4Addr>().ok().is_some_and(is_public) || {
            let s = crate::validation::search_key(segment);
            !s.is_empty() && PUBLIC_SEGMENTS.iter().any(|p| s.contains(p))
        }
    });
    if public {
        reasons.push(ExposureReason::PublicAddress);
    }
    if text.contains("外部公開") || text.contains("公開サーバ") {
        reasons.push(ExposureReason::Published);
    }
    reasons
}

fn exposure_of_device(device: &Device) -> Vec<ExposureReason> {
    let input = ExposureInput {
        kind: Some(device.kind),
        model: device.model.as_deref().unwrap_or_default(),
        description: device.description.as_deref().unwrap_or_default(),
        os_name: device.os_name.as_deref().unwrap_or_default(),
        remote_maintenance: device.remote_maintenance,
    };
    exposure_of(
        input,
        device.interfaces.iter().map(|i| {
            (
                i.ip.as_deref().unwrap_or_default(),
                i.hostname.as_deref().unwrap_or_default(),
                i.segment.as_deref().unwrap_or_default(),
            )
        }),
    )
}

/// Not private, loopback, link-local or shared (100.64/10) address space.
fn is_public(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    let shared = a == 100 && (64..128).contains(&b);
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || shared)
}
