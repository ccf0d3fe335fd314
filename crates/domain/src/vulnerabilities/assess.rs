//! One device as the vulnerability pages see it: what it runs (OS and software, identified),
//! whether that is past its end of support, the CPE names to match vulnerabilities against, and
//! what exposes it (an edge or VPN device, remote maintenance, a public address, 外部公開).

use std::net::Ipv4Addr;

use chrono::NaiveDate;
use serde::Serialize;

use super::end_of_life::{end_of_life, EndOfLife};
use super::identify::{identify, identify_software, DeviceText, Identification, Identified};
use super::lifecycle::Lifecycle;
use super::matching::Platform;
use crate::ledger::device::{Device, DeviceKind};

/// What raises a device's danger: attackers reach it more easily.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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

/// Assesses `device` on `day`.
pub fn assess(device: &Device, lifecycle: &Lifecycle, day: NaiveDate) -> DeviceAssessment {
    let os = identify(DeviceText {
        os_name: device.os_name.as_deref().unwrap_or_default(),
        os_version: device.os_version.as_deref().unwrap_or_default(),
        maker: device.maker.as_deref().unwrap_or_default(),
        model: device.model.as_deref().unwrap_or_default(),
    });
    let os_end_of_life = match &os {
        Identification::Identified(id) => Some(end_of_life(id, lifecycle, day)),
        _ => None,
    };
    let software: Vec<(Identified, EndOfLife)> = device
        .software
        .iter()
        .filter_map(|s| identify_software(&s.name, s.version.as_deref().unwrap_or_default()))
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
        exposure: exposure(device),
    }
}

fn exposure(device: &Device) -> Vec<ExposureReason> {
    let text = crate::validation::search_key(&format!(
        "{} {} {} {}",
        device.model.as_deref().unwrap_or_default(),
        device.description.as_deref().unwrap_or_default(),
        device.os_name.as_deref().unwrap_or_default(),
        device
            .interfaces
            .iter()
            .filter_map(|i| i.hostname.as_deref())
            .collect::<Vec<_>>()
            .join(" ")
    ));
    let mut reasons = Vec::new();
    let edge_kind =
        device.kind == DeviceKind::Network && (text.contains("vpn") || text.contains("utm"));
    if edge_kind || EDGE_WORDS.iter().any(|w| text.contains(w)) {
        reasons.push(ExposureReason::Edge);
    }
    if device.remote_maintenance {
        reasons.push(ExposureReason::RemoteMaintenance);
    }
    let public = device.interfaces.iter().any(|i| {
        i.ip.as_deref()
            .and_then(|ip| ip.trim().parse::<Ipv4Addr>().ok())
            .is_some_and(is_public)
            || i.segment.as_deref().is_some_and(|s| {
                let s = crate::validation::search_key(s);
                PUBLIC_SEGMENTS.iter().any(|p| s.contains(p))
            })
    });
    if public {
        reasons.push(ExposureReason::PublicAddress);
    }
    if text.contains("外部公開") || text.contains("公開サーバ") {
        reasons.push(ExposureReason::Published);
    }
    reasons
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
