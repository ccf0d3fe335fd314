//! Devices (機器台帳): the MHLW example's columns plus kind, model, serial, interfaces,
//! remote maintenance, security measures and authentication.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use super::device_filter::{DeviceFilter, DeviceSort};
use super::network::{check_ip, normalise_mac};
use crate::i18n::Lang;
use crate::jdate::parse_date;
use crate::validation::{nfkc, search_key, Issue, Issues};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    Server,
    Pc,
    Mobile,
    Network,
    Storage,
    Printer,
    MedicalDevice,
    Other,
}

impl DeviceKind {
    pub const ALL: [DeviceKind; 8] = [
        Self::Server,
        Self::Pc,
        Self::Mobile,
        Self::Network,
        Self::Storage,
        Self::Printer,
        Self::MedicalDevice,
        Self::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Server => "server",
            Self::Pc => "pc",
            Self::Mobile => "mobile",
            Self::Network => "network",
            Self::Storage => "storage",
            Self::Printer => "printer",
            Self::MedicalDevice => "medical_device",
            Self::Other => "other",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Server => lang.pick("サーバ", "Server"),
            Self::Pc => lang.pick("端末PC", "PC"),
            Self::Mobile => lang.pick("タブレット・スマートフォン", "Tablet / mobile"),
            Self::Network => lang.pick("ネットワーク機器", "Network device"),
            Self::Storage => lang.pick("ストレージ", "Storage"),
            Self::Printer => lang.pick("プリンタ・複合機", "Printer / multifunction"),
            Self::MedicalDevice => {
                lang.pick("医療機器（ネットワーク接続）", "Networked medical device")
            }
            Self::Other => lang.pick("その他", "Other"),
        }
    }

    /// Accepts the code, the Japanese or English label, and common words (サーバー, PC, ルータ …).
    pub fn parse(text: &str) -> Option<Self> {
        let key = search_key(text.trim());
        if key.is_empty() {
            return None;
        }
        if let Some(kind) = Self::ALL.into_iter().find(|k| {
            k.code() == key
                || search_key(k.label(Lang::Ja)) == key
                || search_key(k.label(Lang::En)) == key
        }) {
            return Some(kind);
        }
        let has = |words: &[&str]| words.iter().any(|w| key.contains(w));
        Some(if has(&["サーバ", "server"]) {
            Self::Server
        } else if has(&["医療機器", "modality", "モダリティ"]) {
            Self::MedicalDevice
        } else if has(&[
            "ルータ",
            "スイッチ",
            "router",
            "switch",
            "ネットワーク",
            "無線",
            "ap",
            "utm",
            "ファイアウォール",
            "firewall",
            "vpn",
        ]) {
            Self::Network
        } else if has(&[
            "タブレット",
            "スマートフォン",
            "スマホ",
            "ipad",
            "iphone",
            "tablet",
            "mobile",
        ]) {
            Self::Mobile
        } else if has(&["nas", "ストレージ", "storage"]) {
            Self::Storage
        } else if has(&["プリンタ", "複合機", "printer"]) {
            Self::Printer
        } else if has(&["pc", "パソコン", "端末", "ノート", "デスクトップ"]) {
            Self::Pc
        } else {
            return None;
        })
    }

    /// A kind guessed from the OS when the ledger has no kind column (as in the MHLW example).
    pub fn infer_from_os(os: &str) -> Self {
        let key = search_key(os);
        if key.contains("server") || key.contains("サーバ") {
            Self::Server
        } else if key.contains("ios") || key.contains("android") || key.contains("ipados") {
            Self::Mobile
        } else if key.starts_with("win")
            || key.contains("windows")
            || key.contains("mac")
            || key.contains("ubuntu")
        {
            Self::Pc
        } else {
            Self::Other
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceStatus {
    Active,
    Stopped,
    Spare,
    Disposed,
}

impl DeviceStatus {
    pub const ALL: [DeviceStatus; 4] = [Self::Active, Self::Stopped, Self::Spare, Self::Disposed];

    pub fn code(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Stopped => "stopped",
            Self::Spare => "spare",
            Self::Disposed => "disposed",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Active => lang.pick("稼働", "Active"),
            Self::Stopped => lang.pick("停止", "Stopped"),
            Self::Spare => lang.pick("予備", "Spare"),
            Self::Disposed => lang.pick("廃棄", "Disposed"),
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        let key = search_key(text.trim());
        let aliases: &[(&str, Self)] = &[
            ("稼動", Self::Active),
            ("稼働中", Self::Active),
            ("稼動中", Self::Active),
            ("使用中", Self::Active),
            ("運用中", Self::Active),
            ("利用中", Self::Active),
            ("在庫", Self::Spare),
            ("休止", Self::Stopped),
            ("休止中", Self::Stopped),
            ("停止中", Self::Stopped),
            ("未使用", Self::Spare),
            ("予備機", Self::Spare),
            ("保管", Self::Spare),
            ("保管中", Self::Spare),
            ("廃棄済", Self::Disposed),
            ("廃棄済み", Self::Disposed),
            ("撤去", Self::Disposed),
            ("撤去済", Self::Disposed),
            ("返却済", Self::Disposed),
        ];
        Self::ALL
            .into_iter()
            .find(|s| {
                s.code() == key || s.label(Lang::Ja) == key || search_key(s.label(Lang::En)) == key
            })
            .or_else(|| aliases.iter().find(|(a, _)| *a == key).map(|(_, s)| *s))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Software {
    pub name: String,
    pub version: Option<String>,
    pub vendor: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interface {
    pub ip: Option<String>,
    pub mac: Option<String>,
    pub hostname: Option<String>,
    pub segment: Option<String>,
}

/// A validated device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub management_no: String,
    pub kind: DeviceKind,
    pub maker: Option<String>,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub os_name: Option<String>,
    pub os_version: Option<String>,
    pub location: Option<String>,
    pub users: Option<String>,
    pub registered_on: Option<NaiveDate>,
    pub status: DeviceStatus,
    pub disposed_on: Option<NaiveDate>,
    pub description: Option<String>,
    pub remote_maintenance: bool,
    pub security_measures: Option<String>,
    pub auth_method: Option<String>,
    pub software: Vec<Software>,
    pub interfaces: Vec<Interface>,
}

impl Device {
    /// Every text of the device in search form, for the one search box.
    pub fn search_text(&self) -> String {
        let mut parts: Vec<&str> = vec![&self.management_no];
        for text in [
            &self.maker,
            &self.model,
            &self.serial,
            &self.os_name,
            &self.os_version,
            &self.location,
            &self.users,
            &self.description,
            &self.security_measures,
            &self.auth_method,
        ]
        .into_iter()
        .flatten()
        {
            parts.push(text);
        }
        for s in &self.software {
            parts.push(&s.name);
            parts.extend(s.version.as_deref());
            parts.extend(s.vendor.as_deref());
        }
        for i in &self.interfaces {
            parts.extend(
                [&i.ip, &i.mac, &i.hostname, &i.segment]
                    .into_iter()
                    .flatten()
                    .map(String::as_str),
            );
        }
        search_key(&parts.join("\u{1f}"))
    }

    /// The first interface's host name (コンピュータ名) and IP, as the MHLW layout shows them.
    pub fn primary_interface(&self) -> Interface {
        self.interfaces.first().cloned().unwrap_or_default()
    }
}

/// A device as entered: text fields, validated by [`DeviceInput::validate`].
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DeviceInput {
    pub management_no: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub maker: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub serial: String,
    #[serde(default)]
    pub os_name: String,
    #[serde(default)]
    pub os_version: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub users: String,
    #[serde(default)]
    pub registered_on: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub disposed_on: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub remote_maintenance: String,
    #[serde(default)]
    pub security_measures: String,
    #[serde(default)]
    pub auth_method: String,
    #[serde(default)]
    pub software: Vec<SoftwareInput>,
    #[serde(default)]
    pub interfaces: Vec<InterfaceInput>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SoftwareInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub vendor: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct InterfaceInput {
    #[serde(default)]
    pub ip: String,
    #[serde(default)]
    pub mac: String,
    #[serde(default)]
    pub hostname: String,
    #[serde(default)]
    pub segment: String,
}

/// A valid device and the warnings about it (e.g. masked IP addresses).
#[derive(Debug, Clone)]
pub struct Checked {
    pub device: Device,
    pub warnings: Vec<Issue>,
}

fn text(errors: &mut Vec<Issue>, field: &'static str, value: &str, max: usize) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.chars().count() > max {
        errors.push(Issue::new(field, "too_long").with("max", max));
    }
    Some(value.to_string())
}

fn date(errors: &mut Vec<Issue>, field: &'static str, value: &str) -> Option<NaiveDate> {
    if value.trim().is_empty() {
        return None;
    }
    let parsed = parse_date(value);
    if parsed.is_none() {
        errors.push(Issue::new(field, "invalid_date").with("value", value.trim()));
    }
    parsed
}

/// はい/いいえ, 有/無, あり/なし, ○/×, yes/no, true/false, 1/0.
pub fn parse_flag(value: &str) -> Option<bool> {
    let key = search_key(value.trim());
    match key.as_str() {
        "" => Some(false),
        "はい" | "有" | "あり" | "有り" | "○" | "〇" | "◯" | "yes" | "y" | "true" | "1" | "on" => {
            Some(true)
        }
        "いいえ" | "無" | "なし" | "無し" | "×" | "✕" | "-" | "no" | "n" | "false" | "0"
        | "off" => Some(false),
        _ => None,
    }
}

impl DeviceInput {
    pub fn validate(&self) -> Result<Checked, Issues> {
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let management_no = nfkc(self.management_no.trim());
        if management_no.is_empty() {
            errors.push(Issue::new("management_no", "required"));
        } else if management_no.chars().count() > 50 {
            errors.push(Issue::new("management_no", "too_long").with("max", 50));
        }
        let os_name = text(&mut errors, "os_name", &self.os_name, 100);
        let kind = match self.kind.trim() {
            "" => DeviceKind::infer_from_os(os_name.as_deref().unwrap_or("")),
            value => DeviceKind::parse(value).unwrap_or_else(|| {
                errors.push(Issue::new("kind", "invalid_device_kind").with("value", value));
                DeviceKind::Other
            }),
        };
        let status = match self.status.trim() {
            "" => DeviceStatus::Active,
            value => DeviceStatus::parse(value).unwrap_or_else(|| {
                errors.push(Issue::new("status", "invalid_device_status").with("value", value));
                DeviceStatus::Active
            }),
        };
        let remote_maintenance = parse_flag(&self.remote_maintenance).unwrap_or_else(|| {
            errors.push(
                Issue::new("remote_maintenance", "invalid_flag")
                    .with("value", self.remote_maintenance.trim()),
            );
            false
        });
        let software = self
            .software
            .iter()
            .filter(|s| {
                !(s.name.trim().is_empty()
                    && s.version.trim().is_empty()
                    && s.vendor.trim().is_empty())
            })
            .map(|s| {
                if s.name.trim().is_empty() {
                    errors.push(Issue::new("software", "software_name_required"));
                }
                Software {
                    name: s.name.trim().to_string(),
                    version: text(&mut errors, "software_version", &nfkc(&s.version), 100),
                    vendor: text(&mut errors, "software_vendor", &s.vendor, 100),
                }
            })
            .collect();
        let interfaces = self
            .interfaces
            .iter()
            .filter(|i| {
                ![&i.ip, &i.mac, &i.hostname, &i.segment]
                    .iter()
                    .all(|v| v.trim().is_empty())
            })
            .map(|i| {
                let mac = match i.mac.trim() {
                    "" => None,
                    value => normalise_mac(value).or_else(|| {
                        errors.push(Issue::new("mac", "invalid_mac").with("value", value));
                        None
                    }),
                };
                Interface {
                    ip: check_ip("ip", &i.ip, &mut errors, &mut warnings),
                    mac,
                    hostname: text(&mut errors, "hostname", &nfkc(&i.hostname), 100),
                    segment: text(&mut errors, "segment", &i.segment, 100),
                }
            })
            .collect();
        let registered_on = date(&mut errors, "registered_on", &self.registered_on);
        let disposed_on = date(&mut errors, "disposed_on", &self.disposed_on);
        if disposed_on.is_some() && status != DeviceStatus::Disposed {
            errors.push(Issue::new("disposed_on", "disposed_on_needs_disposed"));
        }
        let device = Device {
            management_no,
            kind,
            maker: text(&mut errors, "maker", &self.maker, 100),
            model: text(&mut errors, "model", &self.model, 100),
            serial: text(&mut errors, "serial", &nfkc(&self.serial), 100),
            os_name,
            os_version: text(&mut errors, "os_version", &nfkc(&self.os_version), 100),
            location: text(&mut errors, "location", &self.location, 200),
            users: text(&mut errors, "users", &self.users, 500),
            registered_on,
            status,
            disposed_on,
            description: text(&mut errors, "description", &self.description, 2000),
            remote_maintenance,
            security_measures: text(
                &mut errors,
                "security_measures",
                &self.security_measures,
                500,
            ),
            auth_method: text(&mut errors, "auth_method", &self.auth_method, 200),
            software,
            interfaces,
        };
        if errors.is_empty() {
            Ok(Checked { device, warnings })
        } else {
            Err(Issues(errors))
        }
    }
}

impl From<&Device> for DeviceInput {
    fn from(d: &Device) -> Self {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        let day = |v: Option<NaiveDate>| {
            v.map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        };
        DeviceInput {
            management_no: d.management_no.clone(),
            kind: d.kind.code().into(),
            maker: s(&d.maker),
            model: s(&d.model),
            serial: s(&d.serial),
            os_name: s(&d.os_name),
            os_version: s(&d.os_version),
            location: s(&d.location),
            users: s(&d.users),
            registered_on: day(d.registered_on),
            status: d.status.code().into(),
            disposed_on: day(d.disposed_on),
            description: s(&d.description),
            remote_maintenance: if d.remote_maintenance {
                "yes".into()
            } else {
                "no".into()
            },
            security_measures: s(&d.security_measures),
            auth_method: s(&d.auth_method),
            software: d
                .software
                .iter()
                .map(|x| SoftwareInput {
                    name: x.name.clone(),
                    version: s(&x.version),
                    vendor: s(&x.vendor),
                })
                .collect(),
            interfaces: d
                .interfaces
                .iter()
                .map(|x| InterfaceInput {
                    ip: s(&x.ip),
                    mac: s(&x.mac),
                    hostname: s(&x.hostname),
                    segment: s(&x.segment),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
#[path = "device_tests.rs"]
mod tests;
