//! What an import keeps: a field whose column the file does not have keeps its stored value.
//! Only a present, empty cell clears a field (an account export without 作成日 once cleared
//! 作成日 on all 58 accounts).

use super::device::Device;
use super::register::{Record, RegisterSpec};

/// The fields an imported file has columns for, by field key.
#[derive(Debug, Clone, Copy)]
pub struct Present<'a>(pub &'a [&'a str]);

impl Present<'_> {
    pub fn has(&self, key: &str) -> bool {
        self.0.contains(&key)
    }

    /// Whether every one of `keys` is present (then nothing needs keeping).
    pub fn all(&self, keys: impl IntoIterator<Item = &'static str>) -> bool {
        keys.into_iter().all(|k| self.has(k))
    }
}

impl Record {
    /// Takes the stored value of every field of `spec` whose column the file does not have.
    pub fn keep_absent(&mut self, stored: &Record, spec: &RegisterSpec, present: Present<'_>) {
        for field in spec.fields {
            if present.has(field.key) {
                continue;
            }
            match stored.values.get(field.key) {
                Some(value) => {
                    self.values.insert(field.key.to_string(), value.clone());
                }
                None => {
                    self.values.remove(field.key);
                }
            }
        }
    }
}

/// The device ledger's column keys an import may lack.
pub const DEVICE_FIELDS: &[&str] = &[
    "kind",
    "maker",
    "model",
    "serial",
    "os_name",
    "os_version",
    "location",
    "users",
    "registered_on",
    "status",
    "disposed_on",
    "description",
    "remote_maintenance",
    "security_measures",
    "auth_method",
    "software",
    "software_version",
    "software_vendor",
    "ip",
    "mac",
    "hostname",
    "segment",
];

impl Device {
    /// Takes the stored value of every field whose column the file does not have. Software and
    /// interfaces keep their stored lists when the file has none of their columns, and the
    /// stored version, vendor, address… of the same software or interface when it lacks those.
    pub fn keep_absent(&mut self, stored: &Device, present: Present<'_>) {
        macro_rules! keep {
            ($($field:ident),*) => {
                $(if !present.has(stringify!($field)) {
                    self.$field = stored.$field.clone();
                })*
            };
        }
        keep!(
            kind,
            maker,
            model,
            serial,
            os_name,
            os_version,
            location,
            users,
            registered_on,
            status,
            disposed_on,
            description,
            remote_maintenance,
            security_measures,
            auth_method
        );
        if !present.has("software") {
            self.software = stored.software.clone();
        } else {
            for software in &mut self.software {
                let same = stored.software.iter().find(|s| s.name == software.name);
                if let Some(same) = same {
                    if !present.has("software_version") {
                        software.version = same.version.clone();
                    }
                    if !present.has("software_vendor") {
                        software.vendor = same.vendor.clone();
                    }
                }
            }
        }
        let interface_keys = ["ip", "mac", "hostname", "segment"];
        if !interface_keys.iter().any(|k| present.has(k)) {
            self.interfaces = stored.interfaces.clone();
        } else {
            for (i, interface) in self.interfaces.iter_mut().enumerate() {
                let Some(same) = stored.interfaces.get(i) else {
                    break;
                };
                macro_rules! keep_interface {
                    ($($field:ident),*) => {
                        $(if !present.has(stringify!($field)) {
                            interface.$field = same.$field.clone();
                        })*
                    };
                }
                keep_interface!(ip, mac, hostname, segment);
            }
        }
    }
}

impl crate::accounts::Account {
    /// Takes the stored value of every field whose column the user export does not have (the
    /// owners are the matching's to keep: see `AccountChanges::between`).
    pub fn keep_absent(&mut self, stored: &crate::accounts::Account, present: Present<'_>) {
        macro_rules! keep {
            ($($field:ident),*) => {
                $(if !present.has(stringify!($field)) {
                    self.$field = stored.$field.clone();
                })*
            };
        }
        keep!(
            display_name,
            role,
            privileges,
            privileged,
            status,
            created_on,
            last_sign_in_on,
            expires_on
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::device::{Interface, Software};
    use crate::ledger::registers::VENDORS;

    fn device() -> Device {
        Device {
            management_no: "001".into(),
            kind: crate::ledger::device::DeviceKind::Pc,
            maker: Some("NEC".into()),
            model: None,
            serial: None,
            os_name: Some("Windows 11".into()),
            os_version: Some("23H2".into()),
            location: Some("医事課".into()),
            users: None,
            registered_on: chrono::NaiveDate::from_ymd_opt(2024, 4, 1),
            status: crate::ledger::device::DeviceStatus::Active,
            disposed_on: None,
            description: Some("受付".into()),
            remote_maintenance: true,
            security_measures: None,
            auth_method: None,
            software: vec![Software {
                name: "電子カルテ".into(),
                version: Some("5.1".into()),
                vendor: Some("A社".into()),
            }],
            interfaces: vec![Interface {
                ip: Some("192.168.1.10".into()),
                mac: Some("00:11:22:33:44:55".into()),
                hostname: Some("PC-001".into()),
                segment: None,
            }],
        }
    }

    #[test]
    fn a_device_keeps_what_the_file_has_no_column_for() {
        let stored = device();
        let mut incoming = device();
        incoming.maker = None;
        incoming.description = None;
        incoming.registered_on = None;
        incoming.remote_maintenance = false;
        incoming.software[0].version = None;
        incoming.interfaces[0].mac = None;
        incoming.location = Some("放射線科".into());
        incoming.keep_absent(
            &stored,
            Present(&["location", "description", "software", "ip", "hostname"]),
        );
        assert_eq!(incoming.maker.as_deref(), Some("NEC"));
        assert_eq!(incoming.registered_on, stored.registered_on);
        assert!(incoming.remote_maintenance);
        // A present, empty column clears.
        assert_eq!(incoming.description, None);
        assert_eq!(incoming.location.as_deref(), Some("放射線科"));
        assert_eq!(incoming.software[0].version.as_deref(), Some("5.1"));
        assert_eq!(
            incoming.interfaces[0].mac.as_deref(),
            Some("00:11:22:33:44:55")
        );
        let mut bare = device();
        bare.software.clear();
        bare.interfaces.clear();
        bare.keep_absent(&stored, Present(&["maker"]));
        assert_eq!(bare, stored);
    }

    #[test]
    fn a_record_keeps_what_the_file_has_no_column_for() {
        let spec = &VENDORS;
        let key = spec.key_field;
        let other = spec.fields.iter().find(|f| f.key != key).unwrap().key;
        let mut stored = Record::default();
        stored.values.insert(key.into(), "A社".into());
        stored.values.insert(other.into(), "保守".into());
        let mut incoming = Record::default();
        incoming.values.insert(key.into(), "A社".into());
        incoming.keep_absent(&stored, spec, Present(&[key]));
        assert_eq!(incoming, stored);
        let mut cleared = Record::default();
        cleared.values.insert(key.into(), "A社".into());
        cleared.keep_absent(&stored, spec, Present(&[key, other]));
        assert_eq!(cleared.get(other), None);
    }
}
